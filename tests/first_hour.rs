//! A newcomer's first hour: a site of their own, made in an empty folder, works the
//! first time. tumen is run as a user runs it: from the site's folder, with no
//! `--site`; the messages it prints are the ones a newcomer acts on.

mod common;

use common::server::Server;
use common::*;
use std::path::Path;
use std::time::Duration;

/// A new folder holding only `site.yaml` with a title.
fn new_site() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("my-site");
    std::fs::create_dir(&site).unwrap();
    std::fs::write(site.join("site.yaml"), "title: My briefings\n").unwrap();
    (tmp, site)
}

/// The text of the page's `<main>`, tags dropped, spaces collapsed.
fn main_text(html: &str) -> String {
    let main = &html[html.find("<main").unwrap()..html.find("</main>").unwrap()];
    let mut out = String::new();
    let mut in_tag = false;
    for c in main.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn assert_says_nothing_is_published(home: &str) {
    let text = main_text(home);
    assert!(text.contains("No briefs are published yet"), "{text}");
    assert!(text.contains("tumen new brief"), "{text}");
    assert!(text.contains("tumen serve --drafts"), "{text}");
    assert!(text.contains("draft: true"), "{text}");
}

#[test]
fn an_empty_site_builds_and_checks_from_its_own_folder() {
    let (_tmp, site) = new_site();
    let summary = ok(&tumen(&["build"], &site));
    assert!(
        summary.starts_with("Built 0 briefs, 0 datasets, "),
        "{summary}"
    );
    // The output is the folder `output/` inside the site, as Zola's `public/`.
    let home = read(&site.join("output/index.html"));
    assert_says_nothing_is_published(&home);
    assert!(
        main_text(&read(&site.join("output/briefs/index.html")))
            .contains("No briefs are published yet")
    );
    assert!(main_text(&read(&site.join("output/data/index.html"))).contains("No datasets yet"));
    // Again over its own output, which it does not take for sources.
    ok(&tumen(&["build"], &site));
    let checked = ok(&tumen(&["check"], &site));
    assert!(
        checked.starts_with("Checked 0 briefs, 0 datasets, "),
        "{checked}"
    );
}

#[test]
fn a_site_of_drafts_builds_and_says_how_to_see_and_publish_them() {
    let (_tmp, site) = new_site();
    let said = ok(&tumen(&["new", "brief", "Coal through Rajin"], &site));
    assert!(
        said.contains("Created briefs/coal-through-rajin.md"),
        "{said}"
    );
    assert!(said.contains("draft"), "{said}");
    assert!(said.contains("`tumen serve --drafts`"), "{said}");
    assert!(said.contains("remove the line `draft: true`"), "{said}");
    let summary = ok(&tumen(&["build"], &site));
    assert!(
        summary.starts_with("Built 0 briefs,") && summary.contains("(1 draft left out)"),
        "{summary}"
    );
    assert_says_nothing_is_published(&read(&site.join("output/index.html")));
    ok(&tumen(&["check"], &site));
    // With --drafts, the new brief is built as it was written: no errors.
    let summary = ok(&tumen(&["build", "--drafts"], &site));
    assert!(summary.starts_with("Built 1 brief, "), "{summary}");
    ok(&tumen(&["check", "--drafts"], &site));
    // Published by deleting the line, as the message says.
    let file = site.join("briefs/coal-through-rajin.md");
    std::fs::write(&file, read(&file).replace("draft: true\n", "")).unwrap();
    let summary = ok(&tumen(&["build"], &site));
    assert!(summary.starts_with("Built 1 brief, "), "{summary}");
    assert!(read(&site.join("output/index.html")).contains("Coal through Rajin"));
}

#[test]
fn serve_works_in_an_empty_site_and_ignores_its_own_output() {
    let (_tmp, site) = new_site();
    let server = Server::start_in(&site, &site.join("output"), &[]);
    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert_says_nothing_is_published(&home.body);
    // A new brief, published at once: the served home page lists it.
    std::fs::create_dir(site.join("briefs")).unwrap();
    std::fs::write(
        site.join("briefs/first.md"),
        "---\ntitle: A first brief\ndate: 2026-11-01\n---\nSome text.\n",
    )
    .unwrap();
    server.wait_for_page("/", Duration::from_secs(10), |p| {
        p.contains("A first brief")
    });
    // Writing the output (inside the site) is not an edit: one rebuild, then quiet.
    std::thread::sleep(Duration::from_millis(500));
    let err = server.stderr();
    assert_eq!(err.matches("Rebuilt").count(), 1, "{err}");
}

#[test]
fn a_missing_source_names_the_real_file_once() {
    let (tmp, site) = new_site();
    std::fs::create_dir(site.join("data")).unwrap();
    std::fs::write(
        site.join("data/trade.yaml"),
        "title: Trade\nsources: [fao]\ncolumns:\n  - {name: year, type: year}\n  - {name: value, type: number}\n  - {name: source, type: text}\nrows:\n  - {year: 2020, value: 1, source: fao}\n  - {year: 2021, value: 2, source: fao}\n",
    )
    .unwrap();
    let o = tumen(&["build", "--site", "my-site"], tmp.path());
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert_eq!(err.matches("unknown source key `fao`").count(), 1, "{err}");
    assert!(err.contains("--> my-site/data/trade.yaml:2:11"), "{err}");
    assert!(
        err.contains(
            "also at 2 other places: my-site/data/trade.yaml:8:36, my-site/data/trade.yaml:9:36"
        ),
        "{err}"
    );
    assert!(
        err.contains("list your sources in my-site/data/sources.yaml"),
        "{err}"
    );
    assert!(!err.contains("content/"), "{err}");
    assert!(err.contains("build failed with 1 error;"), "{err}");
}

#[test]
fn a_lookup_of_several_rows_names_the_column_that_tells_them_apart() {
    let (_tmp, site) = new_site();
    std::fs::create_dir_all(site.join("data")).unwrap();
    std::fs::create_dir_all(site.join("briefs")).unwrap();
    std::fs::write(
        site.join("data/trade.yaml"),
        "title: Trade\ncolumns:\n  - {name: year, type: year}\n  - {name: value, type: number}\n  - {name: source, type: text}\nrows:\n  - {year: 2012, value: 110, source: memo}\n  - {year: 2012, value: 75.6, source: iss}\n",
    )
    .unwrap();
    std::fs::write(
        site.join("data/sources.yaml"),
        "title: Sources\ncolumns:\n  - {name: key, type: text}\n  - {name: title, type: text}\nrows:\n  - {key: memo, title: A memo}\n  - {key: iss, title: A paper}\n",
    )
    .unwrap();
    // Filtered on source already: the hint must not suggest adding it again.
    std::fs::write(
        site.join("briefs/a.md"),
        "---\ntitle: A\ndate: 2026-01-01\n---\nTrade was {{ value(data=\"trade\", where=\"source=memo\", column=\"value\") }} and {{ value(data=\"trade\", where=\"year=2012\", column=\"value\") }}.\n",
    )
    .unwrap();
    std::fs::write(
        site.join("data/trade.yaml"),
        read(&site.join("data/trade.yaml")) + "  - {year: 2013, value: 112, source: memo}\n",
    )
    .unwrap();
    let o = tumen(&["build"], &site);
    let err = stderr(&o);
    assert!(
        err.contains("where=\"source=memo\" selects 2 rows of trade, not one; `year` tells them apart (2012, 2013): e.g. where=\"source=memo,year=2012\""),
        "{err}"
    );
    assert!(
        err.contains("where=\"year=2012\" selects 2 rows of trade, not one; `source` tells them apart (memo, iss): e.g. where=\"year=2012,source=memo\""),
        "{err}"
    );
}

#[test]
fn build_and_check_word_a_link_to_a_missing_brief_alike() {
    let (_tmp, site) = new_site();
    std::fs::create_dir(site.join("briefs")).unwrap();
    for (name, title) in [("trade-overview", "Trade"), ("labour", "Labour")] {
        std::fs::write(
            site.join(format!("briefs/{name}.md")),
            format!("---\ntitle: {title}\ndate: 2026-01-01\n---\nText.\n"),
        )
        .unwrap();
    }
    std::fs::write(
        site.join("briefs/a.md"),
        "---\ntitle: A\ndate: 2026-01-01\n---\nSee [the overview](trade-overveiw.md) and [rail](rail.md).\n",
    )
    .unwrap();
    let build = stderr(&tumen(&["build"], &site));
    let check = stderr(&tumen(&["check"], &site));
    let problems = |err: &str| -> Vec<String> {
        err.lines()
            .filter(|l| l.starts_with("error: `") || l.contains("-->") || l.contains("help:"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(problems(&build), problems(&check), "{build}\n{check}");
    assert!(
        build.contains("`trade-overveiw.md` links to a brief file that does not exist (briefs/trade-overveiw.md)")
            && build.contains("did you mean `trade-overview.md`?"),
        "{build}"
    );
    // Nothing near `rail.md`: the briefs there are, not a wrong guess.
    assert!(
        build.contains(
            "no brief file has a name like it; the briefs are: a.md, labour.md, trade-overview.md"
        ),
        "{build}"
    );
    assert!(!Path::new(&site.join("output")).exists());
}

#[test]
fn a_missing_dataset_gets_the_datasets_there_are_not_a_folder_that_is_not() {
    let (tmp, site) = new_site();
    std::fs::create_dir_all(site.join("data")).unwrap();
    std::fs::create_dir_all(site.join("briefs")).unwrap();
    std::fs::write(
        site.join("data/coal.yaml"),
        "title: Coal\ncolumns:\n  - {name: year, type: year}\n  - {name: t, type: number}\nrows:\n  - {year: 2020, t: 1}\n",
    )
    .unwrap();
    std::fs::write(
        site.join("briefs/a.md"),
        "---\ntitle: A\ndate: 2026-01-01\n---\n```chart\ndata: exports\ntype: line\nx: year\ny: t\n```\n\n{{ value(data=\"exports\", where=\"year=2020\", column=\"t\") }}\n",
    )
    .unwrap();
    let err = stderr(&tumen(&["build", "--site", "my-site"], tmp.path()));
    assert!(err.contains("no dataset `exports`"), "{err}");
    assert_eq!(
        err.matches("the datasets are: coal (each named by its file in the site's data/ folder)")
            .count(),
        2,
        "the chart and the value say it alike: {err}"
    );
    assert!(!err.contains("content/"), "{err}");
}
