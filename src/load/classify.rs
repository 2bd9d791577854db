//! What a path is to a site: the one place that says which files are sources.
//!
//! The loader lists folders with it, the live preview's watcher drops junk and
//! notices git with it, and the source store re-reads by it. So a file that `tumen
//! build` reads is exactly a file whose edit `tumen serve` rebuilds for, and the
//! two cannot drift apart. A path is told by where it is and how it is named,
//! never by reading it: the watcher asks about files that may be gone already.
//!
//! A site's folder holds `site.yaml`, `briefs/`, `data/`, `static/` and
//! `themes/`; a `themes/` folder beside the site's folder counts too (themes
//! shared by several sites).

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use crate::util::diag::Diagnostic;
use crate::util::paths::display_path;

/// What a path is to the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `site.yaml`: the settings.
    Config,
    /// `briefs/**/*.md` (or `.markdown`).
    Brief,
    /// `data/**/*.yaml` (or `.yml`).
    Dataset,
    /// Anything else in `briefs/`: a folder, or a file that is no brief. A folder
    /// may have been renamed or removed with briefs in it, so the briefs are
    /// listed again.
    InBriefs,
    /// Anything else in `data/`, likewise.
    InData,
    /// `static/**`: copied into the output as it is.
    Static,
    /// `themes/<name>/templates/**/*.html` (or `.xml`, `.txt`).
    Template,
    /// `themes/<name>/static/**`: a theme's files copied as they are.
    ThemeStatic,
    /// Anything else in a `themes/` folder (a theme's folder itself, say).
    InThemes,
    /// One of the files of the repository's git folder that a commit, a
    /// checkout, a reset or a pull rewrites ([`GIT_FILES`]).
    Git,
    /// What editors and tools leave beside the files they edit, anything in a
    /// hidden folder, and the rest of the git folder: never a source.
    Junk,
    /// Anything else (a README beside `site.yaml`, an output folder): not read.
    Other,
}

impl Kind {
    /// A change to it means reading the theme and the static files again.
    pub fn is_theme(self) -> bool {
        matches!(
            self,
            Kind::Static | Kind::Template | Kind::ThemeStatic | Kind::InThemes
        )
    }
}

const BRIEF_EXTENSIONS: &[&str] = &["md", "markdown"];
const DATASET_EXTENSIONS: &[&str] = &["yaml", "yml"];
const TEMPLATE_EXTENSIONS: &[&str] = &["html", "xml", "txt"];

/// The files of a git folder that a commit, a checkout, a reset or a pull
/// rewrites (not `index`, which `git status` itself may refresh).
pub const GIT_FILES: &[&str] = &[
    "HEAD",
    "logs/HEAD",
    "COMMIT_EDITMSG",
    "ORIG_HEAD",
    "packed-refs",
];

/// What `path` is to the site in `root` (the folder holding `site.yaml`), whose
/// repository's git folder is `git_dir` when that matters (the watcher's).
/// `root` and `path` must be spelled alike: both as the loader lists them, or
/// both absolute and canonical, as the watcher reports them.
pub fn classify(root: &Path, git_dir: Option<&Path>, path: &Path) -> Kind {
    if let Some(rel) = git_dir.and_then(|g| path.strip_prefix(g).ok()) {
        return match GIT_FILES.iter().any(|f| rel == Path::new(f)) {
            true => Kind::Git,
            false => Kind::Junk,
        };
    }
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    if is_junk_name(&name) {
        return Kind::Junk;
    }
    match place(root, path) {
        Place::Site(rel) if is_hidden(rel) => Kind::Junk,
        Place::Site(rel) => in_site(rel),
        Place::Beside(rel) if is_hidden(rel) => Kind::Junk,
        Place::Beside(rel) if first(rel) == Some("themes") => in_themes(rel),
        Place::Beside(_) | Place::Elsewhere => Kind::Other,
    }
}

/// Files editors and tools leave beside the ones they edit: vim's `.x.swp`,
/// `4913.swx` and `x~`, Emacs's `.#x` and `#x#`, JetBrains' `x___jb_tmp___`,
/// anyone's `x.tmp`; and hidden files.
fn is_junk_name(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        // Office's lock files beside an open workbook: `~$customs.xlsx`.
        || name.starts_with("~$")
        || name.ends_with('~')
        || [".swp", ".swx", ".tmp", "___jb_tmp___", "___jb_old___"]
            .iter()
            .any(|end| name.ends_with(end))
}

/// Where a path is: in the site's folder, or in the folder that holds it (where
/// shared themes are), as a path relative to that folder.
enum Place<'a> {
    Site(&'a Path),
    Beside(&'a Path),
    Elsewhere,
}

fn place<'a>(root: &Path, path: &'a Path) -> Place<'a> {
    if let Ok(rel) = path.strip_prefix(root) {
        // `site/../themes/x`, as the theme loader spells a theme beside the site.
        return match rel.strip_prefix("..") {
            Ok(up) => Place::Beside(up),
            Err(_) => Place::Site(rel),
        };
    }
    match root.parent().map(|up| path.strip_prefix(up)) {
        Some(Ok(rel)) => Place::Beside(rel),
        _ => Place::Elsewhere,
    }
}

/// A folder or file whose name starts with a dot: `.git/`, `.cache/`.
fn is_hidden(rel: &Path) -> bool {
    rel.components()
        .any(|c| matches!(c, Component::Normal(n) if n.to_string_lossy().starts_with('.')))
}

fn first(rel: &Path) -> Option<&str> {
    rel.components().next()?.as_os_str().to_str()
}

fn has_extension(rel: &Path, extensions: &[&str]) -> bool {
    rel.extension()
        .is_some_and(|e| extensions.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// A path in the site's folder, relative to it.
fn in_site(rel: &Path) -> Kind {
    match first(rel) {
        Some("site.yaml") if rel.components().count() == 1 => Kind::Config,
        Some("briefs") if has_extension(rel, BRIEF_EXTENSIONS) => Kind::Brief,
        Some("briefs") => Kind::InBriefs,
        Some("data") if has_extension(rel, DATASET_EXTENSIONS) => Kind::Dataset,
        Some("data") => Kind::InData,
        Some("static") => Kind::Static,
        Some("themes") => in_themes(rel),
        _ => Kind::Other,
    }
}

/// A path in a `themes/` folder: `themes/<name>/templates/…`, `themes/<name>/static/…`
/// (a theme's name may have several parts: the first `templates` or `static`
/// folder after it counts).
fn in_themes(rel: &Path) -> Kind {
    // `themes`, and the theme's name.
    let mut parts = rel.components().skip(2);
    let folder = parts.find_map(|c| match c.as_os_str().to_str() {
        Some(f @ ("templates" | "static")) => Some(f),
        _ => None,
    });
    let inside = parts.next().is_some();
    match folder {
        Some("templates") if inside && has_extension(rel, TEMPLATE_EXTENSIONS) => Kind::Template,
        Some("static") if inside => Kind::ThemeStatic,
        _ => Kind::InThemes,
    }
}

/// The files below `dir` (recursively) that [`classify`] calls `kind` for the site
/// in `root`, sorted. A missing folder is no files.
pub fn list_files(root: &Path, dir: &Path, kind: Kind) -> Result<Vec<PathBuf>, Diagnostic> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let cannot = |d: &Path, e: std::io::Error| {
        Diagnostic::file(&display_path(d), format!("cannot list this folder: {e}"))
    };
    // Symlinks are followed inside the site (or the folder listed), each folder
    // once: a link back up cannot make a loop, nor a file be read twice.
    let bounds = [canonical(root), canonical(dir)];
    let mut seen_dirs = HashSet::from([canonical(dir)]);
    let mut found: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        // What an entry that is no link resolves to is its folder's real path
        // and its name: one `canonicalize` a folder, not one a file.
        let real_d = canonical(&d);
        for entry in std::fs::read_dir(&d).map_err(|e| cannot(&d, e))? {
            let entry = entry.map_err(|e| cannot(&d, e))?;
            let path = entry.path();
            let this = classify(root, None, &path);
            if this == Kind::Junk {
                continue;
            }
            let ft = entry.file_type().map_err(|e| cannot(&d, e))?;
            let target = match ft.is_symlink() {
                true => followed(&path, &bounds)?,
                false => real_d.join(entry.file_name()),
            };
            if ft.is_dir() || (ft.is_symlink() && target.is_dir()) {
                if seen_dirs.insert(target) {
                    stack.push(path);
                }
            } else if this == kind {
                found.push((path, target));
            }
        }
    }
    found.sort_unstable_by(|a, b| path_order(&a.0, &b.0));
    let mut seen = HashSet::new();
    Ok(found
        .into_iter()
        .filter(|(_, target)| seen.insert(target.clone()))
        .map(|(path, _)| path)
        .collect())
}

/// `a.cmp(b)` for paths made by joining names to one folder (no `.`, `..` or
/// doubled separators): their bytes compared with the separator first of all,
/// which is the order of their components, without splitting them into
/// components at every comparison (sorting 10,000 briefs' paths took 20 ms).
fn path_order(a: &Path, b: &Path) -> std::cmp::Ordering {
    use std::os::unix::ffi::OsStrExt;
    fn key(p: &Path) -> impl Iterator<Item = u8> + '_ {
        (p.as_os_str().as_bytes().iter()).map(|&c| if c == b'/' { 0 } else { c })
    }
    key(a).cmp(key(b))
}

fn canonical(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}

/// Where the symbolic link `link` leads: somewhere that exists, inside one of
/// `bounds`. Anything else is refused: a dangling link or a loop, and a link out
/// of the site, whose file the site's sources would not hold.
fn followed(link: &Path, bounds: &[PathBuf]) -> Result<PathBuf, Diagnostic> {
    let to = std::fs::read_link(link).unwrap_or_default();
    let Ok(target) = link.canonicalize() else {
        return Err(Diagnostic::file(
            &display_path(link),
            format!(
                "this symbolic link leads to {}, which does not exist or loops back on itself",
                to.display()
            ),
        )
        .with_help("remove the link, or point it at a file of the site"));
    };
    if !bounds.iter().any(|b| target.starts_with(b)) {
        return Err(Diagnostic::file(
            &display_path(link),
            format!(
                "this symbolic link leads out of the site, to {}",
                target.display()
            ),
        )
        .with_help("copy the file into the site: a site is built from its own files only"));
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn path_order_is_the_order_of_components() {
        let names = [
            "s/briefs/a",
            "s/briefs/a-b",
            "s/briefs/a/b.md",
            "s/briefs/a.md",
            "s/briefs/a b",
            "s/briefs/ab",
            "s/briefs/A",
            "s/briefs/é.md",
            "s/briefs/a/b/c.md",
            "s/briefs/a0",
            "s/b",
            "s/briefs/z",
        ];
        for x in names {
            for y in names {
                let (a, b) = (Path::new(x), Path::new(y));
                assert_eq!(path_order(a, b), a.cmp(b), "{x} vs {y}");
            }
        }
    }

    fn kind(root: &str, path: &str) -> Kind {
        classify(Path::new(root), None, Path::new(path))
    }

    #[test]
    fn sources_by_folder_and_extension() {
        for root in ["/s", "site", "."] {
            let at = |rel: &str| kind(root, &Path::new(root).join(rel).to_string_lossy());
            assert_eq!(at("site.yaml"), Kind::Config, "{root}");
            assert_eq!(at("briefs/x.md"), Kind::Brief);
            assert_eq!(at("briefs/sub/x.MARKDOWN"), Kind::Brief);
            assert_eq!(at("briefs/notes.txt"), Kind::InBriefs);
            assert_eq!(at("briefs/sub"), Kind::InBriefs);
            assert_eq!(at("briefs"), Kind::InBriefs);
            assert_eq!(at("data/trade.yaml"), Kind::Dataset);
            assert_eq!(at("data/trade.yml"), Kind::Dataset);
            assert_eq!(at("data/trade.csv"), Kind::InData);
            assert_eq!(at("data/~$customs.xlsx"), Kind::Junk);
            assert_eq!(at("static/img/x.png"), Kind::Static);
            assert_eq!(at("static"), Kind::Static);
            assert_eq!(at("themes/t/templates/brief.html"), Kind::Template);
            assert_eq!(at("themes/t/templates/part/x.xml"), Kind::Template);
            assert_eq!(at("themes/t/templates/notes.md"), Kind::InThemes);
            assert_eq!(at("themes/t/static/style.css"), Kind::ThemeStatic);
            assert_eq!(at("themes/t/static"), Kind::InThemes);
            assert_eq!(at("themes/t"), Kind::InThemes);
            assert_eq!(at("themes/a/b/templates/x.html"), Kind::Template);
            assert_eq!(at("README.md"), Kind::Other);
            assert_eq!(at("sub/site.yaml"), Kind::Other);
            assert_eq!(at("public/index.html"), Kind::Other);
            assert_eq!(at(""), Kind::Other);
        }
    }

    #[test]
    fn themes_beside_the_site_count_and_nothing_else_there() {
        // As the watcher reports them, and as the theme loader spells them.
        assert_eq!(kind("/a/s", "/a/themes/t/static/x.css"), Kind::ThemeStatic);
        assert_eq!(kind("s", "s/../themes/t/templates/x.html"), Kind::Template);
        assert_eq!(kind("s", "themes/t/templates/x.html"), Kind::Template);
        assert_eq!(kind("/a/s", "/a/briefs/x.md"), Kind::Other);
        assert_eq!(kind("/a/s", "/b/themes/t/static/x.css"), Kind::Other);
        assert_eq!(kind("/a/s", "/a/site.yaml"), Kind::Other);
    }

    #[test]
    fn editor_files_and_hidden_folders_are_junk() {
        for j in [
            "briefs/.x.md.swp",
            "briefs/x.md~",
            "briefs/.#x.md",
            "briefs/#x.md#",
            "briefs/x.md___jb_tmp___",
            "briefs/x.md___jb_old___",
            "briefs/4913.swx",
            "static/x.css.tmp",
            ".git/index",
            "briefs/.drafts/x.md",
            "themes/.t/templates/x.html",
        ] {
            assert_eq!(kind("/s", &format!("/s/{j}")), Kind::Junk, "{j}");
        }
        assert_eq!(kind("/s", "/themes/.t/static/x.css"), Kind::Junk);
        // A hidden folder above the site is not the site's business.
        assert_eq!(
            kind("/tmp/.tmpAbc/s", "/tmp/.tmpAbc/s/briefs/x.md"),
            Kind::Brief
        );
    }

    #[test]
    fn git_folders_files_that_a_commit_writes() {
        let git = PathBuf::from("/repo/.git");
        let at = |p: &str| classify(Path::new("/repo/site"), Some(&git), Path::new(p));
        assert_eq!(at("/repo/.git/HEAD"), Kind::Git);
        assert_eq!(at("/repo/.git/logs/HEAD"), Kind::Git);
        assert_eq!(at("/repo/.git/packed-refs"), Kind::Git);
        assert_eq!(at("/repo/.git/index"), Kind::Junk);
        assert_eq!(at("/repo/.git/index.lock"), Kind::Junk);
        assert_eq!(at("/repo/site/briefs/x.md"), Kind::Brief);
        // The site at the repository's top.
        let at = |p: &str| classify(Path::new("/repo"), Some(&git), Path::new(p));
        assert_eq!(at("/repo/.git/ORIG_HEAD"), Kind::Git);
        assert_eq!(at("/repo/.git/objects/ab/cdef"), Kind::Junk);
    }
}
