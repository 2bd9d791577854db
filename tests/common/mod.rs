//! Helpers shared by the integration tests: run the real binary on copies of the
//! fixture sites, and compare output trees.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// A copy of a fixture site in a fresh temporary folder: tests edit copies, never
/// the fixtures. Returns (temp dir guard, site path).
pub fn copy_fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    copy_dir(&fixture(name), &site);
    (tmp, site)
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

pub fn tumen(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tumen"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run tumen")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The standard output of a run that must have succeeded; panics with both
/// outputs if it did not.
pub fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        stdout(o),
        stderr(o)
    );
    stdout(o)
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Build `site` into `out`; panics with tumen's output if it fails.
pub fn build_ok(site: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "build",
        "--site",
        site.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = tumen(&args, site.parent().unwrap());
    assert!(
        o.status.success(),
        "build failed:\n{}{}",
        stdout(&o),
        stderr(&o)
    );
    o
}

/// Build the repository's default site (content/) into `out`; panics with tumen's
/// output if it fails.
pub fn build_default(out: &Path, extra: &[&str]) -> Output {
    build_ok(&repo().join("content"), out, extra)
}

/// Library build options for `site` into `out`, as `tumen build` has them.
pub fn options(site: &Path, out: &Path) -> tumen::build::BuildOptions {
    tumen::build::BuildOptions {
        site_dir: site.to_path_buf(),
        output_dir: out.to_path_buf(),
        resolve: tumen::resolve::ResolveOptions::default(),
        progress: false,
        minify: false,
    }
}

pub fn build_err(site: &Path, out: &Path) -> Output {
    let o = tumen(
        &[
            "build",
            "--site",
            site.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ],
        site.parent().unwrap(),
    );
    assert!(
        !o.status.success(),
        "build should have failed:\n{}",
        stdout(&o)
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "a content error exits 1, not a crash: {}",
        stderr(&o)
    );
    o
}

/// File names without extension of the entries of `dir`, sorted.
pub fn stems(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    out.sort();
    out
}

/// Every file of the site below `dir`: relative path → bytes. (Not the build's
/// manifest in `.tumen/`, which records when each file was written.)
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    fn walk(base: &Path, d: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(d).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            if p == base.join(".tumen") {
                continue;
            }
            if e.file_type().unwrap().is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out
}

/// The Python of tests/tools/venv (the test tools of tests/tools/requirements.txt,
/// which scripts/test installs), or of `TUMEN_TEST_PYTHON`.
pub fn python() -> PathBuf {
    let py = std::env::var_os("TUMEN_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("tests/tools/venv/bin/python"));
    assert!(
        py.is_file(),
        "the Python test tools are not installed at {}: run scripts/test (it makes tests/tools/venv from tests/tools/requirements.txt), or set TUMEN_TEST_PYTHON",
        py.display()
    );
    py
}

pub fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

pub mod browser;
pub mod server;

/// Every `href="…"` and `src="…"` value in an HTML text.
pub fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].to_string());
                rest = &rest[end..];
            }
        }
    }
    out
}

/// Run git in `dir` as a test author, at `date` (for author and committer).
pub fn git(dir: &Path, args: &[&str], date: &str) {
    git_as(dir, args, date, "Test");
}

/// A repository in `dir` whose one commit (1 June 2024) holds the site.
pub fn first_commit(dir: &Path, subject: &str) {
    git(dir, &["init", "-q", "-b", "main"], "2024-06-01T10:00:00Z");
    git(dir, &["add", "site"], "2024-06-01T10:00:00Z");
    git(
        dir,
        &["commit", "-q", "-m", subject],
        "2024-06-01T10:00:00Z",
    );
}

/// Run git in `dir` at `date` as the author `author` (any text: tests give it
/// markup to escape).
pub fn git_as(dir: &Path, args: &[&str], date: &str, author: &str) {
    let o = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_AUTHOR_NAME", author)
        .env("GIT_AUTHOR_EMAIL", "test@example.org")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.org")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git runs");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The default site (a copy of content/) in a new repository in `dir`, with the
/// history the changes pages are checked on: the site as a first commit (1 June
/// 2024), a prose edit of the turnover brief (1 July), the 2022 turnover changed
/// in its dataset (1 August, by an author whose name needs escaping), and a
/// correction of the brief's 1988 figure (1 September 2024). Returns the site.
pub fn site_with_history(dir: &Path) -> PathBuf {
    let site = dir.join("site");
    copy_dir(&repo().join("content"), &site);
    first_commit(dir, "The site\n\nRevision: First edition");
    let edit = |file: &str, from: &str, to: &str| {
        let path = site.join(file);
        let text = read(&path);
        assert!(text.contains(from), "{file} holds {from}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    };
    let brief = "briefs/trade-turnover-1988-2022.md";
    edit(
        brief,
        "Commerce between Moscow and Pyongyang has passed through three phases.",
        "Trade between Moscow and Pyongyang has gone through three phases.",
    );
    let message = "Turnover brief: plainer opening\n\nRevision: A plainer opening";
    git(
        dir,
        &["commit", "-q", "-am", message],
        "2024-07-01T09:15:00Z",
    );
    edit(
        "data/trade-turnover.yaml",
        "{year: 2022, turnover: 120,",
        "{year: 2022, turnover: 125,",
    );
    let message = "Data: 2022 turnover\n\nRevision: The 2022 turnover as the source revised it";
    // Git drops `<` and `>` from names; an ampersand and quotes stay.
    let author = "Smith & \"Data\" Co";
    git_as(
        dir,
        &["commit", "-q", "-am", message],
        "2024-08-01T14:30:00Z",
        author,
    );
    edit(
        brief,
        "it was worth more than US$2 billion.",
        "it was worth US$2.35 billion.",
    );
    let message = "Turnover brief: the 1988 figure\n\nCorrection: The 1988 trade was worth US$2.35 billion, not \"more than US$2 billion\" <as first said> & no less";
    git(
        dir,
        &["commit", "-q", "-am", message],
        "2024-09-01T08:00:00Z",
    );
    site
}
