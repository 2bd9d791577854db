//! Stage 4, **write**: put the rendered site on disk, all or nothing.
//!
//! Files go into a staging folder beside the output, which is then swapped in with
//! two renames. A build that fails before the swap leaves the previous output as it
//! was; files of earlier builds that no longer exist disappear with the old folder.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::load::StaticFile;
use crate::output::{Content, OutputFile};
use crate::util::diag::Diagnostic;
use crate::util::paths::{absolute, display_path};

fn io_err(path: &Path, what: &str, e: std::io::Error) -> Diagnostic {
    Diagnostic::file(&display_path(path), format!("{what}: {e}"))
}

/// The folders of a site that hold its sources (see `load`); anything else inside
/// the site folder may be its output, as Zola's `public/` and Hugo's are.
pub const SOURCE_FOLDERS: &[&str] = &["briefs", "data", "static", "themes"];

/// Whether `out` is a folder of its own inside the site `site` (both absolute):
/// below it, but not the site itself, not hidden, and not in a source folder.
fn is_output_inside(out: &Path, site: &Path) -> bool {
    let Ok(rel) = out.strip_prefix(site) else {
        return false;
    };
    match rel.components().next() {
        Some(std::path::Component::Normal(first)) => {
            let first = first.to_string_lossy();
            !first.starts_with('.') && !SOURCE_FOLDERS.contains(&first.as_ref())
        }
        _ => false,
    }
}

/// Refuse output folders whose replacement would destroy the user's work.
pub fn check_output_dir(out: &Path, site: &Path) -> Result<(), Diagnostic> {
    let o = absolute(out);
    let s = absolute(site);
    let shown = display_path(out);
    if o.parent().is_none()
        || Some(o.as_path()) == std::env::var_os("HOME").map(PathBuf::from).as_deref()
    {
        return Err(Diagnostic::file(
            &shown,
            "refusing to use this folder as the output: it would be replaced whole",
        )
        .with_help("choose an output folder of its own, e.g. --output output"));
    }
    if s.starts_with(&o) || (o.starts_with(&s) && !is_output_inside(&o, &s)) {
        return Err(Diagnostic::file(
            &shown,
            format!(
                "the output folder overlaps the site folder {} or its sources",
                display_path(site).display()
            ),
        )
        .with_help("use a folder of its own, e.g. --output output"));
    }
    if o.is_dir() {
        let mut entries =
            std::fs::read_dir(&o).map_err(|e| io_err(out, "cannot read the output folder", e))?;
        let non_empty = entries.next().is_some();
        if non_empty && !o.join("index.html").exists() {
            return Err(Diagnostic::file(&shown, "the output folder is not empty and holds no site (no index.html): refusing to replace it")
                .with_help("empty it, or choose another folder with --output"));
        }
    } else if o.exists() {
        return Err(Diagnostic::file(
            &shown,
            "the output path exists and is not a folder",
        ));
    }
    Ok(())
}

/// Write `files` as the new content of `out`, atomically.
pub fn write_site(out: &Path, files: &[OutputFile]) -> Result<(), Diagnostic> {
    let out = absolute(out);
    let parent = out.parent().expect("checked: not the root").to_path_buf();
    let name = out
        .file_name()
        .expect("checked: has a name")
        .to_string_lossy()
        .into_owned();
    std::fs::create_dir_all(&parent)
        .map_err(|e| io_err(&parent, "cannot create the output's parent folder", e))?;
    // Leftovers of a build that was killed mid-way.
    if let Ok(entries) = std::fs::read_dir(&parent) {
        for e in entries.flatten() {
            let n = e.file_name().to_string_lossy().into_owned();
            if n.starts_with(&format!(".{name}.tumen-")) {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    let pid = std::process::id();
    let staging = parent.join(format!(".{name}.tumen-staging-{pid}"));
    let result = fill(&staging, files).and_then(|()| {
        swap(
            &staging,
            &out,
            &parent.join(format!(".{name}.tumen-old-{pid}")),
        )
    });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

fn fill(staging: &Path, files: &[OutputFile]) -> Result<(), Diagnostic> {
    std::fs::create_dir_all(staging)
        .map_err(|e| io_err(staging, "cannot create the staging folder", e))?;
    let mut dirs: Vec<PathBuf> = files
        .iter()
        .filter_map(|f| Path::new(&f.path).parent().map(Path::to_path_buf))
        .collect();
    dirs.sort();
    dirs.dedup();
    for d in dirs {
        let p = staging.join(d);
        std::fs::create_dir_all(&p).map_err(|e| io_err(&p, "cannot create a folder", e))?;
    }
    files.par_iter().try_for_each(|f| {
        let dest = staging.join(&f.path);
        match &f.content {
            Content::Bytes(b) => {
                std::fs::write(&dest, b).map_err(|e| io_err(&dest, "cannot write", e))
            }
            Content::Copy(StaticFile::Embedded(b)) => {
                std::fs::write(&dest, b).map_err(|e| io_err(&dest, "cannot write", e))
            }
            Content::Copy(StaticFile::Disk(src)) => std::fs::copy(src, &dest)
                .map(|_| ())
                .map_err(|e| io_err(src, "cannot copy", e)),
        }
    })
}

fn swap(staging: &Path, out: &Path, old: &Path) -> Result<(), Diagnostic> {
    if out.exists() {
        std::fs::rename(out, old)
            .map_err(|e| io_err(out, "cannot move the previous output aside", e))?;
        if let Err(e) = std::fs::rename(staging, out) {
            // Put the previous site back: a failed build leaves it as it was.
            let _ = std::fs::rename(old, out);
            return Err(io_err(out, "cannot move the new output into place", e));
        }
        let _ = std::fs::remove_dir_all(old);
    } else {
        std::fs::rename(staging, out)
            .map_err(|e| io_err(out, "cannot move the new output into place", e))?;
    }
    Ok(())
}

/// Write `files` into the existing output `out` and delete `removed` (paths
/// relative to it), leaving every other file as it is: how the live preview puts
/// in the few pages an edit changed. Each file is replaced atomically (written
/// beside itself, then renamed over), so a browser never reads half a page.
pub fn update_files(
    out: &Path,
    files: &[&OutputFile],
    removed: &[String],
) -> Result<(), Diagnostic> {
    // In parallel: replacing a file by rename makes ext4 start writing it back at
    // once, which is most of the time an update takes.
    files.par_iter().try_for_each(|f| {
        let dest = out.join(&f.path);
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir).map_err(|e| io_err(dir, "cannot create a folder", e))?;
        }
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dest.with_file_name(format!(".{name}.tumen-tmp"));
        let written = match &f.content {
            Content::Bytes(b) => std::fs::write(&tmp, b),
            Content::Copy(StaticFile::Embedded(b)) => std::fs::write(&tmp, b),
            Content::Copy(StaticFile::Disk(src)) => std::fs::copy(src, &tmp).map(|_| ()),
        };
        written
            .and_then(|()| std::fs::rename(&tmp, &dest))
            .map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                io_err(&dest, "cannot write", e)
            })
    })?;
    for rel in removed {
        let p = out.join(rel);
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err(&p, "cannot remove", e)),
        }
        // Folders the page was alone in go too, as they would after a full build.
        let mut dir = p.parent();
        while let Some(d) = dir {
            if d == out || std::fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
    }
    Ok(())
}
