//! The Markdown of briefs: one dialect, shared by every stage that reads it.
//!
//! | module | does |
//! |---|---|
//! | this one | the dialect ([`options`]), what counts as a chart block, and [`find_pair`] for the two-byte markers (`{{`, `[^`) |
//! | [`scan`] | the resolver's walk of a raw body: code, links, chart blocks, lints |
//! | [`lint`] | mistakes that still render (undefined footnotes, skipped headings…) |
//! | [`put`] | values put into the events of a body as written, for a build's digest |
//! | [`html`] | the renderer's walk of a resolved body: HTML, anchors, contents, notes |
//! | [`typst`] | the same walk into Typst markup, for a brief's PDF |
//! | [`text`] | the prose as plain text, block by block, for the changes pages' word diff |
//!
//! A brief's Markdown is walked with the same [`options`] by the resolver, which
//! scans the text as written (it must find the errors before anything is
//! rendered, and put the values in before the text is rendered: a value's
//! digits and punctuation are text, not markup), and by the renderer, on the
//! text with the values in. The live preview's renderer walks it once, for its
//! HTML, contents, notes and words and the plain text the search index reads,
//! and walks again only the bodies an edit changed (both walks are cached per
//! text). A build, which never holds every brief's HTML, parses it twice: once
//! for the scan and a digest of every brief ([`html::digest_of_events`]: all
//! but the HTML, which lists and the search index need of every brief; the
//! values are put into the scan's events, [`put`]), then for the HTML alone
//! when the brief's page is made ([`html::html`]).
//!
//! A leaf module: it knows Markdown and positions in it, not sites or briefs.

pub mod html;
pub mod lint;
pub mod put;
pub mod scan;
pub mod text;
pub mod typst;

use std::collections::{BTreeSet, HashMap};

use pulldown_cmark::{CodeBlockKind, Options};

use crate::util::slug::slugify;

/// The Markdown dialect of briefs: CommonMark with GitHub's tables, footnotes,
/// strikethrough and task lists, smart punctuation, and `{#id}` on headings.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// A fenced block whose info string starts with `chart` is a chart, not code.
pub fn is_chart_block(kind: &CodeBlockKind) -> bool {
    matches!(kind, CodeBlockKind::Fenced(info) if info.split_whitespace().next() == Some("chart"))
}

/// The anchors of a body's headings, unique in the page: the id written
/// (`{#id}`) or the slug of the heading's text (`section` when it has none),
/// then `-1`, `-2`… for a repeat. The HTML and the PDF name headings alike.
#[derive(Default)]
pub struct HeadingIds {
    used: BTreeSet<String>,
    /// The suffix to try next for each base id: a body of many headings of one
    /// name is not quadratic.
    next_suffix: HashMap<String, usize>,
}

impl HeadingIds {
    /// The anchor of the next heading, written `id` or with this `text`.
    pub fn unique(&mut self, id: Option<&str>, text: &str) -> String {
        let base = id.map(str::to_string).unwrap_or_else(|| {
            let s = slugify(text);
            if s.is_empty() { "section".into() } else { s }
        });
        let next = self.next_suffix.entry(base.clone()).or_insert(0);
        loop {
            let candidate = match *next {
                0 => base.clone(),
                n => format!("{base}-{n}"),
            };
            *next += 1;
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

/// Where `pair` (two ASCII bytes) is first in `text` from `from`: what
/// `text[from..].find(pair)` finds, by looking for its first byte (memchr), which
/// is much quicker for a two-byte needle in text that seldom holds it.
pub fn find_pair(text: &str, from: usize, pair: &str) -> Option<usize> {
    let (first, second) = match pair.as_bytes() {
        &[a, b] => (a, b),
        _ => return text.get(from..)?.find(pair).map(|i| from + i),
    };
    let bytes = text.as_bytes();
    let mut at = from;
    loop {
        at += memchr::memchr(first, bytes.get(at..)?)?;
        if bytes.get(at + 1) == Some(&second) {
            return Some(at);
        }
        at += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_pair_finds_what_find_finds() {
        for (text, pair) in [
            ("a [x] [^y]", "[^"),
            ("[[^", "[^"),
            ("{ {{ }}", "{{"),
            ("", "{{"),
            ("{", "{{"),
            ("é{{", "{{"),
        ] {
            for from in 0..=text.len() {
                if text.is_char_boundary(from) {
                    let want = text[from..].find(pair).map(|i| from + i);
                    assert_eq!(find_pair(text, from, pair), want, "{text:?} {from}");
                }
            }
        }
    }
}
