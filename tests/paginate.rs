//! Pagination: long lists cut into pages of `paginate:` items (50 by default),
//! at `page/N/`, with rel prev/next and a numbered pager; and a title edit
//! touches only the pages that show the brief.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;
use tumen::build::render_site;
use tumen::deps::{Dep, DepGraph};

/// The basic fixture with `n` more briefs, all in topic `bulk` and citing
/// `memo-2016`, dated so that brief 0 is the newest.
fn site_with(n: usize, settings: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, site) = copy_fixture("basic");
    let yaml = std::fs::read_to_string(site.join("site.yaml")).unwrap();
    std::fs::write(site.join("site.yaml"), format!("{yaml}{settings}")).unwrap();
    for i in 0..n {
        let day = 3000 - i; // days after 2000-01-01, newest first
        let date = chrono_like(day);
        std::fs::write(
            site.join(format!("briefs/bulk-{i:03}.md")),
            format!(
                "---\ntitle: Bulk brief {i}\ndate: {date}\ntopics: [bulk]\nsources: [memo-2016]\n---\n\nText of brief {i}.\n"
            ),
        )
        .unwrap();
    }
    (tmp, site)
}

/// `YYYY-MM-DD` of day `d` counted from 2000-01-01, months of 28 days: enough to
/// order the briefs.
fn chrono_like(d: usize) -> String {
    format!(
        "{}-{:02}-{:02}",
        2000 + d / 336,
        1 + d % 336 / 28,
        1 + d % 28
    )
}

/// The brief links of a list page, in order (`/briefs/bulk-007/` …).
fn listed(html: &str) -> Vec<String> {
    let list = html.split("<ul class=\"brief-list\">").nth(1).unwrap_or("");
    let list = list.split("</ul>").next().unwrap_or("");
    links(list)
        .into_iter()
        .filter(|l| l.starts_with("https://example.org/briefs/") || l.starts_with("/briefs/"))
        .collect()
}

fn page(out: &Path, path: &str) -> String {
    read(&out.join(path))
}

#[test]
fn long_lists_are_cut_into_numbered_pages() {
    let (tmp, site) = site_with(120, "");
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    // 122 briefs (two of the fixture's): 50 + 50 + 22.
    let pages = [
        "briefs/index.html",
        "briefs/page/2/index.html",
        "briefs/page/3/index.html",
    ];
    let lists: Vec<Vec<String>> = pages.iter().map(|p| listed(&page(&out, p))).collect();
    assert_eq!(lists.iter().map(Vec::len).collect::<Vec<_>>(), [50, 50, 22]);
    assert!(!out.join("briefs/page/4").exists());
    assert!(
        !out.join("briefs/page/1").exists(),
        "page 1 is the list itself"
    );
    // Every brief once, in the order of the list: newest first.
    let all: Vec<String> = lists.concat();
    assert_eq!(all.iter().collect::<BTreeSet<_>>().len(), 122);
    // The fixture's two briefs (2024) come before the bulk ones.
    assert!(all[2].ends_with("/briefs/bulk-000/"), "{:?}", &all[..3]);
    assert!(all[3].ends_with("/briefs/bulk-001/"));

    let second = page(&out, "briefs/page/2/index.html");
    assert!(
        second.contains("<link rel=\"prev\" href=\"/briefs/\">"),
        "{second}"
    );
    assert!(second.contains("<link rel=\"next\" href=\"/briefs/page/3/\">"));
    assert!(second.contains("<title>All briefs, page 2 of 3 · "));
    assert!(second.contains("href=\"/briefs/page/2/\" aria-current=\"page\""));
    let first = page(&out, "briefs/index.html");
    assert!(!first.contains("rel=\"prev\""));
    assert!(first.contains("<link rel=\"next\" href=\"/briefs/page/2/\">"));
    assert!(first.contains("<link rel=\"canonical\" href=\"https://example.org/briefs/\">"));
    assert!(
        second.contains("<link rel=\"canonical\" href=\"https://example.org/briefs/page/2/\">")
    );
    let last = page(&out, "briefs/page/3/index.html");
    assert!(!last.contains("rel=\"next\""));

    // A topic of 120 briefs, and the source they cite.
    assert_eq!(listed(&page(&out, "topics/bulk/index.html")).len(), 50);
    assert_eq!(
        listed(&page(&out, "topics/bulk/page/3/index.html")).len(),
        20
    );
    let memo = page(&out, "sources/memo-2016/page/3/index.html");
    assert!(memo.contains("Cited in 122 briefs"), "{memo}");
    assert_eq!(listed(&memo).len(), 22);
    // The sources page names ten of a source's briefs and links the rest.
    let sources = page(&out, "sources/index.html");
    assert!(sources.contains("<a href=\"/sources/memo-2016/\">All 122 briefs citing it</a>"));
    // The sitemap names each source's page.
    assert!(page(&out, "sitemap.xml").contains("https://example.org/sources/memo-2016/"));
}

#[test]
fn links_to_a_source_lead_to_the_page_that_lists_it() {
    // One source a page: the dataset table's links to its rows' sources must
    // each land on the page that lists that source, not always on the first.
    let (tmp, site) = site_with(0, "paginate: 1\n");
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    let table = page(&out, "data/trade/index.html");
    let links: Vec<String> = links(&table)
        .into_iter()
        .filter(|l| l.contains("/sources/") && l.contains('#'))
        .collect();
    assert!(!links.is_empty(), "{table}");
    for l in links {
        let (path, key) = l.split_once('#').unwrap();
        let path = path
            .trim_start_matches("https://example.org")
            .trim_start_matches('/');
        let listed = page(&out, &format!("{path}index.html"));
        let near: Vec<&str> = table.lines().filter(|x| x.contains(key)).collect();
        assert!(
            listed.contains(&format!("id=\"{key}\"")),
            "{l} does not list {key}: {near:?}"
        );
    }
}

#[test]
fn paginate_zero_keeps_each_list_on_one_page() {
    let (tmp, site) = site_with(60, "paginate: 0\n");
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    assert_eq!(listed(&page(&out, "briefs/index.html")).len(), 62);
    assert!(!out.join("briefs/page").exists());
    assert!(!page(&out, "briefs/index.html").contains("class=\"pager\""));
}

#[test]
fn a_bad_paginate_setting_is_an_error() {
    let (tmp, site) = site_with(0, "paginate: lots\n");
    let o = build_err(&site, &tmp.path().join("out"));
    let err = stderr(&o);
    assert!(
        err.contains("site.yaml") && err.contains("paginate"),
        "{err}"
    );
}

#[test]
fn a_title_edit_touches_only_the_pages_that_show_the_brief() {
    let (tmp, site) = site_with(120, "");
    let opts = options(&site, &tmp.path().join("out"));
    let (_site, rendered) = render_site(&opts).expect("renders");
    let mut graph = DepGraph::default();
    for (path, deps) in rendered.deps {
        graph.insert(path, deps);
    }
    // Brief 60 is on page 2 of all briefs (after the fixture's two and 0..47).
    let card = Dep::Card(site.join("briefs/bulk-060.md").as_path().into());
    let touched: BTreeSet<&str> = graph
        .affected(&BTreeSet::from([card]))
        .into_iter()
        .collect();
    assert!(touched.contains("briefs/page/2/index.html"), "{touched:?}");
    assert!(
        touched.contains("topics/bulk/page/2/index.html"),
        "{touched:?}"
    );
    for not in [
        "briefs/index.html",
        "briefs/page/3/index.html",
        "topics/bulk/index.html",
    ] {
        assert!(
            !touched.contains(not),
            "{not} does not show brief 60: {touched:?}"
        );
    }
    // A brief added or moved changes which page shows what: every page of the list.
    let moved = graph.affected(&BTreeSet::from([Dep::BriefOrder]));
    assert!(moved.contains("briefs/page/3/index.html"));
}

#[test]
fn feeds_hold_the_newest_hundred_briefs_unless_told() {
    let (tmp, site) = site_with(120, "");
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    let feed = page(&out, "feed.xml");
    assert_eq!(feed.matches("<entry>").count(), 100);
    assert!(feed.contains("/briefs/bulk-000/"), "the newest are kept");
    assert!(!feed.contains("/briefs/bulk-119/"), "the oldest go");
    assert_eq!(
        page(&out, "topics/bulk/feed.xml")
            .matches("<entry>")
            .count(),
        100
    );

    let (tmp, site) = site_with(120, "feed_limit: 0\n");
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    assert_eq!(page(&out, "feed.xml").matches("<entry>").count(), 122);
}
