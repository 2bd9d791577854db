//! Every internal link and anchor of the rendered pages, and where to report a
//! broken one.
//!
//! Links are checked on the rendered HTML, where every way of making a link (a
//! brief's Markdown, a template, a menu entry) has ended up; each broken one is
//! reported at the place that wrote it: the line of the brief when the link came
//! from a brief, else the page and the template that rendered it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::deps::Dep;
use crate::model::Site;
use crate::output::Content;
use crate::render::RenderedSite;
use crate::util::diag::{Diagnostic, Diagnostics};

/// `href`/`src` values of an HTML text, with their byte offsets.
pub(super) fn links(html: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    for attr in [" href=\"", " src=\""] {
        let mut from = 0;
        while let Some(i) = html[from..].find(attr) {
            let start = from + i + attr.len();
            let Some(len) = html[start..].find('"') else {
                break;
            };
            out.push((start, &html[start..start + len]));
            from = start + len;
        }
    }
    out.sort();
    out
}

/// Every `id` of an HTML text.
fn ids(html: &str) -> BTreeSet<&str> {
    let mut out = BTreeSet::new();
    let mut from = 0;
    while let Some(i) = html[from..].find(" id=\"") {
        let start = from + i + 5;
        let Some(len) = html[start..].find('"') else {
            break;
        };
        out.insert(&html[start..start + len]);
        from = start + len;
    }
    out
}

pub(super) fn unescape(s: &str) -> String {
    s.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

/// Which brief made each brief page (by its site path), to point a broken link at
/// the line of the brief that wrote it.
pub(super) fn brief_pages(site: &Site) -> BTreeMap<&str, usize> {
    site.briefs
        .iter()
        .enumerate()
        .map(|(i, b)| (b.path.as_str(), i))
        .collect()
}

/// The rendered pages as the check reads them.
struct Pages<'a> {
    site: &'a Site,
    /// Output path → HTML, for the pages.
    html: BTreeMap<&'a str, &'a str>,
    /// Every output path.
    files: BTreeSet<&'a str>,
    /// Each page's ids: the anchors a link may name.
    ids: BTreeMap<&'a str, BTreeSet<&'a str>>,
    brief_of: BTreeMap<&'a str, usize>,
}

impl<'a> Pages<'a> {
    fn of(site: &'a Site, rendered: &'a RenderedSite) -> Pages<'a> {
        let html: BTreeMap<&str, &str> = (rendered.files.iter())
            .filter(|f| f.path.ends_with(".html"))
            .filter_map(|f| match &f.content {
                Content::Bytes(b) => std::str::from_utf8(b).ok().map(|t| (f.path.as_str(), t)),
                Content::Copy(_) => None,
            })
            .collect();
        Pages {
            site,
            files: rendered.files.iter().map(|f| f.path.as_str()).collect(),
            ids: html.iter().map(|(p, h)| (*p, ids(h))).collect(),
            html,
            brief_of: brief_pages(site),
        }
    }

    /// The output file a link on `page` leads to; `None` when it leaves the site.
    fn target(&self, page: &str, path_part: &str) -> Option<String> {
        let dir = page.trim_end_matches("index.html");
        let as_file = |p: String| {
            if p.is_empty() || p.ends_with('/') {
                format!("{p}index.html")
            } else {
                p
            }
        };
        if path_part.is_empty() {
            Some(page.to_string())
        } else if let Some(rest) = path_part.strip_prefix(&self.site.base_path) {
            Some(as_file(rest.split('?').next().unwrap_or(rest).to_string()))
        } else if path_part.starts_with('/') {
            None
        } else {
            Some(as_file(format!("{dir}{path_part}")))
        }
    }

    /// What is wrong with `link` on `page`, if anything.
    fn problem(&self, page: &str, link: &str) -> Option<String> {
        let (path_part, frag) = link
            .split_once('#')
            .map_or((link, None), |(p, f)| (p, Some(f)));
        let Some(t) = self.target(page, path_part) else {
            return Some(format!(
                "link `{link}` is outside the site's base path {}",
                self.site.base_path
            ));
        };
        if !self.files.contains(t.as_str()) {
            // A link to a brief file that does not exist is reported by the
            // resolver, as `tumen build` words it.
            let dir = page.trim_end_matches("index.html");
            return (!is_missing_brief_link(self.site, &self.brief_of, dir, link))
                .then(|| format!("link `{link}` leads to no page (no {t} in the output)"));
        }
        match (frag, self.ids.get(t.as_str())) {
            (Some(f), Some(targets)) if !f.is_empty() && !targets.contains(f) => {
                Some(format!("link `{link}`: {t} has no anchor `#{f}`"))
            }
            _ => None,
        }
    }
}

/// Check every internal link and anchor of the rendered site.
pub fn check_links(site: &Site, rendered: &RenderedSite) -> Diagnostics {
    let mut errors = Diagnostics::from(site.missing_links.clone());
    let pages = Pages::of(site, rendered);
    let mut template_problems = BTreeSet::new();
    for (page, html) in &pages.html {
        for (_, raw) in links(html) {
            let link = unescape(raw);
            let elsewhere = ["mailto:", "tel:", "data:"]
                .iter()
                .any(|s| link.starts_with(s));
            if link.contains("://") || elsewhere {
                continue;
            }
            let Some(problem) = pages.problem(page, &link) else {
                continue;
            };
            let d = locate(
                site,
                rendered,
                &pages.brief_of,
                page,
                raw,
                &link,
                problem.clone(),
            );
            // A broken link in a template or the menu is on every page that uses it:
            // report it once.
            if d.line == 0 && !template_problems.insert(problem) {
                continue;
            }
            errors.push(d);
        }
    }
    errors
}

/// Whether `link`, on the page of a brief (`dir`), was written as a link to a brief
/// file that does not exist: the resolver has reported it (`Site::missing_links`).
fn is_missing_brief_link(
    site: &Site,
    brief_of: &BTreeMap<&str, usize>,
    dir: &str,
    link: &str,
) -> bool {
    let Some(&i) = brief_of.get(dir) else {
        return false;
    };
    let resolved = link.strip_prefix(&site.base_path).unwrap_or(link);
    let resolved = resolved.split('#').next().unwrap_or(resolved);
    site.briefs[i].links.iter().any(|(from, to)| {
        let file = from
            .split(['#', '?'])
            .next()
            .unwrap_or(from)
            .to_ascii_lowercase();
        to.split('#').next() == Some(resolved)
            && (file.ends_with(".md") || file.ends_with(".markdown"))
    })
}

/// Put a link problem where its author can fix it.
pub(super) fn locate(
    site: &Site,
    rendered: &RenderedSite,
    brief_of: &BTreeMap<&str, usize>,
    page: &str,
    raw: &str,
    link: &str,
    problem: String,
) -> Diagnostic {
    let dir = page.trim_end_matches("index.html");
    if let Some(&i) = brief_of.get(dir) {
        let b = &site.briefs[i];
        // The link as the brief wrote it: a rewritten file link, or the URL itself.
        let resolved = link.strip_prefix(&site.base_path).unwrap_or(link);
        let written: Vec<&str> = b
            .links
            .iter()
            .filter(|(_, to)| to.as_str() == resolved)
            .map(|(from, _)| from.as_str())
            .chain([link, raw])
            .collect();
        for w in written {
            if let Some(off) = b.src.text[b.src.body_start..].find(&format!("]({w}")) {
                return Diagnostic::at_offset(
                    &b.src.file,
                    &b.src.text,
                    b.src.body_start + off + 2,
                    problem,
                );
            }
            if let Some(off) = b.src.text[b.src.body_start..].find(w) {
                return Diagnostic::at_offset(
                    &b.src.file,
                    &b.src.text,
                    b.src.body_start + off,
                    problem,
                );
            }
        }
    }
    let template = rendered.deps.get(page).and_then(|d| {
        d.iter().find_map(|d| {
            if let Dep::Template(t) = d {
                Some(t.clone())
            } else {
                None
            }
        })
    });
    let origin = template
        .as_ref()
        .and_then(|t| site.theme.templates.get(t))
        .map_or_else(|| page.to_string(), |t| t.origin.clone());
    Diagnostic::file(Path::new(&origin), format!("{problem} (on page {page})"))
        .with_help("fix the link in the template, or the menu entry in site.yaml")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_links_and_ids() {
        let html = r#"<a href="/a/#x">a</a><img src="/i.png"><h2 id="x">X</h2><p id="y">"#;
        let l: Vec<&str> = links(html).into_iter().map(|(_, l)| l).collect();
        assert_eq!(l, vec!["/a/#x", "/i.png"]);
        assert_eq!(ids(html).into_iter().collect::<Vec<_>>(), vec!["x", "y"]);
    }
}
