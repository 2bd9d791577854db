//! Stage 4, **write**: put the rendered site on disk, touching only what changed.
//!
//! A new output folder (or one without a manifest tumen can trust) is written
//! whole: files go into a staging folder beside the output, which is then
//! swapped in with one rename, so a build that fails or is killed before the swap
//! leaves the previous output as it was.
//!
//! An output that a build wrote before holds its [`manifest`]: what each file was
//! made from, and its size and time on disk. A rebuild writes only the files whose
//! content differs from it (each written beside itself, then renamed over, so no
//! file is ever half-written), deletes only those that went, and leaves every
//! other file alone, unread: at 10,000 briefs, rewriting and deleting every file
//! was most of a build (see the README's benchmarks for the options measured).
//! Content errors are all found before the first write, so a failed build still
//! changes nothing; a build killed in the middle leaves a marker, and the next
//! build then writes the output whole again.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::load::StaticFile;
use crate::output::{Content, OutputFile};
use crate::util::diag::Diagnostic;
use crate::util::paths::{absolute, display_path};

mod interrupt;
pub mod manifest;

use interrupt::Phase;
pub use interrupt::stop_cleanly_on_interrupt;
use manifest::{Entry, Manifest, stamp};

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

/// Write `files` as the new content of `out`: only what changed, where the
/// output's manifest says what is there; else all of it, swapped in at once.
pub fn write_site(out: &Path, files: &[OutputFile]) -> Result<(), Diagnostic> {
    let mut w = SiteWriter::begin(out)?;
    w.put(files)?;
    w.finish()
}

/// What an output's manifest says it holds, read ahead of
/// [`SiteWriter::begin_with`]; nothing in the output changes.
pub struct LastOutput(Option<Manifest>);

impl LastOutput {
    pub fn read(out: &Path) -> LastOutput {
        LastOutput(Manifest::read(&absolute(out)))
    }
}

/// Marks an output whose update is under way: found by the next build, it means
/// the last one was stopped, and the output is written whole again.
const UPDATING: &str = ".tumen/updating";

/// A file written beside its place, and its place.
type Move = (PathBuf, PathBuf);

/// A site being written a batch of files at a time, as the render makes them, so
/// that no build holds every page in memory: [`SiteWriter::begin`], then
/// [`SiteWriter::put`] or [`SiteWriter::send`] for each batch, then
/// [`SiteWriter::finish`]. Until `finish` nothing of the output changes: a
/// writer dropped unfinished (an error anywhere, in the render or the disk)
/// removes what it wrote, and the output is as it was.
///
/// Batches sent go to a thread of their own, which writes one while the render
/// makes the next: the render and the disk overlap instead of taking turns, and
/// the folders are made by that one thread (two threads making folders in one
/// parent wait on its lock, spinning: 3% of a cold build at 10,000 briefs).
pub struct SiteWriter {
    /// How far the writing is; `None` while the thread has it.
    state: Option<Writing>,
    worker: Option<Worker>,
    finished: bool,
}

/// What a writer has done so far: how it writes, and the manifest of what it
/// wrote.
struct Writing {
    out: PathBuf,
    how: How,
    entries: BTreeMap<String, Entry>,
}

/// The thread that writes the batches sent, and the way to send them.
struct Worker {
    batches: Option<std::sync::mpsc::SyncSender<Vec<OutputFile>>>,
    thread: std::thread::JoinHandle<(Writing, Result<(), Diagnostic>)>,
}

/// Whole into a staging folder, or only what changed beside the output's files.
enum How {
    /// Every file into `staging`, which is then swapped in with one rename.
    Whole {
        staging: PathBuf,
        parent: PathBuf,
        name: String,
        /// The folders made in `staging` so far.
        dirs: HashSet<PathBuf>,
    },
    /// The files that differ from `last`, each beside its place (`moves`), then
    /// renamed over them; `marker` says an update is under way.
    Update {
        last: Manifest,
        marker: PathBuf,
        pending: interrupt::Pending,
        moves: Vec<Move>,
    },
}

impl SiteWriter {
    /// Start writing the site into `out`: an update where the output's manifest
    /// says what it holds, else a new output in a staging folder beside it.
    pub fn begin(out: &Path) -> Result<SiteWriter, Diagnostic> {
        SiteWriter::begin_with(out, LastOutput::read(out))
    }

    /// [`SiteWriter::begin`] with the output's manifest read before, while the
    /// site loaded (41,000 lines at 10,000 briefs).
    pub fn begin_with(out: &Path, last: LastOutput) -> Result<SiteWriter, Diagnostic> {
        let out = absolute(out);
        let (Some(parent), Some(name)) = (out.parent(), out.file_name()) else {
            return Err(
                Diagnostic::file(&display_path(&out), "not a folder one can build into")
                    .with_help("choose an output folder of its own, e.g. --output output"),
            );
        };
        let (parent, name) = (parent.to_path_buf(), name.to_string_lossy().into_owned());
        std::fs::create_dir_all(&parent)
            .map_err(|e| io_err(&parent, "cannot create the output's parent folder", e))?;
        let last = match recover_leftovers(&parent, &out, &name) {
            true => Manifest::read(&out),
            false => last.0,
        };
        let how = match last.filter(|_| !out.join(UPDATING).exists()) {
            Some(last) => update(&out, last)?,
            None => whole(parent, name)?,
        };
        Ok(SiteWriter {
            state: Some(Writing {
                out,
                how,
                entries: BTreeMap::new(),
            }),
            worker: None,
            finished: false,
        })
    }

    /// Write `files` now, in parallel: into the staging folder, or beside
    /// their places those that differ from what the output holds.
    pub fn put(&mut self, files: &[OutputFile]) -> Result<(), Diagnostic> {
        match self.state.as_mut() {
            Some(w) => w.put(files),
            None => self.send(files.to_vec()),
        }
    }

    /// Hand `files` to the writing thread (started with the first batch) and
    /// return while it writes them; at most one batch waits. An error of the
    /// thread's is returned by the next `send` or by `finish`.
    pub fn send(&mut self, files: Vec<OutputFile>) -> Result<(), Diagnostic> {
        if let Some(w) = self.state.take() {
            self.worker = Some(Worker::start(w));
        }
        let sent = (self.worker.as_ref())
            .and_then(|w| w.batches.as_ref())
            .is_some_and(|b| b.send(files).is_ok());
        match sent {
            true => Ok(()),
            // The thread stopped at an error: take it, and the state, back.
            false => self.join(),
        }
    }

    /// The writing thread's state back, once it wrote what it was sent; its
    /// error if it had one.
    fn join(&mut self) -> Result<(), Diagnostic> {
        let Some(mut worker) = self.worker.take() else {
            return Ok(());
        };
        drop(worker.batches.take());
        let (w, result) = match worker.thread.join() {
            Ok(done) => done,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        self.state = Some(w);
        result
    }

    /// Put what was written in place: the staging folder swapped in, or the
    /// files written beside renamed over their places and those that went
    /// deleted; then the manifest.
    pub fn finish(mut self) -> Result<(), Diagnostic> {
        self.join()?;
        self.finished = true;
        let result = match self.state.as_mut() {
            Some(w) => w.finish(),
            None => Ok(()),
        };
        interrupt::set(Phase::Idle);
        result
    }
}

impl Worker {
    /// The thread, with threads of its own to write a batch in parallel: on the
    /// render's, a batch would wait for the render to pause, and the render,
    /// its next batch refused, for the batch (one core of two left working).
    fn start(mut w: Writing) -> Worker {
        let (batches, received) = std::sync::mpsc::sync_channel::<Vec<OutputFile>>(1);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(rayon::current_num_threads())
            .thread_name(|i| format!("tumen-write-{i}"))
            .build()
            .ok();
        let thread = std::thread::spawn(move || {
            for files in received {
                let put = |w: &mut Writing| w.put(&files);
                let done = match &pool {
                    Some(pool) => pool.install(|| put(&mut w)),
                    None => put(&mut w),
                };
                if let Err(e) = done {
                    return (w, Err(e));
                }
            }
            (w, Ok(()))
        });
        Worker {
            batches: Some(batches),
            thread,
        }
    }
}

impl Writing {
    fn put(&mut self, files: &[OutputFile]) -> Result<(), Diagnostic> {
        let made: Vec<(String, Entry)> = match &mut self.how {
            How::Whole { staging, dirs, .. } => {
                make_dirs(staging, dirs, files)?;
                let staging = &*staging;
                (files.par_iter())
                    .map(|f| write_staged(staging, f))
                    .collect::<Result<_, _>>()?
            }
            How::Update {
                last,
                pending,
                moves,
                ..
            } => {
                let out = &self.out;
                let made = (files.par_iter())
                    .map(|f| keep_or_write(out, f, last, pending))
                    .collect::<Result<Vec<_>, Diagnostic>>()?;
                (made.into_iter())
                    .map(|(path, entry, moved)| {
                        moves.extend(moved);
                        (path, entry)
                    })
                    .collect()
            }
        };
        self.entries.extend(made);
        Ok(())
    }

    fn finish(&mut self) -> Result<(), Diagnostic> {
        let entries = std::mem::take(&mut self.entries);
        match &self.how {
            How::Whole {
                staging,
                parent,
                name,
                ..
            } => {
                let done = Manifest(entries)
                    .write(staging)
                    .map_err(|e| io_err(&staging.join(manifest::MANIFEST), "cannot write", e))
                    .and_then(|()| swap(staging, &self.out, parent, name));
                if done.is_err() {
                    let _ = std::fs::remove_dir_all(staging);
                }
                done
            }
            How::Update {
                last,
                marker,
                moves,
                ..
            } => put_in_place(&self.out, last, entries, moves, marker),
        }
    }

    /// Remove what was written: the output is as it was.
    fn discard(&self) {
        match &self.how {
            How::Whole { staging, .. } => {
                let _ = std::fs::remove_dir_all(staging);
            }
            How::Update {
                pending, marker, ..
            } => interrupt::discard(pending, marker, &self.out),
        }
    }
}

impl Drop for SiteWriter {
    /// Unfinished: remove what was written; the output is as it was.
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        // The thread's own error, if any, is already the build's or moot.
        let _ = self.join();
        if let Some(w) = &self.state {
            w.discard();
        }
        interrupt::set(Phase::Idle);
    }
}

/// An update of `out` from what `last` says it holds: the marker written.
fn update(out: &Path, last: Manifest) -> Result<How, Diagnostic> {
    let marker = out.join(UPDATING);
    let pending = interrupt::Pending::default();
    interrupt::set(Phase::Updating {
        pending: pending.clone(),
        marker: marker.clone(),
    });
    if let Err(e) = std::fs::write(&marker, b"") {
        interrupt::set(Phase::Idle);
        return Err(io_err(
            &marker,
            "cannot mark the output as being updated",
            e,
        ));
    }
    Ok(How::Update {
        last,
        marker,
        pending,
        moves: Vec::new(),
    })
}

/// A new output, in a staging folder beside the old one (`parent`/`name`).
fn whole(parent: PathBuf, name: String) -> Result<How, Diagnostic> {
    let pid = std::process::id();
    let staging = parent.join(format!(".{name}.tumen-staging-{pid}"));
    interrupt::set(Phase::Filling(staging.clone()));
    let interrupted = || Diagnostic::file(&display_path(&staging), "interrupted");
    let made = interrupt::step().ok_or_else(interrupted).and_then(|_step| {
        std::fs::create_dir_all(&staging)
            .map_err(|e| io_err(&staging, "cannot create the staging folder", e))
    });
    if let Err(e) = made {
        let _ = std::fs::remove_dir_all(&staging);
        interrupt::set(Phase::Idle);
        return Err(e);
    }
    Ok(How::Whole {
        staging,
        parent,
        name,
        dirs: HashSet::new(),
    })
}

/// The second step of an update: from here the output changes, each file
/// whole; a stop in the middle leaves the marker, and the next build writes the
/// output whole.
fn put_in_place(
    out: &Path,
    last: &Manifest,
    entries: BTreeMap<String, Entry>,
    moves: &[Move],
    marker: &Path,
) -> Result<(), Diagnostic> {
    *interrupt::phase() = Phase::Renaming;
    for (tmp, dest) in moves {
        std::fs::rename(tmp, dest).map_err(|e| io_err(dest, "cannot write", e))?;
    }
    let gone: Vec<String> = (last.0.keys())
        .filter(|p| !entries.contains_key(*p))
        .cloned()
        .collect();
    remove_files(out, &gone)?;
    let m = Manifest(entries);
    m.write(out)
        .map_err(|e| io_err(&out.join(manifest::MANIFEST), "cannot write", e))?;
    std::fs::remove_file(marker).map_err(|e| io_err(marker, "cannot remove", e))
}

/// `f`'s manifest entry, and the file written beside its place when the one on
/// disk is not what `last` says it is (or `last` has none).
fn keep_or_write(
    out: &Path,
    f: &OutputFile,
    last: &Manifest,
    pending: &interrupt::Pending,
) -> Result<(String, Entry, Option<Move>), Diagnostic> {
    let key = manifest::key(f);
    if last.holds(out, f, key)
        && let Some(e) = last.0.get(&f.path)
    {
        return Ok((f.path.clone(), *e, None));
    }
    let interrupted = || Diagnostic::file(&display_path(out), "interrupted");
    let _step = interrupt::step().ok_or_else(interrupted)?;
    let (dest, tmp) = beside(out, f);
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io_err(dir, "cannot create a folder", e))?;
    }
    if let Ok(mut p) = pending.lock() {
        p.push(tmp.clone());
    }
    write_content(f, &tmp).map_err(|e| io_err(&dest, "cannot write", e))?;
    let (size, mtime) =
        stamp(&tmp).ok_or_else(|| Diagnostic::file(&display_path(&dest), "written, then gone"))?;
    Ok((
        f.path.clone(),
        Entry { key, size, mtime },
        Some((tmp, dest)),
    ))
}

/// Where `f` goes in `out`, and the name it is first written under beside it.
fn beside(out: &Path, f: &OutputFile) -> (PathBuf, PathBuf) {
    let dest = out.join(&f.path);
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dest.with_file_name(format!(".{name}.tumen-tmp"));
    (dest, tmp)
}

/// Write `bytes` as a new file at `path`, and its stamp as the handle sees it.
fn write_and_stamp(path: &Path, bytes: &[u8]) -> std::io::Result<Option<(u64, i128)>> {
    use std::io::Write as _;
    let mut file = std::fs::File::create(path)?;
    file.write_all(bytes)?;
    Ok(manifest::stamp_of(&file.metadata()?))
}

/// Write `f`'s content at `path`.
fn write_content(f: &OutputFile, path: &Path) -> std::io::Result<()> {
    match &f.content {
        Content::Bytes(b) => std::fs::write(path, b),
        Content::Copy(StaticFile::Embedded(b)) => std::fs::write(path, b),
        Content::Copy(StaticFile::Disk(src)) => std::fs::copy(src, path).map(|_| ()),
    }
}

/// Clean up after a build that was killed: its staging folder goes, and a
/// previous output moved aside by the two-rename swap (where the one-rename swap
/// is missing) comes back if nothing took its place. True when there was
/// anything to clean up.
fn recover_leftovers(parent: &Path, out: &Path, name: &str) -> bool {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return false;
    };
    let prefix = format!(".{name}.tumen-");
    let mut leftovers: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| e.path())
        .collect();
    leftovers.sort();
    let found = !leftovers.is_empty();
    for p in leftovers {
        let is_old = p.to_string_lossy().contains(".tumen-old-");
        if is_old && !out.exists() && std::fs::rename(&p, out).is_ok() {
            continue;
        }
        let _ = std::fs::remove_dir_all(&p);
    }
    found
}

/// Make the folders `files` go into in `staging` that `made` does not list yet,
/// one after another: two threads making folders in one parent wait on its lock
/// (spinning), and the writing thread makes them while the render goes on. Each
/// folder is made under an [`interrupt::step`], so an interrupt stops the
/// writers before it clears up.
fn make_dirs(
    staging: &Path,
    made: &mut HashSet<PathBuf>,
    files: &[OutputFile],
) -> Result<(), Diagnostic> {
    let interrupted = || Diagnostic::file(&display_path(staging), "interrupted");
    let mut dirs: Vec<&Path> = (files.iter())
        .filter_map(|f| Path::new(&f.path).parent())
        .filter(|d| !made.contains(*d))
        .collect();
    dirs.sort();
    dirs.dedup();
    for d in &dirs {
        let p = staging.join(d);
        let _step = interrupt::step().ok_or_else(interrupted)?;
        std::fs::create_dir_all(&p).map_err(|e| io_err(&p, "cannot create a folder", e))?;
    }
    made.extend(dirs.into_iter().map(Path::to_path_buf));
    Ok(())
}

/// Write `f` into `staging` (under an [`interrupt::step`]), and its manifest entry.
fn write_staged(staging: &Path, f: &OutputFile) -> Result<(String, Entry), Diagnostic> {
    let interrupted = || Diagnostic::file(&display_path(staging), "interrupted");
    let _step = interrupt::step().ok_or_else(interrupted)?;
    let dest = staging.join(&f.path);
    // Its size and time from the handle it was written through: no second
    // look-up of the path (41,000 of them at 10,000 briefs).
    let written =
        |b: &[u8]| write_and_stamp(&dest, b).map_err(|e| io_err(&dest, "cannot write", e));
    let stamped = match &f.content {
        Content::Bytes(b) => written(b)?,
        Content::Copy(StaticFile::Embedded(b)) => written(b)?,
        Content::Copy(StaticFile::Disk(src)) => {
            std::fs::copy(src, &dest).map_err(|e| io_err(src, "cannot copy", e))?;
            stamp(&dest)
        }
    };
    let (size, mtime) =
        stamped.ok_or_else(|| Diagnostic::file(&display_path(&dest), "written, then gone"))?;
    let key = manifest::key(f);
    Ok((f.path.clone(), Entry { key, size, mtime }))
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
/// beside itself, then renamed over), so a browser never reads half a page. The
/// manifest no longer says what the output holds: it is dropped, and the next
/// `tumen build` writes the output whole.
pub fn update_files(
    out: &Path,
    files: &[&OutputFile],
    removed: &[String],
) -> Result<(), Diagnostic> {
    manifest::forget(out);
    // In parallel: replacing a file by rename makes ext4 start writing it back at
    // once, which is most of the time an update takes.
    files.par_iter().try_for_each(|f| replace_file(out, f))?;
    remove_files(out, removed)
}

/// Write `f` into `out` in one step (beside itself, then renamed over the last
/// one).
fn replace_file(out: &Path, f: &OutputFile) -> Result<(), Diagnostic> {
    let (dest, tmp) = beside(out, f);
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io_err(dir, "cannot create a folder", e))?;
    }
    write_content(f, &tmp)
        .and_then(|()| std::fs::rename(&tmp, &dest))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            io_err(&dest, "cannot write", e)
        })
}

/// Delete `removed` (paths relative to `out`), and the folders they leave empty.
pub(super) fn remove_files(out: &Path, removed: &[String]) -> Result<(), Diagnostic> {
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
