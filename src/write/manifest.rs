//! What the last build wrote into an output folder, kept inside it as
//! `.tumen/manifest`: each file's path, a hash of what it was made from, and its
//! size and modification time as the disk had them once written. A rebuild
//! compares the new files with it and writes only those that differ, deletes
//! only those that went, and reads nothing back: an unchanged file costs one
//! `stat` (which also catches a file edited or removed behind tumen's back).
//!
//! Hand-written, as no crate keeps such a list: one line per file, sorted, so the
//! same output gives the same bytes. A missing, unreadable or older manifest
//! simply means a full write, as for a new output folder.

use std::collections::BTreeMap;
use std::path::Path;

use crate::load::StaticFile;
use crate::output::{Content, OutputFile};

/// Where the manifest lives inside the output (a host may serve it: it names only
/// the output's own files).
pub const MANIFEST: &str = ".tumen/manifest";

const HEADER: &str = "tumen manifest 1";

/// One file as it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Entry {
    /// What it was made from ([`key`]).
    pub key: u128,
    /// Its size and modification time (ns) once written ([`stamp`]).
    pub size: u64,
    pub mtime: i128,
}

/// Every file of the output, by path.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Manifest(pub BTreeMap<String, Entry>);

/// What a file is made from, hashed: its bytes, or for a file copied from disk
/// its source's path, size and modification time (so that a large image or font
/// is not read to learn that it did not change).
pub(super) fn key(f: &OutputFile) -> u128 {
    use xxhash_rust::xxh3::xxh3_128;
    match &f.content {
        Content::Bytes(b) => xxh3_128(b),
        Content::Copy(StaticFile::Embedded(b)) => xxh3_128(b),
        Content::Copy(StaticFile::Disk(src)) => {
            let (size, mtime) = stamp(src).unwrap_or((u64::MAX, i128::MAX));
            let id = format!("copy\0{}\0{size}\0{mtime}", src.display());
            xxh3_128(id.as_bytes())
        }
    }
}

/// A file's size and modification time in nanoseconds, if it exists.
pub(super) fn stamp(path: &Path) -> Option<(u64, i128)> {
    stamp_of(&std::fs::symlink_metadata(path).ok()?)
}

/// [`stamp`] of a file's metadata, as read from its open handle just written.
pub(super) fn stamp_of(m: &std::fs::Metadata) -> Option<(u64, i128)> {
    if !m.is_file() {
        return None;
    }
    let t = m.modified().ok()?;
    let ns = match t.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    };
    Some((m.len(), ns))
}

impl Manifest {
    /// The manifest of the output `out`, if it has one tumen can read.
    pub fn read(out: &Path) -> Option<Manifest> {
        let text = std::fs::read_to_string(out.join(MANIFEST)).ok()?;
        let mut lines = text.lines();
        if lines.next()? != HEADER {
            return None;
        }
        let mut files = Vec::new();
        for line in lines {
            let mut f = line.splitn(4, ' ');
            let key = u128::from_str_radix(f.next()?, 16).ok()?;
            let size = f.next()?.parse().ok()?;
            let mtime = f.next()?.parse().ok()?;
            let path = f.next()?;
            files.push((path.to_string(), Entry { key, size, mtime }));
        }
        // Written sorted: the map is built at once, not a line at a time.
        Some(Manifest(files.into_iter().collect()))
    }

    /// Whether `f`, made from `key`, is on disk in `out` as this manifest says the
    /// last build wrote it.
    pub fn holds(&self, out: &Path, f: &OutputFile, key: u128) -> bool {
        self.0
            .get(&f.path)
            .is_some_and(|e| e.key == key && stamp(&out.join(&f.path)) == Some((e.size, e.mtime)))
    }

    /// The manifest's text: sorted by path, so the same output gives the same
    /// bytes. `None` if a path cannot be written on one line.
    pub fn text(&self) -> Option<String> {
        let mut out = String::with_capacity(self.0.len() * 80);
        out.push_str(HEADER);
        out.push('\n');
        for (path, e) in &self.0 {
            if path.contains(['\n', '\r']) {
                return None;
            }
            let line = format!("{:032x} {} {} {path}\n", e.key, e.size, e.mtime);
            out.push_str(&line);
        }
        Some(out)
    }

    /// Write it into `out`, replacing the last one at once (written beside it,
    /// then renamed); without it (a path it cannot hold), remove the last one, so
    /// that the next build writes everything.
    pub fn write(&self, out: &Path) -> std::io::Result<()> {
        let path = out.join(MANIFEST);
        let Some(text) = self.text() else {
            return match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            };
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, &path)
    }
}

/// Forget the manifest of `out` (the live preview writes files it does not
/// list): the next build writes everything.
pub fn forget(out: &Path) {
    let _ = std::fs::remove_file(out.join(MANIFEST));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_reads_back_as_written_and_holds_only_what_is_on_disk() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path();
        let f = OutputFile {
            path: "a b/index.html".into(),
            content: Content::Bytes(b"<p>x</p>".to_vec()),
        };
        std::fs::create_dir_all(out.join("a b")).unwrap();
        std::fs::write(out.join(&f.path), b"<p>x</p>").unwrap();
        let (size, mtime) = stamp(&out.join(&f.path)).unwrap();
        let mut m = Manifest::default();
        m.0.insert(
            f.path.clone(),
            Entry {
                key: key(&f),
                size,
                mtime,
            },
        );
        m.write(out).unwrap();
        let back = Manifest::read(out).unwrap();
        assert_eq!(back, m);
        assert!(back.holds(out, &f, key(&f)));
        // Other bytes, or the file changed behind tumen's back: not held.
        let g = OutputFile {
            path: f.path.clone(),
            content: Content::Bytes(b"<p>y</p>".to_vec()),
        };
        assert!(!back.holds(out, &g, key(&g)));
        std::fs::write(out.join(&f.path), b"<p>edited</p>").unwrap();
        assert!(!back.holds(out, &f, key(&f)));
        std::fs::remove_file(out.join(&f.path)).unwrap();
        assert!(!back.holds(out, &f, key(&f)));
        // An older or damaged manifest is none.
        std::fs::write(out.join(MANIFEST), "tumen manifest 0\n").unwrap();
        assert_eq!(Manifest::read(out), None);
        std::fs::write(out.join(MANIFEST), format!("{HEADER}\nzz 1 2 x\n")).unwrap();
        assert_eq!(Manifest::read(out), None);
        // A path on two lines cannot be kept: no manifest, a full write next time.
        m.0.insert(
            "x\ny".into(),
            Entry {
                key: 1,
                size: 1,
                mtime: 1,
            },
        );
        m.write(out).unwrap();
        assert!(!out.join(MANIFEST).exists());
    }
}
