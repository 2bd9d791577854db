//! Slugs given in front matter are URLs as written, as Zola and Hugo publish them,
//! so that a site moved here keeps its URLs; only an unsafe one is an error, and two
//! briefs at one URL are an error that names both files.

mod common;

use common::*;

fn site_with(briefs: &[(&str, &str)]) -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    std::fs::create_dir_all(site.join("briefs")).unwrap();
    std::fs::write(site.join("site.yaml"), "title: Slugs\n").unwrap();
    for (file, slug) in briefs {
        let front = if slug.is_empty() {
            String::new()
        } else {
            format!("slug: \"{slug}\"\n")
        };
        std::fs::write(
            site.join("briefs").join(file),
            format!("---\ntitle: {file}\ndate: 2024-01-01\n{front}---\nText.\n"),
        )
        .unwrap();
    }
    (tmp, site)
}

#[test]
fn safe_slugs_are_published_as_written() {
    let (tmp, site) = site_with(&[
        ("release.md", "1.45.1-prerelease"),
        ("rustc.md", "using_rustc"),
        ("korean.md", "무역-2024"),
        ("Mixed Case.md", "Trade-Report"),
        ("From The File.md", ""),
    ]);
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    for page in [
        "briefs/1.45.1-prerelease/index.html",
        "briefs/using_rustc/index.html",
        "briefs/무역-2024/index.html",
        "briefs/Trade-Report/index.html",
        // A slug made from a file name keeps the rules it had.
        "briefs/from-the-file/index.html",
    ] {
        assert!(out.join(page).is_file(), "no {page}");
    }
    let home = read(&out.join("index.html"));
    assert!(
        home.contains("href=\"/briefs/1.45.1-prerelease/\""),
        "{home}"
    );
}

#[test]
fn an_unsafe_slug_is_an_error_with_a_suggestion() {
    for (slug, why) in [
        ("a/b", "would put the page in a folder of its own"),
        ("..", "names a folder, not a page"),
        ("trade report", "it holds a space"),
        ("100%", "`%` has a meaning in URLs"),
        ("a?b", "`?` has a meaning in URLs"),
        (".hidden", "hidden"),
    ] {
        let (tmp, site) = site_with(&[("x.md", slug)]);
        let o = build_err(&site, &tmp.path().join("out"));
        let err = stderr(&o);
        assert!(
            err.contains(&format!("slug `{slug}` cannot be a URL as written")) && err.contains(why),
            "{slug}: {err}"
        );
        assert!(err.contains("x.md:4:7"), "file:line:col of the slug: {err}");
        assert_ne!(o.status.code(), Some(101), "no panic");
    }
    let (tmp, site) = site_with(&[("x.md", "trade report")]);
    let err = stderr(&build_err(&site, &tmp.path().join("out")));
    assert!(err.contains("write `slug: trade-report`"), "{err}");
}

#[test]
fn two_briefs_at_one_url_name_both_files() {
    let (tmp, site) = site_with(&[("a.md", "trade"), ("b.md", "trade")]);
    let err = stderr(&build_err(&site, &tmp.path().join("out")));
    assert!(
        err.contains("a.md and") && err.contains("b.md would both be published at briefs/trade/")
            || err.contains("b.md and")
                && err.contains("a.md would both be published at briefs/trade/"),
        "{err}"
    );
    // Slugs that differ only in case are one folder on macOS and Windows.
    let (tmp, site) = site_with(&[("a.md", "Trade"), ("b.md", "trade")]);
    let err = stderr(&build_err(&site, &tmp.path().join("out")));
    assert!(err.contains("would both be published"), "{err}");
    // A file name and a given slug that meet.
    let (tmp, site) = site_with(&[("trade.md", ""), ("other.md", "trade")]);
    let err = stderr(&build_err(&site, &tmp.path().join("out")));
    assert!(
        err.contains("would both be published at briefs/trade/"),
        "{err}"
    );
}

#[test]
fn a_post_from_hugo_or_jekyll_builds_as_it_is() {
    let (tmp, site) = site_with(&[]);
    std::fs::write(
        site.join("briefs/2019-01-01-hello.md"),
        "---\nlayout: post\ntitle: \"Hello\"\ndate: 2019-01-01 10:00:00 +0000\n\
         lastmod: 2019-02-03T08:00:00Z\ntags: [rust, web]\ncategories: news\n\
         author: Jane Doe\ndescription: The first post.\nslug: hello_world\n\
         comments: true\n---\n\nHi.\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = build_ok(&site, &out, &[]);
    let err = stderr(&o);
    for key in ["layout", "comments"] {
        assert!(
            err.contains(&format!(
                "warning: `{key}` in the front matter is not a setting of tumen's: ignored"
            )),
            "{err}"
        );
    }
    assert!(err.contains("put it under `extra:`"), "{err}");
    let page = read(&out.join("briefs/hello_world/index.html"));
    assert!(
        page.contains("datetime=\"2019-01-01\""),
        "the day of the date"
    );
    assert!(page.contains("2019-02-03"), "lastmod is the update");
    assert!(page.contains("Jane Doe"), "author");
    assert!(page.contains("The first post."), "description as summary");
    for topic in ["rust", "web", "news"] {
        assert!(
            out.join(format!("topics/{topic}/index.html")).exists(),
            "{topic}"
        );
    }
    // A near miss of one of tumen's keys is still an error, with the key meant.
    std::fs::write(
        site.join("briefs/typo.md"),
        "---\ntitle: T\ndate: 2024-01-01\nsumary: s\n---\nx\n",
    )
    .unwrap();
    let err = stderr(&build_err(&site, &out));
    assert!(
        err.contains("unknown key `sumary`") && err.contains("did you mean `summary`?"),
        "{err}"
    );
}

#[test]
fn a_jekyll_post_takes_its_date_from_its_file_name() {
    let (tmp, site) = site_with(&[]);
    // As in the Rust blog's posts: a blank line before the front matter, no date.
    std::fs::write(
        site.join("briefs/2020-07-27-1.45.1-prerelease.md"),
        "\n---\nlayout: post\ntitle: \"1.45.1 prerelease testing\"\nauthor: Mark\nslug: 1.45.1-prerelease\n---\n\nReady.\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    let page = read(&out.join("briefs/1.45.1-prerelease/index.html"));
    assert!(page.contains("datetime=\"2020-07-27\""), "{page}");
    // Without a date in the file name either, the error says both ways to give one.
    std::fs::write(
        site.join("briefs/undated.md"),
        "---\ntitle: Undated\n---\nx\n",
    )
    .unwrap();
    let err = stderr(&build_err(&site, &out));
    assert!(err.contains("undated.md:1:1"), "{err}");
    assert!(err.contains("the front matter has no `date:`"), "{err}");
    assert!(err.contains("start the file name with the date"), "{err}");
}
