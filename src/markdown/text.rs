//! A body's prose as a reader reads it, block by block: each heading,
//! paragraph, list item, table row and note as plain text, without the Markdown
//! around it. What the changes pages compare word by word, so that a diff shows
//! what changed on the page, not in the file's markup. Chart blocks and raw HTML
//! are left out (a chart's changes are its figures').

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// One block of text: a heading (with its level) or any other block.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Block {
    /// 1–6 for a heading, 0 for any other block.
    pub heading: u8,
    /// Shared: the versions of a text share the blocks they have in common.
    pub text: std::sync::Arc<str>,
}

/// The blocks of a body, in order.
pub fn blocks(body: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let (mut text, mut heading) = (String::new(), 0u8);
    let mut skip = 0usize;
    let flush = |out: &mut Vec<Block>, text: &mut String, heading: &mut u8| {
        let t = fold_spaces(text);
        if !t.is_empty() {
            out.push(Block {
                heading: *heading,
                text: t.into(),
            });
        }
        text.clear();
        *heading = 0;
    };
    for event in Parser::new_ext(body, super::options()) {
        match event {
            Event::Start(Tag::CodeBlock(kind)) if super::is_chart_block(&kind) => skip += 1,
            Event::End(TagEnd::CodeBlock) if skip > 0 => skip -= 1,
            _ if skip > 0 => {}
            Event::Start(Tag::Heading { level, .. }) => {
                flush(&mut out, &mut text, &mut heading);
                heading = level as u8;
            }
            Event::Start(Tag::Item | Tag::FootnoteDefinition(_) | Tag::BlockQuote(_)) => {
                flush(&mut out, &mut text, &mut heading);
            }
            Event::End(
                TagEnd::Heading(_)
                | TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::CodeBlock
                | TagEnd::FootnoteDefinition,
            ) => flush(&mut out, &mut text, &mut heading),
            Event::End(TagEnd::TableCell) => text.push_str(" | "),
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    flush(&mut out, &mut text, &mut heading);
    out
}

/// `text` with its runs of white space made one space, and none at either end.
pub fn fold_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_the_text_a_reader_reads() {
        let body = "## The *collapse*\n\nIn 1988 trade was\nUS$2,350 million.[^m]\n\n- one\n- two `x`\n\n```chart\ndata: t\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<div>raw</div>\n\n[^m]: The memo.\n";
        let b = blocks(body);
        let texts: Vec<(u8, &str)> = b.iter().map(|b| (b.heading, &*b.text)).collect();
        assert_eq!(
            texts,
            [
                (2, "The collapse"),
                (0, "In 1988 trade was US$2,350 million."),
                (0, "one"),
                (0, "two x"),
                (0, "a | b |"),
                (0, "1 | 2 |"),
                (0, "The memo."),
            ]
        );
    }
}
