//! Hostile and odd input (issue 14): never a panic, a clear error naming the file,
//! and the last good output left as it was.

mod common;

use common::*;
use std::os::unix::fs::symlink;

fn small_site() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    std::fs::create_dir_all(site.join("briefs")).unwrap();
    std::fs::write(site.join("site.yaml"), "title: Links\n").unwrap();
    std::fs::write(
        site.join("briefs/a.md"),
        "---\ntitle: A\ndate: 2024-01-01\n---\nText.\n",
    )
    .unwrap();
    (tmp, site)
}

#[test]
fn a_symlink_back_up_is_followed_once_and_makes_no_loop() {
    let (tmp, site) = small_site();
    symlink("..", site.join("briefs/up")).unwrap();
    // A folder of the site linked into briefs/: its brief is read once.
    std::fs::create_dir_all(site.join("shared")).unwrap();
    std::fs::write(
        site.join("shared/b.md"),
        "---\ntitle: B\ndate: 2024-01-02\n---\nShared.\n",
    )
    .unwrap();
    symlink("../shared", site.join("briefs/shared")).unwrap();
    symlink("../shared/b.md", site.join("briefs/b-again.md")).unwrap();
    let out = tmp.path().join("out");
    let o = build_ok(&site, &out, &[]);
    assert!(stdout(&o).starts_with("Built 2 briefs,"), "{}", stdout(&o));
}

#[test]
fn symlinks_out_of_the_site_or_to_nothing_are_refused_by_name() {
    let (tmp, site) = small_site();
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    let before = tree(&out);
    std::fs::write(
        tmp.path().join("outside.md"),
        "---\ntitle: O\ndate: 2024-01-01\n---\nx\n",
    )
    .unwrap();
    symlink("../../outside.md", site.join("briefs/outside.md")).unwrap();
    let err = stderr(&build_err(&site, &out));
    assert!(
        err.contains("briefs/outside.md") && err.contains("leads out of the site"),
        "{err}"
    );
    std::fs::remove_file(site.join("briefs/outside.md")).unwrap();
    symlink("nowhere.md", site.join("briefs/dangling.md")).unwrap();
    let err = stderr(&build_err(&site, &out));
    assert!(
        err.contains("briefs/dangling.md")
            && err.contains("leads to nowhere.md, which does not exist"),
        "{err}"
    );
    std::fs::remove_file(site.join("briefs/dangling.md")).unwrap();
    symlink("self.md", site.join("briefs/self.md")).unwrap();
    let err = stderr(&build_err(&site, &out));
    assert!(err.contains("loops back on itself"), "{err}");
    assert!(tree(&out) == before, "the output was left as it was");
}

#[test]
fn a_panic_is_an_internal_error_with_status_2_and_the_output_kept() {
    let (tmp, site) = small_site();
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    let before = tree(&out);
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_tumen"))
        .args(["build", "--site", site.to_str().unwrap(), "--output"])
        .arg(&out)
        .env("TUMEN_TEST_PANIC", "1")
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.starts_with("internal error: "), "{err}");
    assert!(
        err.contains("while working on the test of internal errors"),
        "{err}"
    );
    assert!(err.contains("please report it"), "{err}");
    assert!(
        !err.contains("RUST_BACKTRACE"),
        "no Rust backtrace prompt: {err}"
    );
    assert!(tree(&out) == before, "the output was left as it was");
}
