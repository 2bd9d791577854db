//! "Cite this brief" (issue 16): every brief's `cite.bib`, `cite.ris` and
//! `cite.json`, and the sources' `sources/sources.bib`, read back by the tools
//! readers use (tests/tools/read_cite.py in tests/tools/venv): pybtex and
//! bibtexparser for BibTeX, rispy for RIS, the CSL-JSON schema (jsonschema) and
//! citeproc-py for CSL-JSON; and by Biber, when it is installed, which checks the
//! entries against biblatex's data model. What they read must be what the brief
//! and the sources say, hostile text included; the Cite box on the page must say
//! it too and link the files; two builds must give the same bytes.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use serde_json::{Value, json};

/// What the citation of a brief must say.
struct Want {
    slug: String,
    title: String,
    authors: Vec<String>,
    /// ISO dates: published, and accessed (when it last changed).
    date: String,
    accessed: String,
    url: String,
    site: String,
    summary: Option<String>,
    topics: Vec<String>,
}

impl Want {
    fn key(&self) -> String {
        format!("{}-{}", self.slug, &self.date[..4])
    }
}

/// Read every citation file of `out` back (read_cite.py); no parser may have
/// failed on any.
fn read_back(out: &Path) -> Value {
    let o = Command::new(python())
        .arg(repo().join("tests/tools/read_cite.py"))
        .arg(out)
        .output()
        .unwrap();
    assert!(o.status.success(), "read_cite.py: {}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["problems"], json!([]), "the readers' problems");
    v
}

/// A brief's front matter, as YAML reads it.
fn front_matter(md: &Path) -> Value {
    let text = read(md);
    let yaml = text
        .strip_prefix("---\n")
        .and_then(|t| t.split_once("\n---\n"))
        .map(|(f, _)| f)
        .unwrap();
    yaml_serde::from_str(yaml).unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

/// The page's Updated date, as `(ISO, as shown)`, if it shows one.
fn page_updated(page: &str) -> Option<(String, String)> {
    let start = "<dt>Updated</dt><dd><time datetime=\"";
    let rest = &page[page.find(start)? + start.len()..];
    let (iso, rest) = rest.split_once("\">")?;
    let (shown, _) = rest.split_once("</time>")?;
    Some((iso.to_string(), shown.to_string()))
}

/// Text as the page's HTML writes it.
fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Both BibTeX parsers read the brief's one `@online` entry as it should be.
fn check_bibtex(got: &Value, w: &Want) {
    let key = w.key();
    for parser in ["pybtex", "bibtexparser"] {
        let entries = got[parser].as_object().unwrap();
        assert_eq!(entries.len(), 1, "{parser}: {entries:?}");
        let e = &entries[&key];
        let f = &e["fields"];
        let at = format!("{} ({parser})", w.slug);
        assert_eq!(e["type"], "online", "{at}");
        assert_eq!(f["title"], w.title.as_str(), "{at}");
        assert_eq!(f["date"], w.date.as_str(), "{at}");
        assert_eq!(f["urldate"], w.accessed.as_str(), "{at}");
        assert_eq!(f["url"], w.url.as_str(), "{at}");
        assert_eq!(f["organization"], w.site.as_str(), "{at}");
        assert_eq!(f["keywords"], w.topics.join(", ").as_str(), "{at}");
        match &w.summary {
            Some(s) => assert_eq!(f["abstract"], s.as_str(), "{at}"),
            None => assert!(f.get("abstract").is_none(), "{at}"),
        }
        let names: Vec<Value> = match parser {
            // pybtex: each name one braced part, never split into given and family.
            "pybtex" => w
                .authors
                .iter()
                .map(|a| json!({"name": a, "parts": 1}))
                .collect(),
            _ => w.authors.iter().map(|a| json!(a)).collect(),
        };
        assert_eq!(e["authors"], Value::Array(names), "{at}");
    }
}

/// rispy reads the record, and every line is a tag line ending in CR LF.
fn check_ris(got: &Value, text: &str, w: &Want) {
    let r = &got["ris"];
    assert_eq!(r.as_array().unwrap().len(), 1, "{}: {r}", w.slug);
    let r = &r[0];
    let day = |iso: &str| format!("{}/", iso.replace('-', "/"));
    assert_eq!(r["type_of_reference"], "ELEC");
    assert_eq!(r["title"], w.title.as_str());
    assert_eq!(strings(&r["authors"]), w.authors);
    assert_eq!(r["secondary_title"], w.site.as_str());
    assert_eq!(r["year"], &w.date[..4]);
    assert_eq!(r["date"], day(&w.date).as_str());
    assert_eq!(r["access_date"], day(&w.accessed).as_str());
    assert_eq!(strings(&r["urls"]), [w.url.as_str()]);
    assert_eq!(strings(&r["keywords"]), w.topics);
    assert_eq!(r["id"], w.key().as_str());
    assert!(text.ends_with("\r\nER  - \r\n"), "{text:?}");
    let lines: Vec<&str> = text.split_terminator("\r\n").collect();
    assert_eq!(lines[0], "TY  - ELEC");
    for l in &lines {
        let (tag, rest) = l.split_at(2);
        assert!(
            tag.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                && rest.starts_with("  - ")
                && !l.contains(['\r', '\n']),
            "{}: not a RIS line: {l:?}",
            w.slug
        );
    }
    assert_eq!(lines.iter().filter(|l| l.starts_with("ER")).count(), 1);
}

/// The CSL-JSON item (schema-valid: read_back reports otherwise), and
/// citeproc-py's reference made from it.
fn check_csl(got: &Value, w: &Want) {
    let items = got["csl"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    let i = &items[0];
    let parts = |iso: &str| -> Value {
        let p: Vec<u32> = iso.split('-').map(|n| n.parse().unwrap()).collect();
        json!({"date-parts": [p]})
    };
    assert_eq!(i["id"], w.key().as_str());
    assert_eq!(i["type"], "webpage");
    assert_eq!(i["title"], w.title.as_str());
    let literal: Vec<Value> = w.authors.iter().map(|a| json!({"literal": a})).collect();
    assert_eq!(i["author"], Value::Array(literal));
    assert_eq!(i["issued"], parts(&w.date));
    assert_eq!(i["accessed"], parts(&w.accessed));
    assert_eq!(i["container-title"], w.site.as_str());
    assert_eq!(i["URL"], w.url.as_str());
    // The style names the first author (and "et al." for four or more).
    let formatted = got["csl"]["formatted"][0].as_str().unwrap();
    for part in [&w.title, &w.site, &w.url, &w.date[..4].to_string()]
        .into_iter()
        .chain(w.authors.first())
    {
        assert!(formatted.contains(part.as_str()), "{part} in {formatted}");
    }
}

/// The Cite box: its heading, the reference, and links to files that exist.
fn check_box(out: &Path, w: &Want) {
    let page = read(&out.join(format!("briefs/{}/index.html", w.slug)));
    assert!(page.contains(
        "<section class=\"cite\" aria-labelledby=\"cite-heading\">\n  <h2 id=\"cite-heading\">Cite this brief</h2>"
    ));
    let mut reference = match w.authors.as_slice() {
        [] => format!("<cite>{}</cite>. ({})", html(&w.title), &w.date[..4]),
        [rest @ .., last] => format!(
            "{} ({}). <cite>{}</cite>",
            html(&if rest.is_empty() {
                last.clone()
            } else {
                format!("{} and {last}", rest.join(", "))
            }),
            &w.date[..4],
            html(&w.title)
        ),
    };
    reference.push_str(&format!(
        ". {}. <a class=\"url\" href=\"{1}\">{1}</a>",
        html(&w.site),
        html(&w.url)
    ));
    if let Some((_, shown)) = page_updated(&page) {
        reference.push_str(&format!(" (updated {shown})."));
    }
    assert!(
        page.contains(&format!("<p class=\"reference\">{reference}</p>")),
        "{}: {reference}",
        w.slug
    );
    for (ext, label) in [("bib", "BibTeX"), ("ris", "RIS"), ("json", "CSL-JSON")] {
        let link = format!(
            "<a href=\"/briefs/{0}/cite.{ext}\" download=\"{0}.{ext}\">{label}</a>",
            w.slug
        );
        assert!(page.contains(&link), "{link}");
        assert!(out.join(format!("briefs/{}/cite.{ext}", w.slug)).is_file());
    }
}

/// Each brief of `got` (read_back's) checked against `wants`, format by format.
fn check_briefs(out: &Path, got: &Value, wants: &[Want]) {
    assert_eq!(got["briefs"].as_object().unwrap().len(), wants.len());
    for w in wants {
        let b = &got["briefs"][&w.slug];
        check_bibtex(b, w);
        let ris = read(&out.join(format!("briefs/{}/cite.ris", w.slug)));
        check_ris(b, &ris, w);
        check_csl(b, w);
        check_box(out, w);
    }
}

/// The Biber warnings and errors on `bib` (copied apart: Biber writes beside
/// it), with biblatex's data model checked; `None` when Biber is not installed.
fn biber(bib: &Path) -> Option<Vec<String>> {
    if Command::new("biber").arg("--version").output().is_err() {
        eprintln!(
            "biber is not installed: {} not checked by it",
            bib.display()
        );
        return None;
    }
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("check.bib");
    std::fs::copy(bib, &copy).unwrap();
    let o = Command::new("biber")
        .args(["--tool", "--validate-datamodel", "check.bib"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "biber: {}{}", stdout(&o), stderr(&o));
    Some(
        format!("{}{}", stdout(&o), stderr(&o))
            .lines()
            .filter(|l| l.starts_with("WARN") || l.starts_with("ERROR"))
            .map(str::to_string)
            .collect(),
    )
}

/// What the default site's briefs must say, from their front matter and the
/// settings; accessed is the Updated date the page shows, else the published.
fn default_site_wants(out: &Path) -> Vec<Want> {
    let site: Value = yaml_serde::from_str(&read(&repo().join("content/site.yaml"))).unwrap();
    let mut wants = Vec::new();
    for e in std::fs::read_dir(repo().join("content/briefs")).unwrap() {
        let path = e.unwrap().path();
        let f = front_matter(&path);
        let slug = path.file_stem().unwrap().to_string_lossy().into_owned();
        let date = f["date"].as_str().unwrap().to_string();
        let page = read(&out.join(format!("briefs/{slug}/index.html")));
        wants.push(Want {
            title: f["title"].as_str().unwrap().to_string(),
            authors: strings(&f["authors"]),
            accessed: page_updated(&page).map_or(date.clone(), |(iso, _)| iso),
            date,
            url: format!("{}briefs/{slug}/", site["base_url"].as_str().unwrap()),
            site: site["title"].as_str().unwrap().to_string(),
            summary: f["summary"].as_str().map(str::to_string),
            topics: strings(&f["topics"]),
            slug,
        });
    }
    wants
}

#[test]
fn every_brief_of_the_default_site_cites_itself_in_formats_that_read_back() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    build_default(&out, &[]);
    let wants = default_site_wants(&out);
    assert_eq!(wants.len(), 7);
    assert_eq!(wants[0].authors, ["Tumen briefing team"]);
    let got = read_back(&out);
    check_briefs(&out, &got, &wants);
    for w in &wants {
        let bib = out.join(format!("briefs/{}/cite.bib", w.slug));
        if let Some(problems) = biber(&bib) {
            assert_eq!(problems, Vec::<String>::new(), "{}", w.slug);
        }
    }
}

#[test]
fn the_sources_export_as_one_bibtex_file_linked_from_their_page() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    build_default(&out, &[]);
    let got = read_back(&out);
    let sources: Value =
        yaml_serde::from_str(&read(&repo().join("content/data/sources.yaml"))).unwrap();
    let rows = sources["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    for parser in ["pybtex", "bibtexparser"] {
        let entries = got["sources"][parser].as_object().unwrap();
        // The site's keys, in the site's order.
        let keys: Vec<&str> = entries.keys().map(String::as_str).collect();
        let want: Vec<&str> = rows.iter().map(|r| r["key"].as_str().unwrap()).collect();
        assert_eq!(keys, want, "{parser}");
        for r in rows {
            let e = &entries[r["key"].as_str().unwrap()];
            let f = &e["fields"];
            assert_eq!(e["type"], "misc");
            assert_eq!(f["title"], r["title"]);
            assert_eq!(f["date"], r["date"]);
            assert_eq!(f["annotation"], r["description"]);
            if r["author"] == "Not named in the copy used" {
                // No bogus author, nor publisher.
                assert!(
                    f.get("author").is_none() && f.get("organization").is_none(),
                    "{e}"
                );
                assert_eq!(e["authors"], json!([]));
            } else {
                assert_eq!(f["organization"], r["publisher"], "{parser}");
                let name = if parser == "pybtex" {
                    json!([{"name": r["author"], "parts": 1}])
                } else {
                    json!([r["author"]])
                };
                assert_eq!(e["authors"], name, "{parser}");
            }
        }
    }
    if let Some(problems) = biber(&out.join("sources/sources.bib")) {
        assert_eq!(problems, Vec::<String>::new());
    }
    let page = read(&out.join("sources/index.html"));
    assert!(
        page.contains("<a href=\"/sources/sources.bib\" download>BibTeX (sources.bib)</a>"),
        "the sources page links the file"
    );
}

/// A title, names, a summary and topics as hostile as YAML lets them be, in a
/// brief of the fixture site (whose name is `Fixture <Briefings> & Co`); and
/// sources with LaTeX's special characters, a statement of no author, a date no
/// machine reads, an address with spaces and braces, and keys that are no BibTeX
/// keys (one made the same as another's).
const HOSTILE_BRIEF: &str = r#"---
title: "Braces {x} & 100% $5 a_b #1 \"quoted\" 'single' <script>alert(1)</script> back\\slash ~tilde ^caret 1988--2022 a---b\n\tnew line\a and bell\u2028Россия 한국"
date: 2024-02-03
updated: 2024-03-04
summary: "Sum {mary}: 50% & <b>bold</b> \\end{document} %comment"
authors: ["Kim Jong Un", "Ministry of Trade and Industry", "O'Brien, Pat", "Иван Петров", "{Braced} and \\ Co"]
topics: [торговля, 무역]
---

Body.
"#;

const HOSTILE_SOURCES: &str = r#"
  - {key: "odd key{1}", title: "Odd {title} & 5% of $ #1 <b> \\ ~ ^", author: "Not named in the copy used", publisher: "Smith & Sons and Co {Ltd}", date: "Spring 2019", url: "https://example.org/a b?q=1&x={y}#z"}
  - {key: "odd-key-1", title: "Второй источник", author: "Пётр Иванов", publisher: "Пётр Иванов", date: "2019-05"}
"#;

/// The hostile title as every format must give it back: one line, the control
/// character dropped, everything else as written.
const HOSTILE_TITLE: &str = "Braces {x} & 100% $5 a_b #1 \"quoted\" 'single' <script>alert(1)</script> back\\slash ~tilde ^caret 1988--2022 a---b new line and bell Россия 한국";

#[test]
fn hostile_text_reads_back_as_written_from_every_format() {
    let (tmp, site) = copy_fixture("basic");
    std::fs::write(site.join("briefs/hostile.md"), HOSTILE_BRIEF).unwrap();
    let sources = site.join("data/sources.yaml");
    std::fs::write(&sources, read(&sources) + HOSTILE_SOURCES).unwrap();
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    let got = read_back(&out);
    let brief = |slug: &str, title: &str, date: &str, accessed: &str, summary: Option<&str>| Want {
        slug: slug.into(),
        title: title.into(),
        authors: vec!["Test Analyst".into()],
        date: date.into(),
        accessed: accessed.into(),
        url: format!("https://example.org/briefs/{slug}/"),
        site: "Fixture <Briefings> & Co".into(),
        summary: summary.map(str::to_string),
        topics: Vec::new(),
    };
    let mut hostile = brief(
        "hostile",
        HOSTILE_TITLE,
        "2024-02-03",
        "2024-03-04",
        Some("Sum {mary}: 50% & <b>bold</b> \\end{document} %comment"),
    );
    hostile.authors = [
        "Kim Jong Un",
        "Ministry of Trade and Industry",
        "O'Brien, Pat",
        "Иван Петров",
        "{Braced} and \\ Co",
    ]
    .map(String::from)
    .to_vec();
    hostile.topics = vec!["торговля".into(), "무역".into()];
    let mut trade = brief(
        "trade",
        "Trade: collapse & <recovery>",
        "2024-03-01",
        "2024-03-01",
        Some("Trade fell from {{ value }} to a plateau."),
    );
    // Topics by the names their pages give them.
    trade.topics = vec!["Trade".into(), "energy".into()];
    // No authors of its own: the site's.
    let mut debt = brief("debt", "Soviet-era debt", "2024-04-01", "2024-05-02", None);
    debt.topics = vec!["Trade".into(), "Debt".into()];
    check_briefs(&out, &got, &[hostile, trade, debt]);
    let page = read(&out.join("briefs/hostile/index.html"));
    assert!(!page.contains("<script>alert") && !page.contains("<b>bold"));
    assert!(page.contains("(updated 4 March 2024)."));
    let bib = out.join("briefs/hostile/cite.bib");
    if let Some(problems) = biber(&bib) {
        assert_eq!(problems, Vec::<String>::new());
    }
    check_hostile_sources(&got, &out);
}

/// The hostile sources read back: keys made valid and kept apart, no author for
/// "Not named", the publisher that repeats the author left out, the date no
/// machine reads kept as a note, the address percent-encoded.
fn check_hostile_sources(got: &Value, out: &Path) {
    for parser in ["pybtex", "bibtexparser"] {
        let all = &got["sources"][parser];
        assert_eq!(
            all.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["memo-2016", "iss-2014", "odd-key-1", "odd-key-1-2"],
            "{parser}"
        );
        let odd = &all["odd-key-1"];
        assert_eq!(
            odd["fields"]["title"],
            "Odd {title} & 5% of $ #1 <b> \\ ~ ^"
        );
        assert!(odd["fields"].get("author").is_none(), "{odd}");
        assert_eq!(odd["authors"], json!([]), "{parser}");
        assert_eq!(odd["fields"]["organization"], "Smith & Sons and Co {Ltd}");
        assert_eq!(odd["fields"]["note"], "Spring 2019");
        assert!(odd["fields"].get("date").is_none());
        assert_eq!(
            odd["fields"]["url"],
            "https://example.org/a%20b?q=1&x=%7By%7D#z"
        );
        let second = &all["odd-key-1-2"];
        assert_eq!(second["fields"]["title"], "Второй источник");
        assert_eq!(second["fields"]["date"], "2019-05");
        assert!(second["fields"].get("organization").is_none(), "{second}");
        // The fixture's "Anonymous" is a name a work is cited by.
        let anonymous = match parser {
            "pybtex" => json!([{"name": "Anonymous", "parts": 1}]),
            _ => json!(["Anonymous"]),
        };
        assert_eq!(all["memo-2016"]["authors"], anonymous);
    }
    if let Some(problems) = biber(&out.join("sources/sources.bib")) {
        // The one thing Biber may say: the source with no date has none.
        assert_eq!(
            problems,
            [
                "WARN - Datamodel: Entry 'odd-key-1' (check.bib): Missing mandatory field - one of 'date, year' must be defined"
            ]
        );
    }
}

#[test]
fn the_same_sources_make_the_same_citation_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    build_default(&a, &[]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    build_default(&b, &[]);
    let (ta, tb) = (tree(&a), tree(&b));
    let made: Vec<&String> = ta
        .keys()
        .filter(|k| k.contains("/cite.") || k.ends_with(".bib"))
        .collect();
    assert_eq!(made.len(), 7 * 3 + 1, "{made:?}");
    for k in made {
        assert!(ta[k] == tb[k], "{k} differs between two builds");
    }
}

#[test]
fn citation_files_record_what_they_are_made_from() {
    use tumen::deps::Dep;
    let (tmp, site) = copy_fixture("basic");
    let opts = options(&site, &tmp.path().join("out"));
    let (_site, rendered) = tumen::build::render_site(&opts).expect("fixture renders");
    for ext in ["bib", "ris", "json"] {
        let deps = &rendered.deps[&format!("briefs/trade/cite.{ext}")];
        assert_eq!(deps.len(), 2, "{deps:?}");
        assert!(deps.contains(&Dep::Config));
        assert!(
            deps.iter()
                .any(|d| matches!(d, Dep::Brief(p) if p.ends_with("briefs/trade.md")))
        );
    }
    assert_eq!(
        rendered.deps["sources/sources.bib"],
        [Dep::Dataset("sources".into())].into()
    );
}

/// A site with no sources and no host in its base URL: no sources file, and
/// citations without an address (a bare path is none a reader's library can
/// open), still valid CSL-JSON.
#[test]
fn without_sources_or_a_host_there_is_no_file_and_no_address() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    std::fs::create_dir_all(site.join("briefs")).unwrap();
    std::fs::write(
        site.join("site.yaml"),
        "title: Bare notes.
base_url: /notes/
",
    )
    .unwrap();
    std::fs::write(
        site.join("briefs/a.md"),
        "---\ntitle: Why?\ndate: 2023-07-09\n---\n\nText.\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    assert!(!out.join("sources/sources.bib").exists());
    assert!(!read(&out.join("sources/index.html")).contains("sources.bib"));
    let got = read_back(&out);
    let item = &got["briefs"]["a"]["csl"]["items"][0];
    assert_eq!(
        *item,
        json!({"id": "a-2023", "citation-key": "a-2023", "type": "webpage", "title": "Why?",
               "issued": {"date-parts": [[2023, 7, 9]]}, "container-title": "Bare notes.", "language": "en"})
    );
    let bib = &got["briefs"]["a"]["pybtex"]["a-2023"]["fields"];
    assert_eq!(
        *bib,
        json!({"title": "Why?", "date": "2023-07-09", "organization": "Bare notes."})
    );
    let ris = read(&out.join("briefs/a/cite.ris"));
    assert_eq!(
        ris,
        "TY  - ELEC\r\nTI  - Why?\r\nT2  - Bare notes.\r\nPY  - 2023\r\nDA  - 2023/07/09/\r\nLA  - en\r\nID  - a-2023\r\nER  - \r\n"
    );
    let page = read(&out.join("briefs/a/index.html"));
    assert!(
        page.contains("<p class=\"reference\"><cite>Why?</cite> (2023). Bare notes.</p>"),
        "no author: the title first; no address"
    );
    assert!(page.contains("<a href=\"/notes/briefs/a/cite.bib\" download=\"a.bib\">BibTeX</a>"));
}
