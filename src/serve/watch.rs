//! Watching the sources: which files changed, gathered into one batch per burst.
//!
//! Folders are watched, not files: editors that save by writing a new file and
//! renaming it over the old one (vim, VS Code, JetBrains) replace the file a
//! file-watch would follow. notify-debouncer-full turns the events of one save (a
//! truncation, writes, the close; or a temporary file written and renamed) into
//! one, each once its path has been quiet for [`TIMEOUT`]. A burst (a `git
//! checkout`) comes out of it over several of its ticks; a batch ends when a tick
//! brought nothing and, where the system says when a written file is closed
//! (Linux), no file is still being written. Those moments are part of the time
//! from a save to the reload, so they are short. Events that come in while a
//! rebuild runs wait in the channel and make the next batch.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind};
use notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache};

use crate::load::is_editor_junk;

/// How long a path must be quiet before the debouncer gives its events.
const TIMEOUT: Duration = Duration::from_millis(10);
/// How often the debouncer looks for quiet paths. It wakes this often even when
/// nothing happens, so not much more often than needed.
const TICK: Duration = Duration::from_millis(5);
/// A batch ends when no events came for two ticks of the debouncer: one tick
/// late under load must not split a burst in two rebuilds.
const QUIET: Duration = Duration::from_millis(10);
/// How long to wait at most for a file that was written and not closed.
const OPEN_LIMIT: Duration = Duration::from_secs(1);
/// Whether the watcher reports a written file being closed, so that the end of a
/// write is known rather than guessed.
const REPORTS_CLOSE: bool = cfg!(any(target_os = "linux", target_os = "android"));

/// Paths that changed since the last rebuild.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    pub paths: BTreeSet<PathBuf>,
    /// The watcher lost track (its queue overflowed): read everything again.
    pub rescan: bool,
    /// The git repository moved (a commit, a checkout, a reset): read the
    /// history again.
    pub git: bool,
}

impl Changes {
    pub fn everything() -> Changes {
        Changes {
            paths: BTreeSet::new(),
            rescan: true,
            git: false,
        }
    }

    fn is_empty(&self) -> bool {
        self.paths.is_empty() && !self.rescan && !self.git
    }
}

/// Files editors and tools leave beside the ones they edit: vim's `.x.swp` and
/// `x~`, Emacs's `.#x` and `#x#`, JetBrains' `x___jb_tmp___`, and anything in a
/// hidden folder (`.git/`).
pub fn is_junk(path: &Path, roots: &[PathBuf]) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if is_editor_junk(&name) || name.ends_with("___jb_tmp___") || name.ends_with("___jb_old___") {
        return true;
    }
    let rel = roots
        .iter()
        .find_map(|r| path.strip_prefix(r).ok())
        .unwrap_or(path);
    rel.components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
}

/// One event, as far as batching cares.
enum Seen {
    Changed(Changes),
    /// Files being written (created or written to, not yet closed).
    Writing(Vec<PathBuf>),
    /// Files closed after writing.
    Closed(Vec<PathBuf>),
}

/// A running watch of some folders (recursively).
pub struct Watcher {
    _debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    rx: Receiver<Seen>,
}

/// The files of a git folder that a commit, a checkout, a reset or a pull
/// rewrites (not `index`, which `git status` itself may refresh).
const GIT_FILES: &[&str] = &[
    "HEAD",
    "logs/HEAD",
    "COMMIT_EDITMSG",
    "ORIG_HEAD",
    "packed-refs",
];

/// Watch `dirs` (recursively) but not what is below `ignored` (an output folder
/// inside the site folder), and, if given, the git folder (the files of
/// [`GIT_FILES`] only).
pub fn watch(
    dirs: &[PathBuf],
    ignored: &[PathBuf],
    git_dir: Option<&Path>,
) -> notify::Result<Watcher> {
    let (tx, rx) = channel();
    let roots = dirs.to_vec();
    let ignored = ignored.to_vec();
    let git_files: Vec<PathBuf> = git_dir
        .map(|g| GIT_FILES.iter().map(|f| g.join(f)).collect())
        .unwrap_or_default();
    let send = move |e: &notify::Event| {
        // Git reads HEAD on every run, ours included: only writes count, or each
        // reading of the history would ask for another.
        let read =
            matches!(e.kind, EventKind::Access(a) if a != AccessKind::Close(AccessMode::Write));
        if e.paths.iter().any(|p| git_files.contains(p)) {
            if read {
                return;
            }
            let _ = tx.send(Seen::Changed(Changes {
                git: true,
                ..Changes::default()
            }));
            return;
        }
        let paths: Vec<PathBuf> = e
            .paths
            .iter()
            .filter(|p| !is_junk(p, &roots) && !ignored.iter().any(|i| p.starts_with(i)))
            .cloned()
            .collect();
        if REPORTS_CLOSE {
            let writing = matches!(
                e.kind,
                EventKind::Create(CreateKind::File) | EventKind::Modify(ModifyKind::Data(_))
            );
            if writing && !paths.is_empty() {
                let _ = tx.send(Seen::Writing(paths.clone()));
            }
            if e.kind == EventKind::Access(AccessKind::Close(AccessMode::Write)) {
                let _ = tx.send(Seen::Closed(paths.clone()));
            }
        }
        // Reading a file changes nothing; closing one after writing was a write.
        if matches!(e.kind, EventKind::Access(_)) && !e.need_rescan() {
            return;
        }
        let c = Changes {
            paths: paths.into_iter().collect(),
            rescan: e.need_rescan(),
            git: false,
        };
        if !c.is_empty() {
            let _ = tx.send(Seen::Changed(c));
        }
    };
    let mut debouncer = notify_debouncer_full::new_debouncer(
        TIMEOUT,
        Some(TICK),
        move |res: DebounceEventResult| match res {
            Ok(events) => events.iter().for_each(|e| send(e)),
            Err(errors) => {
                for e in errors {
                    eprintln!("warning: watching for changes: {e}");
                }
            }
        },
    )?;
    for d in dirs {
        debouncer.watch(d, RecursiveMode::Recursive)?;
    }
    if let Some(g) = git_dir {
        // Not recursively: its objects folder takes every write of a commit.
        for d in [g.to_path_buf(), g.join("logs")] {
            if d.is_dir() {
                debouncer.watch(&d, RecursiveMode::NonRecursive)?;
            }
        }
    }
    Ok(Watcher {
        _debouncer: debouncer,
        rx,
    })
}

/// A batch being gathered: the changes, and the files still being written.
#[derive(Default)]
struct Batch {
    changes: Changes,
    writing: BTreeSet<PathBuf>,
}

impl Batch {
    fn take(&mut self, seen: Seen) {
        match seen {
            Seen::Changed(more) => {
                self.changes.paths.extend(more.paths);
                self.changes.rescan |= more.rescan;
                self.changes.git |= more.git;
            }
            Seen::Writing(paths) => self.writing.extend(paths),
            Seen::Closed(paths) => {
                for p in paths {
                    self.writing.remove(&p);
                }
            }
        }
    }
}

impl Watcher {
    /// Wait for the next batch of changes; `None` once the watcher has stopped.
    pub fn next(&self) -> Option<Changes> {
        let mut batch = Batch::default();
        // Events about writing alone are followed by a change.
        while batch.changes.is_empty() {
            batch.take(self.rx.recv().ok()?);
        }
        let mut last = Instant::now();
        loop {
            match self.rx.recv_timeout(QUIET) {
                Ok(seen) => {
                    batch.take(seen);
                    last = Instant::now();
                }
                Err(RecvTimeoutError::Timeout)
                    if batch.writing.is_empty() || last.elapsed() > OPEN_LIMIT =>
                {
                    break;
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        Some(batch.changes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_files_are_junk() {
        let root = PathBuf::from("/s");
        let roots = [root.clone()];
        for j in [
            "briefs/.x.md.swp",
            "briefs/x.md~",
            "briefs/.#x.md",
            "briefs/#x.md#",
            "briefs/x.md___jb_tmp___",
            ".git/index",
            "briefs/4913.swx",
        ] {
            assert!(is_junk(&root.join(j), &roots), "{j}");
        }
        assert!(!is_junk(&root.join("briefs/x.md"), &roots));
        // A hidden folder above the watched one is not the site's business.
        let hidden = [PathBuf::from("/tmp/.tmpAbc/site")];
        assert!(!is_junk(
            Path::new("/tmp/.tmpAbc/site/briefs/x.md"),
            &hidden
        ));
    }
}
