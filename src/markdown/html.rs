//! A brief's Markdown to HTML, with what templates need beside the HTML: heading
//! anchors, a table of contents, footnotes gathered at the end with links back,
//! the word count and the first paragraph.

use std::collections::{BTreeMap, BTreeSet};

use pulldown_cmark::{CowStr, Event, HeadingLevel, Parser, Tag, TagEnd, html};

use super::{is_chart_block, options};
use serde::Serialize;

use crate::util::slug::slugify;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    pub toc: Vec<TocEntry>,
    pub words: usize,
    /// Plain text of the first paragraph, for a summary when none is written.
    pub first_paragraph: String,
}

/// Minutes at an adult's silent reading pace for non-fiction (~230 words a minute).
pub fn reading_minutes(words: usize) -> usize {
    words.div_ceil(230).max(1)
}

fn level(l: HeadingLevel) -> u8 {
    l as u8
}

/// Render a brief's body. `links` maps link targets as written to site paths, which
/// get `base_path` in front.
/// `figures` replace the body's chart blocks, in order.
pub fn render(
    body: &str,
    links: &BTreeMap<String, String>,
    base_path: &str,
    figures: &[String],
) -> Rendered {
    let events: Vec<Event> = Parser::new_ext(body, options()).collect();
    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    let mut toc = Vec::new();
    let mut used_ids: BTreeSet<String> = BTreeSet::new();
    let mut words = 0;
    let mut first_paragraph = String::new();
    let mut para_state = 0u8; // 0 before the first paragraph, 1 inside, 2 after

    // Footnotes: numbered by first reference; definitions moved to the end.
    let mut fn_numbers: BTreeMap<String, usize> = BTreeMap::new();
    let mut fn_refs: BTreeMap<String, usize> = BTreeMap::new();
    let mut fn_defs: BTreeMap<String, Vec<Event>> = BTreeMap::new();
    let mut in_def: Option<(String, Vec<Event>)> = None;

    let mut figure = 0;
    let mut i = 0;
    while i < events.len() {
        let ev = events[i].clone();
        i += 1;
        if let Some((_, buf)) = in_def.as_mut() {
            if let Event::End(TagEnd::FootnoteDefinition) = ev {
                let (name, buf) = in_def.take().expect("inside a definition");
                fn_defs.insert(name, buf);
            } else {
                if let Event::Text(t) = &ev {
                    words += t.split_whitespace().count();
                }
                buf.push(ev);
            }
            continue;
        }
        match ev {
            Event::Start(Tag::Heading {
                level: lv,
                id,
                classes,
                attrs,
            }) => {
                // Gather the heading's inline events to name its anchor.
                let mut inner = Vec::new();
                let mut text = String::new();
                while i < events.len() {
                    let e = events[i].clone();
                    i += 1;
                    if let Event::End(TagEnd::Heading(_)) = e {
                        break;
                    }
                    if let Event::Text(t) | Event::Code(t) = &e {
                        text.push_str(t);
                        words += t.split_whitespace().count();
                    }
                    inner.push(e);
                }
                let base = id.map(|s| s.to_string()).unwrap_or_else(|| {
                    let s = slugify(&text);
                    if s.is_empty() { "section".into() } else { s }
                });
                let mut unique = base.clone();
                let mut n = 1;
                while !used_ids.insert(unique.clone()) {
                    unique = format!("{base}-{n}");
                    n += 1;
                }
                if (2..=4).contains(&level(lv)) {
                    toc.push(TocEntry {
                        level: level(lv),
                        id: unique.clone(),
                        title: text.trim().to_string(),
                    });
                }
                out.push(Event::Start(Tag::Heading {
                    level: lv,
                    id: Some(CowStr::from(unique)),
                    classes,
                    attrs,
                }));
                out.extend(inner);
                out.push(Event::End(TagEnd::Heading(lv)));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest = match links.get(dest_url.as_ref()) {
                    Some(path) => CowStr::from(format!("{base_path}{path}")),
                    None => dest_url,
                };
                out.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url: dest,
                    title,
                    id,
                }));
            }
            Event::Start(Tag::CodeBlock(ref kind)) if is_chart_block(kind) => {
                while i < events.len() && !matches!(events[i], Event::End(TagEnd::CodeBlock)) {
                    i += 1;
                }
                i += 1;
                if let Some(f) = figures.get(figure) {
                    out.push(Event::Html(CowStr::from(f.clone())));
                }
                figure += 1;
            }
            // Labels match regardless of case, as pulldown-cmark matches them.
            Event::Start(Tag::FootnoteDefinition(name)) => {
                in_def = Some((name.to_lowercase(), Vec::new()));
            }
            Event::FootnoteReference(name) => {
                let name = name.to_lowercase();
                let next = fn_numbers.len() + 1;
                let n = *fn_numbers.entry(name.clone()).or_insert(next);
                let count = fn_refs.entry(name.clone()).or_insert(0);
                *count += 1;
                let slug = slugify(&name);
                let ref_id = if *count == 1 {
                    format!("fnref-{slug}")
                } else {
                    format!("fnref-{slug}-{count}")
                };
                // A bare number is all a screen reader would say of the link.
                out.push(Event::InlineHtml(CowStr::from(format!(
                    "<sup class=\"footnote-ref\" id=\"{ref_id}\"><a href=\"#fn-{slug}\" aria-label=\"Note {n}\">{n}</a></sup>"
                ))));
            }
            Event::Start(Tag::Paragraph) => {
                if para_state == 0 {
                    para_state = 1;
                }
                out.push(ev);
            }
            Event::End(TagEnd::Paragraph) => {
                if para_state == 1 {
                    para_state = 2;
                }
                out.push(ev);
            }
            Event::Text(ref t) => {
                words += t.split_whitespace().count();
                if para_state == 1 {
                    first_paragraph.push_str(t);
                }
                out.push(ev);
            }
            Event::Code(ref t) => {
                words += t.split_whitespace().count();
                if para_state == 1 {
                    first_paragraph.push_str(t);
                }
                out.push(ev);
            }
            Event::SoftBreak | Event::HardBreak if para_state == 1 => {
                first_paragraph.push(' ');
                out.push(ev);
            }
            other => out.push(other),
        }
    }

    let mut html_out = String::with_capacity(body.len() * 3 / 2);
    html::push_html(&mut html_out, out.into_iter());

    // Referenced footnotes, in the order of first reference.
    let mut numbered: Vec<(&String, &usize)> = fn_numbers.iter().collect();
    numbered.sort_by_key(|(_, n)| **n);
    if !numbered.is_empty() {
        html_out.push_str("<section class=\"footnotes\" aria-label=\"Notes\">\n<ol>\n");
        for (name, _) in numbered {
            let slug = slugify(name);
            let mut inner = String::new();
            if let Some(def) = fn_defs.remove(name.as_str()) {
                html::push_html(&mut inner, def.into_iter());
            }
            let back = format!(
                " <a href=\"#fnref-{slug}\" class=\"footnote-back\" aria-label=\"Back to the text\">↩</a>"
            );
            // Put the back link inside the last paragraph, where readers look for it.
            match inner.rfind("</p>") {
                Some(p) => inner.insert_str(p, &back),
                None => inner.push_str(&back),
            }
            html_out.push_str(&format!("<li id=\"fn-{slug}\">{}</li>\n", inner.trim_end()));
        }
        html_out.push_str("</ol>\n</section>\n");
    }

    Rendered {
        html: html_out,
        toc,
        words,
        first_paragraph: first_paragraph.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(md: &str) -> Rendered {
        let mut links = BTreeMap::new();
        links.insert("other.md#x".to_string(), "briefs/other/#x".to_string());
        render(md, &links, "/sub/", &["<figure>F</figure>".to_string()])
    }

    #[test]
    fn headings_get_unique_stable_ids_and_a_toc() {
        let out = r("## Trade\n\n## Trade\n\n### Coal & oil {#coal}\n\n# Top\n");
        assert!(
            out.html.contains("<h2 id=\"trade\">Trade</h2>"),
            "{}",
            out.html
        );
        assert!(out.html.contains("<h2 id=\"trade-1\">"), "{}", out.html);
        assert!(out.html.contains("<h3 id=\"coal\">"), "{}", out.html);
        assert_eq!(out.toc.len(), 3);
        assert_eq!(
            out.toc[2],
            TocEntry {
                level: 3,
                id: "coal".into(),
                title: "Coal & oil".into()
            }
        );
    }

    #[test]
    fn links_between_briefs_become_urls() {
        let out = r("See [the other](other.md#x) and [web](https://e.org).");
        assert!(
            out.html.contains("href=\"/sub/briefs/other/#x\""),
            "{}",
            out.html
        );
        assert!(out.html.contains("href=\"https://e.org\""), "{}", out.html);
    }

    #[test]
    fn footnote_labels_match_regardless_of_case() {
        let html = r("A.[^FA] B.[^fa]\n\n[^fa]: The note.\n").html;
        assert_eq!(html.matches("<li id=\"fn-fa\">").count(), 1, "{html}");
        assert!(html.contains("The note."), "{html}");
        assert!(
            html.contains("id=\"fnref-fa\"") && html.contains("id=\"fnref-fa-2\""),
            "{html}"
        );
    }

    #[test]
    fn footnotes_are_numbered_and_moved_to_the_end() {
        let out = r(
            "[^b]: Second source.\n\nText[^a] and[^b] again[^a].\n\n[^a]: First source.\n\nAfter.\n",
        );
        let html = &out.html;
        let notes = html.find("<section class=\"footnotes\"").unwrap();
        assert!(html.find("After.").unwrap() < notes, "{html}");
        // Named for screen readers ("Note 1"), not only by its number.
        assert!(
            html.contains("<a href=\"#fn-a\" aria-label=\"Note 1\">1</a>"),
            "{html}"
        );
        assert!(
            html.contains("<a href=\"#fn-b\" aria-label=\"Note 2\">2</a>"),
            "{html}"
        );
        assert!(html.contains("id=\"fnref-a-2\""), "{html}");
        assert!(html[notes..].find("fn-a").unwrap() < html[notes..].find("fn-b").unwrap());
        assert!(
            html.contains("First source. <a href=\"#fnref-a\""),
            "{html}"
        );
    }

    #[test]
    fn gfm_features_and_smart_punctuation() {
        let out = r("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ \"quoted\" -- x\n\n- [x] done\n");
        assert!(out.html.contains("<table>"));
        assert!(out.html.contains("<del>old</del>"));
        assert!(out.html.contains("“quoted” – x"), "{}", out.html);
        assert!(out.html.contains("checkbox"));
    }

    #[test]
    fn chart_blocks_become_figures() {
        let out = r("Before.\n\n```chart\ndata: x\n```\n\nAfter `code`.\n\n```yaml\na: 1\n```\n");
        assert!(
            out.html
                .contains("<p>Before.</p>\n<figure>F</figure>\n<p>After"),
            "{}",
            out.html
        );
        assert!(
            out.html.contains("<code class=\"language-yaml\">a: 1"),
            "{}",
            out.html
        );
        assert!(!out.html.contains("data: x"));
    }

    #[test]
    fn counts_words_and_keeps_first_paragraph() {
        let out = r("# Title\n\nOne two *three*\nfour.\n\nFive six.\n");
        assert_eq!(out.words, 7);
        assert_eq!(out.first_paragraph, "One two three four.");
        assert_eq!(reading_minutes(0), 1);
        assert_eq!(reading_minutes(461), 3);
    }
}
