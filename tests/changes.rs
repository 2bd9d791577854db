//! What changed, and when (issue 18), through the real binary on a repository
//! made from the default site: a brief's changes page (the word diff of its
//! prose, its figure changes), a dataset's change log and its earlier versions
//! as CSV, correction notes on the brief's page and in its feed entry; the same
//! bytes from two builds; a shallow clone and a site outside git.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;

const BRIEF: &str = "briefs/trade-turnover-1988-2022";

/// What `git rev-parse` says of `rev` in `dir`.
fn rev_parse(dir: &Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .arg("rev-parse")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    String::from_utf8(o.stdout).unwrap().trim().to_string()
}

/// The sections of a changes page, one per commit, newest first.
fn entries(page: &str) -> Vec<&str> {
    page.split("<section class=\"change\"").skip(1).collect()
}

#[test]
fn three_commits_show_as_a_word_diff_figure_changes_and_a_correction() {
    let tmp = tempfile::tempdir().unwrap();
    let site = site_with_history(tmp.path());
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    let page = read(&out.join(BRIEF).join("changes/index.html"));
    let e = entries(&page);
    assert_eq!(e.len(), 4, "the three commits and the first: {page}");
    // Newest first: the correction, the data, the prose edit, the first edition.
    assert!(e[0].contains("Correction:</strong> The 1988 trade was worth US$2.35 billion"));
    assert!(e[1].contains("The 2022 turnover as the source revised it"));
    assert!(e[2].contains("A plainer opening"));
    assert!(e[3].contains("This commit added the brief."), "{}", e[3]);
    // The prose edit, word by word, under the heading of its section.
    assert!(
        e[2].contains("<h3 class=\"diff-heading\">In brief</h3>\n<p><del>Commerce</del> <ins>Trade</ins> between Moscow and Pyongyang has <del>passed</del> <ins>gone</ins> through three phases."),
        "{}",
        e[2]
    );
    assert!(!e[2].contains("Figures changed"), "{}", e[2]);
    // The value: as a figure change, with its dataset, row and column, and in
    // the text where the brief quotes it.
    assert!(
        e[1].contains("<strong>Turnover 2022, primary:</strong> <del>120</del> → <ins>125</ins> (US$ million) <span class=\"meta\">· in the text · <a href=\"/data/trade-turnover/\">Russia–DPRK trade turnover</a>, row year=2022, column turnover</span>"),
        "{}",
        e[1]
    );
    assert!(
        e[1].contains(
            "reports annual turnover of about <del>US$120</del> <ins>US$125</ins> million"
        ),
        "{}",
        e[1]
    );
    // The author's name, the date and time in UTC, escaped.
    assert!(
        e[1].contains("14:30 UTC · by Smith &amp; &quot;Data&quot; Co"),
        "{}",
        e[1]
    );
    assert!(e[1].contains("<time datetime=\"2024-08-01\">1 August 2024</time>"));

    // The brief's page: the correction on top, dated and escaped, and the link.
    let brief = read(&out.join(BRIEF).join("index.html"));
    let note = "<p class=\"correction\"><strong>Correction, <time datetime=\"2024-09-01\">1 September 2024</time>:</strong> The 1988 trade was worth US$2.35 billion, not &quot;more than US$2 billion&quot; &lt;as first said&gt; &amp; no less</p>";
    let at = brief.find(note).unwrap_or_else(|| panic!("{brief}"));
    assert!(
        at < brief.find("class=\"prose\"").unwrap(),
        "above the text"
    );
    assert!(brief.contains(
        "<a href=\"/briefs/trade-turnover-1988-2022/changes/\">What each revision changed</a>"
    ));
    // A brief the correction did not touch has no note.
    let debt = read(&out.join("briefs/soviet-debt-write-off/index.html"));
    assert!(!debt.contains("class=\"correction\""), "{debt}");

    // The feed entry's content, read by an XML parser.
    let feed = read(&out.join("feed.xml"));
    let doc = roxmltree::Document::parse(&feed).unwrap();
    let entry = (doc.descendants())
        .filter(|n| n.has_tag_name("entry"))
        .find(|n| {
            n.children().any(|c| {
                c.has_tag_name("id")
                    && c.text()
                        .unwrap_or("")
                        .ends_with("/trade-turnover-1988-2022/")
            })
        })
        .expect("the brief's entry");
    let content = (entry.children())
        .find(|c| c.has_tag_name("content"))
        .expect("a content element");
    assert_eq!(content.attribute("type"), Some("html"));
    assert_eq!(
        content.text().unwrap(),
        "<p><strong>Correction, 1 September 2024:</strong> The 1988 trade was worth US$2.35 billion, not &quot;more than US$2 billion&quot; &lt;as first said&gt; &amp; no less</p>"
    );
    let others = doc
        .descendants()
        .filter(|n| n.has_tag_name("content"))
        .count();
    assert_eq!(others, 1, "only the corrected brief's entry has content");
}

#[test]
fn a_history_read_in_two_halves_gives_the_same_pages_as_one_read() {
    let tmp = tempfile::tempdir().unwrap();
    let site = site_with_history(tmp.path());
    let (whole, halves) = (tmp.path().join("whole"), tmp.path().join("halves"));
    build_ok(&site, &whole, &[]);
    // Split at the middle commit of the four (as a history of thousands is).
    let o = Command::new(env!("CARGO_BIN_EXE_tumen"))
        .args(["build", "--site", "site", "--output", "halves"])
        .env("TUMEN_TEST_LOG_SPLIT", "2")
        .current_dir(tmp.path())
        .output()
        .unwrap();
    ok(&o);
    assert_eq!(tree(&whole), tree(&halves));
    let page = read(&halves.join(BRIEF).join("changes/index.html"));
    assert_eq!(entries(&page).len(), 4, "{page}");
}

#[test]
fn the_dataset_log_shows_the_changed_cell_and_each_version_as_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let site = site_with_history(tmp.path());
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    let page = read(&out.join("data/trade-turnover/index.html"));
    let log = &page[page.find("id=\"changes-heading\"").expect("a change log")..];
    assert!(
        log.contains(
            "Row <strong>2022, primary</strong>: Turnover (US$ million) <del>120</del> → <ins>125</ins>"
        ),
        "{log}"
    );
    // Two commits touched the dataset: the data change, and the first edition.
    let first = rev_parse(tmp.path(), &["--short=7", "HEAD~3"]);
    let data = rev_parse(tmp.path(), &["--short=7", "HEAD~1"]);
    let (a, b) = (
        log.find(&format!("id=\"v-{data}\"")),
        log.find(&format!("id=\"v-{first}\"")),
    );
    assert!(a.unwrap() < b.unwrap(), "newest first: {log}");
    assert!(log.contains(&format!("href=\"/data/trade-turnover/{first}.csv\"")));
    assert!(log.contains("This commit added the dataset."), "{log}");
    // Each version as CSV and JSON, holding the numbers of its time.
    let old = read(&out.join(format!("data/trade-turnover/{first}.csv")));
    assert!(old.contains("\r\n2022,120,reportedly,primary,"), "{old}");
    let new = read(&out.join(format!("data/trade-turnover/{data}.csv")));
    assert!(new.contains("\r\n2022,125,reportedly,primary,"), "{new}");
    assert_eq!(new, read(&out.join("data/trade-turnover.csv")));
    let json: serde_json::Value = serde_json::from_str(&read(
        &out.join(format!("data/trade-turnover/{first}.json")),
    ))
    .unwrap();
    let rows = json["rows"].as_array().unwrap();
    let y2022 = rows.iter().find(|r| r["year"] == 2022).unwrap();
    assert_eq!(y2022["turnover"].as_f64(), Some(120.0));

    // Two builds of the same repository: the same bytes.
    let again = tmp.path().join("again");
    build_ok(&site, &again, &[]);
    assert!(tree(&out) == tree(&again), "two builds differ");
}

#[test]
fn rows_are_matched_by_the_datasets_key() {
    let tmp = tempfile::tempdir().unwrap();
    let site = site_with_history(tmp.path());
    let file = site.join("data/trade-turnover.yaml");
    // Two rows of 2012, told apart by the dataset's `key: [year, reading]`:
    // the alternative reading is named.
    let text = read(&file);
    assert!(text.contains("\nkey: [year, reading]\n"), "{text}");
    let text = text.replace("turnover: 75.6,", "turnover: 76,");
    std::fs::write(&file, text).unwrap();
    git(
        tmp.path(),
        &[
            "commit",
            "-q",
            "-am",
            "Data: key\n\nRevision: The 2012 reading rounded",
        ],
        "2024-10-01T08:00:00Z",
    );
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    let page = read(&out.join("data/trade-turnover/index.html"));
    assert!(
        page.contains("Rows are matched by year, reading."),
        "{page}"
    );
    assert!(
        page.contains("Row <strong>2012, alternative</strong>: Turnover (US$ million) <del>75.6</del> → <ins>76</ins>"),
        "{page}"
    );
}

#[test]
fn a_commit_that_changes_only_a_datasets_key_changes_no_figure() {
    let tmp = tempfile::tempdir().unwrap();
    let site = site_with_history(tmp.path());
    let file = site.join("data/trade-turnover.yaml");
    let text = read(&file);
    assert!(text.contains("\nkey: [year, reading]\n"), "{text}");
    std::fs::write(&file, text.replace("\nkey: [year, reading]\n", "\n")).unwrap();
    git(
        tmp.path(),
        &[
            "commit",
            "-q",
            "-am",
            "Data: no key\n\nRevision: Rows by year alone",
        ],
        "2024-10-01T08:00:00Z",
    );
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    let page = read(&out.join(BRIEF).join("changes/index.html"));
    // Listed with the commits that changed nothing the brief shows, in one line,
    // not as an entry of its own with every charted value removed and added.
    let quiet = page
        .find("id=\"quiet-heading\"")
        .expect("a list of quiet commits");
    assert!(page[quiet..].contains("Rows by year alone"), "{page}");
    assert!(!page[..quiet].contains("Rows by year alone"), "{page}");
}

#[test]
fn a_shallow_clone_says_where_its_history_starts() {
    let tmp = tempfile::tempdir().unwrap();
    site_with_history(tmp.path());
    let clone = tmp.path().join("clone");
    let url = format!("file://{}", tmp.path().display());
    git(
        tmp.path(),
        &["clone", "-q", "--depth", "2", &url, clone.to_str().unwrap()],
        "2024-10-01T10:00:00Z",
    );
    let out = tmp.path().join("out");
    build_ok(&clone.join("site"), &out, &[]);
    let page = read(&out.join(BRIEF).join("changes/index.html"));
    assert!(page.contains("History shortened: this copy of the repository is a shallow clone."));
    let e = entries(&page);
    assert_eq!(e.len(), 2, "the two commits of the clone: {page}");
    assert!(e[0].contains("The 1988 trade was worth US$2.35 billion"));
    assert!(
        e[1].contains("its history of the brief starts with this commit"),
        "not said to add the brief: {}",
        e[1]
    );
    let data = read(&out.join("data/trade-turnover/index.html"));
    assert!(
        data.contains("its history of the dataset starts with this commit"),
        "{data}"
    );
}

#[test]
fn outside_git_there_are_no_changes_pages_and_the_pages_are_as_before() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    copy_dir(&repo().join("content"), &site);
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    let files = tree(&out);
    assert!(
        !files.keys().any(|k| k.contains("/changes/")),
        "no changes pages"
    );
    assert!(
        !files
            .keys()
            .any(|k| k.starts_with("data/trade-turnover/") && k.ends_with(".csv"))
    );
    let brief = read(&out.join(BRIEF).join("index.html"));
    assert!(
        brief.contains("Revision history is not available: this site is not in a git repository.")
    );
    assert!(
        !brief.contains("What each revision changed") && !brief.contains("class=\"correction\"")
    );
    let data = read(&out.join("data/trade-turnover/index.html"));
    assert!(!data.contains("Change log"), "{data}");
}
