//! `tumen check`: validates everything without writing, and reports every broken
//! internal link and anchor with its file and line.

mod common;

use common::*;

fn check(site: &std::path::Path) -> std::process::Output {
    tumen(
        &["check", "--site", site.to_str().unwrap()],
        site.parent().unwrap(),
    )
}

#[test]
fn passes_on_the_default_site_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("content");
    copy_dir(&repo().join("content"), &site);
    let before = tree(tmp.path());
    let o = check(&site);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("Checked 7 briefs, 10 datasets,"),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("no problems"));
    assert!(tree(tmp.path()) == before, "check wrote something");
    assert!(!tmp.path().join("output").exists());
}

#[test]
fn reports_a_broken_link_and_a_broken_anchor_with_file_and_line() {
    let (tmp, site) = copy_fixture("basic");
    let brief = site.join("briefs/trade.md");
    let text = read(&brief)
        .replace("(debt.md#background)", "(debt.md#backgrund)")
        .replace(
            "A second heading with the same name.",
            "A second heading, see [nowhere](/sub/nowhere/), [a section](#overveiw) and [a brief that is gone](gone-brief.md).",
        );
    std::fs::write(&brief, &text).unwrap();
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let o = check(&site);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "briefs/trade.md:{}:",
            line_of("debt.md#backgrund")
        )),
        "{err}"
    );
    assert!(
        err.contains("briefs/debt/index.html has no anchor `#backgrund`"),
        "{err}"
    );
    assert!(
        err.contains(&format!("briefs/trade.md:{}:", line_of("#overveiw"))),
        "{err}"
    );
    assert!(err.contains("has no anchor `#overveiw`"), "{err}");
    assert!(
        err.contains("link `/sub/nowhere/` is outside the site's base path /")
            || err.contains("leads to no page"),
        "{err}"
    );
    // A link to a brief file that does not exist is reported with the others,
    // not instead of them.
    assert!(
        err.contains(&format!("briefs/trade.md:{}:", line_of("gone-brief.md")))
            && err.contains("`gone-brief.md` links to a brief file that does not exist"),
        "{err}"
    );
    assert!(err.contains("check found 4 problems"), "{err}");
    assert!(
        !tmp.path().join("output").exists(),
        "check writes no output"
    );
}

#[test]
fn reports_content_errors_like_build() {
    let (_tmp, site) = copy_fixture("basic");
    let data = site.join("data/trade.yaml");
    std::fs::write(
        &data,
        read(&data).replace("turnover: 85,", "turnover: x85,"),
    )
    .unwrap();
    let o = check(&site);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("data/trade.yaml:12:28"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_broken_menu_entry_points_at_the_template_page() {
    let (_tmp, site) = copy_fixture("basic");
    let cfg = site.join("site.yaml");
    std::fs::write(
        &cfg,
        read(&cfg).replace("{name: Data, url: data/}", "{name: Data, url: dta/}"),
    )
    .unwrap();
    let o = check(&site);
    let err = stderr(&o);
    assert!(err.contains("link `/dta/` leads to no page"), "{err}");
    assert!(
        err.contains("base.html") || err.contains("(built-in theme)"),
        "{err}"
    );
    assert!(
        err.contains("check found 1 problem"),
        "reported once, not once per page: {err}"
    );
}
