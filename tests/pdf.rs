//! Briefs as PDFs (issue 16), read back with real PDF readers: poppler's
//! `pdftotext`, `pdfinfo` and `pdffonts`, and pypdf for the links between each
//! note's number and its text (tests/tools/pdf_links.py).
//!
//! What a reader of the default site's PDFs must find: the title, every figure's
//! caption, each note's text at the foot of the page where it is cited (not at
//! the end), the metadata, A4 pages, only embedded fonts, the same bytes from two
//! builds; and that nothing an author writes can act as Typst code.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::*;
use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// The default site built once with `--pdf`, for the tests that read it.
fn default_pdfs() -> &'static Path {
    static OUT: OnceLock<PathBuf> = OnceLock::new();
    OUT.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap().keep();
        let out = tmp.join("out");
        build_default(&out, &["--pdf"]);
        out
    })
}

fn run(program: &str, args: &[&str]) -> String {
    let o = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e} (scripts/test installs poppler-utils)"));
    assert!(o.status.success(), "{program} {args:?}: {}", stderr(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The text of page `n` (from 1), as pdftotext reads it, whitespace made single.
fn page_text(pdf: &Path, n: usize) -> String {
    let n = n.to_string();
    let text = run(
        "pdftotext",
        &["-f", &n, "-l", &n, pdf.to_str().unwrap(), "-"],
    );
    squash(&text)
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn pdfinfo(pdf: &Path) -> BTreeMap<String, String> {
    run("pdfinfo", &[pdf.to_str().unwrap()])
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// A brief's notes as its Markdown has them: the label of each citation, in
/// order, and each note's text as plain text.
fn notes(markdown: &str) -> (Vec<String>, BTreeMap<String, String>) {
    let body = markdown.splitn(3, "---\n").nth(2).unwrap();
    let mut cited = Vec::new();
    let mut texts = BTreeMap::new();
    let mut open: Option<(String, String)> = None;
    for ev in Parser::new_ext(body, tumen::markdown::options()) {
        match ev {
            Event::Start(Tag::FootnoteDefinition(l)) => open = Some((l.to_string(), String::new())),
            Event::End(TagEnd::FootnoteDefinition) => {
                let (l, t) = open.take().unwrap();
                texts.insert(l, squash(&t));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, text)) = open.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::SoftBreak => {
                if let Some((_, text)) = open.as_mut() {
                    text.push(' ');
                }
            }
            Event::FootnoteReference(l) if open.is_none() => cited.push(l.to_string()),
            _ => {}
        }
    }
    (cited, texts)
}

/// The page (from 1) of each note's number in the text, in reading order: the
/// links that point down their page to the note's entry (pdf_links.py).
fn citation_pages(pdf: &Path) -> Vec<usize> {
    let python = repo().join("tests/tools/venv/bin/python");
    let script = repo().join("tests/tools/pdf_links.py");
    let out = run(
        python.to_str().unwrap(),
        &[script.to_str().unwrap(), pdf.to_str().unwrap()],
    );
    let mut markers = Vec::new();
    for line in out.lines() {
        let l: serde_json::Value = serde_json::from_str(line).unwrap();
        let (page, dest) = (
            l["page"].as_u64().unwrap(),
            l["dest_page"].as_u64().unwrap(),
        );
        let (top, dest_top) = (l["top"].as_f64().unwrap(), l["dest_top"].as_f64().unwrap());
        assert_eq!(
            page, dest,
            "a note's number and its text are on different pages: {line}"
        );
        if top > dest_top {
            markers.push((page as usize + 1, -top, l["left"].as_f64().unwrap()));
        }
    }
    markers.sort_by(|a, b| a.partial_cmp(b).unwrap());
    markers.into_iter().map(|(p, _, _)| p).collect()
}

fn briefs() -> Vec<(String, PathBuf)> {
    let dir = repo().join("content/briefs");
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    out.sort();
    assert!(out.len() >= 7);
    out
}

#[test]
fn every_note_is_printed_at_the_foot_of_the_page_where_it_is_cited() {
    let out = default_pdfs();
    for (slug, md) in briefs() {
        let pdf = out.join(format!("briefs/{slug}/{slug}.pdf"));
        let (cited, texts) = notes(&read(&md));
        let pages = citation_pages(&pdf);
        assert_eq!(
            pages.len(),
            cited.len(),
            "{slug}: one number in the text per citation"
        );
        for (k, (label, page)) in cited.iter().zip(&pages).enumerate() {
            let text = page_text(&pdf, *page);
            assert!(
                text.contains(&texts[label]),
                "{slug}: note {} ({label}) is cited on page {page} but its text is not there:\n{}\n--- page text:\n{text}",
                k + 1,
                texts[label]
            );
        }
        let last = pdfinfo(&pdf)["Pages"].parse::<usize>().unwrap();
        let end = page_text(&pdf, last);
        for label in texts.keys() {
            let at_end_only = !pages.contains(&last) && end.contains(&texts[label]);
            assert!(!at_end_only, "{slug}: note {label} is gathered at the end");
        }
    }
}

#[test]
fn titles_captions_metadata_and_fonts_are_all_there() {
    let out = default_pdfs();
    for (slug, md) in briefs() {
        let pdf = out.join(format!("briefs/{slug}/{slug}.pdf"));
        let src = read(&md);
        let title = src.lines().find_map(|l| l.strip_prefix("title: ")).unwrap();
        let title = title.trim_matches('"');
        let info = pdfinfo(&pdf);
        assert_eq!(info["Title"], title, "{slug}");
        assert_eq!(info["Author"], "Tumen briefing team", "{slug}");
        assert!(info["Page size"].contains("(A4)"), "{slug}: {info:?}");
        assert_eq!(info["Tagged"], "yes", "{slug}");
        let meta = run("pdfinfo", &["-meta", pdf.to_str().unwrap()]);
        assert!(
            meta.contains("pdfuaid:part>1<"),
            "{slug}: claims PDF/UA-1: {meta}"
        );
        assert_eq!(info["Creator"], "tumen", "{slug}");
        assert!(
            !info["Keywords"].is_empty(),
            "{slug}: the topics are the keywords"
        );
        let all = squash(&run("pdftotext", &[pdf.to_str().unwrap(), "-"]));
        assert!(
            page_text(&pdf, 1).contains(&squash(title)),
            "{slug}: title on page 1"
        );
        for caption in src.lines().filter_map(|l| l.strip_prefix("caption: ")) {
            assert!(
                all.contains(&squash(caption)),
                "{slug}: caption missing: {caption}"
            );
        }
        assert!(all.contains("Page 1 of"), "{slug}: page numbers");
        let fonts = run("pdffonts", &[pdf.to_str().unwrap()]);
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert!(rows.len() >= 3, "{slug}: {fonts}");
        for row in rows {
            let cols: Vec<&str> = row.split_whitespace().collect();
            let emb = cols[cols.len() - 5];
            assert_eq!(emb, "yes", "{slug}: a font is not embedded: {row}");
        }
        let size = std::fs::metadata(&pdf).unwrap().len();
        assert!(size < 500_000, "{slug}: {size} bytes");
    }
}

#[test]
fn each_brief_page_links_its_pdf_with_its_size_and_the_sitemap_lists_it() {
    let out = default_pdfs();
    let sitemap = read(&out.join("sitemap.xml"));
    for (slug, _) in briefs() {
        let page = read(&out.join(format!("briefs/{slug}/index.html")));
        let size = std::fs::metadata(out.join(format!("briefs/{slug}/{slug}.pdf")))
            .unwrap()
            .len();
        let link = format!("<a href=\"/briefs/{slug}/{slug}.pdf\" download>Download PDF</a>");
        assert!(page.contains(&link), "{slug}: {link}");
        assert!(
            page.contains(&format!("({} kB", size.div_ceil(1000))),
            "{slug}"
        );
        let url = format!("<loc>https://briefings.example.org/briefs/{slug}/{slug}.pdf</loc>");
        assert!(sitemap.contains(&url), "{url}");
    }
}

#[test]
fn two_builds_give_the_same_pdf_bytes_and_without_pdf_there_are_none() {
    let tmp = tempfile::tempdir().unwrap();
    let again = tmp.path().join("again");
    let built = build_default(&again, &["--pdf"]);
    let summary = stdout(&built);
    assert!(
        summary.contains(&format!(" charts, {} PDFs in ", briefs().len())),
        "{summary}"
    );
    let pdfs = |t: &BTreeMap<String, Vec<u8>>| -> BTreeMap<String, Vec<u8>> {
        t.iter()
            .filter(|(p, _)| p.ends_with(".pdf"))
            .map(|(p, b)| (p.clone(), b.clone()))
            .collect()
    };
    let first = pdfs(&tree(default_pdfs()));
    assert_eq!(first.len(), briefs().len());
    assert!(
        first == pdfs(&tree(&again)),
        "PDF bytes differ between builds"
    );
    let plain = tmp.path().join("plain");
    build_default(&plain, &[]);
    assert!(pdfs(&tree(&plain)).is_empty());
    assert!(!read(&plain.join("sitemap.xml")).contains(".pdf"));
}

/// A brief written to break out of its markup: Typst syntax in every place an
/// author writes text.
const HOSTILE: &str = r##"---
title: "Set #set page(paper: \"a3\") *bold* $x$ <l> @ref [a] \\ ] ) 1. = Heading"
date: 2024-03-01
summary: "Summary with #import \"x\": * and $ and ]"
authors: ["A. \"Quote\" Author", "Пётр Иванов", "김정은 연구소"]
topics: [trade]
---

Text with #set text(fill: red) and #page(paper: "a5")[x], $1 + 2$, \<label>, @cite,
`#code "in" \quotes`, 50% ~ tilde \\ backslash // comment /* block */ and a_b_c.

## Русский раздел

Туманная — река. 두만강 is the Tumen river in Korean.[^k]

- #list item one
- = not a heading
+ plus

| Col #1 | *x* |
|--------|----:|
| ]      | 1.5 |

Link to [a missing anchor](#nowhere), [a heading](#русский-раздел) and <https://example.org/?a=1&b=2>.

<div onclick="alert(1)">raw *html* kept as text<script>alert(2)</script></div>

![An image's alt](/static/none.png)

```rust
let s = "#set page(paper: \"a3\")"; // \n
```

#### A skipped heading level

[^k]: A note with #emph[typst] inside and 두만강.
"##;

#[test]
fn nothing_an_author_writes_acts_as_typst_code() {
    let (tmp, site) = copy_fixture("basic");
    std::fs::write(site.join("briefs/hostile.md"), HOSTILE).unwrap();
    let out = tmp.path().join("out");
    build_ok(&site, &out, &["--pdf"]);
    let pdf = out.join("briefs/hostile/hostile.pdf");
    let info = pdfinfo(&pdf);
    assert!(info["Page size"].contains("(A4)"), "{info:?}");
    assert!(
        info["Title"].starts_with("Set #set page(paper: \"a3\") *bold* $x$"),
        "{info:?}"
    );
    let text = squash(&run("pdftotext", &[pdf.to_str().unwrap(), "-"]));
    for expected in [
        "#set text(fill: red) and #page(paper: “a5”)[x], $1 + 2$, <label>, @cite,",
        "#code \"in\" \\quotes",
        "50% ~ tilde \\ backslash // comment /* block */ and a_b_c.",
        "Туманная — река. 두만강 is the Tumen river in Korean.",
        "A note with #emph[typst] inside and 두만강.",
        "#list item one",
        "= not a heading",
        "Col #1",
        "raw *html* kept as text",
        "An image’s alt",
        "let s = \"#set page(paper: \\\"a3\\\")\"; // \\n",
        "Пётр Иванов",
        "김정은 연구소",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(!text.contains("alert"), "{text}");
    // A skipped heading level keeps it from PDF/UA-1; it is still tagged.
    assert_eq!(info["Tagged"], "yes");
    assert!(!run("pdfinfo", &["-meta", pdf.to_str().unwrap()]).contains("pdfuaid"));
    let fonts = run("pdffonts", &[pdf.to_str().unwrap()]);
    assert!(
        fonts.contains("NanumMyeongjo"),
        "Korean in its embedded font: {fonts}"
    );
    assert!(
        fonts.contains("DejaVuSansMono"),
        "code in the mono font: {fonts}"
    );
}

#[test]
fn letter_paper_from_site_yaml_and_a_wrong_setting_is_an_error() {
    let (tmp, site) = copy_fixture("basic");
    let yaml = site.join("site.yaml");
    let config = read(&yaml);
    std::fs::write(&yaml, format!("{config}\npdf: {{paper: letter}}\n")).unwrap();
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    let pdf = out.join("briefs/trade/trade.pdf");
    assert!(pdfinfo(&pdf)["Page size"].contains("(letter)"));
    std::fs::write(&yaml, format!("{config}\npdf: {{paper: a3}}\n")).unwrap();
    let o = build_err(&site, &out);
    let err = stderr(&o);
    assert!(
        err.contains("site.yaml:") && err.contains("`paper` must be `a4` or `letter`"),
        "{err}"
    );
    assert!(pdf.exists(), "a failed build leaves the output as it was");
    std::fs::write(&yaml, format!("{config}\npdf: maybe\n")).unwrap();
    let err = stderr(&build_err(&site, &out));
    assert!(
        err.contains("`pdf` must be true, false or a mapping"),
        "{err}"
    );
}

#[test]
fn the_preview_serves_the_pdf_and_makes_it_again_when_the_brief_changes() {
    use common::server::{Server, edit};
    let (tmp, site) = copy_fixture("basic");
    let s = Server::start(&site, &tmp.path().join("out"), &["--pdf"]);
    let before = s.get_bytes("/briefs/trade/trade.pdf");
    assert!(
        before.starts_with(b"%PDF-"),
        "served from memory like the pages"
    );
    let mut events = s.events();
    edit(
        &site.join("briefs/trade.md"),
        "title: \"Trade: collapse & <recovery>\"",
        "title: \"Trade, edited live\"",
    );
    events.expect("reload", std::time::Duration::from_secs(30));
    let after = s.get_bytes("/briefs/trade/trade.pdf");
    let file = tmp.path().join("after.pdf");
    std::fs::write(&file, &after).unwrap();
    assert_eq!(pdfinfo(&file)["Title"], "Trade, edited live");
    let page = s.get("/briefs/trade/").body;
    assert!(
        page.contains(&format!("({} kB", after.len().div_ceil(1000))),
        "{page}"
    );
}

/// A PNG of 1×1 pixel.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

#[test]
fn the_sites_own_images_are_drawn_and_a_broken_one_is_named() {
    let (tmp, site) = copy_fixture("basic");
    std::fs::create_dir_all(site.join("static/img")).unwrap();
    std::fs::write(site.join("static/img/map.png"), PNG).unwrap();
    let brief = "---\ntitle: Map\ndate: 2024-01-01\n---\n\n![The border at Khasan](/img/map.png)\n\n![Elsewhere](https://example.org/x.png)\n";
    std::fs::write(site.join("briefs/map.md"), brief).unwrap();
    let out = tmp.path().join("out");
    build_ok(&site, &out, &["--pdf"]);
    let pdf = out.join("briefs/map/map.pdf");
    let images = run("pdfimages", &["-list", pdf.to_str().unwrap()]);
    let drawn = (images.lines().skip(2))
        .filter(|l| l.split_whitespace().nth(2) == Some("image"))
        .count();
    assert_eq!(drawn, 1, "one image drawn:\n{images}");
    let text = squash(&run("pdftotext", &[pdf.to_str().unwrap(), "-"]));
    assert!(
        text.contains("Elsewhere"),
        "an image from elsewhere is its description"
    );
    let before = tree(&out);
    std::fs::write(site.join("static/img/map.png"), b"not a png").unwrap();
    let args = [
        "build",
        "--pdf",
        "--site",
        site.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ];
    let o = tumen(&args, tmp.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("cannot make this brief's PDF") && err.contains("briefs/map.md"),
        "{err}"
    );
    assert!(
        err.contains("image") && !err.contains("internal error"),
        "{err}"
    );
    assert!(tree(&out) == before);
}
