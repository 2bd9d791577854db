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
    let mut walk = Walk {
        links,
        base_path,
        figures,
        out: Vec::with_capacity(events.len()),
        toc: Vec::new(),
        used_ids: BTreeSet::new(),
        words: 0,
        first_paragraph: String::new(),
        para: FirstParagraph::Before,
        notes: Notes::default(),
        figure: 0,
    };
    let mut events = events.into_iter();
    while let Some(ev) = events.next() {
        walk.event(ev, &mut events);
    }
    walk.finish(body.len())
}

/// Where the walk is with respect to the body's first paragraph.
#[derive(PartialEq)]
enum FirstParagraph {
    Before,
    Inside,
    After,
}

/// Footnotes: numbered by first reference; definitions moved to the end.
#[derive(Default)]
struct Notes<'a> {
    numbers: BTreeMap<String, usize>,
    refs: BTreeMap<String, usize>,
    defs: BTreeMap<String, Vec<Event<'a>>>,
    /// The definition being read, and its events so far.
    open: Option<(String, Vec<Event<'a>>)>,
}

/// One walk of a body's events: the events to write as HTML, and what is
/// gathered on the way.
struct Walk<'a, 'l> {
    links: &'l BTreeMap<String, String>,
    base_path: &'l str,
    figures: &'l [String],
    out: Vec<Event<'a>>,
    toc: Vec<TocEntry>,
    used_ids: BTreeSet<String>,
    words: usize,
    first_paragraph: String,
    para: FirstParagraph,
    notes: Notes<'a>,
    /// Chart blocks met so far.
    figure: usize,
}

impl<'a> Walk<'a, '_> {
    /// One event; `rest` are those after it, for the events that take some of
    /// them (a heading its inline events, a chart block its text).
    fn event(&mut self, ev: Event<'a>, rest: &mut impl Iterator<Item = Event<'a>>) {
        if self.notes.open.is_some() {
            return self.in_note(ev);
        }
        match ev {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => self.heading(level, id, classes, attrs, rest),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest = match self.links.get(dest_url.as_ref()) {
                    Some(path) => CowStr::from(format!("{}{path}", self.base_path)),
                    None => dest_url,
                };
                self.out.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url: dest,
                    title,
                    id,
                }));
            }
            Event::Start(Tag::CodeBlock(ref kind)) if is_chart_block(kind) => {
                rest.find(|e| matches!(e, Event::End(TagEnd::CodeBlock)));
                if let Some(f) = self.figures.get(self.figure) {
                    self.out.push(Event::Html(CowStr::from(f.clone())));
                }
                self.figure += 1;
            }
            // Labels match regardless of case, as pulldown-cmark matches them.
            Event::Start(Tag::FootnoteDefinition(name)) => {
                self.notes.open = Some((name.to_lowercase(), Vec::new()));
            }
            Event::FootnoteReference(name) => self.footnote_ref(&name),
            other => self.text(other),
        }
    }

    /// An event inside a footnote definition: kept for the notes at the end.
    fn in_note(&mut self, ev: Event<'a>) {
        if let Event::End(TagEnd::FootnoteDefinition) = ev {
            let (name, buf) = self.notes.open.take().expect("inside a definition");
            self.notes.defs.insert(name, buf);
            return;
        }
        if let Event::Text(t) = &ev {
            self.words += t.split_whitespace().count();
        }
        if let Some((_, buf)) = self.notes.open.as_mut() {
            buf.push(ev);
        }
    }

    /// A heading: its inline events gathered to name its anchor (unique in the
    /// page), and an entry in the contents for levels 2 to 4.
    fn heading(
        &mut self,
        level: HeadingLevel,
        id: Option<CowStr<'a>>,
        classes: Vec<CowStr<'a>>,
        attrs: Vec<(CowStr<'a>, Option<CowStr<'a>>)>,
        rest: &mut impl Iterator<Item = Event<'a>>,
    ) {
        let mut inner = Vec::new();
        let mut text = String::new();
        for e in rest.by_ref() {
            if let Event::End(TagEnd::Heading(_)) = e {
                break;
            }
            if let Event::Text(t) | Event::Code(t) = &e {
                text.push_str(t);
                self.words += t.split_whitespace().count();
            }
            inner.push(e);
        }
        let base = id.map(|s| s.to_string()).unwrap_or_else(|| {
            let s = slugify(&text);
            if s.is_empty() { "section".into() } else { s }
        });
        let mut unique = base.clone();
        let mut n = 1;
        while !self.used_ids.insert(unique.clone()) {
            unique = format!("{base}-{n}");
            n += 1;
        }
        if (2..=4).contains(&(level as u8)) {
            self.toc.push(TocEntry {
                level: level as u8,
                id: unique.clone(),
                title: text.trim().to_string(),
            });
        }
        self.out.push(Event::Start(Tag::Heading {
            level,
            id: Some(CowStr::from(unique)),
            classes,
            attrs,
        }));
        self.out.extend(inner);
        self.out.push(Event::End(TagEnd::Heading(level)));
    }

    /// A footnote reference: its number, as a link to the note with an id to come
    /// back to.
    fn footnote_ref(&mut self, name: &str) {
        let name = name.to_lowercase();
        let next = self.notes.numbers.len() + 1;
        let n = *self.notes.numbers.entry(name.clone()).or_insert(next);
        let count = self.notes.refs.entry(name.clone()).or_insert(0);
        *count += 1;
        let slug = slugify(&name);
        let ref_id = if *count == 1 {
            format!("fnref-{slug}")
        } else {
            format!("fnref-{slug}-{count}")
        };
        // A bare number is all a screen reader would say of the link.
        self.out.push(Event::InlineHtml(CowStr::from(format!(
            "<sup class=\"footnote-ref\" id=\"{ref_id}\"><a href=\"#fn-{slug}\" aria-label=\"Note {n}\">{n}</a></sup>"
        ))));
    }

    /// Any other event, written as it is: its words counted, and the text of the
    /// first paragraph kept.
    fn text(&mut self, ev: Event<'a>) {
        let inside = self.para == FirstParagraph::Inside;
        match &ev {
            Event::Start(Tag::Paragraph) if self.para == FirstParagraph::Before => {
                self.para = FirstParagraph::Inside;
            }
            Event::End(TagEnd::Paragraph) if inside => self.para = FirstParagraph::After,
            Event::Text(t) | Event::Code(t) => {
                self.words += t.split_whitespace().count();
                if inside {
                    self.first_paragraph.push_str(t);
                }
            }
            Event::SoftBreak | Event::HardBreak if inside => self.first_paragraph.push(' '),
            _ => {}
        }
        self.out.push(ev);
    }

    /// The HTML, then the notes referenced, in the order of first reference.
    fn finish(mut self, body_len: usize) -> Rendered {
        let mut html_out = String::with_capacity(body_len * 3 / 2);
        html::push_html(&mut html_out, self.out.into_iter());
        let mut numbered: Vec<(&String, &usize)> = self.notes.numbers.iter().collect();
        numbered.sort_by_key(|(_, n)| **n);
        if !numbered.is_empty() {
            html_out.push_str("<section class=\"footnotes\" aria-label=\"Notes\">\n<ol>\n");
            for (name, _) in numbered {
                let def = self.notes.defs.remove(name.as_str());
                html_out.push_str(&note(name, def));
            }
            html_out.push_str("</ol>\n</section>\n");
        }
        Rendered {
            html: html_out,
            toc: self.toc,
            words: self.words,
            first_paragraph: self.first_paragraph.trim().to_string(),
        }
    }
}

/// A note at the end of the page, with a link back to where it is referenced.
fn note(name: &str, def: Option<Vec<Event>>) -> String {
    let slug = slugify(name);
    let mut inner = String::new();
    if let Some(def) = def {
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
    format!("<li id=\"fn-{slug}\">{}</li>\n", inner.trim_end())
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
