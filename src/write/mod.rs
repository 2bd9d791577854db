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

mod interrupt;

use interrupt::Phase;
pub use interrupt::stop_cleanly_on_interrupt;

fn io_err(path: &Path, what: &str, e: std::io::Error) -> Diagnostic {
    use std::io::ErrorKind::{PermissionDenied, ReadOnlyFilesystem, StorageFull};
    let d = Diagnostic::file(&display_path(path), format!("{what}: {e}"));
    let kept = "the previous output is left as it was";
    match e.kind() {
        StorageFull => d.with_help(format!("the disk is full: free some space and build again; {kept}")),
        ReadOnlyFilesystem => d.with_help(format!(
            "the disk is mounted read-only: choose an output folder on a writable one with --output; {kept}"
        )),
        PermissionDenied => d.with_help(format!(
            "tumen may not write here: make the folder writable (chmod u+w) or choose another with --output; {kept}"
        )),
        _ => d,
    }
}

/// Refuse at once, before any work, an output that could not be replaced: tumen
/// writes the new output beside the old one and swaps them, so both the folder
/// and its parent must be writable.
fn check_writable(o: &Path, shown: &Path) -> Result<(), Diagnostic> {
    use rustix::fs::{Access, access};
    let parent = o.parent().filter(|p| p.exists());
    for dir in [Some(o).filter(|o| o.exists()), parent]
        .into_iter()
        .flatten()
    {
        if let Err(e) = access(dir, Access::WRITE_OK) {
            let which = if dir == o {
                "the output folder cannot be written".to_string()
            } else {
                format!(
                    "the folder that holds the output cannot be written (tumen builds the new site beside {} and swaps it in)",
                    shown.display()
                )
            };
            let d = io_err(dir, &which, e.into());
            return Err(d);
        }
    }
    Ok(())
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
    check_writable(&o, &shown)?;
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
    let (Some(parent), Some(name)) = (out.parent(), out.file_name()) else {
        return Err(
            Diagnostic::file(&display_path(&out), "not a folder one can build into")
                .with_help("choose an output folder of its own, e.g. --output output"),
        );
    };
    let name = name.to_string_lossy().into_owned();
    std::fs::create_dir_all(parent)
        .map_err(|e| io_err(parent, "cannot create the output's parent folder", e))?;
    recover_leftovers(parent, &out, &name);
    let pid = std::process::id();
    let staging = parent.join(format!(".{name}.tumen-staging-{pid}"));
    interrupt::set(Phase::Filling(staging.clone()));
    let result = fill(&staging, files).and_then(|()| swap(&staging, &out, parent, &name));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    interrupt::set(Phase::Idle);
    result
}

/// Clean up after a build that was killed: its staging folder goes, and a
/// previous output moved aside by the two-rename swap (where the one-rename swap
/// is missing) comes back if nothing took its place.
fn recover_leftovers(parent: &Path, out: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let prefix = format!(".{name}.tumen-");
    let mut leftovers: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| e.path())
        .collect();
    leftovers.sort();
    for p in leftovers {
        let is_old = p.to_string_lossy().contains(".tumen-old-");
        if is_old && !out.exists() && std::fs::rename(&p, out).is_ok() {
            continue;
        }
        let _ = std::fs::remove_dir_all(&p);
    }
}

/// Write every file into `staging`. Each folder and file is made under an
/// [`interrupt::step`], so an interrupt stops the writers before it clears up.
fn fill(staging: &Path, files: &[OutputFile]) -> Result<(), Diagnostic> {
    let interrupted = || Diagnostic::file(&display_path(staging), "interrupted");
    {
        let _step = interrupt::step().ok_or_else(interrupted)?;
        std::fs::create_dir_all(staging)
            .map_err(|e| io_err(staging, "cannot create the staging folder", e))?;
    }
    let mut dirs: Vec<PathBuf> = files
        .iter()
        .filter_map(|f| Path::new(&f.path).parent().map(Path::to_path_buf))
        .collect();
    dirs.sort();
    dirs.dedup();
    for d in dirs {
        let p = staging.join(d);
        let _step = interrupt::step().ok_or_else(interrupted)?;
        std::fs::create_dir_all(&p).map_err(|e| io_err(&p, "cannot create a folder", e))?;
    }
    files.par_iter().try_for_each(|f| {
        let _step = interrupt::step().ok_or_else(interrupted)?;
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

/// Put `staging` in the place of `out`. Where the system can, one rename swaps
/// the two folders (Linux's `RENAME_EXCHANGE`), so there is no moment without an
/// output, whatever kills the build; elsewhere two renames, undone on failure.
fn swap(staging: &Path, out: &Path, parent: &Path, name: &str) -> Result<(), Diagnostic> {
    if !out.exists() {
        return std::fs::rename(staging, out)
            .map_err(|e| io_err(out, "cannot move the new output into place", e));
    }
    let mut phase = interrupt::phase();
    let old = if exchange(staging, out) {
        staging.to_path_buf()
    } else {
        let old = parent.join(format!(".{name}.tumen-old-{}", std::process::id()));
        std::fs::rename(out, &old)
            .map_err(|e| io_err(out, "cannot move the previous output aside", e))?;
        if let Err(e) = std::fs::rename(staging, out) {
            // Put the previous site back: a failed build leaves it as it was.
            let _ = std::fs::rename(&old, out);
            return Err(io_err(out, "cannot move the new output into place", e));
        }
        old
    };
    *phase = Phase::Replaced(old.clone());
    drop(phase);
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

/// Swap two folders in one rename; false where the system or file system cannot.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn exchange(a: &Path, b: &Path) -> bool {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).is_ok()
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn exchange(_: &Path, _: &Path) -> bool {
    false
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
