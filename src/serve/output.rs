//! The output folder as the preview serves it: the files on disk, overlaid by the
//! files of the last rebuild until they are written.
//!
//! A rebuild's files are served from memory as soon as they are rendered, and open
//! pages are told to reload then; writing them to disk comes after, as on ext4 a
//! file renamed over another starts its writeback at once, which costs more than
//! rendering the few pages an edit changes. A write that fails leaves the files in
//! memory, still served, to be written with the next rebuild's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::load::StaticFile;
use crate::output::{Content, OutputFile};
use crate::util::diag::Diagnostic;
use crate::write::{update_files, write_site};

/// Files rendered but not yet on disk, by path: `None` for a file the site no
/// longer has.
type Pending = BTreeMap<String, Option<Arc<OutputFile>>>;

pub struct Output {
    dir: PathBuf,
    /// Held for reading while a request looks here and then on disk, and for
    /// writing while the folder is swapped whole, so that no page is read half way
    /// through a swap.
    pending: RwLock<Pending>,
}

/// What a request finds while it holds the output still.
pub struct View<'a> {
    pub dir: &'a Path,
    pending: RwLockReadGuard<'a, Pending>,
}

impl View<'_> {
    /// The bytes of `rel` when the last rebuild made it and it is not on disk yet:
    /// `Some(None)` when it was removed; `None` when the disk has it as it is.
    pub fn pending(&self, rel: &str) -> Option<Option<Vec<u8>>> {
        let f = self.pending.get(rel)?;
        Some(f.as_ref().and_then(|f| match &f.content {
            Content::Bytes(b) => Some(b.clone()),
            Content::Copy(StaticFile::Embedded(b)) => Some(b.to_vec()),
            Content::Copy(StaticFile::Disk(p)) => std::fs::read(p).ok(),
        }))
    }

    /// Whether the last rebuild made a file inside folder `rel` (which may not be on
    /// disk yet).
    pub fn pending_folder(&self, rel: &str) -> bool {
        let prefix = format!("{}/", rel.trim_end_matches('/'));
        self.pending
            .range(prefix.clone()..)
            .next()
            .is_some_and(|(p, f)| p.starts_with(&prefix) && f.is_some())
    }
}

impl Output {
    pub fn new(dir: PathBuf) -> Output {
        Output {
            dir: std::path::absolute(&dir).unwrap_or(dir),
            pending: RwLock::new(Pending::new()),
        }
    }

    fn write_lock(&self) -> RwLockWriteGuard<'_, Pending> {
        self.pending.write().unwrap_or_else(|e| e.into_inner())
    }

    pub fn view(&self) -> View<'_> {
        View {
            dir: &self.dir,
            pending: self.pending.read().unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// Replace the whole folder with `files`, all or nothing, as `tumen build` does.
    pub fn replace(&self, files: &[OutputFile]) -> Result<(), Diagnostic> {
        let mut pending = self.write_lock();
        write_site(&self.dir, files)?;
        pending.clear();
        Ok(())
    }

    /// Serve `files` from now on, and no longer `removed`; [`Output::flush`] puts
    /// them on disk.
    pub fn stage(&self, files: Vec<OutputFile>, removed: &[String]) {
        let mut pending = self.write_lock();
        for f in files {
            pending.insert(f.path.clone(), Some(Arc::new(f)));
        }
        for r in removed {
            pending.insert(r.clone(), None);
        }
    }

    /// Write what was staged to disk. Staging and flushing take turns on one
    /// thread, so what is written is what is then taken out of memory.
    pub fn flush(&self) -> Result<(), Diagnostic> {
        let (files, removed): (Vec<Arc<OutputFile>>, Vec<String>) = {
            let pending = self.view().pending;
            if pending.is_empty() {
                return Ok(());
            }
            let files = pending.values().flatten().cloned().collect();
            let removed = pending
                .iter()
                .filter(|(_, f)| f.is_none())
                .map(|(p, _)| p.clone())
                .collect();
            (files, removed)
        };
        let refs: Vec<&OutputFile> = files.iter().map(|f| &**f).collect();
        update_files(&self.dir, &refs, &removed)?;
        self.write_lock().clear();
        Ok(())
    }
}
