//! A brief's Markdown to HTML, with what templates need beside the HTML: heading
//! anchors, a table of contents, footnotes gathered at the end with links back,
//! the word count, the first paragraph, and the plain text that the search index
//! reads.
//!
//! The body is parsed once, into events; the HTML is one walk of them (`Walk`),
//! with a step per kind of event that tumen changes, and the plain text another
//! (`plain_text`). The walk keeps no state between bodies: a renderer may run
//! it on many briefs at once.

use std::collections::BTreeMap;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Parser, Tag, TagEnd, html};

use super::scan::Events;
use super::{HeadingIds, is_chart_block, options};
use serde::Serialize;

use crate::util::slug::slugify;
use crate::util::terms::{Terms, doc_terms};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rendered {
    pub html: String,
    pub toc: Vec<TocEntry>,
    pub words: usize,
    /// Plain text of the first paragraph, for a summary when none is written.
    pub first_paragraph: String,
    /// The body's words as plain text, for the search index (`plain_text`).
    pub text: String,
}

impl Rendered {
    /// The search terms of the body: its headings' (weight 2) and its text's
    /// (weight 1). [`Terms::and`] those of its title, summary and
    /// topics, they are the brief's.
    pub fn body_terms(&self) -> Terms {
        let toc: Vec<&str> = self.toc.iter().map(|t| t.title.as_str()).collect();
        doc_terms(&[(&toc.join(" "), 2), (&self.text, 1)])
    }
}

/// Minutes at an adult's silent reading pace for non-fiction (~230 words a minute).
pub fn reading_minutes(words: usize) -> usize {
    words.div_ceil(230).max(1)
}

/// Render a brief's body. `links` maps link targets as written to site paths, which
/// get `base_path` in front.
/// `figures` replace the body's chart blocks, in order. Without `raw_html`, raw
/// HTML is left out, and links and images to script or data URLs lead nowhere.
pub fn render(
    body: &str,
    links: &BTreeMap<String, String>,
    base_path: &str,
    figures: &[String],
    raw_html: bool,
) -> Rendered {
    let (walk, text) = walk_gathering(body, parse(body), links, base_path, figures, raw_html, true);
    walk.finish(body.len(), text)
}

/// What [`render`] gives but the HTML: the contents, the words, the first
/// paragraph and the plain text, from the same walk. A build takes this of every
/// brief first (lists and the search index need every brief's), and the HTML of
/// a brief only when its page is made, so that it never holds every brief's HTML.
pub fn digest(body: &str, raw_html: bool) -> Rendered {
    let no_links = BTreeMap::new();
    let (walk, text) = walk_gathering(body, parse(body), &no_links, "", &[], raw_html, false);
    walk.finish_digest(text)
}

/// [`digest`] of `body` with `values` put in ((offset of the call, its length,
/// the text put in, escaped for Markdown), as the resolved brief's body holds
/// them), from `events`, the events of `body` as written that the resolver's
/// scan parsed ([`super::scan::scan_parsed`]): a build's digest of a brief
/// without a second parse. `None` where the values cannot be put into the
/// events ([`super::put`]): the caller takes the [`digest`] of the text with
/// the values in.
pub fn digest_of_events<'a>(
    body: &'a str,
    events: Events<'a>,
    values: &[(usize, usize, String)],
) -> Option<Rendered> {
    let events = if values.is_empty() {
        events
    } else {
        super::put::put_values(body, events, values)?
    };
    let no_links = BTreeMap::new();
    let (walk, text) = walk_gathering(body, events, &no_links, "", &[], false, false);
    Some(walk.finish_digest(text))
}

/// The HTML of [`render`] alone: what a build's page of a brief needs, its
/// digest made before ([`digest`]). Neither the plain text nor the words are
/// gathered, which is a third of a render.
pub fn html(
    body: &str,
    links: &BTreeMap<String, String>,
    base_path: &str,
    figures: &[String],
    raw_html: bool,
) -> String {
    let mut walk = Walk::new(links, base_path, figures, raw_html, false);
    let mut events = Parser::new_ext(body, options());
    while let Some(ev) = events.next() {
        walk.event(ev, &mut events);
    }
    walk.finish(body.len(), String::new()).html
}

/// `body`'s events, each with where it is.
fn parse(body: &str) -> Events<'_> {
    Parser::new_ext(body, options())
        .into_offset_iter()
        .collect()
}

/// A walk of `body`'s `events` that gathered its words, first paragraph and
/// contents, and the body's plain text, with the events to write as HTML if
/// `html`: what [`render`], [`digest`] and [`digest_of_events`] finish.
fn walk_gathering<'a, 'l>(
    body: &'a str,
    events: Events<'a>,
    links: &'l BTreeMap<String, String>,
    base_path: &'l str,
    figures: &'l [String],
    raw_html: bool,
    html: bool,
) -> (Walk<'a, 'l>, String) {
    let text = plain_text(body, &events);
    let mut walk = Walk::new(links, base_path, figures, raw_html, true);
    walk.html = html;
    if html {
        walk.out.reserve(events.len());
    }
    let mut events = events.into_iter().map(|(ev, _)| ev);
    while let Some(ev) = events.next() {
        walk.event(ev, &mut events);
    }
    (walk, text)
}

/// How many words `t` holds, as `t.split_whitespace().count()` counts them:
/// ASCII eight bytes at a time, every word of every brief is counted. (A byte
/// at a time took a sixth of a brief's digest.)
fn count_words(t: &str) -> usize {
    if !t.is_ascii() {
        return t.split_whitespace().count();
    }
    let bytes = t.as_bytes();
    let mut chunks = bytes.chunks_exact(8);
    let mut count = 0;
    // Whether the byte before the chunk is part of a word, as its high bit.
    let mut carry = 0u64;
    for chunk in chunks.by_ref() {
        let v = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        let words = word_bytes(v);
        // A word starts at a word byte after a byte that is none.
        let before = words << 8 | carry;
        count += (words & !before).count_ones() as usize;
        carry = words >> 56;
    }
    let mut in_word = carry != 0;
    for &b in chunks.remainder() {
        let word = word_bytes(u64::from(b)) & 0x80 != 0;
        count += usize::from(word && !in_word);
        in_word = word;
    }
    count
}

/// Of eight ASCII bytes, the high bit of each that is not white space as
/// `char::is_whitespace` has it: space, or tab to carriage return (9 to 13).
fn word_bytes(v: u64) -> u64 {
    const LOW: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let each = |b: u8| u64::from_le_bytes([b; 8]);
    // A byte is zero after `^ 0x20` when it was a space: its high bit clear
    // after adding 0x7F to its low bits, and it had none.
    let x = v ^ each(b' ');
    let space = !(((x & LOW) + LOW) | x) & HIGH;
    // Bytes of 9 and more reach 0x80 when 0x77 is added; of 14 and more with 0x72.
    let from_tab = (v + each(0x77)) & HIGH;
    let from_14 = (v + each(0x72)) & HIGH;
    !(space | (from_tab & !from_14)) & HIGH
}

/// The words of a body as plain text, each event's followed by a space: what the
/// search index reads.
///
/// They are the words of the body read as plain CommonMark, without tumen's
/// extensions, as the index has always read them: a chart block's text, footnote
/// labels and heading attributes (`{#id .class}`) count as words, and a footnote
/// whose first line reads as a link reference definition (`[^1]: https://…`)
/// gives none on that line.
fn plain_text(body: &str, events: &[(Event, Range<usize>)]) -> String {
    let mut out = String::with_capacity(body.len());
    let mut push = |t: &str| {
        out.push_str(t);
        out.push(' ');
    };
    // Text before this offset is that of a link reference definition.
    let mut skip_to = 0;
    for (ev, range) in events {
        match ev {
            Event::Text(t) | Event::Code(t) if range.start >= skip_to => push(t),
            Event::FootnoteReference(label) => push(label),
            Event::Start(Tag::FootnoteDefinition(label)) => {
                match link_definition_end(body, range, skip_to) {
                    Some(end) => skip_to = end,
                    None => push(label),
                }
            }
            Event::Start(Tag::Heading {
                id, classes, attrs, ..
            }) => {
                let values = attrs.iter().filter_map(|(_, v)| v.as_ref());
                for word in id
                    .iter()
                    .chain(classes)
                    .chain(attrs.iter().map(|(k, _)| k))
                    .chain(values)
                {
                    push(word);
                }
            }
            _ => {}
        }
    }
    out
}

/// Where the first line of the footnote definition at `range` ends, if plain
/// CommonMark reads that line as a link reference definition: `[^1]:`, then a
/// link destination and maybe a title, then nothing, at the start of a paragraph
/// (`last` is where the last such line ended: one may follow another).
fn link_definition_end(body: &str, range: &Range<usize>, last: usize) -> Option<usize> {
    if !starts_paragraph(body, range.start, last) {
        return None;
    }
    let def = &body[range.clone()];
    let after = def.find("]:")? + 2;
    let end = def[after..].find('\n').map_or(def.len(), |e| after + e);
    let rest = def[after..end].trim_start_matches([' ', '\t']);
    let dest = destination_len(rest)?;
    let title = rest[dest..].trim();
    let titled = rest[dest..].starts_with([' ', '\t']) && is_link_title(title);
    (title.is_empty() || titled).then_some(range.start + end)
}

/// Whether plain CommonMark would start a paragraph at `start`: at most three
/// spaces into a line, after a blank line, a heading, a fence, a thematic break or
/// the link reference definition that ends at `last`; not after a paragraph's
/// line, which it would continue.
fn starts_paragraph(body: &str, start: usize, last: usize) -> bool {
    let line_start = body[..start].rfind('\n').map_or(0, |i| i + 1);
    let indent = &body[line_start..start];
    if indent.len() > 3 || indent.bytes().any(|b| b != b' ') {
        return false;
    }
    let Some(prev) = body[..line_start].strip_suffix('\n') else {
        return true;
    };
    let line = prev[prev.rfind('\n').map_or(0, |i| i + 1)..].trim();
    let made_of = |chars: &[char]| !line.is_empty() && line.chars().all(|c| chars.contains(&c));
    prev.len() == last
        || line.is_empty()
        || line.starts_with('#')
        || line.starts_with("```")
        || line.starts_with("~~~")
        || made_of(&['-', '*', '_', ' ', '\t'])
        || made_of(&['=', ' ', '\t'])
}

/// The length of the link destination `s` starts with: `<…>`, or characters but
/// spaces and controls with parentheses balanced. `None` if there is none.
fn destination_len(s: &str) -> Option<usize> {
    if let Some(inner) = s.strip_prefix('<') {
        let close = inner.find(['<', '>'])?;
        return (inner.as_bytes()[close] == b'>').then_some(close + 2);
    }
    let mut depth = 0usize;
    let mut len = s.len();
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return None,
            ')' => depth -= 1,
            c if c.is_whitespace() || c.is_control() => {
                len = i;
                break;
            }
            _ => {}
        }
    }
    (len > 0 && depth == 0).then_some(len)
}

/// Whether `s` is a link title: in double or single quotes, or in parentheses.
fn is_link_title(s: &str) -> bool {
    let close = match s.chars().next() {
        Some('"') => '"',
        Some('\'') => '\'',
        Some('(') => ')',
        _ => return false,
    };
    s.len() >= 2 && s.ends_with(close) && {
        let inner = &s[1..s.len() - 1];
        !inner.replace(&format!("\\{close}"), "").contains(close)
    }
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
    /// Raw HTML kept (`markdown: {unsafe_html: false}` in site.yaml strips it).
    raw_html: bool,
    figures: &'l [String],
    out: Vec<Event<'a>>,
    toc: Vec<TocEntry>,
    ids: HeadingIds,
    words: usize,
    first_paragraph: String,
    para: FirstParagraph,
    notes: Notes<'a>,
    /// Chart blocks met so far.
    figure: usize,
    /// Whether the words and the first paragraph are gathered.
    gather: bool,
    /// Whether the events are kept to write as HTML: not for a digest.
    html: bool,
}

impl<'a, 'l> Walk<'a, 'l> {
    fn new(
        links: &'l BTreeMap<String, String>,
        base_path: &'l str,
        figures: &'l [String],
        raw_html: bool,
        gather: bool,
    ) -> Self {
        Walk {
            links,
            base_path,
            raw_html,
            figures,
            out: Vec::new(),
            toc: Vec::new(),
            ids: HeadingIds::default(),
            words: 0,
            first_paragraph: String::new(),
            para: FirstParagraph::Before,
            notes: Notes::default(),
            figure: 0,
            gather,
            html: true,
        }
    }

    /// `url`, or `#` for a script or data URL when raw HTML is not kept.
    fn safe_url(&self, url: CowStr<'a>) -> CowStr<'a> {
        let scheme = url.trim_start().to_ascii_lowercase();
        let unsafe_url = ["javascript:", "vbscript:", "data:"]
            .iter()
            .any(|s| scheme.starts_with(s));
        if !self.raw_html && unsafe_url {
            CowStr::from("#")
        } else {
            url
        }
    }

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
            }) if self.html => {
                let dest = match self.links.get(dest_url.as_ref()) {
                    Some(path) => CowStr::from(format!("{}{path}", self.base_path)),
                    None => self.safe_url(dest_url),
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
                if let Some(f) = self.figures.get(self.figure)
                    && self.html
                {
                    self.out.push(Event::Html(CowStr::from(f.clone())));
                }
                self.figure += 1;
            }
            // Labels match regardless of case, as pulldown-cmark matches them.
            Event::Start(Tag::FootnoteDefinition(name)) => {
                self.notes.open = Some((name.to_lowercase(), Vec::new()));
            }
            Event::FootnoteReference(name) => self.footnote_ref(&name),
            Event::Html(_) | Event::InlineHtml(_) if !self.raw_html => {}
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = self.safe_url(dest_url);
                self.text(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }))
            }
            other => self.text(other),
        }
    }

    /// An event inside a footnote definition: kept for the notes at the end.
    fn in_note(&mut self, ev: Event<'a>) {
        if let Event::End(TagEnd::FootnoteDefinition) = ev {
            if let Some((name, buf)) = self.notes.open.take() {
                self.notes.defs.insert(name, buf);
            }
            return;
        }
        if let Event::Text(t) = &ev
            && self.gather
        {
            self.words += count_words(t);
        }
        if let Some((_, buf)) = self.notes.open.as_mut()
            && self.html
        {
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
                if self.gather {
                    self.words += count_words(t);
                }
            }
            inner.push(e);
        }
        let unique = self.ids.unique(id.as_deref(), &text);
        if (2..=4).contains(&(level as u8)) {
            self.toc.push(TocEntry {
                level: level as u8,
                id: unique.clone(),
                title: text.trim().to_string(),
            });
        }
        if !self.html {
            return;
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
        if !self.html {
            return;
        }
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
        if !self.gather {
            return self.out.push(ev);
        }
        let inside = self.para == FirstParagraph::Inside;
        match &ev {
            Event::Start(Tag::Paragraph) if self.para == FirstParagraph::Before => {
                self.para = FirstParagraph::Inside;
            }
            Event::End(TagEnd::Paragraph) if inside => self.para = FirstParagraph::After,
            Event::Text(t) | Event::Code(t) => {
                self.words += count_words(t);
                if inside {
                    self.first_paragraph.push_str(t);
                }
            }
            Event::SoftBreak | Event::HardBreak if inside => self.first_paragraph.push(' '),
            _ => {}
        }
        if self.html {
            self.out.push(ev);
        }
    }

    /// What [`finish`](Self::finish) gives but the HTML.
    fn finish_digest(self, text: String) -> Rendered {
        Rendered {
            html: String::new(),
            toc: self.toc,
            words: self.words,
            first_paragraph: self.first_paragraph.trim().to_string(),
            text,
        }
    }

    /// The HTML, then the notes referenced, in the order of first reference;
    /// with the body's `text`.
    fn finish(mut self, body_len: usize, text: String) -> Rendered {
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
        // Kept for the whole build, for every brief: no room to spare.
        html_out.shrink_to_fit();
        let mut text = text;
        text.shrink_to_fit();
        Rendered {
            html: html_out,
            toc: self.toc,
            words: self.words,
            first_paragraph: self.first_paragraph.trim().to_string(),
            text,
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
        render(
            md,
            &links,
            "/sub/",
            &["<figure>F</figure>".to_string()],
            true,
        )
    }

    #[test]
    fn without_raw_html_markup_and_script_urls_are_left_out() {
        let md = "<script>alert(1)</script>\n\nA <b onclick=\"x()\">bold</b> [go](javascript:alert(2)) ![i](data:text/html,x) [ok](https://e.org)\n";
        let kept = render(md, &BTreeMap::new(), "/", &[], true).html;
        assert!(
            kept.contains("<script>") && kept.contains("javascript:"),
            "{kept}"
        );
        let safe = render(md, &BTreeMap::new(), "/", &[], false).html;
        for gone in ["<script", "onclick", "javascript:", "data:", "<b "] {
            assert!(!safe.contains(gone), "{gone} in {safe}");
        }
        assert!(
            safe.contains("href=\"https://e.org\"") && safe.contains("bold"),
            "{safe}"
        );
    }

    #[test]
    fn many_headings_of_one_name_get_the_next_free_suffix() {
        let out = r("## A {#a-2}\n\n## A\n\n## A\n\n## A\n\n## A\n");
        let ids: Vec<&str> = out.toc.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["a-2", "a", "a-1", "a-3", "a-4"]);
        // Ten thousand of them, as in a pasted 5 MB brief (which took 17 s when
        // each heading tried every suffix from 1 again).
        let out = r(&"## Same\n\n".repeat(10_000));
        assert_eq!(out.toc.last().map(|t| t.id.as_str()), Some("same-9999"));
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
    fn a_digest_is_the_render_but_its_html() {
        let links = BTreeMap::from([("b.md".to_string(), "briefs/b/".to_string())]);
        for body in [
            "# Title\n\nOne two *three*\nfour.\n\nFive six.\n",
            "Intro [b](b.md).[^n]\n\n## A {#a}\n\n```chart\ntype: bar\n```\n\n### B\n\n[^n]: A *note*.\n",
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n- one\n- two `code`\n\n<b>raw</b>\n",
        ] {
            for raw_html in [false, true] {
                let full = render(
                    body,
                    &links,
                    "/base/",
                    &["<figure></figure>".into()],
                    raw_html,
                );
                let d = digest(body, raw_html);
                assert!(d.html.is_empty() && !full.html.is_empty());
                let figs = ["<figure></figure>".to_string()];
                assert_eq!(html(body, &links, "/base/", &figs, raw_html), full.html);
                assert_eq!(
                    (d.words, &d.first_paragraph, &d.text, &d.toc),
                    (full.words, &full.first_paragraph, &full.text, &full.toc),
                    "{body:?}"
                );
            }
        }
    }

    #[test]
    fn words_are_counted_as_split_whitespace_counts_them() {
        for t in [
            "",
            " ",
            "one",
            " two  words ",
            "a\tb\nc\x0Bd\x0Ce\rf",
            "non-ASCII: Хасан и 라선\u{2003}end",
            "trailing\n",
            "a",
            "\x1Cfile\x1F separators are not spaces\x7F",
            "\x0B",
            "eight by  eight bytes\tand\r\nmore of\x0cthem ~ end",
            "01234567 0123456789abcdef 0123456 \x08\x0e\x1f\x20\x21 x",
        ] {
            assert_eq!(count_words(t), t.split_whitespace().count(), "{t:?}");
        }
        // Every ASCII byte, at every place in a chunk, between words and spaces.
        for b in 0..0x80u8 {
            for at in 0..17 {
                let mut t = "x y ".repeat(5).into_bytes();
                t.insert(at, b);
                t.insert(0, b);
                let t = String::from_utf8(t).unwrap();
                assert_eq!(count_words(&t), t.split_whitespace().count(), "{t:?}");
            }
        }
    }

    #[test]
    fn counts_words_and_keeps_first_paragraph() {
        let out = r("# Title\n\nOne two *three*\nfour.\n\nFive six.\n");
        assert_eq!(out.words, 7);
        assert_eq!(out.first_paragraph, "One two three four.");
        assert_eq!(reading_minutes(0), 1);
        assert_eq!(reading_minutes(461), 3);
    }

    /// The words of `body` read as plain CommonMark, as the search index first
    /// read them: what [`plain_text`] must give, word for word.
    fn plain_commonmark_words(body: &str) -> Vec<String> {
        let mut text = String::new();
        for ev in Parser::new(body) {
            if let Event::Text(t) | Event::Code(t) = ev {
                text.push_str(&t);
                text.push(' ');
            }
        }
        words(&text)
    }

    fn words(text: &str) -> Vec<String> {
        let mut v: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 2)
            .map(|w| w.to_lowercase())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn plain_text_has_the_words_of_plain_commonmark() {
        let cases = [
            "Text[^a].\n\n[^a]: Ibid.\n",
            "Text[^a].\n\n[^a]: https://x.org/a_b \"Title\"\n",
            "Text[^a].\n\n[^a]: https://x.org/a_b \"Title\" more\n",
            "Text[^a].\n\n[^a]: <https://x.org/a b>\n    continued here\n",
            "Text\n[^a]: Ibid.\n",
            "Text[^src] and [^none].\n\n[^src]: Some source, 2016.\n",
            "## Coal & oil {#coal-2013 .wide key=value}\n\nx\n",
            "```chart\ndata: trade-turnover\ntitle: Turnover\n```\n",
            "| a | b |\n|---|---|\n| caf&eacute; | `x | y` |\n",
            "don't \"quote\" -- dash ... rock'n'roll ~~old~~ ~x~\n\n- [x] done\n- [ ] todo\n",
            "Foo[^1]\n\n[^1]: first para\n\n    second para with words\n",
            "[^x]: https://a.org\n[^y]: words here\n\nUse [^x] [^y]\n",
            "# T [^h]\n\n[^h]: heading note\n",
            "A\n\n[^a]:\n    next line dest\n",
            "> [^q]: quoted def\n",
            "A\n\n[^a]: http://x.org/(a(b)) (Paren title)\n[^b]: Ibid.\n[^c]: op. cit.\n",
            "A\n\n[^a]: x(a\n[^b]: <>\n",
            "A\n\n[^a]: 'It\\'s' tail\n\n[^b]: url 'It\\'s'\n",
            "## Head\n[^a]: Ibid.\n\n- item\n[^b]: Ibid.\n",
            "```\ncode\n```\n[^a]: Ibid.\n\n---\n[^b]: Ibid.\n",
            "Para [^a]\n\n   [^a]: Ibid.\n\n\t[^b]: Ibid.\n",
            "# Title {#x}\n\nSetext {.cls}\n------\n\n## Plain {not attrs}\n",
            "Text with `code` and <b>html</b> and &amp; entity and \\* escape.\n",
        ];
        for c in cases {
            let text = render(c, &BTreeMap::new(), "/", &[], true).text;
            assert_eq!(words(&text), plain_commonmark_words(c), "{c:?}");
        }
    }
}
