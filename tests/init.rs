//! `tumen init`: the starter site, made by the real binary in an empty or missing
//! folder, builds, checks and serves from its own folder at once; a folder that
//! holds anything is refused and left as it was; two inits give the same bytes;
//! the GitHub Pages workflow is one GitHub can run.

mod common;

use common::server::{Server, edit};
use common::*;
use std::time::Duration;

/// `tumen init my-briefings` in a fresh folder: (guard, the new site).
fn init_site() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let said = ok(&tumen(&["init", "my-briefings"], tmp.path()));
    assert!(
        said.starts_with("Created a new site in my-briefings:"),
        "{said}"
    );
    let site = tmp.path().join("my-briefings");
    (tmp, site)
}

/// How many datasets the starter has: the YAML one, the sources, and the CSV one.
fn datasets() -> usize {
    3
}

#[test]
fn init_writes_the_starter_and_says_what_to_do_next() {
    let (_tmp, site) = init_site();
    let o = tumen(&["init", "again"], site.parent().unwrap());
    let said = ok(&o);
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    let written = tree(&site.parent().unwrap().join("again"));
    let expected: Vec<&str> = tumen::init::FILES.iter().map(|(p, _)| *p).collect();
    assert_eq!(
        written.keys().map(String::as_str).collect::<Vec<_>>(),
        {
            let mut e = expected.clone();
            e.sort();
            e
        },
        "exactly the starter's files"
    );
    for &(path, text) in tumen::init::FILES {
        assert_eq!(written[path], text.as_bytes(), "{path}");
        assert!(
            said.contains(&format!("\n  {path}\n")),
            "lists {path}: {said}"
        );
    }
    for must in [
        ".gitignore",
        ".github/workflows/pages.yml",
        "site.yaml",
        "briefs/harbour-cargo-2023.md",
        "data/harbour-cargo.yaml",
        "data/sources.yaml",
    ] {
        assert!(written.contains_key(must), "{must}");
    }
    // The dataset whose rows are a CSV file beside it.
    for csv in [
        "data/harbour-cargo-types.yaml",
        "data/harbour-cargo-types.csv",
    ] {
        assert!(written.contains_key(csv), "{csv}");
    }
    assert_eq!(written[".gitignore"], b"# What `tumen build` and `tumen serve` write: made from the sources, never edited.\noutput/\n");
    for next in [
        "cd again\n",
        "tumen serve ",
        "tumen new brief \"A title\"",
        "briefs/harbour-cargo-2023.md",
    ] {
        assert!(said.contains(next), "{next:?} in {said}");
    }
    // In the current folder, no `cd` to give.
    let here = tempfile::tempdir().unwrap();
    let said = ok(&tumen(&["init"], here.path()));
    assert!(
        said.starts_with("Created a new site in the current folder:"),
        "{said}"
    );
    assert!(!said.contains("cd "), "{said}");
    assert!(here.path().join("site.yaml").is_file());
}

#[test]
fn the_starter_builds_and_checks_from_its_own_folder() {
    let (_tmp, site) = init_site();
    let built = ok(&tumen(&["build"], &site));
    let n = datasets();
    assert!(
        built.starts_with(&format!("Built 1 brief, {n} datasets, ")),
        "{built}"
    );
    let brief = read(&site.join("output/briefs/harbour-cargo-2023/index.html"));
    assert!(brief.contains("handled 1,480"), "the inline value");
    assert!(brief.contains("<svg"), "the chart");
    assert!(brief.contains("Annual report 2023"), "the source");
    assert!(brief.contains("footnote"), "the note");
    let home = read(&site.join("output/index.html"));
    assert!(home.contains("Cargo handled in 2023"), "the key figure");
    assert!(read(&site.join("output/data/harbour-cargo/index.html")).contains("<svg"));
    // The CSV dataset's page, with its chart and the CSV's rows.
    let page = read(&site.join("output/data/harbour-cargo-types/index.html"));
    assert!(
        page.contains("<svg") && page.contains("Containers"),
        "{page}"
    );
    let checked = ok(&tumen(&["check"], &site));
    assert!(
        checked.starts_with(&format!("Checked 1 brief, {n} datasets, "))
            && checked.contains("no problems"),
        "{checked}"
    );
    // A brief of one's own, as the next steps say, builds too.
    ok(&tumen(&["new", "brief", "Grain exports"], &site));
    ok(&tumen(&["check", "--drafts"], &site));
}

#[test]
fn the_starter_serves_from_its_own_folder_and_rebuilds_on_an_edit() {
    let (_tmp, site) = init_site();
    let server = Server::start_in(&site, &site.join("output"), &[]);
    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert!(
        home.body.contains("Cargo at Example Harbour"),
        "{}",
        home.body
    );
    let brief = server.get("/briefs/harbour-cargo-2023/");
    assert_eq!(brief.status, 200);
    assert!(brief.body.contains("handled 1,480"));
    // A correction of the data shows in the brief's text.
    edit(
        &site.join("data/harbour-cargo.yaml"),
        "tonnes: 1480",
        "tonnes: 1495",
    );
    server.wait_for_page(
        "/briefs/harbour-cargo-2023/",
        Duration::from_secs(10),
        |p| p.contains("handled 1,495"),
    );
    assert!(!server.stderr().contains("error"), "{}", server.stderr());
}

#[test]
fn a_folder_that_holds_anything_is_refused_and_left_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("notes");
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::write(dir.join("site.yaml"), "title: Mine\n").unwrap();
    std::fs::write(dir.join("todo.txt"), "keep me\n").unwrap();
    let before = tree(&dir);
    let o = tumen(&["init", "notes"], tmp.path());
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.contains(
            "error: the folder notes is not empty: it holds `.git`, `site.yaml` and `todo.txt`"
        ),
        "{err}"
    );
    assert!(err.contains("--> notes"), "{err}");
    assert!(err.contains("empty or missing folder"), "{err}");
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    assert_eq!(tree(&dir), before, "nothing written, nothing overwritten");
    assert_eq!(std::fs::read_dir(dir.join(".git")).unwrap().count(), 0);
    // The current folder likewise.
    let o = tumen(&["init"], &dir);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("the current folder is not empty"),
        "{}",
        stderr(&o)
    );
    assert_eq!(tree(&dir), before);
    // A file is no folder.
    let o = tumen(&["init", "notes/todo.txt"], tmp.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("not a folder"), "{}", stderr(&o));
    assert_eq!(tree(&dir), before);
}

#[test]
fn a_missing_nested_folder_is_created() {
    let tmp = tempfile::tempdir().unwrap();
    let said = ok(&tumen(&["init", "sites/2026/harbour"], tmp.path()));
    assert!(said.contains("cd sites/2026/harbour\n"), "{said}");
    let site = tmp.path().join("sites/2026/harbour");
    assert!(site.join("site.yaml").is_file());
    assert!(site.join(".github/workflows/pages.yml").is_file());
    // It builds from elsewhere with --site too.
    let built = ok(&tumen(
        &["build", "--site", "sites/2026/harbour", "--output", "out"],
        tmp.path(),
    ));
    assert!(built.starts_with("Built 1 brief, "), "{built}");
}

#[test]
fn two_inits_give_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    ok(&tumen(&["init", "a"], tmp.path()));
    ok(&tumen(&["init", "b"], tmp.path()));
    let (a, b) = (tree(&tmp.path().join("a")), tree(&tmp.path().join("b")));
    assert!(!a.is_empty());
    assert_eq!(a, b);
}

/// The steps of a job, by the action each uses or the command each runs.
fn steps(workflow: &serde_json::Value, job: &str) -> Vec<String> {
    workflow["jobs"][job]["steps"]
        .as_array()
        .unwrap_or_else(|| panic!("job {job} has steps"))
        .iter()
        .map(|s| {
            (s["uses"].as_str().or(s["run"].as_str()))
                .unwrap_or_else(|| panic!("a step that runs nothing: {s}"))
                .to_string()
        })
        .collect()
}

#[test]
fn the_pages_workflow_builds_with_the_pages_url_and_deploys() {
    let (_tmp, site) = init_site();
    let text = read(&site.join(".github/workflows/pages.yml"));
    let w: serde_json::Value = yaml_serde::from_str(&text).expect("the workflow is YAML");
    assert_eq!(w["on"]["push"]["branches"], serde_json::json!(["main"]));
    assert_eq!(w["permissions"]["pages"], "write");
    assert_eq!(w["permissions"]["id-token"], "write");
    let build = steps(&w, "build");
    let at = |what: &str| {
        build
            .iter()
            .position(|s| s.contains(what))
            .unwrap_or_else(|| panic!("no step {what} in {build:#?}"))
    };
    let order = [
        at("actions/checkout@"),
        at("git ls-remote"),
        at("actions/cache@"),
        at("cargo install --locked --git"),
        at("actions/configure-pages@"),
        at("tumen check"),
        at("tumen build --base-url \"${{ steps.pages.outputs.base_url }}/\""),
        at("actions/upload-pages-artifact@"),
    ];
    assert!(order.is_sorted(), "{build:#?}");
    let job = &w["jobs"]["build"]["steps"];
    assert_eq!(job[0]["with"]["fetch-depth"], 0, "the whole history");
    assert_eq!(job[order[7]]["with"]["path"], "output");
    // Every step id the workflow reads is a step's id.
    for id in ["tumen", "cache", "pages"] {
        assert!(text.contains(&format!("steps.{id}.outputs")), "{id}");
        assert!(
            job.as_array().unwrap().iter().any(|s| s["id"] == id),
            "{id}"
        );
    }
    assert_eq!(w["jobs"]["deploy"]["needs"], "build");
    assert_eq!(w["jobs"]["deploy"]["environment"]["name"], "github-pages");
    assert_eq!(steps(&w, "deploy"), ["actions/deploy-pages@v4"]);
    assert!(text.contains("TUMEN_GIT:"), "where tumen comes from");
}

/// What the starter's files say of tumen is true: site.yaml's keys are the ones
/// tumen reads, and nothing in it is left for a newcomer to fill in but the values.
#[test]
fn site_yaml_is_commented_and_sets_what_a_newcomer_sets() {
    let text = tumen::init::FILES
        .iter()
        .find(|(p, _)| *p == "site.yaml")
        .unwrap()
        .1;
    for key in [
        "title:",
        "description:",
        "base_url:",
        "language:",
        "authors:",
        "menu:",
        "latest:",
        "key_figures:",
        "# palette:",
        "markdown:",
        "# history:",
    ] {
        let line = text
            .lines()
            .position(|l| l.starts_with(key))
            .unwrap_or_else(|| panic!("{key}"));
        let above = text.lines().nth(line - 1).unwrap();
        assert!(above.starts_with('#'), "{key} has a comment above it");
    }
}
