//! The default site (content/): the Russia–DPRK briefing set. Checks what its issue
//! asks of it: enough briefs of the right length citing real sources, enough charts
//! of enough kinds, the figures of ../shared/sources/FACTS.md in the datasets with
//! their source keys, both sides of every disagreement, numbers taken from the data,
//! and no sentence copied from the source documents.

mod common;

use common::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

fn briefs() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(repo().join("content/briefs")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            out.push((
                p.file_stem().unwrap().to_string_lossy().into_owned(),
                read(&p),
            ));
        }
    }
    out.sort();
    out
}

/// The body without front matter, chart blocks and footnote definitions; an inline
/// value counts as one word.
fn prose(text: &str) -> String {
    let body = text.splitn(3, "---\n").nth(2).unwrap_or("");
    let mut out = String::new();
    let mut in_chart = false;
    for line in body.lines() {
        if line.starts_with("```chart") {
            in_chart = true;
            continue;
        }
        if in_chart {
            in_chart = !line.starts_with("```");
            continue;
        }
        if line.starts_with("[^") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    let mut plain = String::new();
    let mut rest = out.as_str();
    while let Some(i) = rest.find("{{") {
        plain.push_str(&rest[..i]);
        plain.push_str(" VALUE ");
        rest = rest[i..].find("}}").map_or("", |j| &rest[i + j + 2..]);
    }
    plain.push_str(rest);
    plain
}

fn front(text: &str, key: &str) -> String {
    text.lines()
        .skip(1)
        .take_while(|l| *l != "---")
        .find_map(|l| l.strip_prefix(&format!("{key}: ")))
        .unwrap_or("")
        .to_string()
}

#[test]
fn at_least_six_briefs_of_600_to_1500_words_citing_real_sources() {
    let briefs = briefs();
    assert!(briefs.len() >= 6, "{} briefs", briefs.len());
    let sources = read(&repo().join("content/data/sources.yaml"));
    for (name, text) in &briefs {
        let words = prose(text).split_whitespace().count();
        assert!((600..=1500).contains(&words), "{name}: {words} words");
        let cited = front(text, "sources");
        let keys: Vec<&str> = cited
            .trim_matches(['[', ']'])
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .collect();
        assert!(!keys.is_empty(), "{name} cites no source");
        for k in keys {
            assert!(
                sources.contains(&format!("key: {k},")),
                "{name} cites unknown source {k}"
            );
        }
        assert!(
            !front(text, "date").is_empty()
                && !front(text, "topics").is_empty()
                && !front(text, "countries").is_empty(),
            "{name}: date, topics and countries"
        );
    }
    // The overview links every other brief.
    let (_, overview) = briefs
        .iter()
        .find(|(n, _)| n.contains("overview"))
        .expect("an overview brief");
    for (name, _) in &briefs {
        if !name.contains("overview") {
            assert!(
                overview.contains(&format!("({name}.md")),
                "the overview does not link {name}"
            );
        }
    }
}

#[test]
fn at_least_eight_charts_of_four_types_and_figures_from_the_data() {
    let mut kinds = BTreeSet::new();
    let mut charts = 0;
    for (name, text) in briefs() {
        let mut lines = text.lines();
        while let Some(l) = lines.next() {
            if l.starts_with("```chart") {
                charts += 1;
                for l in lines.by_ref() {
                    if l.starts_with("```") {
                        break;
                    }
                    if let Some(k) = l.strip_prefix("type: ") {
                        kinds.insert(k.trim().to_string());
                    }
                }
            }
        }
        if !name.contains("overview") {
            let values = text.matches("{{ value(").count();
            assert!(
                values >= 5,
                "{name}: only {values} figures come from the data"
            );
        }
    }
    assert!(charts >= 8, "{charts} charts");
    assert!(kinds.len() >= 4, "chart types: {kinds:?}");
    // And the build draws them all.
    let tmp = tempfile::tempdir().unwrap();
    let o = build_default(&tmp.path().join("o"), &[]);
    let built: usize = stdout(&o)
        .split(" charts")
        .next()
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(built >= charts, "{}", stdout(&o));
}

#[test]
fn a_brief_citing_a_missing_row_fails_the_build() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("content");
    copy_dir(&repo().join("content"), &site);
    let brief = site.join("briefs/trade-turnover-1988-2022.md");
    let text = read(&brief);
    let broken = text.replacen("where=\"year=1988", "where=\"year=1987", 1);
    assert_ne!(
        text, broken,
        "the trade brief quotes the 1988 figure from the data"
    );
    std::fs::write(&brief, broken).unwrap();
    let o = build_err(&site, &tmp.path().join("out"));
    assert!(
        stderr(&o).contains("no row of trade-turnover matches where=\"year=1987"),
        "{}",
        stderr(&o)
    );
}

/// Rows of a dataset file, as text lines.
fn rows(name: &str) -> Vec<String> {
    read(&repo().join(format!("content/data/{name}.yaml")))
        .lines()
        .filter(|l| l.trim_start().starts_with("- {") && !l.contains("type:"))
        .map(str::to_string)
        .collect()
}

fn has_row(name: &str, parts: &[&str]) -> bool {
    rows(name)
        .iter()
        .any(|r| parts.iter().all(|p| r.contains(p)))
}

#[test]
fn datasets_hold_the_facts_with_their_source_keys() {
    let shared = repo().join("../shared/sources/FACTS.md");
    let facts = std::fs::read_to_string(&shared).unwrap_or_else(|_| {
        panic!(
            "{} is needed (CI has shared/ beside the clone)",
            shared.display()
        )
    });
    // The turnover table of FACTS.md, row by row.
    let mut checked = 0;
    for line in facts
        .lines()
        .skip_while(|l| !l.starts_with("## Bilateral trade turnover"))
        .skip(4)
    {
        if !line.starts_with('|') {
            break;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (year, value, source) = (cells[1], cells[2].trim_start_matches('~'), cells[4]);
        let key = source.split([',', ';']).next().unwrap().trim();
        assert!(
            has_row(
                "trade-turnover",
                &[
                    &format!("year: {year}"),
                    &format!("turnover: {value},"),
                    &format!("source: {key}")
                ]
            ),
            "trade-turnover lacks {year} = {value} from {key}"
        );
        checked += 1;
    }
    assert_eq!(checked, 10, "FACTS.md's turnover table has ten rows");
    for (data, parts) in [
        ("trade-2013-direction", &["103.4", "iss-2014"][..]),
        ("trade-2013-direction", &["9.3", "iss-2014"]),
        ("investment-projects", &["value: 171", "memo-2016"]),
        ("investment-projects", &["value: 109", "memo-2016"]),
        ("investment-projects", &["value: 250", "iss-2014"]),
        ("investment-projects", &["value: 3500", "iss-2014"]),
        ("china-russia-trade", &["value: 900", "memo-2016"]),
        ("trade-targets", &["value: 1000", "iss-2014"]),
        ("labour", &["value: 50000", "memo-2016"]),
        ("labour", &["value: 30000", "memo-2016"]),
        ("key-facts", &["value: 10,", "memo-2016"]),
        ("key-facts", &["value: 90,", "memo-2016"]),
        ("key-facts", &["value: 10.69", "rb-2019"]),
        ("key-facts", &["value: 3.72", "rb-2019"]),
    ] {
        assert!(has_row(data, parts), "{data} lacks a row with {parts:?}");
    }
    for (data, n) in [("timeline", 20), ("forums", 9), ("sources", 4)] {
        assert!(
            rows(data).len() >= n,
            "{data} has {} rows",
            rows(data).len()
        );
    }
}

#[test]
fn both_sides_of_each_disagreement_are_kept_and_told() {
    // In the data, each value with its own source…
    assert!(has_row(
        "trade-turnover",
        &["year: 2012", "turnover: 110", "memo-2016"]
    ));
    assert!(has_row(
        "trade-turnover",
        &["year: 2012", "turnover: 75.6", "iss-2014"]
    ));
    assert!(has_row("key-facts", &["value: 17,", "km", "memo-2016"]));
    assert!(has_row("key-facts", &["value: 18,", "miles", "rb-2019"]));
    assert!(has_row("china-russia-trade", &["value: 6000", "memo-2016"]));
    assert!(has_row("china-russia-trade", &["value: 6500", "iss-2014"]));
    // …and the briefs say so, in the built pages.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    build_default(&out, &[]);
    let all: String = tree(&out)
        .iter()
        .filter(|(k, _)| k.starts_with("briefs/") && k.ends_with("index.html"))
        .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
        .collect();
    for pair in [["75.6", "110"], ["17 km", "18 miles"], ["6,000", "6,500"]] {
        for v in pair {
            assert!(all.contains(v), "no brief states {v} ({pair:?})");
        }
    }
}

fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn no_run_of_twelve_words_is_copied_from_the_sources() {
    let dir = repo().join("../shared/sources");
    let mut shingles: BTreeMap<Vec<String>, String> = BTreeMap::new();
    let files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|_| {
            panic!(
                "{} is needed (CI has shared/ beside the clone)",
                dir.display()
            )
        })
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    assert_eq!(files.len(), 4);
    for f in &files {
        let w = words(&read(f));
        for s in w.windows(12) {
            shingles.insert(
                s.to_vec(),
                f.file_name().unwrap().to_string_lossy().into_owned(),
            );
        }
    }
    let mut ours: Vec<(String, String)> =
        briefs().into_iter().map(|(n, t)| (n, prose(&t))).collect();
    for e in std::fs::read_dir(repo().join("content/data")).unwrap() {
        let p = e.unwrap().path();
        ours.push((p.display().to_string(), read(&p)));
    }
    for (name, text) in ours {
        let w = words(&text);
        for s in w.windows(12) {
            if let Some(src) = shingles.get(s) {
                panic!("{name} copies 12 words from {src}: \"{}\"", s.join(" "));
            }
        }
    }
}

#[test]
fn a_timeline_page_and_a_forums_directory_from_their_datasets() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    build_default(&out, &[]);
    let timeline = read(&out.join("data/timeline/index.html"));
    let dates: Vec<&str> = timeline
        .split("<time datetime=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert_eq!(dates.len(), rows("timeline").len(), "an entry per row");
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted, "in date order");
    assert!(
        timeline.contains(">August 2011</time>"),
        "dates as a reader writes them"
    );
    let forums = read(&out.join("data/forums/index.html"));
    assert_eq!(
        forums.matches("<section class=\"entry\"").count(),
        rows("forums").len()
    );
    assert!(forums.contains(">Six-Party Talks</h2>"));
    // Both are in the menu of every page.
    let home = read(&out.join("index.html"));
    assert!(
        home.contains("href=\"/data/timeline/\">Timeline</a>")
            && home.contains("href=\"/data/forums/\">Forums</a>")
    );
}
