//! A brief's Markdown to Typst markup, for its PDF (`render::pdf`): the same
//! dialect ([`options`]) walked once more, into the markup Typst typesets.
//!
//! No crate converts CommonMark to Typst markup (cmarker is a Typst plugin, run
//! inside Typst, and would need its own Markdown dialect), so this walk is written
//! here, one step per kind of event, beside the HTML walk it mirrors.
//!
//! Two rules keep any text from becoming Typst syntax:
//! - every piece of text goes through [`escape`], which puts a backslash before
//!   each character that can start markup; strings go through [`string`];
//! - everything structural is written as a function call (`#emph[…]`,
//!   `#link("…")[…]`, `#table(…)`), never as markup shorthand (`_x_`, `- item`),
//!   whose meaning depends on what stands next to it.
//!
//! Footnotes: a first pass turns each definition into markup; every reference
//! then writes the whole note there, as `#footnote[…]`, so that each note's text is
//! at the foot of the page where it is cited (a note cited three times is printed
//! three times, each on its own page; a shorter second note would need Typst to
//! know pages before it lays them out). Chart blocks become `#chart(n)`, which the
//! PDF's template draws from the brief's `charts`. Raw HTML is left out (its text
//! is kept); images become their description, since a PDF has no site to fetch
//! them from.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use pulldown_cmark::{Alignment, CodeBlockKind, Event, HeadingLevel, Parser, Tag, TagEnd};

use super::{HeadingIds, is_chart_block, options};

/// Put a backslash before every character that can start Typst markup. Quotes
/// stay as they are, so that Typst makes them typographic.
pub fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '\\' | '#' | '*' | '_' | '`' | '$' | '<' | '>' | '@' | '[' | ']' | '~' | '-' | '+'
            | '=' | '/' | '.' | ':' | '\'' | '"' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
}

/// A Typst string literal holding `text`.
pub fn string(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 2);
    s.push('"');
    for c in text.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            c if c.is_control() => s.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

/// What the walk needs beside the body: where links lead, and whether raw HTML
/// is kept.
pub struct Options<'a> {
    /// Link targets as written (`other.md#x`) → site path (`briefs/other/#x`).
    pub links: &'a BTreeMap<String, String>,
    /// What a site path is put after: the site's base URL, with its host when the
    /// site has one.
    pub base_url: &'a str,
    /// The address of the brief's page.
    pub page_url: &'a str,
    /// The text of raw HTML is printed, as the page shows it (`markdown:
    /// {unsafe_html: false}` leaves it out).
    pub raw_html: bool,
}

/// A brief's body as Typst markup, and the images it shows.
pub struct Markup {
    /// The text, with `#footnote[…]` where notes are cited, `#chart(n)` (from 1)
    /// where the `n`th chart block was and `#picture(n, "alt")` where the `n`th
    /// image is.
    pub body: String,
    /// Each image's address as written, in order.
    pub images: Vec<String>,
}

/// Typst markup for a brief's body (see [`Markup`]).
pub fn render(body: &str, base: &Options) -> Markup {
    let events: Vec<Event> = Parser::new_ext(body, options()).collect();
    let (notes, text) = split_notes(events);
    let mut notes_markup = HashMap::new();
    let none = HashMap::new();
    for (label, evs) in notes {
        let mut w = Writer::new(base, &none);
        w.in_note = true;
        w.events(evs);
        notes_markup.insert(label, w.out.trim().to_string());
    }
    let mut w = Writer::new(base, &notes_markup);
    w.headings = heading_ids(&text);
    w.events(text);
    Markup {
        body: w.out,
        images: w.images,
    }
}

/// The anchor of each heading, in order, named as the HTML names them: what a
/// heading's label is, and what tells whether a `#id` link leads anywhere.
fn heading_ids(events: &[Event]) -> Vec<String> {
    let mut ids = HeadingIds::default();
    let mut out = Vec::new();
    let mut open: Option<(Option<&str>, String)> = None;
    for ev in events {
        match ev {
            Event::Start(Tag::Heading { id, .. }) => open = Some((id.as_deref(), String::new())),
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, text)) = open.as_mut() {
                    text.push_str(t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((id, text)) = open.take() {
                    out.push(ids.unique(id, &text));
                }
            }
            _ => {}
        }
    }
    out
}

type Notes<'e> = Vec<(String, Vec<Event<'e>>)>;

/// The footnote definitions (label and events, the first of a label kept) and
/// the events of the rest of the body.
fn split_notes(events: Vec<Event>) -> (Notes, Vec<Event>) {
    let mut notes: Notes = Vec::new();
    let mut seen = BTreeSet::new();
    let mut text = Vec::with_capacity(events.len());
    let mut current: Option<(String, Vec<Event>)> = None;
    for ev in events {
        match ev {
            Event::Start(Tag::FootnoteDefinition(label)) => {
                current = Some((label.to_string(), Vec::new()));
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                if let Some((label, evs)) = current.take()
                    && seen.insert(label.clone())
                {
                    notes.push((label, evs));
                }
            }
            ev => match current.as_mut() {
                Some((_, evs)) => evs.push(ev),
                None => text.push(ev),
            },
        }
    }
    (notes, text)
}

/// The text of a piece of raw HTML as a reader sees it: tags, comments and the
/// insides of `<script>` and `<style>` left out (whether one is open is carried
/// from piece to piece in `in_script`), the common entities read.
fn html_text(html: &str, in_script: &mut bool) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        if !*in_script {
            out.push_str(&rest[..lt]);
        }
        let tag = &rest[lt..];
        let end = match tag.starts_with("<!--") {
            true => tag.find("-->").map_or(tag.len(), |e| e + 3),
            false => tag.find('>').map_or(tag.len(), |e| e + 1),
        };
        let name = tag[1..end].trim_start_matches('/').to_ascii_lowercase();
        if name.starts_with("script") || name.starts_with("style") {
            *in_script = !tag.starts_with("</");
        }
        rest = &tag[end..];
    }
    if !*in_script {
        out.push_str(rest);
    }
    for (entity, c) in [
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&nbsp;", "\u{a0}"),
        ("&amp;", "&"),
    ] {
        out = out.replace(entity, c);
    }
    out
}

/// A table being gathered: cells are written to the writer's output, then taken.
struct Table {
    align: Vec<Alignment>,
    head: Vec<String>,
    cells: Vec<String>,
    in_head: bool,
    /// What the output held before the table.
    before: String,
}

/// The walk: one step per kind of event.
struct Writer<'a> {
    out: String,
    base: &'a Options<'a>,
    notes: &'a HashMap<String, String>,
    /// Chart blocks so far.
    charts: usize,
    table: Option<Table>,
    /// The text of the code block being read, and its language (`None` for a chart).
    code: Option<(String, Option<String>)>,
    /// Every heading's anchor, in order (see [`heading_ids`]).
    headings: Vec<String>,
    /// Headings met so far.
    heading: usize,
    /// Inside a footnote: notes do not nest, and paragraphs run on.
    in_note: bool,
    /// The lists open: where each starts in `out`, and whether it cites a note.
    lists: Vec<(usize, bool)>,
    /// Inside raw HTML's `<script>` or `<style>`, whose text is no reader's.
    in_script: bool,
    /// The images so far (their addresses), and the alt text of the one open.
    images: Vec<String>,
    alt: Option<String>,
}

impl<'a> Writer<'a> {
    fn new(base: &'a Options<'a>, notes: &'a HashMap<String, String>) -> Self {
        Writer {
            out: String::new(),
            base,
            notes,
            charts: 0,
            table: None,
            code: None,
            headings: Vec::new(),
            heading: 0,
            in_note: false,
            lists: Vec::new(),
            in_script: false,
            images: Vec::new(),
            alt: None,
        }
    }

    fn events(&mut self, events: Vec<Event>) {
        for ev in events {
            self.event(ev);
        }
    }

    fn event(&mut self, ev: Event) {
        if let Some((code, _)) = self.code.as_mut() {
            match ev {
                Event::Text(t) => code.push_str(&t),
                Event::End(TagEnd::CodeBlock) => self.end_code(),
                _ => {}
            }
            return;
        }
        match ev {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) | Event::Code(t) if self.alt.is_some() => {
                if let Some(alt) = self.alt.as_mut() {
                    alt.push_str(&t);
                }
            }
            Event::Text(t) => escape(&t, &mut self.out),
            Event::Code(t) => {
                self.out.push_str("#raw(");
                self.out.push_str(&string(&t));
                self.out.push(')');
            }
            Event::SoftBreak => self.out.push(' '),
            Event::HardBreak => self.out.push_str("#linebreak()"),
            Event::Rule => self
                .out
                .push_str("\n#line(length: 100%, stroke: 0.4pt)\n\n"),
            Event::TaskListMarker(done) => self.out.push_str(if done { "☑ " } else { "☐ " }),
            Event::FootnoteReference(label) => self.note(&label),
            // Raw HTML: its tags are left out, the text between them is kept.
            Event::Html(h) | Event::InlineHtml(h) if self.base.raw_html => {
                escape(&html_text(&h, &mut self.in_script), &mut self.out)
            }
            Event::Html(_) | Event::InlineHtml(_) => {}
            Event::InlineMath(t) | Event::DisplayMath(t) => escape(&t, &mut self.out),
        }
    }

    fn start(&mut self, tag: Tag) {
        match tag {
            Tag::Paragraph => {}
            Tag::Heading { level, .. } => {
                let n = match level {
                    HeadingLevel::H1 | HeadingLevel::H2 => 1,
                    HeadingLevel::H3 => 2,
                    HeadingLevel::H4 => 3,
                    _ => 4,
                };
                self.out.push_str(&format!("\n#heading(level: {n})["));
            }
            Tag::BlockQuote(_) => self.out.push_str("#quote(block: true)["),
            Tag::CodeBlock(kind) => {
                let lang = match &kind {
                    _ if is_chart_block(&kind) => None,
                    CodeBlockKind::Fenced(info) => {
                        Some(info.split_whitespace().next().unwrap_or("").to_string())
                    }
                    CodeBlockKind::Indented => Some(String::new()),
                };
                self.code = Some((String::new(), lang));
            }
            Tag::List(first) => {
                self.lists.push((self.out.len(), false));
                self.out.push_str(match first {
                    Some(_) => "#enum(\n",
                    None => "#list(\n",
                });
            }
            Tag::Item => self.out.push('['),
            Tag::Table(align) => self.start_table(align),
            Tag::TableHead => self.in_table(|t| t.in_head = true),
            Tag::TableRow => {}
            Tag::TableCell => self.out.push('['),
            Tag::Emphasis => self.out.push_str("#emph["),
            Tag::Strong => self.out.push_str("#strong["),
            Tag::Strikethrough => self.out.push_str("#strike["),
            Tag::Link { dest_url, .. } => {
                let target = self.link_target(&dest_url);
                self.out.push_str(&format!("#link({target})["));
            }
            Tag::Image { dest_url, .. } => {
                self.images.push(dest_url.to_string());
                self.alt = Some(String::new());
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => self.out.push_str(if self.in_note { " " } else { "\n\n" }),
            TagEnd::Heading(_) => self.end_heading(),
            TagEnd::BlockQuote(_) => self.out.push_str("]\n\n"),
            TagEnd::List(_) => self.end_list(),
            TagEnd::Item => {
                let trimmed = self.out.trim_end().len();
                self.out.truncate(trimmed);
                self.out.push_str("],\n");
            }
            TagEnd::Table => self.end_table(),
            TagEnd::TableHead => self.in_table(|t| t.in_head = false),
            TagEnd::TableCell => self.end_cell(),
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link => {
                self.out.push(']')
            }
            TagEnd::Image => self.end_image(),
            _ => {}
        }
    }

    /// An image: drawn by the template's `picture` when the PDF has it, else its
    /// description. In a note, always its description.
    fn end_image(&mut self) {
        let alt = self.alt.take().unwrap_or_default();
        if self.in_note {
            self.images.pop();
            self.out.push_str("#emph[");
            escape(&alt, &mut self.out);
            self.out.push(']');
        } else {
            let n = self.images.len();
            self.out
                .push_str(&format!("#picture({n}, {})", string(&alt)));
        }
    }

    /// A list that cites notes is kept on one page: Typst moves a line to the
    /// next page with its notes when they do not fit below it, but not a line of a
    /// list, whose notes would then go to the next page without it.
    fn end_list(&mut self) {
        self.out.push(')');
        match (self.lists.pop(), self.lists.last_mut()) {
            (Some((_, true)), Some(outer)) => outer.1 = true,
            (Some((start, true)), None) => {
                self.out.insert_str(start, "#block(breakable: false)[");
                self.out.push(']');
            }
            _ => {}
        }
        self.out.push_str("\n\n");
    }

    /// A heading gets a label, its HTML anchor, so that `#id` links lead to it.
    fn end_heading(&mut self) {
        self.out.push(']');
        if let Some(id) = self.headings.get(self.heading) {
            self.out
                .push_str(&format!(" #label({})", string(&format!("h-{id}"))));
        }
        self.heading += 1;
        self.out.push_str("\n\n");
    }

    /// Where a link leads: a heading of this brief, or a URL (a brief or dataset
    /// of the site as its published address).
    fn link_target(&self, dest: &str) -> String {
        if let Some(id) = dest.strip_prefix('#') {
            // A link to no heading of the brief leads nowhere: Typst would stop at it.
            return match self.headings.iter().any(|h| h == id) {
                true => format!("label({})", string(&format!("h-{id}"))),
                false => string(&format!("{}#{id}", self.base.page_url)),
            };
        }
        let url = match self.base.links.get(dest) {
            Some(path) => format!("{}{}", self.base.base_url, path.trim_start_matches('/')),
            None if dest.starts_with('/') => {
                format!("{}{}", self.base.base_url, dest.trim_start_matches('/'))
            }
            None => dest.to_string(),
        };
        string(&url)
    }

    fn note(&mut self, label: &str) {
        match self.notes.get(label) {
            Some(text) if !self.in_note => {
                if let Some(list) = self.lists.last_mut() {
                    list.1 = true;
                }
                self.out.push_str("#footnote[");
                self.out.push_str(text);
                self.out.push(']');
            }
            _ => escape(&format!("[^{label}]"), &mut self.out),
        }
    }

    fn end_code(&mut self) {
        let Some((code, lang)) = self.code.take() else {
            return;
        };
        match lang {
            None => {
                self.charts += 1;
                self.out.push_str(&format!("#chart({})\n\n", self.charts));
            }
            Some(lang) => {
                let lang = if lang.is_empty() {
                    "none".to_string()
                } else {
                    string(&lang)
                };
                self.out.push_str(&format!(
                    "#raw(block: true, lang: {lang}, {})\n\n",
                    string(code.trim_end_matches('\n'))
                ));
            }
        }
    }

    fn start_table(&mut self, align: Vec<Alignment>) {
        let before = std::mem::take(&mut self.out);
        self.table = Some(Table {
            align,
            head: Vec::new(),
            cells: Vec::new(),
            in_head: false,
            before,
        });
    }

    fn in_table(&mut self, f: impl FnOnce(&mut Table)) {
        if let Some(t) = self.table.as_mut() {
            f(t);
        }
    }

    fn end_cell(&mut self) {
        self.out.push(']');
        let cell = std::mem::take(&mut self.out);
        self.in_table(|t| {
            if t.in_head {
                t.head.push(cell);
            } else {
                t.cells.push(cell);
            }
        });
    }

    fn end_table(&mut self) {
        let Some(t) = self.table.take() else {
            return;
        };
        self.out = t.before;
        let align: Vec<&str> = t
            .align
            .iter()
            .map(|a| match a {
                Alignment::Right => "right",
                Alignment::Center => "center",
                _ => "left",
            })
            .collect();
        self.out.push_str(&format!(
            "#figure(kind: table, table(columns: {}, align: ({},), table.header({}), {}))\n\n",
            t.align.len().max(1),
            align.join(", "),
            t.head.join(", "),
            t.cells.join(", ")
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typst(md: &str) -> String {
        let links = BTreeMap::from([("other.md".to_string(), "briefs/other/".to_string())]);
        typst_images(md, &links).body
    }

    fn typst_images(md: &str, links: &BTreeMap<String, String>) -> Markup {
        render(
            md,
            &Options {
                links,
                base_url: "https://example.org/",
                page_url: "https://example.org/briefs/this/",
                raw_html: true,
            },
        )
    }

    #[test]
    fn markup_characters_in_text_are_escaped() {
        let out = typst("5% of #1, $2 * 3 = 6_, @user, <tag> ~tilde, back\\\\slash // no");
        assert!(
            out.contains(r"5% of \#1, \$2 \* 3 \= 6\_, \@user,"),
            "{out}"
        );
        assert!(out.contains(r"\~tilde, back\\slash \/\/ no"), "{out}");
    }

    #[test]
    fn structure_is_written_as_calls() {
        let out =
            typst("## Trade {#t}\n\n*a* **b** [x](other.md) [y](#t) [z](#no)\n\n- one\n- two\n");
        assert!(
            out.contains("#heading(level: 1)[Trade] #label(\"h-t\")"),
            "{out}"
        );
        assert!(out.contains("#emph[a] #strong[b]"), "{out}");
        assert!(out.contains("#link(\"https://example.org/briefs/other/\")[x]"));
        assert!(out.contains("#link(label(\"h-t\"))[y]"));
        assert!(out.contains("#link(\"https://example.org/briefs/this/#no\")[z]"));
        assert!(out.contains("#list(\n[one],\n[two],\n)"), "{out}");
    }

    #[test]
    fn every_citation_carries_its_note() {
        let out = typst("A[^n] and B[^n].\n\n[^n]: The *memo*, 2016.\n");
        assert_eq!(
            out.matches("#footnote[The #emph[memo], 2016\\.]").count(),
            2
        );
        assert!(!out.contains("[^n]:"));
    }

    #[test]
    fn a_list_that_cites_notes_stays_on_one_page() {
        let out = typst("- a\n- b[^n]\n  - c\n\n* d\n* e\n\n[^n]: Note.\n");
        assert!(out.starts_with("#block(breakable: false)[#list("), "{out}");
        assert_eq!(out.matches("#block").count(), 1, "{out}");
        assert!(out.contains("#list(\n[d],\n[e],\n)\n"), "{out}");
    }

    #[test]
    fn chart_blocks_become_numbered_charts_and_code_stays_code() {
        let out = typst("```chart\ndata: x\n```\n\n```rust\nlet a = \"b\";\n```\n");
        assert!(out.contains("#chart(1)"));
        assert!(out.contains("#raw(block: true, lang: \"rust\", \"let a = \\\"b\\\";\")"));
    }

    #[test]
    fn tables_keep_their_alignment() {
        let out = typst("| Year | US$ |\n|---|--:|\n| 2013 | 1.5 |\n");
        assert!(out.contains("align: (left, right,)"), "{out}");
        assert!(
            out.contains("table.header([Year], [US\\$]), [2013], [1\\.5]"),
            "{out}"
        );
    }

    #[test]
    fn images_are_numbered_with_their_description() {
        let m = typst_images(
            "![A *map*](/img/map.png \"t\")\n\nx[^n]\n\n[^n]: ![in note](/x.png)\n",
            &BTreeMap::new(),
        );
        assert!(m.body.contains("#picture(1, \"A map\")"), "{}", m.body);
        assert!(m.body.contains("#footnote[#emph[in note]]"), "{}", m.body);
        assert_eq!(m.images, vec!["/img/map.png".to_string()]);
    }

    #[test]
    fn raw_html_keeps_its_text_only() {
        let out = typst(
            "<div onclick=\"x\">a *b* &amp; c<script>alert(1)</script></div>\n\nx <b>y</b> z\n",
        );
        assert!(out.contains("a \\*b\\* & c"), "{out}");
        assert!(!out.contains("alert") && !out.contains("onclick"), "{out}");
        assert!(out.contains("x y z"), "{out}");
    }

    #[test]
    fn strings_escape_quotes_and_controls() {
        assert_eq!(string("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\u{1}\"");
    }
}
