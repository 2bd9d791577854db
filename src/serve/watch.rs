//! Watching the sources: which files changed, gathered into one batch per burst.
//!
//! Folders are watched, not files: editors that save by writing a new file and
//! renaming it over the old one (vim, VS Code, JetBrains) replace the file a
//! file-watch would follow. notify's full debouncer merges the events of one save
//! (create, write, rename) and follows renames; a burst spread over several of its
//! ticks (a `git checkout` of many files) is gathered here until the folders have
//! been quiet for a moment, so it gives one rebuild. Events that come in while a
//! rebuild runs wait in the channel and make the next batch.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

use crate::load::is_editor_junk;

/// How long a path must be quiet before its events are passed on. Short, since it
/// is part of the time from a save to the browser's reload.
const DEBOUNCE: Duration = Duration::from_millis(20);
const TICK: Duration = Duration::from_millis(5);
/// How long to wait for more batches before rebuilding.
const QUIET: Duration = Duration::from_millis(10);

/// Paths that changed since the last rebuild.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    pub paths: BTreeSet<PathBuf>,
    /// The watcher lost track (its queue overflowed): read everything again.
    pub rescan: bool,
}

impl Changes {
    pub fn everything() -> Changes {
        Changes {
            paths: BTreeSet::new(),
            rescan: true,
        }
    }

    fn merge(&mut self, other: Changes) {
        self.paths.extend(other.paths);
        self.rescan |= other.rescan;
    }

    fn is_empty(&self) -> bool {
        self.paths.is_empty() && !self.rescan
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

/// A running watch of some folders (recursively).
pub struct Watcher {
    _debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    rx: Receiver<Changes>,
}

pub fn watch(dirs: &[PathBuf]) -> notify::Result<Watcher> {
    let (tx, rx) = channel();
    let roots = dirs.to_vec();
    let mut debouncer = new_debouncer(DEBOUNCE, Some(TICK), move |res: DebounceEventResult| {
        match res {
            Ok(events) => {
                let mut c = Changes::default();
                for e in events {
                    c.rescan |= e.need_rescan();
                    // Reading a file changes nothing.
                    if matches!(e.kind, EventKind::Access(_)) {
                        continue;
                    }
                    c.paths
                        .extend(e.paths.iter().filter(|p| !is_junk(p, &roots)).cloned());
                }
                if !c.is_empty() {
                    let _ = tx.send(c);
                }
            }
            Err(errors) => {
                for e in errors {
                    eprintln!("warning: watching for changes: {e}");
                }
            }
        }
    })?;
    for d in dirs {
        debouncer.watch(d, RecursiveMode::Recursive)?;
    }
    Ok(Watcher {
        _debouncer: debouncer,
        rx,
    })
}

impl Watcher {
    /// Wait for the next batch of changes; `None` once the watcher has stopped.
    pub fn next(&self) -> Option<Changes> {
        let mut c = self.rx.recv().ok()?;
        while let Ok(more) = self.rx.recv_timeout(QUIET) {
            c.merge(more);
        }
        Some(c)
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
