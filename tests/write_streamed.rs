//! `tumen build` writes pages as it renders them, a batch at a time (issue 17,
//! item 2): a template error in a later batch, after earlier batches went to
//! disk, still leaves the output exactly as it was, with nothing of the failed
//! build left beside it, whether the build was writing a new output (staging
//! folder) or updating one (files beside their places).

mod common;

use common::*;
use std::path::Path;

/// The basic fixture with 300 more briefs (more than one batch of pages).
fn big_site() -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, site) = copy_fixture("basic");
    for i in 0..300 {
        std::fs::write(
            site.join(format!("briefs/many-{i:03}.md")),
            format!("---\ntitle: Many {i}\ndate: 2023-01-01\n---\n\nBody {i}.\n"),
        )
        .unwrap();
    }
    (tmp, site)
}

/// A theme whose brief template fails on one brief only, rendered after the first
/// batch of pages was handed to the writer.
fn break_one_brief(site: &Path) {
    let dir = site.join("themes/broken/templates");
    std::fs::create_dir_all(&dir).unwrap();
    let base = read(&repo().join("themes/default/templates/brief.html"));
    let fail = "{% if page.title == \"Many 299\" %}{{ no_such_value.field }}{% endif %}";
    let broken = base.replacen(
        "{% block content %}",
        &format!("{{% block content %}}{fail}"),
        1,
    );
    assert_ne!(broken, base);
    std::fs::write(dir.join("brief.html"), broken).unwrap();
    let yaml = read(&site.join("site.yaml"));
    std::fs::write(site.join("site.yaml"), format!("{yaml}theme: broken\n")).unwrap();
}

/// Anything a build leaves beside the output or inside it while it writes.
fn leftovers(out: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for e in std::fs::read_dir(out.parent().unwrap()).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.contains(".tumen-") {
            found.push(name);
        }
    }
    for (rel, _) in tree(out) {
        if rel.contains(".tumen-tmp") {
            found.push(rel);
        }
    }
    if out.join(".tumen/updating").exists() {
        found.push(".tumen/updating".into());
    }
    found
}

fn fails_and_leaves_the_output(site: &Path, out: &Path) {
    let before = tree(out);
    let manifest = std::fs::read(out.join(".tumen/manifest")).ok();
    let o = build_err(site, out);
    let err = stderr(&o);
    assert!(
        err.contains("no_such_value") && err.contains("many-299"),
        "{err}"
    );
    assert!(tree(out) == before, "the output changed");
    assert_eq!(std::fs::read(out.join(".tumen/manifest")).ok(), manifest);
    assert_eq!(leftovers(out), Vec::<String>::new());
}

#[test]
fn a_late_template_error_leaves_an_updated_output_as_it_was() {
    let (tmp, site) = big_site();
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    // Pages that differ in the first batch, so that it writes some.
    let yaml = read(&site.join("site.yaml"));
    std::fs::write(site.join("site.yaml"), yaml.replace("Fixture", "Renamed")).unwrap();
    break_one_brief(&site);
    fails_and_leaves_the_output(&site, &out);
}

#[test]
fn a_late_template_error_leaves_a_new_output_as_it_was() {
    let (tmp, site) = big_site();
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    // Without a manifest the build writes a whole new output into a staging folder.
    std::fs::remove_file(out.join(".tumen/manifest")).unwrap();
    break_one_brief(&site);
    fails_and_leaves_the_output(&site, &out);
    // And into no output at all: none is made.
    let fresh = tmp.path().join("fresh");
    let o = build_err(&site, &fresh);
    assert!(stderr(&o).contains("no_such_value"));
    assert!(!fresh.exists(), "a failed build made an output");
    assert_eq!(leftovers(&out), Vec::<String>::new());
}
