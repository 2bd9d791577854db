//! Old versions of the site's files, read from git by blob id: what the changes
//! pages and the datasets' change logs are made from.
//!
//! One `git cat-file --batch` process reads them all, started on the first
//! request and kept while the reader lives (for `tumen serve`, the whole session):
//! the ids asked for are written to it while its answers are read, so a thousand
//! blobs cost one process and one pass, not a thousand `git show`s. Each blob is
//! read once and kept by its id, which names its content for ever, so the cache
//! never goes stale: after a commit, only the new blobs are read.
//!
//! While the history is read, the ids its log names are sent to [`Blobs::prefetch`]
//! as they come: the old versions are then read by the same process beside the
//! `git log` that names them (each a process of its own, on its own core), and
//! the changes find them read.
//!
//! Why not a git library: gix or git2 would read the same objects in-process, but
//! add a large dependency (git2 a C library too) for one loop that the `git` the
//! rest of the history already runs does as fast; `cat-file --batch` is git's
//! own interface for this, stable across versions.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;

/// A blob's bytes, shared.
pub type Blob = Arc<[u8]>;

/// The running `git cat-file --batch`.
struct CatFile {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Drop for CatFile {
    fn drop(&mut self) {
        // Its input closed, it ends; without waiting it would be left a zombie.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Default)]
struct Inner {
    process: Option<CatFile>,
    cache: HashMap<String, Blob>,
}

/// Reads blobs of the repository holding a site, each once.
#[derive(Default)]
pub struct Blobs {
    /// The site's folder (git finds the repository from it); `None`: no repository.
    dir: Option<PathBuf>,
    inner: Mutex<Inner>,
    /// The prefetch under way: [`Blobs::read`] waits for it.
    pending: Mutex<Option<JoinHandle<()>>>,
}

/// Ids for a [`Blobs::prefetch`], sent in batches; dropped, the prefetch ends
/// once it has read them all.
pub struct Prefetch {
    tx: mpsc::Sender<Vec<String>>,
    batch: Vec<String>,
}

/// Ids sent to the reader at once.
const BATCH: usize = 256;

impl Prefetch {
    /// Read the blob `id` (an id read before, or asked for twice, is skipped).
    pub fn want(&mut self, id: &str) {
        self.batch.push(id.to_string());
        if self.batch.len() >= BATCH {
            // A reader that ended (no repository) takes nothing: nothing to do.
            let _ = self.tx.send(std::mem::take(&mut self.batch));
        }
    }
}

impl Drop for Prefetch {
    fn drop(&mut self) {
        let _ = self.tx.send(std::mem::take(&mut self.batch));
    }
}

impl std::fmt::Debug for Blobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Blobs").field("dir", &self.dir).finish()
    }
}

impl Blobs {
    /// A reader of the repository holding `site` (nothing is started yet).
    pub fn new(site: &Path) -> Blobs {
        Blobs {
            dir: Some(site.to_path_buf()),
            ..Blobs::default()
        }
    }

    /// Read the blobs whose ids are sent to the [`Prefetch`] returned, in the
    /// background, as they are sent; [`Blobs::read`] then finds them read.
    pub fn prefetch(self: &Arc<Self>) -> Prefetch {
        let (tx, rx) = mpsc::channel();
        let me = self.clone();
        let handle = std::thread::spawn(move || me.read_stream(rx));
        if let Ok(mut pending) = self.pending.lock()
            && let Some(earlier) = pending.replace(handle)
        {
            let _ = earlier.join();
        }
        Prefetch {
            tx,
            batch: Vec::new(),
        }
    }

    /// The prefetch's reading: the blobs of the ids `rx` gives, into the cache.
    fn read_stream(&self, rx: mpsc::Receiver<Vec<String>>) {
        let (Some(dir), Ok(mut inner)) = (self.dir.as_deref(), self.inner.lock()) else {
            return;
        };
        if inner.process.is_none() {
            inner.process = start(dir);
        }
        let Inner { process, cache } = &mut *inner;
        let Some(p) = process.as_mut() else {
            return;
        };
        match p.stream(rx, cache) {
            Ok(read) => cache.extend(read),
            // Read again, in one pass, when asked.
            Err(_) => *process = None,
        }
    }

    /// Wait for the prefetch under way, if any.
    fn settle(&self) {
        let handle = self.pending.lock().ok().and_then(|mut p| p.take());
        if let Some(h) = handle {
            let _ = h.join();
        }
    }

    /// The blobs of `ids` that git has, by id: those read before from the cache,
    /// the others in one pass of the process. An id git does not have (or a git
    /// that fails) is left out: the caller says the version cannot be read.
    pub fn read<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> HashMap<String, Blob> {
        self.settle();
        let Ok(mut inner) = self.inner.lock() else {
            return HashMap::new();
        };
        let mut out = HashMap::new();
        let mut missing: Vec<&str> = Vec::new();
        for id in ids {
            match inner.cache.get(id) {
                Some(b) => {
                    out.insert(id.to_string(), b.clone());
                }
                None if !out.contains_key(id) && is_hex(id) => missing.push(id),
                None => {}
            }
        }
        missing.sort_unstable();
        missing.dedup();
        if missing.is_empty() {
            return out;
        }
        let read = match self.dir.as_deref() {
            Some(dir) => inner.fetch(dir, &missing),
            None => Vec::new(),
        };
        for (id, blob) in read {
            inner.cache.insert(id.clone(), blob.clone());
            out.insert(id, blob);
        }
        out
    }
}

/// Only object ids go to the process: a line of anything else would be read as
/// a request of another kind.
fn is_hex(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Inner {
    /// Read `ids` from the process (started if need be, once more if it died).
    fn fetch(&mut self, dir: &Path, ids: &[&str]) -> Vec<(String, Blob)> {
        for _ in 0..2 {
            if self.process.is_none() {
                self.process = start(dir);
            }
            let Some(p) = self.process.as_mut() else {
                return Vec::new();
            };
            match p.batch(ids) {
                Ok(blobs) => return blobs,
                Err(_) => self.process = None,
            }
        }
        Vec::new()
    }
}

fn start(dir: &Path) -> Option<CatFile> {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["cat-file", "--batch"])
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let stdin = child.stdin.take()?;
    let stdout = BufReader::with_capacity(1 << 16, child.stdout.take()?);
    Some(CatFile {
        child,
        stdin,
        stdout,
    })
}

impl CatFile {
    /// Ask for `ids` and read the answers, in order: the requests are written by
    /// another thread, so that neither side waits on a full pipe.
    fn batch(&mut self, ids: &[&str]) -> std::io::Result<Vec<(String, Blob)>> {
        let (stdin, stdout) = (&mut self.stdin, &mut self.stdout);
        std::thread::scope(|s| {
            let writer = s.spawn(move || -> std::io::Result<()> {
                let mut w = std::io::BufWriter::new(stdin);
                for id in ids {
                    w.write_all(id.as_bytes())?;
                    w.write_all(b"\n")?;
                }
                w.flush()
            });
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some(blob) = answer(stdout)? {
                    out.push((id.to_string(), blob));
                }
            }
            writer
                .join()
                .map_err(|_| std::io::Error::other("writer panicked"))??;
            Ok(out)
        })
    }

    /// Ask for the ids `rx` gives as they come (those not in `cache`, each once)
    /// and read the answers meanwhile.
    fn stream(
        &mut self,
        rx: mpsc::Receiver<Vec<String>>,
        cache: &HashMap<String, Blob>,
    ) -> std::io::Result<Vec<(String, Blob)>> {
        let (order_tx, order) = mpsc::channel::<String>();
        let (stdin, stdout, child) = (&mut self.stdin, &mut self.stdout, &mut self.child);
        std::thread::scope(|s| {
            s.spawn(move || -> std::io::Result<()> {
                let mut asked = std::collections::HashSet::new();
                let mut stdin = std::io::BufWriter::new(stdin);
                for batch in rx {
                    for id in batch {
                        if !is_hex(&id) || cache.contains_key(&id) || !asked.insert(id.clone()) {
                            continue;
                        }
                        stdin.write_all(id.as_bytes())?;
                        stdin.write_all(b"\n")?;
                        let _ = order_tx.send(id);
                    }
                    stdin.flush()?;
                }
                Ok(())
            });
            let mut out = Vec::new();
            for id in order {
                match answer(stdout) {
                    Ok(Some(blob)) => out.push((id, blob)),
                    Ok(None) => {}
                    Err(e) => {
                        // The writer may be waiting on a full pipe: end the process.
                        let _ = child.kill();
                        return Err(e);
                    }
                }
            }
            Ok(out)
        })
    }
}

/// One answer: `<id> blob <size>`, the bytes and a newline; `<id> missing` (or
/// another type) gives `None`.
fn answer(r: &mut BufReader<ChildStdout>) -> std::io::Result<Option<Blob>> {
    let mut head = String::new();
    if r.read_line(&mut head)? == 0 {
        return Err(std::io::Error::other("git cat-file ended"));
    }
    let f: Vec<&str> = head.split_whitespace().collect();
    let Some(size) = f.get(2).and_then(|s| s.parse::<usize>().ok()) else {
        return Ok(None);
    };
    let mut bytes = vec![0; size + 1];
    r.read_exact(&mut bytes)?;
    bytes.pop();
    Ok((f.get(1) == Some(&"blob")).then(|| Blob::from(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_a_repository_nothing_is_read() {
        let b = Blobs::default();
        assert!(b.read(["0123abcd"]).is_empty());
        let tmp = tempfile::tempdir().unwrap();
        let b = Blobs::new(tmp.path());
        assert!(b.read(["0123abcd", "not hex\n"]).is_empty());
    }
}
