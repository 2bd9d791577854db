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

/// A site of one brief, with `edit` made to it; built into `out`.
fn case(edit: impl FnOnce(&std::path::Path)) -> (tempfile::TempDir, std::process::Output) {
    let (tmp, site) = small_site();
    std::fs::create_dir_all(site.join("data")).unwrap();
    edit(&site);
    let o = tumen(&["build", "--site", "site", "--output", "out"], tmp.path());
    (tmp, o)
}

fn write(site: &std::path::Path, file: &str, bytes: impl AsRef<[u8]>) {
    std::fs::write(site.join(file), bytes).unwrap();
}

/// A change made to a site before it is built.
type Edit = Box<dyn FnOnce(&std::path::Path)>;

/// The catalogue of docs/robustness.md: each bad input fails with a message that
/// names the file (and line where there is one) and says what is wrong; none
/// panics.
#[test]
fn the_catalogue_of_bad_inputs_is_answered_by_clear_errors() {
    let deep = format!("title: Deep\nx: {}{}\n", "[".repeat(5000), "]".repeat(5000));
    let mut bomb = String::from(
        "---\ntitle: A\ndate: 2024-01-01\nextra:\n  a0: &a0 [x, x, x, x, x, x, x, x, x]\n",
    );
    for i in 1..12 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        bomb.push_str(&format!("  a{i}: &a{i} [{refs}]\n"));
    }
    bomb.push_str("---\nx\n");
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "malformed front matter",
            Box::new(|s| {
                write(
                    s,
                    "briefs/a.md",
                    "---\ntitle: [unclosed\ndate: 2024-01-01\n---\nx\n",
                )
            }),
            "briefs/a.md:3:5",
        ),
        (
            "malformed dataset",
            Box::new(|s| write(s, "data/d.yaml", "title: T\ncolumns: [\n")),
            "data/d.yaml:3:1",
        ),
        (
            "malformed config",
            Box::new(|s| write(s, "site.yaml", "title: [x\n")),
            "site.yaml:2:1",
        ),
        (
            "a wrong type",
            Box::new(|s| write(s, "briefs/a.md", "---\ntitle: A\ndate: yesterday\n---\nx\n")),
            "`yesterday` is not a date",
        ),
        (
            "unterminated front matter",
            Box::new(|s| {
                write(
                    s,
                    "briefs/a.md",
                    "---\ntitle: A\ndate: 2024-01-01\nno end\n",
                )
            }),
            "the front matter is not closed",
        ),
        (
            "two datasets of one name",
            Box::new(|s| {
                let d = "title: D\ncolumns:\n  - {name: a, type: text}\nrows: []\n";
                write(s, "data/d.yaml", d);
                std::fs::create_dir_all(s.join("data/sub")).unwrap();
                write(s, "data/sub/d.yaml", d);
            }),
            "a second dataset named `d`",
        ),
        (
            "a missing dataset",
            Box::new(|s| {
                write(
                    s,
                    "briefs/a.md",
                    "---\ntitle: A\ndate: 2024-01-01\n---\n{{ value(data=\"nope\", where=\"a=1\", column=\"b\") }}\n",
                )
            }),
            "no dataset `nope`",
        ),
        (
            "a missing source",
            Box::new(|s| {
                write(
                    s,
                    "briefs/a.md",
                    "---\ntitle: A\ndate: 2024-01-01\nsources: [fao]\n---\nx\n",
                )
            }),
            "unknown source key `fao`",
        ),
        (
            "a missing theme",
            Box::new(|s| write(s, "site.yaml", "title: P\ntheme: nosuch\n")),
            "theme `nosuch` not found",
        ),
        (
            "invalid UTF-8",
            Box::new(|s| {
                write(
                    s,
                    "briefs/a.md",
                    b"---\ntitle: A\ndate: 2024-01-01\n---\n\xff\xfe bad\n",
                )
            }),
            "this file is not UTF-8",
        ),
        (
            "an empty brief",
            Box::new(|s| write(s, "briefs/a.md", "")),
            "this brief has no front matter",
        ),
        (
            "an empty dataset",
            Box::new(|s| write(s, "data/d.yaml", "")),
            "a dataset must be a mapping",
        ),
        (
            "an empty site.yaml",
            Box::new(|s| write(s, "site.yaml", "")),
            "site.yaml must be a mapping",
        ),
        (
            "deeply nested YAML",
            Box::new(move |s| write(s, "site.yaml", deep)),
            "nested too deeply",
        ),
        (
            "aliases that expand exponentially",
            Box::new(move |s| write(s, "briefs/a.md", bomb)),
            "repeat their anchors' values",
        ),
        (
            "two briefs at one URL",
            Box::new(|s| {
                write(
                    s,
                    "briefs/b.md",
                    "---\ntitle: B\ndate: 2024-01-01\nslug: a\n---\nx\n",
                )
            }),
            "would both be published at briefs/a/",
        ),
    ];
    for (name, edit, says) in cases {
        let (_tmp, o) = case(edit);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{name}: {err}");
        assert!(err.contains(says), "{name}: expected `{says}` in\n{err}");
        assert!(
            err.lines().any(|l| l.contains("--> site/")),
            "{name}: names no file:\n{err}"
        );
    }
}

/// What a user expects of files that are fine as they are: a byte order mark,
/// Windows line endings, names in other scripts.
#[test]
fn a_bom_crlf_and_non_ascii_names_build_as_expected() {
    let (tmp, o) = case(|s| {
        write(s, "site.yaml", "\u{feff}title: P\r\n");
        write(
            s,
            "briefs/a.md",
            "\u{feff}---\r\ntitle: A\r\ndate: 2024-01-01\r\n---\r\nWindows text\r\n",
        );
        write(
            s,
            "briefs/Ünïcödé 한국.md",
            "---\ntitle: Ä\ndate: 2024-01-02\n---\nx\n",
        );
    });
    assert!(o.status.success(), "{}", stderr(&o));
    let out = tmp.path().join("out");
    assert!(read(&out.join("briefs/a/index.html")).contains("Windows text"));
    assert!(out.join("briefs/ünïcödé-한국/index.html").is_file());
}

/// Markup in titles, summaries, topics, dataset strings and chart labels never
/// reaches a page, feed, sitemap, SVG or JSON as markup; each file still parses.
#[test]
fn hostile_strings_are_escaped_in_every_output() {
    let evil = r#"<script>alert(1)</script> & "q" 'a' ]]> <img src=x onerror=alert(2)>"#;
    let (tmp, o) = case(|s| {
        let yaml_evil = evil.replace('"', "\\\"");
        write(
            s,
            "briefs/a.md",
            format!(
                "---\ntitle: \"{yaml_evil}\"\ndate: 2024-01-01\nsummary: \"{yaml_evil}\"\ntopics: [\"{yaml_evil}\"]\n---\nText {{{{ value(data=\"d\", where=\"k=1\", column=\"label\") }}}}.\n\n```chart\ndata: d\ntype: bar\nx: label\ny: v\ntitle: \"{yaml_evil}\"\n```\n"
            ),
        );
        write(
            s,
            "data/d.yaml",
            format!(
                "title: \"{yaml_evil}\"\ncolumns:\n  - {{name: k, type: integer}}\n  - {{name: label, type: text}}\n  - {{name: v, type: number}}\nrows:\n  - {{k: 1, label: \"{yaml_evil}\", v: 1}}\n  - {{k: 2, label: \"=HYPERLINK(1)\", v: 2}}\n"
            ),
        );
    });
    assert!(o.status.success(), "{}", stderr(&o));
    let files = tree(&tmp.path().join("out"));
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        // CSV and JSON are data, where the string is the value itself (the
        // search script puts it into pages as text, never as markup).
        if [".html", ".xml", ".svg"].iter().any(|x| path.ends_with(x)) {
            assert!(!text.contains("<script>alert"), "{path} carries the script");
            assert!(!text.contains("<img src=x"), "{path} carries the image");
        }
        if path.ends_with(".xml") || path.ends_with(".svg") {
            roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        }
        if path.ends_with(".json") {
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert!(!v.is_null(), "{path}");
        }
    }
    let js = String::from_utf8_lossy(&files["search.js"]).into_owned();
    assert!(
        !js.contains("innerHTML") && js.contains("textContent"),
        "search puts text as text"
    );
    let csv = String::from_utf8_lossy(&files["data/d.csv"]).into_owned();
    assert!(csv.contains("'=HYPERLINK(1)"), "formulas defused: {csv}");
}

/// `markdown: {unsafe_html: false}` strips raw HTML from briefs, and a change of
/// the setting is seen by the live preview's caches as by a build.
#[test]
fn unsafe_html_false_strips_raw_html() {
    let (tmp, o) = case(|s| {
        write(s, "site.yaml", "title: P\nmarkdown: {unsafe_html: false}\n");
        write(
            s,
            "briefs/a.md",
            "---\ntitle: A\ndate: 2024-01-01\n---\nText <img src=x onerror=alert(1)> and [a link](javascript:alert(2)).\n\n<script>alert(3)</script>\n",
        );
    });
    assert!(o.status.success(), "{}", stderr(&o));
    let page = read(&tmp.path().join("out/briefs/a/index.html"));
    assert!(page.contains("Text"), "{page}");
    for gone in ["onerror", "javascript:", "alert(3)"] {
        assert!(!page.contains(gone), "{gone} is in the page");
    }
    let (_tmp, o) = case(|s| write(s, "site.yaml", "title: P\nmarkdown: {unsafe_htm: false}\n"));
    let err = stderr(&o);
    assert!(
        err.contains("unknown key `unsafe_htm`") && err.contains("unsafe_html"),
        "{err}"
    );
}

#[test]
fn a_large_dataset_page_shows_its_first_thousand_rows_and_the_files_hold_all() {
    let (tmp, o) = case(|site| {
        let mut yaml = String::from(
            "title: Many rows\ncolumns:\n  - {name: n, type: integer}\n  - {name: v, type: number}\nrows:\n",
        );
        for i in 0..2500 {
            yaml.push_str(&format!("  - {{n: {i}, v: {}.5}}\n", i * 3));
        }
        std::fs::write(site.join("data/many.yaml"), yaml).unwrap();
    });
    assert!(o.status.success(), "{}", stderr(&o));
    let out = tmp.path().join("out");
    let page = read(&out.join("data/many/index.html"));
    assert_eq!(page.matches("<tr><td").count(), 1000, "rows in the page");
    assert!(page.contains("2,500 rows"), "the count, grouped");
    assert!(
        page.contains("The first 1,000 of 2,500 rows. All of them are in the"),
        "the note"
    );
    let csv = read(&out.join("data/many.csv"));
    assert_eq!(csv.lines().count(), 2501, "header and every row");
    let json: serde_json::Value = serde_json::from_str(&read(&out.join("data/many.json"))).unwrap();
    assert_eq!(json["rows"].as_array().map(Vec::len), Some(2500));
}

#[test]
fn output_piped_into_a_reader_that_stops_ends_quietly() {
    // `tumen init site | head -1`, with `head` gone before tumen writes: the
    // pipe's reading end is closed from the start.
    let tmp = tempfile::tempdir().unwrap();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_tumen"))
        .args(["init", "site"])
        .current_dir(tmp.path())
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    let err = stderr(&o);
    assert!(!err.contains("internal error"), "{err}");
    assert_eq!(o.status.code(), Some(141), "{err}");
    assert!(
        tmp.path().join("site/site.yaml").is_file(),
        "the work was done"
    );
}
