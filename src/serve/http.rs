//! The HTTP side of `tumen serve`: the output folder's files under the base path,
//! with the reload script put into HTML pages, and the reload event stream.
//!
//! The last rebuild's files come from memory until they are written (see
//! [`super::output`]). Only files inside the output folder are served: the request path is
//! percent-decoded first, then any `.` or `..` segment (or a backslash, or a NUL)
//! refuses it, and the file found must still be inside the output once symlinks
//! are resolved. Everything refused, like everything missing, gets the site's 404
//! page.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::output::{Output, View};
use super::reload::{Hub, inject_into};
use crate::util::paths::percent_decode;

pub struct Served {
    pub output: Arc<Output>,
    /// `/` or `/sub/`.
    pub base_path: String,
    pub hub: Arc<Hub>,
}

pub fn router(served: Arc<Served>) -> Router {
    let events = format!("{}__tumen/events", served.base_path);
    Router::new()
        .route(
            &events,
            get(|State(s): State<Arc<Served>>| async move { s.hub.events() }),
        )
        .fallback(file)
        .with_state(served)
}

/// What a request path asks for.
#[derive(Debug, PartialEq)]
enum Want {
    /// A file, relative to the output, by its segments.
    File(Vec<String>),
    /// The same place with a slash (a folder, or the base path without its slash).
    Redirect(String),
    NotFound,
}

fn want(base_path: &str, path: &str) -> Want {
    if base_path != "/" && (path == "/" || path == base_path.trim_end_matches('/')) {
        return Want::Redirect(base_path.to_string());
    }
    let Some(rest) = path.strip_prefix(base_path) else {
        return Want::NotFound;
    };
    let Some(decoded) = percent_decode(rest) else {
        return Want::NotFound;
    };
    let mut segs = Vec::new();
    for seg in decoded.split('/') {
        if seg == "." || seg == ".." || seg.contains(['\\', '\0', ':']) {
            return Want::NotFound;
        }
        if !seg.is_empty() {
            segs.push(seg.to_string());
        }
    }
    if decoded.is_empty() || decoded.ends_with('/') {
        segs.push("index.html".into());
    }
    Want::File(segs)
}

fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "bib" => "text/x-bibtex; charset=utf-8",
        "ris" => "application/x-research-info-systems; charset=utf-8",
        "xml" => "application/xml",
        "txt" | "md" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// The file at `segs` below the output, if it is a file that is really inside it:
/// from memory when the last rebuild made it and it is not written yet. `Err` for
/// a folder.
fn read_inside(view: &View, segs: &[String]) -> Result<Option<Vec<u8>>, PathBuf> {
    let rel = segs.join("/");
    if let Some(pending) = view.pending(&rel) {
        return Ok(pending);
    }
    if view.pending_folder(&rel) {
        return Err(view.dir.join(&rel));
    }
    let Ok(root) = view.dir.canonicalize() else {
        return Ok(None);
    };
    let mut p = root.clone();
    p.extend(segs);
    if p.is_dir() {
        return Err(p);
    }
    let Ok(real) = p.canonicalize() else {
        return Ok(None);
    };
    // A symlink may lead out of the output; what it leads to must be inside.
    if !real.starts_with(&root) || !real.is_file() {
        return Ok(None);
    }
    Ok(std::fs::read(&real).ok())
}

enum Found {
    File(Vec<u8>, &'static str),
    Redirect(String),
    Missing(Option<Vec<u8>>),
}

fn find(s: &Served, uri: &Uri) -> Found {
    let view = s.output.view();
    let not_found = || Found::Missing(read_inside(&view, &["404.html".into()]).ok().flatten());
    match want(&s.base_path, uri.path()) {
        Want::Redirect(to) => Found::Redirect(to),
        Want::NotFound => not_found(),
        Want::File(segs) => match read_inside(&view, &segs) {
            Ok(Some(bytes)) => {
                let ctype = content_type(Path::new(segs.last().map_or("", String::as_str)));
                Found::File(bytes, ctype)
            }
            Ok(None) => not_found(),
            Err(_) => {
                let q = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
                Found::Redirect(format!("{}/{q}", uri.path()))
            }
        },
    }
}

fn respond(status: StatusCode, ctype: &'static str, body: Vec<u8>) -> Response {
    let mut r = (status, Body::from(body)).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    // A preview changes all the time: never keep a stale copy.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

async fn file(State(s): State<Arc<Served>>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        let mut r = respond(
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain; charset=utf-8",
            b"only GET and HEAD\n".to_vec(),
        );
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let served = s.clone();
    let found = tokio::task::spawn_blocking(move || find(&served, &uri))
        .await
        .unwrap_or(Found::Missing(None));
    let html = "text/html; charset=utf-8";
    match found {
        Found::File(bytes, ctype) if ctype == html => {
            respond(StatusCode::OK, html, inject_into(&bytes, &s.hub.inject()))
        }
        Found::File(bytes, ctype) => respond(StatusCode::OK, ctype, bytes),
        Found::Redirect(to) => {
            let mut r = StatusCode::FOUND.into_response();
            if let Ok(v) = HeaderValue::from_str(&to) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
        Found::Missing(page) => {
            let page = page.unwrap_or_else(|| {
                b"<!DOCTYPE html><html><head><title>Not found</title></head><body><h1>Not found</h1></body></html>".to_vec()
            });
            respond(
                StatusCode::NOT_FOUND,
                html,
                inject_into(&page, &s.hub.inject()),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(p: &[&str]) -> Want {
        Want::File(p.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn request_paths() {
        assert_eq!(want("/", "/"), file(&["index.html"]));
        assert_eq!(
            want("/", "/briefs/x/"),
            file(&["briefs", "x", "index.html"])
        );
        assert_eq!(want("/", "/style.css"), file(&["style.css"]));
        assert_eq!(want("/", "/a%20b.txt"), file(&["a b.txt"]));
        assert_eq!(want("/sub/", "/sub/data/x.csv"), file(&["data", "x.csv"]));
        assert_eq!(want("/sub/", "/sub"), Want::Redirect("/sub/".into()));
        assert_eq!(want("/sub/", "/"), Want::Redirect("/sub/".into()));
        assert_eq!(want("/sub/", "/other/"), Want::NotFound);
    }

    #[test]
    fn traversal_is_refused() {
        for p in [
            "/../etc/passwd",
            "/briefs/../../x",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/..%2fetc/passwd",
            "/a/%2e/b",
            "/..\\etc",
            "/%5c..%5cetc",
            "/x%00.html",
            "/c:/windows",
            "/%ff",
        ] {
            assert_eq!(want("/", p), Want::NotFound, "{p}");
        }
        // Leading slashes make no absolute path.
        assert_eq!(want("/", "//etc/passwd"), file(&["etc", "passwd"]));
    }

    #[test]
    fn content_types() {
        for (f, t) in [
            ("a.html", "text/html; charset=utf-8"),
            ("a.css", "text/css; charset=utf-8"),
            ("a.js", "text/javascript; charset=utf-8"),
            ("a.svg", "image/svg+xml"),
            ("a.json", "application/json"),
            ("a.csv", "text/csv; charset=utf-8"),
            ("a.xml", "application/xml"),
            ("cite.bib", "text/x-bibtex; charset=utf-8"),
            (
                "cite.ris",
                "application/x-research-info-systems; charset=utf-8",
            ),
        ] {
            assert_eq!(content_type(Path::new(f)), t);
        }
    }
}
