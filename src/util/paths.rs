//! Paths: as the user sees them in messages, made absolute, normalised, and
//! decoded from URLs. One copy of each, shared by every stage.

use std::path::{Component, Path, PathBuf};

/// `path` as the user would type it: relative to the current folder when it is
/// below it, and without a leading `./` (a site in the current folder).
pub fn display_path(path: &Path) -> PathBuf {
    // tumen never changes its working folder, so it is asked for once (it was
    // two system calls a brief).
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    let shown = (CWD.get_or_init(|| std::env::current_dir().ok()).as_ref())
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    match shown.strip_prefix(".") {
        Ok(rest) if !rest.as_os_str().is_empty() => rest.to_path_buf(),
        _ => shown,
    }
}

/// The absolute form of `p`, whether or not it exists yet, with symlinks resolved
/// in the longest part of it that exists (so that they cannot hide an overlap).
pub fn absolute(p: &Path) -> PathBuf {
    let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let mut existing = abs.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    for r in rest.into_iter().rev() {
        out.push(r);
    }
    out
}

/// Normalise `a/./b/../c` without touching the file system.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Decode `%xx` escapes; `None` when the result is not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Some(v) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_paths() {
        assert_eq!(
            normalize(Path::new("content/briefs/../data/./x.yaml")),
            PathBuf::from("content/data/x.yaml")
        );
    }

    #[test]
    fn decodes_escapes() {
        assert_eq!(percent_decode("a%20b%2Fc").as_deref(), Some("a b/c"));
        assert_eq!(percent_decode("100%").as_deref(), Some("100%"));
        assert_eq!(percent_decode("%ff"), None);
    }

    #[test]
    fn absolute_paths_of_what_does_not_exist_yet() {
        let p = absolute(Path::new("no/such/folder"));
        assert!(p.is_absolute() && p.ends_with("no/such/folder"), "{p:?}");
    }
}
