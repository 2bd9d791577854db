//! Watching the sources: which files changed, gathered into one batch per burst.
//!
//! Folders are watched, not files: editors that save by writing a new file and
//! renaming it over the old one (vim, VS Code, JetBrains) replace the file a
//! file-watch would follow. notify-debouncer-full turns the events of one save (a
//! truncation, writes, the close; or a temporary file written and renamed) into
//! one, each once its path has been quiet for `TIMEOUT`. A burst (a `git
//! checkout`) comes out of it over several of its ticks; a batch ends when a tick
//! brought nothing and, where the system says when a written file is closed
//! (Linux), no file is still being written. Those moments are part of the time
//! from a save to the reload, so they are short. Events that come in while a
//! rebuild runs wait in the channel and make the next batch.
//!
//! Which paths matter is [`classify()`]'s to say, as for the loader: junk is
//! dropped here, git's files become a flag, the rest go to the rebuild as they are.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind};
use notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache};

use crate::load::{Kind, classify};
use crate::util::paths::absolute;

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

/// Watch the site in `root` (absolute and canonical) and the `themes/` folder
/// beside it, recursively, but not what is below `ignored` (an output folder inside
/// the site's); and, if given, the git folder (the files a commit writes only,
/// [`GIT_FILES`](crate::load::classify::GIT_FILES)).
pub fn watch(root: &Path, ignored: &[PathBuf], git_dir: Option<&Path>) -> notify::Result<Watcher> {
    let (tx, rx) = channel();
    let sorter = Sorter {
        root: root.to_path_buf(),
        git_dir: git_dir.map(Path::to_path_buf),
        ignored: ignored.to_vec(),
    };
    let mut debouncer = notify_debouncer_full::new_debouncer(
        TIMEOUT,
        Some(TICK),
        move |res: DebounceEventResult| match res {
            Ok(events) => {
                for seen in events.iter().flat_map(|e| sorter.sort(e)) {
                    let _ = tx.send(seen);
                }
            }
            Err(errors) => {
                for e in errors {
                    eprintln!("warning: watching for changes: {e}");
                }
            }
        },
    )?;
    for d in watched_dirs(root) {
        debouncer.watch(&d, RecursiveMode::Recursive)?;
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

/// The folders to watch: the site's, and the `themes/` folder beside it when
/// there is one (the site's own `themes/` is inside it).
fn watched_dirs(root: &Path) -> Vec<PathBuf> {
    let mut dirs = vec![root.to_path_buf()];
    let beside = root.join("..").join("themes");
    if beside.is_dir() {
        dirs.push(absolute(&beside));
    }
    dirs
}

/// Sorts the watcher's events into what batching cares about, by what
/// [`classify`] says their paths are.
struct Sorter {
    root: PathBuf,
    git_dir: Option<PathBuf>,
    ignored: Vec<PathBuf>,
}

impl Sorter {
    fn sort(&self, e: &notify::Event) -> Vec<Seen> {
        let kinds: Vec<Kind> = (e.paths.iter())
            .map(|p| classify(&self.root, self.git_dir.as_deref(), p))
            .collect();
        if kinds.contains(&Kind::Git) {
            // Git reads HEAD on every run, ours included: only writes count, or
            // each reading of the history would ask for another.
            let read =
                matches!(e.kind, EventKind::Access(a) if a != AccessKind::Close(AccessMode::Write));
            return match read {
                true => Vec::new(),
                false => vec![Seen::Changed(Changes {
                    git: true,
                    ..Changes::default()
                })],
            };
        }
        let paths: Vec<PathBuf> = (e.paths.iter().zip(kinds))
            .filter(|(p, k)| *k != Kind::Junk && !self.ignored.iter().any(|i| p.starts_with(i)))
            .map(|(p, _)| p.clone())
            .collect();
        let mut seen = Vec::new();
        if REPORTS_CLOSE {
            let writing = matches!(
                e.kind,
                EventKind::Create(CreateKind::File) | EventKind::Modify(ModifyKind::Data(_))
            );
            if writing && !paths.is_empty() {
                seen.push(Seen::Writing(paths.clone()));
            }
            if e.kind == EventKind::Access(AccessKind::Close(AccessMode::Write)) {
                seen.push(Seen::Closed(paths.clone()));
            }
        }
        // Reading a file changes nothing; closing one after writing was a write.
        if matches!(e.kind, EventKind::Access(_)) && !e.need_rescan() {
            return seen;
        }
        let c = Changes {
            paths: paths.into_iter().collect(),
            rescan: e.need_rescan(),
            git: false,
        };
        if !c.is_empty() {
            seen.push(Seen::Changed(c));
        }
        seen
    }
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
    use notify::event::{DataChange, ModifyKind};

    fn sorter() -> Sorter {
        Sorter {
            root: PathBuf::from("/s"),
            git_dir: Some(PathBuf::from("/s/.git")),
            ignored: vec![PathBuf::from("/s/public")],
        }
    }

    fn event(kind: EventKind, paths: &[&str]) -> notify::Event {
        let mut e = notify::Event::new(kind);
        e.paths = paths.iter().map(PathBuf::from).collect();
        e
    }

    fn changed(seen: &[Seen]) -> Vec<&Changes> {
        (seen.iter())
            .filter_map(|s| match s {
                Seen::Changed(c) => Some(c),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn edits_are_kept_and_junk_and_the_output_dropped() {
        let write = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        let paths = [
            "/s/briefs/x.md",
            "/s/briefs/.x.md.swp",
            "/s/public/index.html",
        ];
        let seen = sorter().sort(&event(write, &paths));
        let c = changed(&seen);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].paths, [PathBuf::from("/s/briefs/x.md")].into());
        assert!(!c[0].git);
        let seen = sorter().sort(&event(write, &["/s/public/x.html"]));
        assert!(changed(&seen).is_empty());
    }

    #[test]
    fn git_counts_when_written_not_when_read() {
        let read = EventKind::Access(AccessKind::Open(AccessMode::Any));
        assert!(sorter().sort(&event(read, &["/s/.git/HEAD"])).is_empty());
        let write = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        let seen = sorter().sort(&event(write, &["/s/.git/HEAD"]));
        assert!(changed(&seen)[0].git);
        assert!(changed(&sorter().sort(&event(write, &["/s/.git/index"]))).is_empty());
    }
}
