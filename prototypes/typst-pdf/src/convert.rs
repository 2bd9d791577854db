//! Markdown (a resolved brief: values filled in, links still `x.md`) to Typst
//! markup, from pulldown-cmark events. Every piece of text goes through
//! `escape`; everything structural is written as a function call
//! (`#emph[…]`, `#link("…")[…]`, `#table(…)`), so no Markdown text can
//! become Typst syntax.

use pulldown_cmark::{
    Alignment, CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd,
};
use std::collections::HashMap;

/// The front matter keys the title block needs.
pub struct Front {
    pub title: String,
    pub date: (i32, u8, u8),
    pub summary: String,
    pub authors: Vec<String>,
    pub topics: Vec<String>,
}

/// Splits `---` front matter (a few flat keys, enough for a prototype) from the body.
pub fn front_matter(src: &str) -> (Front, &str) {
    let rest = src.strip_prefix("---\n").expect("front matter");
    let end = rest.find("\n---\n").expect("end of front matter");
    let mut map = HashMap::new();
    for line in rest[..end].lines() {
        if let Some((k, v)) = line.split_once(':') {
            map.insert(k.trim(), v.trim().trim_matches('"').to_string());
        }
    }
    let list = |k: &str| -> Vec<String> {
        let v = map.get(k).cloned().unwrap_or_default();
        v.trim_matches(['[', ']'])
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let d: Vec<&str> = map["date"].split('-').collect();
    let front = Front {
        title: map["title"].clone(),
        date: (
            d[0].parse().unwrap(),
            d[1].parse().unwrap(),
            d[2].parse().unwrap(),
        ),
        summary: map.get("summary").cloned().unwrap_or_default(),
        authors: list("authors"),
        topics: list("topics"),
    };
    (front, &rest[end + 5..])
}

/// Escapes text for Typst markup: a backslash before every character that can
/// start markup. `'` and `"` stay as they are, so Typst makes them smart quotes.
pub fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '#'
                | '*'
                | '_'
                | '`'
                | '$'
                | '<'
                | '>'
                | '@'
                | '['
                | ']'
                | '~'
                | '-'
                | '+'
                | '='
                | '/'
                | '.'
                | ':'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
}

/// A Typst string literal.
pub fn string(text: &str) -> String {
    let mut s = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            _ => s.push(c),
        }
    }
    s.push('"');
    s
}

fn options() -> Options {
    Options::ENABLE_FOOTNOTES | Options::ENABLE_TABLES | Options::ENABLE_SMART_PUNCTUATION
}

/// The body of each footnote definition, as Typst markup.
fn footnotes(md: &str, base: &str) -> HashMap<String, String> {
    let mut notes = HashMap::new();
    let mut current: Option<(String, Vec<Event>)> = None;
    for ev in Parser::new_ext(md, options()) {
        match ev {
            Event::Start(Tag::FootnoteDefinition(label)) => {
                current = Some((label.to_string(), vec![]))
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                let (label, evs) = current.take().unwrap();
                let mut w = Writer::new(base, HashMap::new());
                w.events(evs);
                notes.insert(label, w.out.trim().to_string());
            }
            // A note of one paragraph: its paragraph tags are dropped.
            Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) if current.is_some() => {}
            ev => {
                if let Some((_, evs)) = current.as_mut() {
                    evs.push(ev)
                }
            }
        }
    }
    notes
}

/// The whole brief body as Typst markup.
pub fn body(md: &str, base: &str) -> String {
    let notes = footnotes(md, base);
    let mut w = Writer::new(base, notes);
    let mut in_note = false;
    let evs: Vec<Event> = Parser::new_ext(md, options())
        .filter(|ev| match ev {
            Event::Start(Tag::FootnoteDefinition(_)) => {
                in_note = true;
                false
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                in_note = false;
                false
            }
            _ => !in_note,
        })
        .collect();
    w.events(evs);
    w.out
}

struct Writer<'b> {
    out: String,
    base: &'b str,
    notes: HashMap<String, String>,
    citation: usize,
    figure: usize,
    table: Option<Table>,
    code: Option<String>,
    lists: Vec<bool>,
}

struct Table {
    align: Vec<Alignment>,
    head: Vec<String>,
    cells: Vec<String>,
    in_head: bool,
    /// What `out` held before the table: each cell is written to `out`, then taken.
    before: String,
}

impl<'b> Writer<'b> {
    fn new(base: &'b str, notes: HashMap<String, String>) -> Self {
        Writer {
            out: String::new(),
            base,
            notes,
            citation: 0,
            figure: 0,
            table: None,
            code: None,
            lists: vec![],
        }
    }

    fn events(&mut self, evs: Vec<Event>) {
        for ev in evs {
            self.event(ev);
        }
    }

    fn link(&self, url: &CowStr) -> String {
        // tumen resolves `x.md` to the brief's URL; here: the site's base URL.
        match url.strip_suffix(".md") {
            Some(slug) if !url.contains("://") => format!("{}briefs/{slug}/", self.base),
            _ => url.to_string(),
        }
    }

    fn event(&mut self, ev: Event) {
        if let Some(code) = self.code.as_mut() {
            match ev {
                Event::Text(t) => code.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let code = self.code.take().unwrap();
                    self.chart(&code);
                }
                _ => {}
            }
            return;
        }
        match ev {
            Event::Start(Tag::Heading { level, .. }) => {
                let n = match level {
                    HeadingLevel::H1 | HeadingLevel::H2 => 1,
                    HeadingLevel::H3 => 2,
                    _ => 3,
                };
                self.out.push_str(&"=".repeat(n));
                self.out.push(' ');
            }
            Event::End(TagEnd::Heading(_)) => self.out.push_str("\n\n"),
            Event::Start(Tag::Paragraph) => {}
            Event::End(TagEnd::Paragraph) => {
                self.out
                    .push_str(if self.lists.is_empty() { "\n\n" } else { "" })
            }
            Event::Start(Tag::Emphasis) => self.out.push_str("#emph["),
            Event::Start(Tag::Strong) => self.out.push_str("#strong["),
            Event::End(TagEnd::Emphasis | TagEnd::Strong | TagEnd::Link) => self.out.push(']'),
            Event::Start(Tag::Link { dest_url, .. }) => {
                let url = self.link(&dest_url);
                self.out.push_str(&format!("#link({})[", string(&url)));
            }
            Event::Start(Tag::List(first)) => {
                self.lists.push(first.is_some());
                self.out.push_str(if first.is_some() {
                    "#enum(\n"
                } else {
                    "#list(\n"
                });
            }
            Event::End(TagEnd::List(_)) => {
                self.lists.pop();
                self.out.push_str(")\n\n");
            }
            Event::Start(Tag::Item) => self.out.push_str("  ["),
            Event::End(TagEnd::Item) => self.out.push_str("],\n"),
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) if &*lang == "chart" => {
                self.code = Some(String::new())
            }
            Event::Start(Tag::Table(align)) => {
                let before = std::mem::take(&mut self.out);
                self.table = Some(Table {
                    align,
                    head: vec![],
                    cells: vec![],
                    in_head: false,
                    before,
                })
            }
            Event::Start(Tag::TableHead) => self.table.as_mut().unwrap().in_head = true,
            Event::End(TagEnd::TableHead) => self.table.as_mut().unwrap().in_head = false,
            Event::Start(Tag::TableCell) => self.out.push('['),
            Event::End(TagEnd::TableCell) => {
                self.out.push(']');
                let cell = std::mem::take(&mut self.out);
                let t = self.table.as_mut().unwrap();
                if t.in_head {
                    t.head.push(cell)
                } else {
                    t.cells.push(cell)
                }
            }
            Event::End(TagEnd::Table) => self.end_table(),
            Event::Start(Tag::TableRow) | Event::End(TagEnd::TableRow) => {}
            Event::Text(t) => escape(&t, &mut self.out),
            Event::Code(t) => self.out.push_str(&format!("#raw({})", string(&t))),
            Event::SoftBreak => self.out.push(' '),
            Event::HardBreak => self.out.push_str("\\\n"),
            Event::FootnoteReference(label) => {
                self.citation += 1;
                let body = self.notes.get(&*label).cloned().unwrap_or_default();
                self.out.push_str(&format!(
                    "#note({}, {})[{body}]",
                    string(&label),
                    self.citation
                ));
            }
            _ => {}
        }
    }

    fn end_table(&mut self) {
        let t = self.table.take().unwrap();
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
            t.align.len(),
            align.join(", "),
            t.head.join(", "),
            t.cells.join(", ")
        ));
    }

    fn chart(&mut self, spec: &str) {
        self.figure += 1;
        let key = |k: &str| {
            spec.lines()
                .find_map(|l| l.strip_prefix(k).and_then(|r| r.strip_prefix(':')))
                .map(|v| v.trim().to_string())
                .unwrap_or_default()
        };
        let (title, caption) = (key("title"), key("caption"));
        let mut cap = String::new();
        escape(&caption, &mut cap);
        self.out.push_str(&format!(
            "#chart({}, {})[{cap}]\n\n",
            string(&format!("figure-{}.svg", self.figure)),
            string(&title)
        ));
    }
}
