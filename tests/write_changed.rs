//! A rebuild over an existing output writes only what changed (issue 17, item
//! 1), through the real binary: files whose bytes are the same are not written
//! again (same inode, same time), files that went are deleted, a file changed or
//! removed behind tumen's back is put back, and the result is byte for byte a
//! clean build's.

mod common;

use common::*;
use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// Each file of the output: its inode and modification time.
fn stamps(out: &Path) -> BTreeMap<String, (u64, i64, i64)> {
    (tree(out).keys())
        .map(|rel| {
            let m = std::fs::metadata(out.join(rel)).unwrap();
            (rel.clone(), (m.ino(), m.mtime(), m.mtime_nsec()))
        })
        .collect()
}

#[test]
fn a_rebuild_writes_only_what_changed_and_gives_a_clean_builds_bytes() {
    let (tmp, site) = copy_fixture("basic");
    let removed = site.join("briefs/extra-brief.md");
    std::fs::write(
        &removed,
        "---\ntitle: An extra brief\ndate: 2024-02-02\n---\n\nText.\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    assert!(out.join(".tumen/manifest").exists());
    let first = tree(&out);
    let before = stamps(&out);

    // Nothing changed: nothing is written.
    build_ok(&site, &out, &[]);
    assert_eq!(stamps(&out), before, "an unchanged rebuild rewrote files");

    // One brief's body edited, another brief removed.
    let edited = site.join("briefs/trade.md");
    let text = read(&edited);
    std::fs::write(&edited, format!("{text}\nA new closing line.\n")).unwrap();
    std::fs::remove_file(&removed).unwrap();
    build_ok(&site, &out, &[]);
    let clean = tmp.path().join("clean");
    build_ok(&site, &clean, &[]);
    let (now, clean_tree) = (tree(&out), tree(&clean));
    assert!(now == clean_tree, "a rebuild differs from a clean build");
    let after = stamps(&out);
    let mut rewritten = 0;
    for (rel, stamp) in &after {
        match first.get(rel) {
            Some(old) if *old == now[rel] => {
                assert_eq!(
                    before.get(rel),
                    Some(stamp),
                    "{rel} was written again, unchanged"
                )
            }
            _ => rewritten += 1,
        }
    }
    assert!(
        rewritten > 0 && rewritten < after.len() / 2,
        "{rewritten} of {}",
        after.len()
    );
    let slug = removed.file_stem().unwrap().to_string_lossy();
    assert!(
        first.keys().any(|k| k.contains(&*slug)),
        "the removed brief had pages"
    );
    assert!(
        !now.keys().any(|k| k.contains(&*slug)),
        "the removed brief's pages are gone"
    );

    // A page edited and another deleted behind tumen's back are put back.
    std::fs::write(out.join("index.html"), "defaced").unwrap();
    std::fs::remove_file(out.join("feed.xml")).unwrap();
    build_ok(&site, &out, &[]);
    assert!(tree(&out) == clean_tree);
}

#[test]
fn the_live_previews_writes_make_the_next_build_write_everything() {
    let (tmp, site) = copy_fixture("basic");
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    let manifest = out.join(".tumen/manifest");
    assert!(read(&manifest).starts_with("tumen manifest 1\n"));
    // What `tumen serve` does when it writes the pages an edit changed.
    tumen::write::update_files(&out, &[], &[]).unwrap();
    assert!(!manifest.exists());
    build_ok(&site, &out, &[]);
    assert!(manifest.exists());
}
