//! Revision history from git: when each file of the site was last changed, and by
//! which commits.
//!
//! Read for the whole site in one `git log` run (plus one `git status` for edits
//! not yet committed), never one process per file: a site of thousands of briefs
//! pays a few tens of milliseconds. Outside a repository, or when git is missing,
//! there is simply no history; a shallow clone is flagged, because its oldest
//! commit stands for everything before it.
//!
//! A site may say which commits are its revisions (`history: {trailer: Revision}`
//! in site.yaml): then only commits carrying that git trailer count, and the
//! trailer's text, written for readers, stands in for the subject, written for
//! whoever reads the code. A site kept in the same repository as other work shows
//! only its own revisions that way.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

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
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    // TZ=UTC: `format-local` dates are then UTC, the same on every machine.
    // No optional locks: `git status` would otherwise take the index's lock to
    // refresh it, and a commit made meanwhile (the user's, while the preview
    // runs) would fail on it.
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("TZ", "UTC")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .output()
        .ok()?;
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

/// The log of the files below `site`, newest first: with `trailer`, each commit's
/// values of that trailer as a fifth field.
fn log(site: &Path, trailer: Option<&str>) -> Option<String> {
    // %x1e starts a commit, %x1f separates its fields; --name-only lists the files
    // after it. Committer dates in UTC, so the output is the same on every machine
    // for a given commit. A trailer's values are unfolded and joined by %x1d, so
    // that the header stays one line. (The key was checked to be letters, digits
    // and hyphens, so it cannot break out of the format.)
    let mut format = "--format=%x1e%H%x1f%h%x1f%cd%x1f%s".to_string();
    if let Some(key) = trailer {
        format.push_str(&format!(
            "%x1f%(trailers:key={key},valueonly,unfold,separator=%x1d)"
        ));
    }
    git(
        site,
        &[
            "-c",
            "log.showSignature=false",
            "log",
            "--no-renames",
            "--no-merges",
            "--date=format-local:%Y-%m-%d",
            &format,
            "--name-only",
            "--",
            ".",
        ],
    )
}

/// Commits by file from [`log`]'s output. With a trailer asked for, commits
/// without it are left out, and its text (its values joined by "; ") replaces the
/// subject.
fn commits(log: &str, to_site: &dyn Fn(&str) -> PathBuf) -> BTreeMap<PathBuf, Vec<Revision>> {
    let mut out: BTreeMap<PathBuf, Vec<Revision>> = BTreeMap::new();
    for (seq, entry) in log
        .split('\u{1e}')
        .filter(|e| !e.trim().is_empty())
        .enumerate()
    {
        let mut lines = entry.lines();
        let head = lines.next().unwrap_or("");
        let f: Vec<&str> = head.split('\u{1f}').collect();
        let (hash, short, date, subject) = match f[..] {
            [hash, short, date, subject] => (hash, short, date, subject.to_string()),
            [hash, short, date, _, trailer] => {
                let values: Vec<&str> = trailer
                    .split('\u{1d}')
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .collect();
                if values.is_empty() {
                    continue;
                }
                (hash, short, date, values.join("; "))
            }
            _ => continue,
        };
        let Ok(date) = Date::parse(date) else {
            continue;
        };
        let rev = Revision {
            seq,
            date,
            hash: hash.into(),
            short: short.into(),
            subject,
        };
        for file in lines.map(str::trim).filter(|l| !l.is_empty()) {
            out.entry(to_site(file)).or_default().push(rev.clone());
        }
    }
    out
}

impl History {
    /// The history of the files below `site` (the folder holding site.yaml), with
    /// paths as `name(path)` gives them to the loader (relative to where tumen runs),
    /// and the commits that `config` counts as revisions.
    pub fn load(site: &Path, name: impl Fn(&Path) -> PathBuf, config: &HistoryConfig) -> History {
        let Some(top) = git(site, &["rev-parse", "--show-toplevel"]) else {
            return History::default();
        };
        let top = PathBuf::from(top.trim());
        let to_site = |rel: &str| name(&top.join(rel));
        let state = match git(site, &["rev-parse", "--is-shallow-repository"])
            .as_deref()
            .map(str::trim)
        {
            Some("true") => RepoState::Shallow,
            _ => RepoState::Full,
        };
        let mut history = History {
            state,
            top: Some(top.clone()),
            ..History::default()
        };
        // `git log` names files from the repository's top; the loader from here.
        if let Some(log) = log(site, config.trailer.as_deref()) {
            history.commits = commits(&log, &to_site);
        }
        (history.uncommitted, history.new) = uncommitted(site, &to_site);
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
