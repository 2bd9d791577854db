//! Pages are valid HTML5: the Nu Html Checker (vnu) finds no error in the default
//! site, the fixture site built with every page kind, the minified build, the
//! default site in a repository with a history (its changes pages, a correction,
//! a dataset's change log), or the site `tumen init` writes.

mod common;

use common::*;
use std::path::PathBuf;
use std::process::Command;

fn vnu_jar() -> PathBuf {
    let jar = std::env::var_os("VNU_JAR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("tests/tools/node_modules/vnu-jar/build/dist/vnu.jar"));
    assert!(
        jar.is_file(),
        "the Nu Html Checker is not installed at {}: run scripts/test (or `npm install` in tests/tools), or set VNU_JAR",
        jar.display()
    );
    jar
}

#[test]
fn every_page_is_valid_html5() {
    let jar = vnu_jar();
    let tmp = tempfile::tempdir().unwrap();
    let default_out = tmp.path().join("default");
    build_default(&default_out, &[]);
    let (_guard, site) = copy_fixture("basic");
    // A brief a page: every list has its pager.
    let yaml = read(&site.join("site.yaml"));
    std::fs::write(site.join("site.yaml"), format!("{yaml}paginate: 1\n")).unwrap();
    let fixture_out = tmp.path().join("fixture");
    build_ok(
        &site,
        &fixture_out,
        &[
            "--drafts",
            "--base-url",
            "https://example.org/sub/",
            "--pdf",
        ],
    );

    // The default site in a repository with a history: its changes pages, the
    // correction on a brief's page and a dataset's change log.
    let history_site = site_with_history(&tmp.path().join("repo"));
    let history_out = tmp.path().join("history");
    build_ok(&history_site, &history_out, &[]);

    // The site `tumen init` writes, as built from its own folder.
    let starter = tmp.path().join("starter");
    let made = tumen(&["init", starter.to_str().unwrap()], tmp.path());
    assert!(made.status.success(), "{}", stderr(&made));
    let built = tumen(&["build"], &starter);
    assert!(built.status.success(), "{}", stderr(&built));

    // Minified output must be as valid, and as deterministic.
    let minified = tmp.path().join("minified");
    let again = tmp.path().join("minified-again");
    for out in [&minified, &again] {
        build_default(out, &["--minify"]);
    }
    assert!(tree(&minified) == tree(&again), "minified builds differ");
    let plain: usize = tree(&default_out)
        .iter()
        .filter(|(k, _)| k.ends_with(".html"))
        .map(|(_, v)| v.len())
        .sum();
    let small: usize = tree(&minified)
        .iter()
        .filter(|(k, _)| k.ends_with(".html"))
        .map(|(_, v)| v.len())
        .sum();
    assert!(
        small < plain,
        "minified HTML is smaller ({small} vs {plain} bytes)"
    );

    let pages: Vec<String> = tree(&default_out)
        .keys()
        .map(|k| format!("default/{k}"))
        .chain(tree(&fixture_out).keys().map(|k| format!("fixture/{k}")))
        .chain(
            tree(&history_out)
                .keys()
                .filter(|k| {
                    k.contains("/changes/")
                        || k.starts_with("briefs/trade-turnover")
                        || k.starts_with("data/trade-turnover/")
                })
                .map(|k| format!("history/{k}")),
        )
        .chain(tree(&minified).keys().map(|k| format!("minified/{k}")))
        .chain(
            tree(&starter.join("output"))
                .keys()
                .map(|k| format!("starter/output/{k}")),
        )
        .filter(|k| k.ends_with(".html"))
        .collect();
    assert!(pages.len() > 80, "{} pages", pages.len());
    let out = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--format", "gnu"])
        .args(&pages)
        .current_dir(tmp.path())
        .output()
        .expect("java runs (install a JRE: apt-get install default-jre-headless)");
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && report.trim().is_empty(),
        "vnu found errors:\n{report}"
    );
}
