//! Mistakes in a brief's Markdown that still render are never silent: each is a
//! warning of `tumen build` (with the brief's file and line; the site is still
//! written and the build exits 0), an error of `tumen check` (exit 1), and a
//! warning of `tumen serve` when it builds the brief.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::server::{Server, edit};
use common::*;

/// The basic fixture with one more brief, `briefs/notes.md`, whose body is `body`.
fn site_with(body: &str) -> (tempfile::TempDir, PathBuf, String) {
    let (tmp, site) = copy_fixture("basic");
    let text = format!("---\ntitle: Notes\ndate: 2024-05-01\ntopics: [trade]\n---\n\n{body}");
    std::fs::write(site.join("briefs/notes.md"), &text).unwrap();
    (tmp, site, text)
}

/// `briefs/notes.md:LINE:COL` of the first `needle` in `text`.
fn place(text: &str, needle: &str) -> String {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in the brief"));
    let line = text[..at].matches('\n').count() + 1;
    let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
    format!("briefs/notes.md:{line}:{col}")
}

fn check(site: &Path) -> std::process::Output {
    tumen(
        &["check", "--site", site.to_str().unwrap()],
        site.parent().unwrap(),
    )
}

/// Build and check a site whose notes brief has `body`: each of `expected`
/// (the text it is at, the message, a part of the help) is a warning of the
/// build, which writes the site, and an error of the check; nothing else is.
fn assert_lints(body: &str, expected: &[(&str, &str, &str)]) {
    let (tmp, site, text) = site_with(body);
    let out = tmp.path().join("out");
    let o = build_ok(&site, &out, &[]);
    let err = stderr(&o);
    for (needle, message, help) in expected {
        let warning = format!("warning: {message}\n");
        assert!(err.contains(&warning), "no {warning:?} in:\n{err}");
        assert!(
            err.contains(&format!("{}\n", place(&text, needle))),
            "{message}: not at {}:\n{err}",
            place(&text, needle)
        );
        assert!(err.contains(help), "no help {help:?} in:\n{err}");
    }
    assert_eq!(err.matches("warning: ").count(), expected.len(), "{err}");
    assert!(!err.contains("error"), "{err}");
    let n = expected.len();
    let summary = stdout(&o);
    assert!(
        summary.contains(&format!(
            " with {n} warning{}",
            if n == 1 { "" } else { "s" }
        )),
        "{summary}"
    );
    assert!(
        out.join("briefs/notes/index.html").is_file(),
        "site written"
    );

    let o = check(&site);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let err = stderr(&o);
    for (needle, message, _) in expected {
        assert!(err.contains(&format!("error: {message}\n")), "{err}");
        assert!(err.contains(&place(&text, needle)), "{err}");
    }
    let problems = format!("check found {n} problem{}", if n == 1 { "" } else { "s" });
    assert!(err.contains(&problems), "{err}");
    assert!(!err.contains("warning"), "{err}");
}

#[test]
fn an_undefined_footnote_is_named_with_its_file_and_line() {
    assert_lints(
        "## Grain\n\nHarvests fell by a third[^fao], as the memo says[^fa].\n\n\
         [^fa]: FAO, 2020.\n",
        &[(
            "[^fao]",
            "footnote [^fao] is not defined",
            "did you mean [^fa]? Or define it on a line of its own: \"[^fao]: …\"",
        )],
    );
    // The page still shows it, as written.
    let (tmp, site, _) = site_with("Said so[^fao].\n");
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    assert!(read(&out.join("briefs/notes/index.html")).contains("Said so[^fao]."));
}

#[test]
fn a_footnote_nothing_refers_to_is_named() {
    assert_lints(
        "## Grain\n\nHarvests fell[^fao].\n\n[^fao]: FAO, 2020.\n\n[^memo]: Never cited.\n",
        &[(
            "[^memo]:",
            "footnote [^memo] is defined but nothing refers to it",
            "refer to it in the text with [^memo], or delete it",
        )],
    );
}

#[test]
fn links_without_a_target_or_text_are_named() {
    assert_lints(
        "## Links\n\nSee [the report]() and\n[](https://example.org/report).\n",
        &[
            (
                "[the report]()",
                "link has no target: `[…]()`",
                "put where it leads between the parentheses",
            ),
            (
                "[](https://",
                "link to `https://example.org/report` has no text",
                "write what it leads to between the brackets",
            ),
        ],
    );
}

#[test]
fn an_image_without_alt_text_is_named() {
    assert_lints(
        "## Charts\n\nAs drawn: ![](https://example.org/chart.png)\n\n\
         ![A chart of grain harvests](https://example.org/grain.png)\n",
        &[(
            "![](",
            "image `https://example.org/chart.png` has no alt text",
            "say what it shows between the brackets",
        )],
    );
}

#[test]
fn headings_that_skip_a_level_are_named() {
    assert_lints(
        "### Too deep\n\nText.\n\n## Grain\n\n### Wheat\n\n## Coal\n\n#### Anthracite\n\n\
         # Annex\n\n### Tables\n",
        &[
            (
                "### Too deep",
                "heading `###` comes before any `##`: level 2 is skipped",
                "the brief's title is the page's level 1 heading",
            ),
            (
                "#### Anthracite",
                "heading `####` follows a `##`: level 3 is skipped",
                "make it `###`",
            ),
            (
                "### Tables",
                "heading `###` follows a `#`: level 2 is skipped",
                "make it `##`",
            ),
        ],
    );
}

#[test]
fn lines_count_from_the_top_of_the_file_after_a_longer_front_matter() {
    let (_tmp, site, _) = site_with("## Grain\n\nSaid so[^fao].\n");
    let brief = site.join("briefs/notes.md");
    edit(
        &brief,
        "title: Notes\n",
        "title: Notes\nsummary: |\n  Two\n  lines.\n",
    );
    let text = read(&brief);
    let o = check(&site);
    assert!(
        stderr(&o).contains(&place(&text, "[^fao]")),
        "{}",
        stderr(&o)
    );
}

#[test]
fn serve_shows_warnings_on_the_first_build_and_when_the_brief_is_edited() {
    let (tmp, site, text) = site_with("## Grain\n\nSaid so[^fao].\n");
    let notes = site.join("briefs/notes.md");
    let s = Server::start(&site, &tmp.path().join("out"), &[]);
    let first = s.stderr_when(|e| e.contains(" with 1 warning"));
    assert!(
        first.contains("warning: footnote [^fao] is not defined"),
        "{first}"
    );
    assert!(first.contains(&place(&text, "[^fao]")), "{first}");
    let last_line = |err: &str| {
        err.trim_end()
            .lines()
            .last()
            .unwrap_or_default()
            .to_string()
    };

    // Another brief's edit does not repeat it.
    let mut events = s.events();
    edit(&site.join("briefs/debt.md"), "Ninety", "Eighty");
    events.expect("reload", Duration::from_secs(10));
    let err = s.stderr_when(|e| e.contains("Rebuilt briefs/debt/"));
    assert_eq!(err.matches("warning: ").count(), 1, "{err}");
    assert!(last_line(&err).ends_with(" ms"), "{err}");

    // Editing the brief shows it again, at its new place.
    edit(&notes, "## Grain\n", "## Grain\n\nMore.\n");
    events.expect("reload", Duration::from_secs(10));
    let err = s.stderr_when(|e| e.matches("warning: ").count() == 2);
    assert!(err.contains(&place(&read(&notes), "[^fao]")), "{err}");
    assert!(
        last_line(&err).starts_with("Rebuilt briefs/notes/")
            && last_line(&err).ends_with(" ms with 1 warning"),
        "{err}"
    );

    // Fixed, it is no more.
    edit(&notes, "[^fao]", "");
    events.expect("reload", Duration::from_secs(10));
    let err = s.stderr_when(|e| e.matches("Rebuilt briefs/notes/").count() == 2);
    assert_eq!(err.matches("warning: ").count(), 2, "{err}");
    assert!(last_line(&err).ends_with(" ms"), "{err}");
}
