//! The Markdown of briefs: one dialect, shared by every stage that reads it.
//!
//! | module | does |
//! |---|---|
//! | this one | the dialect ([`options`]) and what counts as a chart block |
//! | [`scan`] | the resolver's walk of a raw body: code, links, chart blocks, lints |
//! | [`lint`] | mistakes that still render (undefined footnotes, skipped headings…) |
//! | [`html`] | the renderer's walk of a resolved body: HTML, anchors, contents, notes |
//!
//! A brief's Markdown is walked twice per build, each walk once and with the same
//! [`options`]: the resolver scans the text as written (it must find the errors
//! before anything is rendered, and put the values in before the text is
//! rendered: a value's digits and punctuation are text, not markup), and the
//! renderer walks the text with the values in, once, for its HTML, its contents,
//! notes and words, and the plain text the search index reads. The live preview
//! walks again only the bodies an edit changed (both walks are cached per text).
//!
//! A leaf module: it knows Markdown and positions in it, not sites or briefs.

pub mod html;
pub mod lint;
pub mod scan;

use pulldown_cmark::{CodeBlockKind, Options};

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
