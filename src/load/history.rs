//! Revision history from git: when each file of the site was last changed, and by
//! which commits.
//!
//! Read for the whole site in one `git log` run (plus one `git status` beside it
//! for edits not yet committed), never one process per file: a site of thousands
//! of briefs pays a few tens of milliseconds. A history of thousands of commits
//! is read in two halves at once (`log`), and the old versions its `--raw`
//! lines name are sent to [`Blobs::prefetch`] as they come. Outside a repository, or when git is missing,
//! there is simply no history; a shallow clone is flagged, because its oldest
//! commit stands for everything before it.
//!
//! The same pass lists, with `--raw`, the blob each commit left of each file it
//! touched and the one it found (for every commit, revision or not): what the
//! changes pages read old versions by ([`History::blob_at`], [`super::blobs`]).
//! A commit's `Correction:` trailer is read in it too, whatever the settings.
//!
//! A site may say which commits are its revisions (`history: {trailer: Revision}`
//! in site.yaml): then only commits carrying that git trailer count, and the
//! trailer's text, written for readers, stands in for the subject, written for
//! whoever reads the code. A site kept in the same repository as other work shows
//! only its own revisions that way.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use super::blobs::Blobs;
use super::classify::{Kind, classify};
use super::config::HistoryConfig;
use crate::util::date::Date;

/// One commit, as a brief's history shows it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Revision {
    /// Position in the log, 0 for the newest commit: orders commits of one day.
    pub seq: usize,
    /// Committer date, in UTC.
    pub date: Date,
    pub hash: String,
    pub short: String,
    pub subject: String,
    /// The author's name.
    pub author: String,
    /// The committer's time of day in UTC, `HH:MM`.
    pub time: String,
    /// The text of its `Correction:` trailers (joined by "; "), if any.
    pub correction: Option<String>,
}

/// A blob's id, shared: a site's history names each many times.
pub type Blob = std::sync::Arc<str>;

/// A file as one commit left it: the blob it found and the blob it left (`None`
/// where there was no file: added, or deleted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// The commit's position in the log (see [`Revision::seq`]).
    pub seq: usize,
    pub before: Option<Blob>,
    pub after: Option<Blob>,
}

/// Where the site stands in git.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum RepoState {
    /// Not in a git repository (or git is not installed).
    #[default]
    None,
    /// A repository with its full history.
    Full,
    /// A shallow clone: history stops at its oldest commit.
    Shallow,
}

/// The site's history: commits by file, and files with uncommitted edits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    pub state: RepoState,
    /// The repository's top folder, when there is one.
    pub top: Option<PathBuf>,
    /// File (as the site's loader names it) → its commits, newest first.
    pub commits: BTreeMap<PathBuf, Vec<Revision>>,
    /// Files changed or added since the last commit.
    pub uncommitted: BTreeSet<PathBuf>,
    /// Those of them that no commit has yet (untracked, or only added).
    pub new: BTreeSet<PathBuf>,
    /// File → what each commit that touched it (revision or not) did to it,
    /// newest first.
    pub versions: BTreeMap<PathBuf, Vec<Version>>,
    /// In a shallow clone, the commits whose parents this copy does not have: git
    /// shows them as adding every file they hold.
    pub shallow_roots: BTreeSet<String>,
    /// A hash of the log read: the same for the same commits, whatever git
    /// status says since (what the changes are kept by).
    pub log_key: u64,
}

/// `git` run in `dir` with `args`, as every run here is made.
fn git_command(dir: &Path, args: &[&str]) -> Command {
    // TZ=UTC: `format-local` dates are then UTC, the same on every machine.
    // No optional locks: `git status` would otherwise take the index's lock to
    // refresh it, and a commit made meanwhile (the user's, while the preview
    // runs) would fail on it.
    let mut c = Command::new("git");
    c.arg("-C")
        .arg(dir)
        .args(args)
        .env("TZ", "UTC")
        .env("GIT_OPTIONAL_LOCKS", "0");
    c
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = git_command(dir, args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The git folder of the repository holding `site`, if it is in one: what the
/// live preview watches for commits and checkouts.
pub fn git_dir(site: &Path) -> Option<PathBuf> {
    let dir = PathBuf::from(git(site, &["rev-parse", "--absolute-git-dir"])?.trim());
    // As the watcher reports paths.
    Some(std::fs::canonicalize(&dir).unwrap_or(dir))
}

/// Files below `site` changed or added since the last commit, and those of them
/// that are new to git, named by `to_site`.
fn uncommitted(
    site: &Path,
    to_site: &dyn Fn(&str) -> PathBuf,
) -> (BTreeSet<PathBuf>, BTreeSet<PathBuf>) {
    let (mut out, mut new) = (BTreeSet::new(), BTreeSet::new());
    if let Some(status) = git(
        site,
        &[
            "-c",
            "core.quotePath=false",
            "status",
            "--porcelain",
            "--untracked-files=all",
            "--",
            ".",
        ],
    ) {
        for line in status.lines() {
            if line.len() > 3 {
                let path = line[3..]
                    .rsplit(" -> ")
                    .next()
                    .unwrap_or(&line[3..])
                    .trim_matches('"');
                // `??` untracked, `A` added (or `git add -N`): no commit has them.
                if line.starts_with("??") || line[..2].contains('A') {
                    new.insert(to_site(path));
                }
                out.insert(to_site(path));
            }
        }
    }
    (out, new)
}

/// A trailer's values in a `--format`: unfolded and joined by %x1d, so that the
/// header stays one line. (The key was checked to be letters, digits and hyphens,
/// so it cannot break out of the format.)
fn trailer_field(key: &str) -> String {
    format!("%x1f%(trailers:key={key},valueonly,unfold,separator=%x1d)")
}

/// The log of the files below `site`, newest first: each commit's hash, short
/// hash, date, time, author, subject and `Correction:` trailer, with `trailer`
/// that trailer's values as an eighth field; then, from `--raw`, each file it
/// touched with the blob before and after. Read as git writes it: each `--raw`
/// line is shown to `seen` as it comes (the old versions are then read while the
/// rest of the log is still being made).
///
/// A long history is read in two halves at once, the commits after the middle
/// one of the branch and those up to it: git compares each commit's tree with its
/// parent's for the files below `site`, one commit after the other, and that is
/// most of a build's time on a site with thousands of commits.
fn log(site: &Path, trailer: Option<&str>, seen: &mut (dyn FnMut(&str) + Send)) -> Option<String> {
    // %x1e starts a commit, %x1f separates its fields. Committer dates in UTC, so
    // the output is the same on every machine for a given commit.
    let mut format = "--format=%x1e%H%x1f%h%x1f%cd%x1f%ct%x1f%an%x1f%s".to_string();
    format.push_str(&trailer_field("Correction"));
    if let Some(key) = trailer {
        format.push_str(&trailer_field(key));
    }
    let args = |range: &str| -> Vec<String> {
        let mut a: Vec<String> = [
            "-c",
            "log.showSignature=false",
            "-c",
            "core.quotePath=false",
            "log",
            "--no-renames",
            "--no-merges",
            "--date=format-local:%Y-%m-%d",
            &format,
            // Blob ids as git abbreviates them (unique in the repository, and
            // what `cat-file` reads), as `--no-abbrev` would lengthen `%h` too.
            "--raw",
        ]
        .map(String::from)
        .into();
        a.extend([range, "--", "."].map(String::from));
        a
    };
    let seen = Mutex::new(seen);
    let Some(middle) = middle_commit(site) else {
        return log_part(site, &args("HEAD"), &seen);
    };
    let (newer, older) = std::thread::scope(|s| {
        let older = s.spawn(|| log_part(site, &args(&middle), &seen));
        let newer = log_part(site, &args(&format!("{middle}..HEAD")), &seen);
        (newer, older.join().ok().flatten())
    });
    Some(newer? + &older?)
}

/// Histories shorter than this (on the branch) are read by one `git log`.
const SPLIT_AT: usize = 2_000;

/// The middle commit of the branch's history when it is long enough to read in
/// two halves.
fn middle_commit(site: &Path) -> Option<String> {
    let count = git(site, &["rev-list", "--count", "--first-parent", "HEAD"])?;
    let n: usize = count.trim().parse().ok()?;
    // The tests split short histories too.
    let split_at = (std::env::var("TUMEN_TEST_LOG_SPLIT").ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(SPLIT_AT);
    if n < split_at {
        return None;
    }
    let middle = git(
        site,
        &["rev-parse", "--verify", "-q", &format!("HEAD~{}", n / 2)],
    )?;
    Some(middle.trim().to_string())
}

/// One `git log` run with `args`, its `--raw` lines shown to `seen` as they come.
fn log_part(
    site: &Path,
    args: &[String],
    seen: &Mutex<&mut (dyn FnMut(&str) + Send)>,
) -> Option<String> {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut child = git_command(site, &args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let mut out = std::io::BufReader::with_capacity(1 << 16, child.stdout.take()?);
    let (mut text, mut line) = (String::new(), Vec::new());
    loop {
        line.clear();
        match std::io::BufRead::read_until(&mut out, b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(_) => {
                let _ = child.kill();
                break;
            }
        }
        let l = String::from_utf8_lossy(&line);
        if l.starts_with(':')
            && let Ok(mut seen) = seen.lock()
        {
            seen(l.trim_end());
        }
        text.push_str(&l);
    }
    let ok = child.wait().is_ok_and(|s| s.success());
    ok.then_some(text)
}

/// A trailer's values from the log, joined by "; "; `None` when it has none.
fn trailer_text(field: &str) -> Option<String> {
    let values: Vec<&str> = (field.split('\u{1d}'))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect();
    (!values.is_empty()).then(|| values.join("; "))
}

/// One commit's header line as a revision; with a trailer asked for, `None` for
/// a commit with neither it nor a correction.
fn revision(seq: usize, head: &str) -> Option<Revision> {
    let f: Vec<&str> = head.split('\u{1f}').collect();
    let &[hash, short, date, secs, author, subject, correction] = f.get(..7)? else {
        return None;
    };
    let correction = trailer_text(correction);
    let subject = match f.get(7) {
        None => subject.to_string(),
        Some(t) => trailer_text(t).or_else(|| correction.clone())?,
    };
    let secs = secs.trim().parse::<i64>().ok()?.rem_euclid(86_400);
    Some(Revision {
        seq,
        date: Date::parse(date).ok()?,
        hash: hash.into(),
        short: short.into(),
        subject,
        author: author.into(),
        time: format!("{:02}:{:02}", secs / 3600, secs % 3600 / 60),
        correction,
    })
}

/// A `--raw` line's file and blobs: `:100644 100644 <before> <after> M\t<path>`.
fn raw_line(line: &str) -> Option<(&str, Option<Blob>, Option<Blob>)> {
    let (meta, path) = line.strip_prefix(':')?.split_once('\t')?;
    let f: Vec<&str> = meta.split(' ').collect();
    let blob = |id: &str| {
        let id = id.trim_end_matches('.');
        (!id.bytes().all(|b| b == b'0')).then(|| Blob::from(id))
    };
    Some((path, blob(f.get(2)?), blob(f.get(3)?)))
}

/// A path as git quotes it when it holds a quote, a backslash or a control
/// character: `"a\"b"`, with C escapes and octal bytes.
fn unquote(path: &str) -> String {
    let Some(inner) = path.strip_prefix('"').and_then(|p| p.strip_suffix('"')) else {
        return path.to_string();
    };
    let (mut out, b) = (Vec::new(), inner.as_bytes());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' || i + 1 == b.len() {
            out.push(b[i]);
            i += 1;
            continue;
        }
        let octal = b
            .get(i + 1..i + 4)
            .filter(|o| o.iter().all(|c| (b'0'..=b'7').contains(c)));
        if let Some(o) = octal {
            out.push(o.iter().fold(0u8, |n, c| n.wrapping_mul(8) + (c - b'0')));
            i += 4;
            continue;
        }
        out.push(match b[i + 1] {
            b'n' => b'\n',
            b't' => b'\t',
            b'r' => b'\r',
            c => c,
        });
        i += 2;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What [`log`]'s output says: the revisions by file (with a trailer asked for,
/// commits without it or a correction are left out, and its text replaces the
/// subject), and every commit's versions of the files it touched.
fn commits(log: &str, to_site: &dyn Fn(&str) -> PathBuf) -> (Commits, Versions) {
    let (mut out, mut versions): (Commits, Versions) = Default::default();
    for (seq, entry) in log
        .split('\u{1e}')
        .filter(|e| !e.trim().is_empty())
        .enumerate()
    {
        let mut lines = entry.lines();
        let rev = revision(seq, lines.next().unwrap_or(""));
        for (path, before, after) in lines.filter_map(raw_line) {
            let file = to_site(&unquote(path));
            if let Some(rev) = &rev {
                out.entry(file.clone()).or_default().push(rev.clone());
            }
            let v = Version { seq, before, after };
            versions.entry(file).or_default().push(v);
        }
    }
    (out, versions)
}

type Commits = BTreeMap<PathBuf, Vec<Revision>>;
type Versions = BTreeMap<PathBuf, Vec<Version>>;

/// In a file's `versions` (newest first), its blob as commit `seq` left it, or
/// with `before` as the commit found it.
pub fn blob_in(versions: &[Version], seq: usize, before: bool) -> Option<&Blob> {
    // Newest first, so seqs ascend: the first commit at or before `seq`.
    let v = versions.get(versions.partition_point(|x| x.seq < seq))?;
    // What an older commit left is what commit `seq` found.
    if before && v.seq == seq {
        v.before.as_ref()
    } else {
        v.after.as_ref()
    }
}

/// Whether the repository holding `site` is a shallow clone.
fn repo_state(site: &Path) -> RepoState {
    match git(site, &["rev-parse", "--is-shallow-repository"])
        .as_deref()
        .map(str::trim)
    {
        Some("true") => RepoState::Shallow,
        _ => RepoState::Full,
    }
}

/// What the log's `--raw` lines are shown to: with `blobs`, the versions of the
/// briefs and datasets (and their rows files) they name are read as they come,
/// for the changes pages; the rest (static files, templates) never are.
fn old_versions<'a>(
    site: &Path,
    top: &'a Path,
    blobs: Option<&Arc<Blobs>>,
) -> Box<dyn FnMut(&str) + Send + 'a> {
    let Some(blobs) = blobs else {
        return Box::new(|_| {});
    };
    let mut prefetch = blobs.prefetch();
    let root = std::fs::canonicalize(site).unwrap_or_else(|_| site.to_path_buf());
    Box::new(move |line: &str| {
        let Some((path, before, after)) = raw_line(line) else {
            return;
        };
        let kind = classify(&root, None, &top.join(unquote(path)));
        if matches!(kind, Kind::Brief | Kind::Dataset | Kind::InData) {
            for id in [before, after].into_iter().flatten() {
                prefetch.want(&id);
            }
        }
    })
}

/// The commits of a shallow clone whose parents it lacks.
fn shallow_roots(site: &Path) -> BTreeSet<String> {
    let Some(file) = git(site, &["rev-parse", "--git-path", "shallow"]) else {
        return BTreeSet::new();
    };
    let file = site.join(file.trim());
    (std::fs::read_to_string(file).unwrap_or_default().lines())
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

impl History {
    /// The history of the files below `site` (the folder holding site.yaml), with
    /// paths as `name(path)` gives them to the loader (relative to where tumen runs),
    /// and the commits that `config` counts as revisions.
    pub fn load(
        site: &Path,
        name: impl Fn(&Path) -> PathBuf + Sync,
        config: &HistoryConfig,
        blobs: Option<&Arc<Blobs>>,
    ) -> History {
        let Some(top) = git(site, &["rev-parse", "--show-toplevel"]) else {
            return History::default();
        };
        let top = PathBuf::from(top.trim());
        let to_site = |rel: &str| name(&top.join(rel));
        let mut history = History {
            top: Some(top.clone()),
            ..History::default()
        };
        // The status, and whether the clone is shallow, beside the log.
        let (log, (state, (uncommitted, new))) = std::thread::scope(|s| {
            let status = s.spawn(|| (repo_state(site), uncommitted(site, &to_site)));
            let mut want = old_versions(site, &top, blobs);
            let log = log(site, config.trailer.as_deref(), &mut want);
            drop(want);
            let status = status.join().unwrap_or_default();
            (log, status)
        });
        (history.state, history.uncommitted, history.new) = (state, uncommitted, new);
        // `git log` names files from the repository's top; the loader from here.
        if let Some(log) = log {
            (history.commits, history.versions) = commits(&log, &to_site);
            history.log_key = crate::util::hash::fnv(log.as_bytes());
        }
        if history.state == RepoState::Shallow {
            history.shallow_roots = shallow_roots(site);
        }
        history
    }

    /// The same history with the uncommitted files read again: what an edit can
    /// change (one `git status`, without the log).
    pub fn with_status(&self, site: &Path, name: impl Fn(&Path) -> PathBuf) -> History {
        let Some(top) = &self.top else {
            return self.clone();
        };
        let (uncommitted, new) = uncommitted(site, &|rel: &str| name(&top.join(rel)));
        History {
            uncommitted,
            new,
            ..self.clone()
        }
    }

    /// What each commit that touched `file` did to it, newest first.
    pub fn versions_of(&self, file: &Path) -> &[Version] {
        self.versions.get(file).map_or(&[], Vec::as_slice)
    }

    /// The blob of `file` as commit `seq` left it (`None`: there was no such file,
    /// or the log does not reach that far).
    pub fn blob_at(&self, file: &Path, seq: usize) -> Option<&Blob> {
        blob_in(self.versions_of(file), seq, false)
    }

    /// The blob of `file` as it was before commit `seq`: what the commit found
    /// when it touched the file, else what the commit before it left.
    pub fn blob_before(&self, file: &Path, seq: usize) -> Option<&Blob> {
        blob_in(self.versions_of(file), seq, true)
    }

    /// Commits that touched any of `files`, newest first, each once.
    pub fn of(&self, files: &[&Path]) -> Vec<Revision> {
        let mut all: Vec<Revision> = files
            .iter()
            .filter_map(|f| self.commits.get(*f))
            .flatten()
            .cloned()
            .collect();
        all.sort_by_key(|r| r.seq);
        all.dedup_by(|a, b| a.hash == b.hash);
        all
    }
}
