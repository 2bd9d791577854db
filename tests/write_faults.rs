//! Faults while writing (issue 14, item 6), through the real binary: an interrupt
//! mid-write, a kill mid-write, a full disk, a read-only disk, a read-only output
//! folder and an unreadable source. Each must leave the previous output whole,
//! leave no staging folder after the next run, and say what happened.
//!
//! The full and read-only disks are small tmpfs mounts made in a private mount
//! namespace (`unshare --mount --map-root-user`, which needs no root); the
//! permission cases run the binary as `nobody` when the tests run as root, since
//! root may write anywhere.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A copy of the basic fixture with `n` more briefs, so that writing takes long
/// enough to be interrupted in the middle.
fn big_site(tmp: &Path, n: usize) -> PathBuf {
    let site = tmp.join("site");
    copy_dir(&fixture("basic"), &site);
    let para = "Trade between the two neighbours grew and fell with sanctions. ".repeat(30);
    for i in 0..n {
        let text = format!(
            "---\ntitle: Brief number {i}\ndate: 2024-01-01\ntopics: [trade]\n---\n\n## Part\n\n{para}\n"
        );
        std::fs::write(site.join(format!("briefs/b{i:05}.md")), text).unwrap();
    }
    site
}

fn leftovers(parent: &Path) -> Vec<String> {
    std::fs::read_dir(parent)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tumen-"))
        .collect()
}

/// Whether a build is writing into `out`: a new output's staging folder beside
/// it, or the marker of an update of the files that changed.
fn writing(out: &Path) -> bool {
    let parent = out.parent().unwrap();
    leftovers(parent).iter().any(|n| n.contains("staging")) || out.join(".tumen/updating").exists()
}

/// Start a build of `site` into `out` and send `signal` once it is writing.
fn interrupt_while_writing(site: &Path, out: &Path, signal: &str) -> std::process::Output {
    let child = Command::new(env!("CARGO_BIN_EXE_tumen"))
        .args(["build", "--site", site.to_str().unwrap(), "--output"])
        .arg(out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !writing(out) {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the build never started writing"
        );
        std::thread::sleep(Duration::from_micros(200));
    }
    let killed = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    child.wait_with_output().unwrap()
}

#[test]
fn an_interrupt_while_writing_leaves_the_previous_output_and_no_staging_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let site = big_site(tmp.path(), 800);
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    let before = tree(&out);
    // An edit of every page (the site's title is on each), so that the
    // interrupted build would have changed the whole output.
    let config = site.join("site.yaml");
    let text = read(&config);
    std::fs::write(&config, text.replacen("title: ", "title: New ", 1)).unwrap();
    // An update of the files that changed (the output has a manifest), then a
    // full write into a staging folder (it has none).
    for (signal, code, manifest) in [("INT", 130, true), ("TERM", 143, false)] {
        if !manifest {
            std::fs::remove_file(out.join(".tumen/manifest")).unwrap();
        }
        let o = interrupt_while_writing(&site, &out, signal);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(code), "{signal}: {err}");
        assert!(
            err.contains("interrupted: the new files were discarded;")
                && err.contains("is as it was"),
            "{signal}: {err}"
        );
        assert!(tree(&out) == before, "{signal} changed the output");
        assert_eq!(leftovers(tmp.path()), Vec::<String>::new(), "{signal}");
        assert!(!out.join(".tumen/updating").exists(), "{signal}");
    }
}

#[test]
fn a_build_killed_while_writing_is_completed_by_the_next_one() {
    let tmp = tempfile::tempdir().unwrap();
    let site = big_site(tmp.path(), 800);
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    let before = tree(&out);
    // Every page changes (the site's title is on each).
    let config = site.join("site.yaml");
    let text = read(&config);
    std::fs::write(&config, text.replacen("title: ", "title: New ", 1)).unwrap();
    let o = interrupt_while_writing(&site, &out, "KILL");
    assert_eq!(o.status.code(), None, "killed by a signal");
    // Each of the site's files is still the last build's, whole (a kill cannot
    // remove what it wrote beside them, nor its marker).
    let after = tree(&out);
    for (path, bytes) in &before {
        assert!(after.get(path) == Some(bytes), "{path} changed");
    }
    assert!(
        out.join(".tumen/updating").exists(),
        "SIGKILL cannot clean up"
    );
    // The next build writes the output whole: as a clean build of the new site.
    build_ok(&site, &out, &[]);
    let clean = tmp.path().join("clean");
    build_ok(&site, &clean, &[]);
    assert!(tree(&out) == tree(&clean));
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
    assert!(!out.join(".tumen/updating").exists());
}

/// Whether this machine lets a test mount a tmpfs of its own.
fn can_unshare() -> bool {
    Command::new("unshare")
        .args(["--mount", "--map-root-user", "true"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Run `script` with `sh` in a private mount namespace, with `$TUMEN` the binary.
fn in_namespace(script: &str) -> std::process::Output {
    Command::new("unshare")
        .args(["--mount", "--map-root-user", "sh", "-ec", script])
        .env("TUMEN", env!("CARGO_BIN_EXE_tumen"))
        .output()
        .unwrap()
}

#[test]
fn a_full_disk_leaves_the_previous_output_and_says_so() {
    if !can_unshare() {
        eprintln!("SKIPPED: this machine cannot make a private tmpfs (unshare --mount)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let site = big_site(tmp.path(), 150);
    let sizer = tmp.path().join("sizer");
    build_ok(&site, &sizer, &[]);
    // What a copy of the site takes on tmpfs: every file whole 4 KiB pages (a
    // brief's small citation files take a page each).
    let bytes: usize = (tree(&sizer).values())
        .map(|f| f.len().div_ceil(4096) * 4096)
        .sum();
    // Room for one copy of the site (and the file system's own blocks), not two.
    let size_kb = bytes * 3 / 2 / 1024 + 256;
    let disk = tmp.path().join("disk");
    let keep = tmp.path().join("kept");
    std::fs::create_dir(&disk).unwrap();
    let t = tmp.path().display();
    let o = in_namespace(&format!(
        r#"mount -t tmpfs -o size={size_kb}k tmpfs {t}/disk
        "$TUMEN" build --site {t}/site --output {t}/disk/out >/dev/null
        sed -i 's/^title: /title: New /' {t}/site/site.yaml
        if "$TUMEN" build --site {t}/site --output {t}/disk/out 2>{t}/err; then exit 9; fi
        cp -a {t}/disk/out {t}/kept
        ls -a {t}/disk > {t}/listing"#
    ));
    assert!(o.status.success(), "{}", stderr(&o));
    let err = read(&tmp.path().join("err"));
    assert!(err.contains("No space left on device"), "{err}");
    assert!(err.contains("the disk is full: free some space"), "{err}");
    assert!(err.contains("was left as it was"), "{err}");
    assert!(
        tree(&keep) == tree(&sizer),
        "the full disk damaged the output"
    );
    let listing = read(&tmp.path().join("listing"));
    assert!(!listing.contains(".tumen-"), "{listing}");
}

#[test]
fn a_read_only_disk_is_refused_before_any_work() {
    if !can_unshare() {
        eprintln!("SKIPPED: this machine cannot make a private tmpfs (unshare --mount)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    copy_dir(&fixture("basic"), &site);
    std::fs::create_dir(tmp.path().join("disk")).unwrap();
    let t = tmp.path().display();
    let o = in_namespace(&format!(
        r#"mount -t tmpfs -o size=4m tmpfs {t}/disk
        "$TUMEN" build --site {t}/site --output {t}/disk/out >/dev/null
        cp -a {t}/disk/out {t}/before
        mount -o remount,ro {t}/disk
        if "$TUMEN" build --site {t}/site --output {t}/disk/out 2>{t}/err; then exit 9; fi
        cp -a {t}/disk/out {t}/after"#
    ));
    assert!(o.status.success(), "{}", stderr(&o));
    let err = read(&tmp.path().join("err"));
    assert!(
        err.contains("disk/out") && err.contains("Read-only file system"),
        "{err}"
    );
    assert!(err.contains("the disk is mounted read-only"), "{err}");
    assert!(tree(&tmp.path().join("after")) == tree(&tmp.path().join("before")));
}

/// `tumen` with `args`, as an unprivileged user when the tests run as root (root
/// ignores permissions), after giving that user the temporary folder.
fn tumen_unprivileged(tmp: &Path, args: &[&str]) -> std::process::Output {
    let root = Command::new("id").arg("-u").output().unwrap();
    if String::from_utf8_lossy(&root.stdout).trim() != "0" {
        return tumen(args, tmp);
    }
    // The binary may sit where `nobody` cannot reach it: a copy in the folder.
    let exe = tmp.join("tumen");
    std::fs::copy(env!("CARGO_BIN_EXE_tumen"), &exe).unwrap();
    let chown = Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(tmp)
        .status()
        .unwrap();
    assert!(chown.success());
    Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&exe)
        .args(args)
        .current_dir(tmp)
        .output()
        .unwrap()
}

fn chmod(mode: &str, p: &Path) {
    assert!(
        Command::new("chmod")
            .arg(mode)
            .arg(p)
            .status()
            .unwrap()
            .success()
    );
}

/// The basic fixture in a fresh folder, built into `out`: (guard, site, out,
/// the output's files).
fn basic_built() -> (
    tempfile::TempDir,
    PathBuf,
    PathBuf,
    std::collections::BTreeMap<String, Vec<u8>>,
) {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    copy_dir(&fixture("basic"), &site);
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    let before = tree(&out);
    (tmp, site, out, before)
}

#[test]
fn a_read_only_output_folder_is_refused_and_left_alone() {
    let (tmp, _site, out, before) = basic_built();
    chmod("a-w", &out);
    let o = tumen_unprivileged(tmp.path(), &["build", "--site", "site", "--output", "out"]);
    chmod("u+w", &out);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("the output folder cannot be written: Permission denied")
            && err.contains("--> out\n"),
        "{err}"
    );
    assert!(err.contains("make the folder writable"), "{err}");
    assert!(tree(&out) == before);
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
}

#[test]
fn an_unreadable_brief_is_named() {
    let (tmp, site, out, before) = basic_built();
    chmod("000", &site.join("briefs/trade.md"));
    let o = tumen_unprivileged(tmp.path(), &["build", "--site", "site", "--output", "out"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("site/briefs/trade.md"), "{err}");
    assert!(err.contains("Permission denied"), "{err}");
    assert!(tree(&out) == before);
}
