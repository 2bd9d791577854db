//! Lints of a brief's Markdown: mistakes that still render, but not as the author
//! meant, and that no reader would report. None of them stops a build; each is a
//! warning of `tumen build` and `tumen serve` and an error of `tumen check`.
//!
//! | lint | example | what the page would show |
//! |---|---|---|
//! | undefined footnote | `[^fao]` with no `[^fao]:` line | the text "[^fao]" |
//! | unused footnote definition | `[^fa]: …` that no `[^fa]` refers to | nothing: the note is left out |
//! | empty link | `[text]()`, `[](url)` | a link to nowhere, or one with nothing to click |
//! | image without alt text | `![](x.png)` | nothing for a screen reader, nor when it does not load |
//! | heading that skips a level | `##` then `####` | an outline with a hole in it |
//!
//! Headings: the brief's title is the page's level 1 heading, so the body's
//! headings start at `##`, and each heading is at most one level below the one
//! before it (`##` then `###`, not `####`). Going back up any number of levels is
//! fine, and so is a `#` in the body.
//!
//! The lints ride on the walk of the body's events that the resolver makes anyway
//! (`scan_markdown`), once per body text. They hold byte offsets in the body, made
//! into a file, line and column ([`Lint::diagnostic`]) each time the brief is
//! resolved, as its front matter may change while its body stays.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};

use std::path::Path;

use crate::util::diag::{Diagnostic, suggest};

/// One mistake, at a byte offset of a brief's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lint {
    pub offset: usize,
    pub message: String,
    pub help: String,
}

impl Lint {
    fn new(offset: usize, message: String, help: String) -> Lint {
        Lint {
            offset,
            message,
            help,
        }
    }

    /// The warning for the brief this body is from.
    /// Where it is in `file`, whose whole `text` has the body from `body_start`.
    pub fn diagnostic(&self, file: &Path, text: &str, body_start: usize) -> Diagnostic {
        Diagnostic::at_offset(file, text, body_start + self.offset, self.message.clone())
            .with_help(self.help.clone())
    }
}

/// A link or image not yet closed.
struct Open {
    start: usize,
    image: bool,
    dest: String,
    /// Holds text, code, an image…: something to click or to read out.
    content: bool,
}

/// Takes the body's events one by one; [`Linter::finish`] gives the lints.
pub struct Linter<'a> {
    body: &'a str,
    lints: Vec<Lint>,
    /// Footnote labels defined, folded → (as written, offset of the definition).
    defined: BTreeMap<String, (String, usize)>,
    /// Footnote labels referred to, folded.
    referenced: BTreeSet<String>,
    /// `[^label]` left as text: (label, offset).
    unresolved: Vec<(String, usize)>,
    /// The source of the text events seen since the last other event: a bracket
    /// comes as a text event of its own, so `[^fao]` is several.
    text_run: Option<Range<usize>>,
    in_code_block: bool,
    open: Vec<Open>,
    /// The level of the last heading: 0 before the first one of the body (the
    /// title, level 1, is the page's).
    heading: u8,
}

/// Footnote labels match without regard to case, as pulldown-cmark matches them.
fn fold(label: &str) -> String {
    label.to_lowercase()
}

impl<'a> Linter<'a> {
    pub fn new(body: &'a str) -> Self {
        Linter {
            body,
            lints: Vec::new(),
            defined: BTreeMap::new(),
            referenced: BTreeSet::new(),
            unresolved: Vec::new(),
            text_run: None,
            in_code_block: false,
            open: Vec::new(),
            heading: 0,
        }
    }

    /// Take note of one event of the body, at `range`.
    pub fn event(&mut self, ev: &Event, range: &Range<usize>) {
        if let Event::Text(t) = ev {
            if self.in_code_block {
                return;
            }
            self.text_run = Some(match self.text_run.take() {
                Some(run) => run.start..range.end,
                None => range.clone(),
            });
            if !t.trim().is_empty() {
                self.has_content();
            }
            return;
        }
        self.end_text_run();
        match ev {
            Event::Start(Tag::CodeBlock(_)) => self.in_code_block = true,
            Event::End(TagEnd::CodeBlock) => self.in_code_block = false,
            Event::Start(Tag::Heading { level, .. }) => self.heading(*level as u8, range.start),
            Event::Start(Tag::FootnoteDefinition(label)) => {
                self.defined
                    .entry(fold(label))
                    .or_insert((label.to_string(), range.start));
            }
            Event::FootnoteReference(label) => {
                self.referenced.insert(fold(label));
                self.has_content();
            }
            Event::Start(Tag::Link { dest_url, .. }) => self.open(range, false, dest_url),
            Event::Start(Tag::Image { dest_url, .. }) => {
                self.has_content();
                self.open(range, true, dest_url);
            }
            Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => self.close(),
            Event::Code(_) | Event::InlineHtml(_) | Event::Html(_) => self.has_content(),
            _ => {}
        }
    }

    /// The lints of the body, in the order of the text.
    pub fn finish(mut self) -> Vec<Lint> {
        self.end_text_run();
        let defined: Vec<&str> = self.defined.values().map(|(l, _)| l.as_str()).collect();
        for (label, offset) in std::mem::take(&mut self.unresolved) {
            if self.defined.contains_key(&fold(&label)) {
                // Defined, yet left as text (inside a link's text, say): not a
                // reference pulldown-cmark makes, nor one to report as undefined.
                continue;
            }
            let define = format!("define it on a line of its own: \"[^{label}]: …\"");
            let help = match suggest(&label, defined.iter().copied()) {
                Some(s) => format!("did you mean [^{s}]? Or {define}"),
                None => format!("{define}, or write \\[^{label}] to show the brackets"),
            };
            self.lints.push(Lint::new(
                offset,
                format!("footnote [^{label}] is not defined"),
                help,
            ));
        }
        for (folded, (label, offset)) in &self.defined {
            if !self.referenced.contains(folded) {
                self.lints.push(Lint::new(
                    *offset,
                    format!("footnote [^{label}] is defined but nothing refers to it"),
                    format!(
                        "refer to it in the text with [^{label}], or delete it: the page leaves it out"
                    ),
                ));
            }
        }
        self.lints.sort_by_key(|l| l.offset);
        self.lints
    }

    /// Every open link and image holds what was just seen.
    fn has_content(&mut self) {
        for o in &mut self.open {
            o.content = true;
        }
    }

    fn open(&mut self, range: &Range<usize>, image: bool, dest: &str) {
        self.open.push(Open {
            start: range.start,
            image,
            dest: dest.trim().to_string(),
            content: false,
        });
    }

    fn close(&mut self) {
        let Some(o) = self.open.pop() else { return };
        let (message, help) = match (o.image, o.dest.is_empty(), o.content) {
            (_, false, true) => return,
            (false, true, true) => (
                "link has no target: `[…]()`".to_string(),
                "put where it leads between the parentheses: [text](https://…) or [text](other-brief.md)"
                    .to_string(),
            ),
            (false, false, false) => (
                format!("link to `{}` has no text", o.dest),
                format!(
                    "write what it leads to between the brackets, e.g. [the report]({}): readers, and screen readers, see only that",
                    o.dest
                ),
            ),
            (false, true, false) => (
                "empty link: `[]()`".to_string(),
                "delete it, or write [text](target)".to_string(),
            ),
            (true, true, _) => (
                "image has no source: `![…]()`".to_string(),
                "put the image's file or address between the parentheses: ![what it shows](chart.png)"
                    .to_string(),
            ),
            (true, false, false) => (
                format!("image `{}` has no alt text", o.dest),
                format!(
                    "say what it shows between the brackets: ![what it shows]({}); screen readers read it out, and it shows when the image does not load",
                    o.dest
                ),
            ),
        };
        self.lints.push(Lint::new(o.start, message, help));
    }

    fn heading(&mut self, level: u8, offset: usize) {
        let last = std::mem::replace(&mut self.heading, level);
        if level <= last.max(1) + 1 {
            return;
        }
        let hashes = |n: u8| "#".repeat(n as usize);
        let (message, help) = if last == 0 {
            (
                format!(
                    "heading `{}` comes before any `##`: level 2 is skipped",
                    hashes(level),
                ),
                "the brief's title is the page's level 1 heading, so the body's headings start at `##`"
                    .to_string(),
            )
        } else {
            (
                format!(
                    "heading `{}` follows a `{}`: level {} is skipped",
                    hashes(level),
                    hashes(last),
                    last + 1
                ),
                format!(
                    "make it `{}`: the table of contents and screen readers go by the levels",
                    hashes(last + 1)
                ),
            )
        };
        self.lints.push(Lint::new(offset, message, help));
    }

    /// Look for `[^label]` in the source of the text events just seen. With a
    /// definition anywhere in the body pulldown-cmark would have made it a
    /// reference, so each is a footnote without one (or a definition that did not
    /// take); [`Linter::finish`] checks which.
    fn end_text_run(&mut self) {
        let Some(run) = self.text_run.take() else {
            return;
        };
        let Some(text) = self.body.get(run.clone()) else {
            return;
        };
        let mut from = 0;
        while let Some(at) = super::find_pair(text, from, "[^") {
            from = at + 2;
            // `\[^x]` shows the brackets on purpose.
            let backslashes = self.body[..run.start + at]
                .bytes()
                .rev()
                .take_while(|&b| b == b'\\')
                .count();
            if backslashes % 2 == 1 {
                continue;
            }
            let rest = &text[at + 2..];
            let Some(end) = rest.find([']', '[', '\n']) else {
                continue;
            };
            let label = rest[..end].split_whitespace().collect::<Vec<_>>().join(" ");
            if rest.as_bytes()[end] != b']' || label.is_empty() {
                continue;
            }
            self.unresolved.push((label, run.start + at));
            from = at + 2 + end + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::Parser;

    fn lints(body: &str) -> Vec<(usize, String)> {
        let mut l = Linter::new(body);
        for (ev, range) in Parser::new_ext(body, crate::markdown::options()).into_offset_iter() {
            l.event(&ev, &range);
        }
        l.finish()
            .into_iter()
            .map(|x| (x.offset, x.message))
            .collect()
    }

    #[test]
    fn clean_markdown_has_no_lints() {
        let body = "Text[^a] and [link](x.md), ![alt](i.png), [![badge](b.svg)](u).\n\n\
                    ## One\n\n### Two\n\n## Three\n\n# Top\n\n## Again\n\n\
                    `[^code]` and \\[^escaped] and [^A] again.\n\n```\n[^in-code]\n```\n\n\
                    [^a]: The note.\n";
        assert_eq!(lints(body), vec![]);
    }

    #[test]
    fn undefined_and_unused_footnotes() {
        let body = "Said so[^fao].\n\n[^fa]: FAO, 2020.\n";
        let l = lints(body);
        assert_eq!(
            l,
            vec![
                (7, "footnote [^fao] is not defined".to_string()),
                (
                    16,
                    "footnote [^fa] is defined but nothing refers to it".to_string()
                )
            ]
        );
        let mut linter = Linter::new(body);
        for (ev, range) in Parser::new_ext(body, crate::markdown::options()).into_offset_iter() {
            linter.event(&ev, &range);
        }
        assert!(linter.finish()[0].help.starts_with("did you mean [^fa]?"));
    }

    #[test]
    fn empty_links_and_images() {
        let l = lints("[text]() and [](https://e.org) and ![](x.png) and [](#)\n");
        let messages: Vec<&str> = l.iter().map(|(_, m)| m.as_str()).collect();
        assert_eq!(
            messages,
            vec![
                "link has no target: `[…]()`",
                "link to `https://e.org` has no text",
                "image `x.png` has no alt text",
                "link to `#` has no text",
            ]
        );
        assert_eq!(l[2].0, 35);
    }

    #[test]
    fn headings_that_skip_a_level() {
        let l = lints(
            "### First\n\n## Two\n\n#### Four\n\n##### Five\n\n## Back\n\n# Top\n\n### Three\n",
        );
        let messages: Vec<&str> = l.iter().map(|(_, m)| m.as_str()).collect();
        assert_eq!(
            messages,
            vec![
                "heading `###` comes before any `##`: level 2 is skipped",
                "heading `####` follows a `##`: level 3 is skipped",
                "heading `###` follows a `#`: level 2 is skipped",
            ]
        );
    }
}
