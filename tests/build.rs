//! `tumen build` end to end: the real binary on fixture sites and on the default site.

mod common;

use common::*;
use std::path::Path;

#[test]
fn builds_the_fixture_site_with_every_page_kind() {
    let (tmp, site) = copy_fixture("basic");
    let out = tmp.path().join("output");
    let o = build_ok(&site, &out, &[]);
    let summary = stdout(&o);
    assert!(
        summary.starts_with("Built 2 briefs, 2 datasets, 17 pages, 0 charts in "),
        "{summary}"
    );
    assert!(summary.contains("(1 draft left out)"), "{summary}");
    let files = tree(&out);
    for page in [
        "index.html",
        "404.html",
        "briefs/index.html",
        "briefs/trade/index.html",
        "briefs/debt/index.html",
        "topics/index.html",
        "topics/trade/index.html",
        "topics/debt/index.html",
        "data/index.html",
        "data/trade/index.html",
        "data/trade.csv",
        "data/trade.json",
        "sources/index.html",
        "old/trade/index.html",
        "legacy-trade.html",
        "style.css",
        "notes.txt",
    ] {
        assert!(
            files.contains_key(page),
            "missing {page}; have {:?}",
            files.keys()
        );
    }
    assert!(
        !files.keys().any(|k| k.contains("draft")),
        "a draft was published"
    );

    let brief = read(&out.join("briefs/trade/index.html"));
    // Inline values from the dataset, formatted.
    assert!(brief.contains("Trade was US$2,350 m in 1988"), "{brief}");
    assert!(brief.contains("and 75.6 in 2012"), "{brief}");
    // `{{` in code and in front matter stays literal.
    assert!(brief.contains("<code>{{ value(data=\"nope\") }}</code>"));
    assert!(brief.contains("{{ not a shortcode }}"));
    // Relative file links became page URLs, with the anchor kept.
    assert!(
        brief.contains("href=\"/briefs/debt/#background\""),
        "{brief}"
    );
    assert!(brief.contains("href=\"/data/trade/\""), "{brief}");
    // Unique heading anchors and a table of contents.
    assert!(brief.contains("<h2 id=\"overview\">") && brief.contains("<h2 id=\"overview-1\">"));
    assert!(brief.contains("<a href=\"#overview-1\">Overview</a>"));
    // Titles and dataset strings are escaped.
    assert!(
        brief.contains("<h1>Trade: collapse &amp; &lt;recovery&gt;</h1>"),
        "{brief}"
    );
    assert!(brief.contains("Policy memo &lt;2016&gt;"));
    // Topics spelt differently are one topic.
    let topics = read(&out.join("topics/index.html"));
    assert_eq!(topics.matches("/topics/trade/").count(), 1, "{topics}");
    let trade_topic = read(&out.join("topics/trade/index.html"));
    assert!(trade_topic.contains("Soviet-era debt") && trade_topic.contains("Trade: collapse"));

    let dataset = read(&out.join("data/trade/index.html"));
    assert!(
        dataset.contains("<td class=\"num\" data-label=\"Turnover (US$ million)\">2,350</td>"),
        "{dataset}"
    );
    assert!(dataset.contains("memo&#39;s &lt;figure&gt;"), "{dataset}");
    assert!(dataset.contains("href=\"/data/trade.csv\""));
    let csv = read(&out.join("data/trade.csv"));
    assert_eq!(csv.lines().count(), 6);
    assert!(csv.contains("2012,75.6,implied,iss-2014"));
    let json: serde_json::Value =
        serde_json::from_str(&read(&out.join("data/trade.json"))).unwrap();
    assert_eq!(json["rows"].as_array().unwrap().len(), 5);
    assert_eq!(json["rows"][3]["turnover"], serde_json::json!(75.6));

    assert!(
        brief.contains("<h2 id=\"related-heading\">Related briefs</h2>")
            && brief[brief.find("related-heading").unwrap()..]
                .contains("<a href=\"/briefs/debt/\">Soviet-era debt</a>"),
        "{brief}"
    );
    let sources = read(&out.join("sources/index.html"));
    assert!(sources.contains("id=\"memo-2016\""));
    assert!(
        sources.contains("href=\"/briefs/debt/\""),
        "the sources page lists what cites each source"
    );

    let home = read(&out.join("index.html"));
    assert!(
        home.contains("US$2,350 m") && home.contains("Trade in 1988"),
        "key figure on the home page"
    );
    // Newest first.
    assert!(home.find("Soviet-era debt").unwrap() < home.find("Trade: collapse").unwrap());

    let alias = read(&out.join("old/trade/index.html"));
    assert!(alias.contains("url=/briefs/trade/"), "{alias}");
    assert!(
        alias.contains("href=\"https://example.org/briefs/trade/\""),
        "{alias}"
    );
}

#[test]
fn drafts_are_published_only_with_the_flag() {
    let (tmp, site) = copy_fixture("basic");
    let out = tmp.path().join("out");
    let o = build_ok(&site, &out, &["--drafts"]);
    assert!(stdout(&o).starts_with("Built 3 briefs"), "{}", stdout(&o));
    assert!(out.join("briefs/draft/index.html").exists());
}

#[test]
fn output_is_byte_identical_across_builds() {
    let (tmp, site) = copy_fixture("basic");
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    build_ok(&site, &a, &[]);
    build_ok(&site, &b, &[]);
    let (ta, tb) = (tree(&a), tree(&b));
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (k, v) in &ta {
        assert!(v == &tb[k], "{k} differs between two builds");
    }
}

#[test]
fn default_site_builds_deterministically() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    let site = repo().join("content");
    for out in [&a, &b] {
        build_default(out, &[]);
    }
    let (ta, tb) = (tree(&a), tree(&b));
    assert!(ta.len() > 30, "{} files", ta.len());
    assert!(ta == tb, "two builds of content/ differ");
    // A page per brief and per dataset, with downloads.
    for stem in stems(&site.join("briefs")) {
        assert!(
            ta.contains_key(&format!("briefs/{stem}/index.html")),
            "no page for {stem}"
        );
    }
    for stem in stems(&site.join("data")) {
        for p in [format!("data/{stem}.csv"), format!("data/{stem}.json")] {
            assert!(ta.contains_key(&p), "no {p}");
        }
        if stem != "sources" {
            assert!(
                ta.contains_key(&format!("data/{stem}/index.html")),
                "no page for {stem}"
            );
        }
    }
}

/// Every internal link and asset of every page resolves to a file under the base path.
fn assert_links_resolve(out: &Path, base_path: &str) {
    let files = tree(out);
    let mut checked = 0;
    for (path, bytes) in &files {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        for link in links(&html) {
            if link.starts_with('#')
                || (link.contains("://") && !link.starts_with("https://example.org/"))
            {
                continue;
            }
            let local = link
                .strip_prefix("https://example.org")
                .unwrap_or(&link)
                .to_string();
            assert!(
                local.starts_with(base_path),
                "{path}: link {link} is outside {base_path}"
            );
            let rel = local[base_path.len()..]
                .split('#')
                .next()
                .unwrap()
                .to_string();
            let target = if rel.is_empty() || rel.ends_with('/') {
                format!("{rel}index.html")
            } else {
                rel
            };
            assert!(
                files.contains_key(&target),
                "{path}: link {link} leads nowhere ({target})"
            );
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} links checked");
}

#[test]
fn every_link_resolves_at_the_root_and_under_a_subpath() {
    let (tmp, site) = copy_fixture("basic");
    let root = tmp.path().join("root");
    build_ok(&site, &root, &[]);
    assert_links_resolve(&root, "/");
    let sub = tmp.path().join("sub");
    build_ok(&site, &sub, &["--base-url", "https://example.org/sub/"]);
    assert_links_resolve(&sub, "/sub/");
    let home = read(&sub.join("index.html"));
    assert!(home.contains("href=\"/sub/style.css\""));
    assert!(
        home.contains("rel=\"canonical\" href=\"https://example.org/sub/\""),
        "{home}"
    );
}

#[test]
fn default_site_links_resolve_under_a_subpath() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let site = repo().join("content");
    let o = tumen(
        &[
            "build",
            "--site",
            site.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
            "--base-url",
            "https://example.org/sub/",
        ],
        &repo(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_links_resolve(&out, "/sub/");
}

#[test]
fn a_broken_dataset_fails_names_the_place_and_keeps_the_old_output() {
    let (tmp, site) = copy_fixture("basic");
    let out = tmp.path().join("output");
    build_ok(&site, &out, &[]);
    let before = tree(&out);
    let sources_before = tree(&site);

    let data = site.join("data/trade.yaml");
    let text = read(&data)
        .replace("turnover: 85,", "turnover: lots,")
        .replace("{year: 2013,", "{yaer: 2013,");
    std::fs::write(&data, text).unwrap();
    let sources_broken = tree(&site);
    let o = build_err(&site, &out);
    let err = stderr(&o);
    assert!(err.contains("data/trade.yaml:12:28"), "{err}");
    assert!(
        err.contains("column `turnover`: expected a number, found the text \"lots\""),
        "{err}"
    );
    assert!(
        err.contains("12 |   - {year: 1996, turnover: lots, source: memo-2016}"),
        "{err}"
    );
    assert!(err.contains("did you mean `year`?"), "{err}");
    assert!(err.contains("build failed with 3 errors"), "{err}");
    assert!(tree(&out) == before, "the failed build changed output/");
    assert!(
        tree(&site) == sources_broken,
        "the build touched the sources"
    );
    assert_ne!(sources_before, sources_broken);
    // Nothing left beside the output either.
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 2, "{leftovers:?}");
}

#[test]
fn errors_of_every_brief_are_collected_with_positions() {
    let (tmp, site) = copy_fixture("basic");
    std::fs::write(
        site.join("briefs/bad1.md"),
        "---\ntitle: One\ndate: 2024-13-01\n---\nx\n",
    )
    .unwrap();
    std::fs::write(
        site.join("briefs/bad2.md"),
        "---\ntitle: Two\ndate: 2024-01-01\ntopic: [x]\n---\nx\n",
    )
    .unwrap();
    std::fs::write(
        site.join("briefs/bad3.md"),
        "---\ntitle: Three\ndate: 2024-01-01\nsources: [memo-2061]\n---\n\nSee [gone](missing-brief.md) and {{ value(data=\"trade\", where=\"year=1999\", column=\"turnover\") }}.\n",
    )
    .unwrap();
    let o = build_err(&site, &tmp.path().join("out"));
    let err = stderr(&o);
    assert!(
        err.contains("bad1.md:3:7") && err.contains("month 13 does not exist"),
        "{err}"
    );
    assert!(
        err.contains("bad2.md:4:1") && err.contains("did you mean `topics`?"),
        "{err}"
    );
    // Cross-file errors are reported together too.
    let o = {
        std::fs::remove_file(site.join("briefs/bad1.md")).unwrap();
        std::fs::remove_file(site.join("briefs/bad2.md")).unwrap();
        build_err(&site, &tmp.path().join("out"))
    };
    let err = stderr(&o);
    assert!(
        err.contains("bad3.md:4:11") && err.contains("unknown source key `memo-2061`"),
        "{err}"
    );
    assert!(err.contains("did you mean `memo-2016`?"), "{err}");
    assert!(
        err.contains("bad3.md:7:5")
            && err.contains("`missing-brief.md` links to a brief file that does not exist"),
        "{err}"
    );
    assert!(
        err.contains("bad3.md:7:34") && err.contains("no row of trade matches where=\"year=1999\""),
        "{err}"
    );
    assert!(err.contains("`year` has: 1988, 1996, 2012, 2013"), "{err}");
}

#[test]
fn unknown_config_key_is_named_with_a_suggestion() {
    let (tmp, site) = copy_fixture("basic");
    let cfg = site.join("site.yaml");
    std::fs::write(&cfg, read(&cfg).replace("language: en", "langauge: en")).unwrap();
    let o = build_err(&site, &tmp.path().join("out"));
    let err = stderr(&o);
    assert!(err.contains("unknown key `langauge` in site.yaml"), "{err}");
    assert!(err.contains("site.yaml:4:1"), "{err}");
    assert!(err.contains("did you mean `language`?"), "{err}");
}

#[test]
fn files_of_earlier_builds_are_removed() {
    let (tmp, site) = copy_fixture("basic");
    let out = tmp.path().join("output");
    build_ok(&site, &out, &[]);
    assert!(out.join("briefs/debt/index.html").exists());
    std::fs::remove_file(site.join("briefs/debt.md")).unwrap();
    let trade = site.join("briefs/trade.md");
    std::fs::write(
        &trade,
        read(&trade).replace("See [the debt brief](debt.md#background) and", "See"),
    )
    .unwrap();
    build_ok(&site, &out, &[]);
    assert!(!out.join("briefs/debt").exists());
    assert!(!out.join("topics/debt").exists());
}

#[test]
fn refuses_an_output_folder_that_is_not_a_site() {
    let (tmp, site) = copy_fixture("basic");
    let precious = tmp.path().join("precious");
    std::fs::create_dir_all(&precious).unwrap();
    std::fs::write(precious.join("thesis.docx"), "years of work").unwrap();
    let o = build_err(&site, &precious);
    assert!(
        stderr(&o).contains("refusing to replace it"),
        "{}",
        stderr(&o)
    );
    assert_eq!(read(&precious.join("thesis.docx")), "years of work");
    let o = build_err(&site, &site);
    assert!(
        stderr(&o).contains("overlaps the site folder"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_site_theme_overrides_one_template_and_template_errors_name_the_line() {
    let (tmp, site) = copy_fixture("basic");
    let cfg = site.join("site.yaml");
    std::fs::write(
        &cfg,
        read(&cfg).replace("language: en", "language: en\ntheme: house"),
    )
    .unwrap();
    let tdir = site.join("themes/house/templates");
    std::fs::create_dir_all(&tdir).unwrap();
    std::fs::write(
        tdir.join("topic.html"),
        "{% extends \"base.html\" %}{% block content %}<h1 class=\"house\">{{ topic.name }}</h1>{% endblock content %}",
    )
    .unwrap();
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    assert!(read(&out.join("topics/trade/index.html")).contains("<h1 class=\"house\">Trade</h1>"));
    // The other templates still come from the default theme.
    assert!(read(&out.join("briefs/trade/index.html")).contains("class=\"brief-header\""));

    std::fs::write(tdir.join("topic.html"), "{% extends \"base.html\" %}\n{% block content %}\n{{ topic.nmae }}\n{% endblock content %}").unwrap();
    let o = build_err(&site, &out);
    let err = stderr(&o);
    assert!(err.contains("themes/house/templates/topic.html"), "{err}");
    assert!(err.contains("topic.html:3:"), "{err}");
    assert!(err.contains("nmae"), "{err}");
    // And the output of the good build is still there.
    assert!(read(&out.join("topics/trade/index.html")).contains("house"));
}

#[test]
fn new_brief_writes_a_unique_draft_that_builds() {
    let (tmp, site) = copy_fixture("basic");
    let args = [
        "new",
        "brief",
        "Gas pipeline: a plan",
        "--site",
        site.to_str().unwrap(),
    ];
    let o = tumen(&args, tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("gas-pipeline-a-plan.md"),
        "{}",
        stdout(&o)
    );
    let o = tumen(&args, tmp.path());
    assert!(
        stdout(&o).contains("gas-pipeline-a-plan-2.md"),
        "{}",
        stdout(&o)
    );
    let text = read(&site.join("briefs/gas-pipeline-a-plan.md"));
    assert!(
        text.contains("title: \"Gas pipeline: a plan\"") && text.contains("draft: true"),
        "{text}"
    );
    let out = tmp.path().join("out");
    let o = build_ok(&site, &out, &["--drafts"]);
    assert!(
        read(&out.join("briefs/gas-pipeline-a-plan/index.html")).contains("Gas pipeline: a plan")
    );
    // Its examples are in comments: a new brief has no mistakes to warn of.
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
}

#[test]
fn version_and_help_on_every_command() {
    let cwd = repo();
    let v = tumen(&["--version"], &cwd);
    assert_eq!(
        stdout(&v).trim(),
        format!("tumen {}", env!("CARGO_PKG_VERSION"))
    );
    for args in [
        &["--help"][..],
        &["build", "--help"],
        &["new", "--help"],
        &["new", "brief", "--help"],
        &["init", "--help"],
    ] {
        let o = tumen(args, &cwd);
        assert!(o.status.success(), "{args:?}");
        assert!(
            stdout(&o).contains("Usage: tumen"),
            "{args:?}: {}",
            stdout(&o)
        );
    }
    assert!(stdout(&tumen(&["build", "--help"], &cwd)).contains("--base-url"));
}

#[test]
fn build_without_arguments_uses_content_and_output() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixture("basic"), &tmp.path().join("content"));
    let o = tumen(&["build"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(tmp.path().join("output/index.html").exists());
}

#[test]
fn a_site_theme_can_restyle_the_brief_card_of_every_list() {
    let (tmp, site) = copy_fixture("basic");
    let templates = site.join("themes/default/templates");
    std::fs::create_dir_all(&templates).unwrap();
    let card = read(&repo().join("themes/default/templates/brief-card.html"));
    let out = tmp.path().join("out");
    // A card made from the brief and the settings is made once and pasted; one
    // that reads another global is rendered by each list. Both show everywhere.
    for (marker, li) in [
        ("data-site", "<li data-site=\"{{ site.title }}\">"),
        ("data-topics", "<li data-topics=\"{{ topics | length }}\">"),
    ] {
        std::fs::write(templates.join("brief-card.html"), card.replace("<li>", li)).unwrap();
        build_ok(&site, &out, &[]);
        for page in [
            "briefs/index.html",
            "topics/energy/index.html",
            "index.html",
        ] {
            let html = read(&out.join(page));
            assert_eq!(
                html.matches(marker).count(),
                html.matches("<li data-").count(),
                "{page}: {html}"
            );
            assert!(html.contains(marker), "{page}: {html}");
        }
    }
}
