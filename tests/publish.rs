//! Publishing: feeds, sitemap, robots.txt, the search index, and revision history
//! from git, on the fixture site and in a temporary git repository.

mod common;

use common::*;
use std::path::Path;

fn xml(path: &Path) -> String {
    let text = read(path);
    roxmltree::Document::parse(&text)
        .unwrap_or_else(|e| panic!("{}: not well-formed XML: {e}", path.display()));
    text
}

#[test]
fn feeds_and_sitemap_list_every_brief_with_absolute_urls_under_a_subpath() {
    let (tmp, site) = copy_fixture("basic");
    let out = tmp.path().join("out");
    build_ok(
        &site,
        &out,
        &["--base-url", "https://example.org/briefings/"],
    );

    let feed = xml(&out.join("feed.xml"));
    let doc = roxmltree::Document::parse(&feed).unwrap();
    let entries: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("entry"))
        .collect();
    assert_eq!(entries.len(), 2, "every published brief, no draft");
    for (e, slug) in entries.iter().zip(["debt", "trade"]) {
        let link = e.children().find(|c| c.has_tag_name("link")).unwrap();
        assert_eq!(
            link.attribute("href"),
            Some(format!("https://example.org/briefings/briefs/{slug}/").as_str())
        );
    }
    assert!(feed.contains("<id>https://example.org/briefings/feed.xml</id>"));
    assert!(
        feed.contains("<title>Trade: collapse &amp; &lt;recovery&gt;</title>"),
        "escaped titles"
    );
    assert!(
        feed.contains("<updated>2024-05-02T00:00:00Z</updated>"),
        "the feed is as new as its newest brief"
    );
    assert!(feed.contains("<category term=\"trade\" label=\"Trade\"/>"));

    let topic = xml(&out.join("topics/debt/feed.xml"));
    assert_eq!(topic.matches("<entry>").count(), 1);
    assert!(topic.contains("href=\"https://example.org/briefings/topics/debt/\""));

    let sitemap = xml(&out.join("sitemap.xml"));
    for page in [
        "",
        "briefs/trade/",
        "briefs/debt/",
        "topics/trade/",
        "data/trade/",
        "sources/",
    ] {
        assert!(
            sitemap.contains(&format!("<loc>https://example.org/briefings/{page}</loc>")),
            "{page} missing:\n{sitemap}"
        );
    }
    assert!(
        !sitemap.contains("draft") && !sitemap.contains("404") && !sitemap.contains("old/trade")
    );
    assert!(sitemap.contains("<lastmod>2024-05-02</lastmod>"));
    assert_eq!(
        read(&out.join("robots.txt")),
        "User-agent: *\nAllow: /\nSitemap: https://example.org/briefings/sitemap.xml\n"
    );
    let home = read(&out.join("index.html"));
    assert!(home.contains("type=\"application/atom+xml\" title=\"Fixture &lt;Briefings&gt; &amp; Co\" href=\"/briefings/feed.xml\""), "{home}");
    assert!(home.contains("property=\"og:url\" content=\"https://example.org/briefings/\""));
}

#[test]
fn the_search_index_lists_every_brief_and_dataset() {
    let (tmp, site) = copy_fixture("basic");
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    let index: serde_json::Value =
        serde_json::from_str(&read(&out.join("search-index.json"))).unwrap();
    let titles: Vec<&str> = index["docs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d[0].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        vec![
            "Soviet-era debt",
            "Trade: collapse & <recovery>",
            "Russia–DPRK trade turnover"
        ]
    );
    let terms: Vec<&str> = index["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    let mut sorted = terms.clone();
    sorted.sort();
    assert_eq!(
        terms, sorted,
        "terms sorted for the browser's binary search"
    );
    for t in ["ninety", "written", "collapse", "turnover", "2350"] {
        assert!(terms.contains(&t), "no term {t}");
    }
    // The search page works without a server and tells readers without JavaScript
    // where else to look.
    let page = read(&out.join("search/index.html"));
    assert!(
        page.contains("data-index=\"/search-index.json\"") && page.contains("src=\"/search.js\"")
    );
    assert!(page.contains("<noscript>"));
    assert!(out.join("search.js").exists());
}

#[test]
fn revision_history_comes_from_git_in_one_pass() {
    let (tmp, site) = copy_fixture("basic");
    let out = tmp.path().join("out");
    // Outside git: the page says there is no history.
    build_ok(&site, &out, &[]);
    let page = read(&out.join("briefs/trade/index.html"));
    assert!(
        page.contains("Revision history is not available: this site is not in a git repository.")
    );

    first_commit(tmp.path(), "First draft of the trade brief");
    let brief = site.join("briefs/trade.md");
    std::fs::write(
        &brief,
        read(&brief).replace(
            "A second heading with the same name.",
            "A second heading, revised.",
        ),
    )
    .unwrap();
    git(
        tmp.path(),
        &[
            "commit",
            "-q",
            "-am",
            "Revise the trade brief <after review>",
        ],
        "2024-07-15T09:30:00Z",
    );

    let out2 = tmp.path().join("out2");
    build_ok(&site, &out2, &[]);
    let page = read(&out2.join("briefs/trade/index.html"));
    assert!(
        page.contains("<dt>Published</dt><dd><time datetime=\"2024-03-01\">1 March 2024</time>"),
        "{page}"
    );
    assert!(
        page.contains("<dt>Updated</dt><dd><time datetime=\"2024-07-15\">15 July 2024</time>"),
        "the later commit's date: {page}"
    );
    let history = &page[page.find("id=\"history-heading\"").unwrap()..];
    let later = history
        .find("Revise the trade brief &lt;after review&gt;")
        .expect("the later subject, escaped");
    let earlier = history
        .find("First draft of the trade brief")
        .expect("the earlier subject");
    assert!(later < earlier, "newest first");
    assert!(history.contains("<time datetime=\"2024-06-01\">1 June 2024</time>"));
    // The debt brief has `updated:` set, which wins over git.
    let debt = read(&out2.join("briefs/debt/index.html"));
    assert!(
        debt.contains("<dt>Updated</dt><dd><time datetime=\"2024-05-02\">"),
        "{debt}"
    );
    // A brief's history also lists commits to the datasets it charts or quotes.
    assert!(
        page.contains("First draft"),
        "trade quotes the trade dataset, added in the first commit"
    );
    // Deterministic for a given commit.
    let out3 = tmp.path().join("out3");
    build_ok(&site, &out3, &[]);
    assert!(tree(&out2) == tree(&out3));

    // Uncommitted edits are said, not hidden.
    std::fs::write(&brief, read(&brief).replace("revised.", "revised again.")).unwrap();
    let out4 = tmp.path().join("out4");
    build_ok(&site, &out4, &[]);
    let page = read(&out4.join("briefs/trade/index.html"));
    assert!(
        page.contains("This brief has changes not yet committed."),
        "{page}"
    );
    std::fs::write(
        site.join("briefs/new.md"),
        "---\ntitle: New\ndate: 2024-08-01\n---\nNew.\n",
    )
    .unwrap();
    build_ok(&site, &tmp.path().join("out5"), &[]);
    assert!(read(&tmp.path().join("out5/briefs/new/index.html")).contains("Not yet committed"));
}

#[test]
fn a_shallow_clone_says_its_history_is_shortened() {
    let (tmp, site) = copy_fixture("basic");
    first_commit(tmp.path(), "one");
    std::fs::write(
        site.join("briefs/debt.md"),
        read(&site.join("briefs/debt.md")) + "\nMore.\n",
    )
    .unwrap();
    git(
        tmp.path(),
        &["commit", "-q", "-am", "two"],
        "2024-06-02T10:00:00Z",
    );
    let clone = tmp.path().join("clone");
    let url = format!("file://{}", tmp.path().display());
    git(
        tmp.path(),
        &["clone", "-q", "--depth", "1", &url, clone.to_str().unwrap()],
        "2024-06-03T10:00:00Z",
    );
    let out = tmp.path().join("cout");
    build_ok(&clone.join("site"), &out, &[]);
    assert!(
        read(&out.join("briefs/debt/index.html"))
            .contains("History shortened: this copy of the repository is a shallow clone.")
    );
}

#[test]
fn with_a_history_trailer_only_commits_carrying_it_are_revisions() {
    let (tmp, site) = copy_fixture("basic");
    let config = site.join("site.yaml");
    std::fs::write(&config, read(&config) + "history: {trailer: Revision}\n").unwrap();
    // The site's first commit, as a developer words it: no trailer.
    first_commit(tmp.path(), "Charts: round axis ticks");
    let commit = |file: &str, from: &str, to: &str, message: &str, date: &str| {
        let path = site.join(file);
        std::fs::write(&path, read(&path).replace(from, to)).unwrap();
        git(tmp.path(), &["commit", "-q", "-am", message], date);
    };
    commit(
        "briefs/trade.md",
        "A second heading with the same name.",
        "A second heading, revised.",
        "Trade brief: copy-edit\n\nRevision: Wording of the second section <clearer>\n",
        "2024-07-15T09:30:00Z",
    );
    commit(
        "briefs/trade.md",
        "revised.",
        "revised again.",
        "Refactor the fixture's headings",
        "2024-08-20T09:30:00Z",
    );
    // Two trailers, case as git allows, on a dataset the trade brief quotes.
    commit(
        "data/trade.yaml",
        "title:",
        "title: ",
        "Data: spacing\n\nrevision: Figures checked against the source\nRevision: Title spacing\n",
        "2024-09-01T09:30:00Z",
    );

    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    let page = read(&out.join("briefs/trade/index.html"));
    let history = history_section(&page);
    let items: Vec<&str> = history
        .split("<li>")
        .skip(1)
        .map(|li| li.split("</li>").next().unwrap())
        .collect();
    assert_eq!(items.len(), 2, "only commits with the trailer: {history}");
    assert!(
        items[0].contains("1 September 2024")
            && items[0].ends_with("· Figures checked against the source; Title spacing"),
        "{}",
        items[0]
    );
    assert!(
        items[1].contains("15 July 2024")
            && items[1].ends_with("· Wording of the second section &lt;clearer&gt;"),
        "the trailer's text, escaped: {}",
        items[1]
    );
    for subject in ["Charts: round", "Refactor", "copy-edit", "Data: spacing"] {
        assert!(!history.contains(subject), "{subject}: {history}");
    }
    // Updated is the last revision of the brief's own file, not the refactor after.
    assert!(
        page.contains("<dt>Updated</dt><dd><time datetime=\"2024-07-15\">15 July 2024</time>"),
        "{page}"
    );
    assert!(!page.contains("not yet committed"), "{page}");
    // A brief no revision touched says so, and is not "not yet committed".
    let debt = read(&out.join("briefs/debt/index.html"));
    let debt_history = history_section(&debt);
    assert!(debt_history.contains("No revisions yet."), "{debt_history}");
    assert!(!debt_history.contains("<li>"), "{debt_history}");
}

/// The revision history section of a brief's page.
fn history_section(page: &str) -> &str {
    let history = &page[page.find("id=\"history-heading\"").unwrap()..];
    &history[..history.find("</section>").unwrap()]
}
