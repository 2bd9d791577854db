//! Values put into a body's events rather than into its text: what lets a build
//! make a brief's digest from the parse its scan made, instead of parsing the
//! body a second time with the values in ([`super::html::digest_of_events`]).
//!
//! The resolver puts each `{{ value(…) }}` into the text, escaped for Markdown
//! (the resolved brief's `Body`), and the text with the values in is what pages are
//! rendered from. The events of that text differ from those of the text as
//! written only where the calls were, when each call stands in plain text: the
//! call's own events (its text, the smart quotes of its arguments) give way to
//! the value's, which are those of the escaped value parsed alone, the first
//! joined to the text before the call (unless the value starts with an escape,
//! where pulldown-cmark starts a new text) and the last to the text after it.
//! Where that is not sure to hold, [`put_values`] says so (`None`) and the
//! caller parses the text with the values in:
//!
//! - a call next to a character that is markup beside it (emphasis, quotes,
//!   brackets, code, raw HTML, a table's bar…), whose meaning could change when
//!   the call's braces become the value's first or last character;
//! - a call whose arguments hold a delimiter (a quote, `*`, `_`, `~`) that the
//!   same inline text holds outside the calls: the two may pair;
//! - a call that is not wholly plain text in the parse (a table cell or a
//!   footnote ends in it, its arguments made emphasis or a line break…), or in a
//!   footnote definition (whose first line may read as a link definition) or a
//!   heading with attributes (`{#id}` may have been read from the call);
//! - a value of digits where a block may start, which the text after it may
//!   make a numbered list's marker (`{{ value(…) }}. Then` made `2023. Then`);
//! - a value with spaces at either end or a line break, which a paragraph of its
//!   own would lose.
//!
//! A debug build checks every digest made this way against the second parse.

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag};

use super::scan::Events;

/// `events`, the events of `body` as written, with each of `values` ((offset
/// of the call, its length, the text put in its place, escaped for Markdown),
/// in order) put in its call's place: the events of the body's text with the
/// values in, but for their ranges, which stay those of `body` (a value's
/// events have its call's). `None` where that may not hold.
pub fn put_values<'a>(
    body: &'a str,
    mut events: Events<'a>,
    values: &[(usize, usize, String)],
) -> Option<Events<'a>> {
    let alone = |(at, len, text): &(usize, usize, String)| {
        stands_alone(body, *at, *at + len)
            && !(starts_block(body, *at) && text.starts_with(is_digit))
    };
    if !values.iter().all(alone) {
        return None;
    }
    let mut put = Put {
        body,
        events: &events,
        next: 0,
        edits: Vec::with_capacity(values.len()),
        open: None,
        block: 0..0,
        calls: values.iter().map(|(at, len, _)| *at..at + len).collect(),
    };
    for (at, len, text) in values {
        put.value(*at..at + len, text)?;
    }
    put.close();
    // The events the calls spanned, replaced from the last, so that the indexes
    // of those before hold.
    let edits = std::mem::take(&mut put.edits);
    for (spanned, with) in edits.into_iter().rev() {
        events.splice(spanned, with);
    }
    Some(events)
}

/// [`put_values`] under way: it reads the events, and notes what replaces the
/// few that calls span (moving every event to a new list took as long as the
/// parse it saves).
struct Put<'e, 'a> {
    body: &'a str,
    events: &'e Events<'a>,
    /// The index of the first event not read yet.
    next: usize,
    /// The events calls spanned (indexes), and what replaces them.
    edits: Vec<(Range<usize>, Events<'a>)>,
    /// The edit the last call left open: it ended inside a text, whose rest
    /// (this range of the body) another call may be in. Its events so far, the
    /// first event it replaces, and the value's last text, which goes before
    /// the rest.
    open: Option<Open<'a>>,
    /// The block last started: where the call's inline text is.
    block: Range<usize>,
    /// The calls, for [`Put::pairs_outside`].
    calls: Vec<Range<usize>>,
}

/// An edit left open by a call that ended inside a text ([`Put::open`]).
struct Open<'a> {
    first: usize,
    with: Events<'a>,
    rest: Range<usize>,
    carry: String,
}

impl<'a> Put<'_, 'a> {
    /// Put the value `text` in for the call at `call`.
    fn value(&mut self, call: Range<usize>, text: &str) -> Option<()> {
        let parts = value_events(text)?;
        let (mut open, before, mut end) = self.text_before(&call)?;
        if self.pairs_outside(&call) {
            return None;
        }
        // The texts the call spans, the last of which may go on after it.
        while end < call.end {
            let (ev, range) = self.events.get(self.next)?;
            if range.start != end || !matches!(ev, Event::Text(_)) {
                return None;
            }
            if range.end > call.end {
                plain(self.body, ev, range)?;
            }
            end = range.end;
            self.next += 1;
        }
        let mut texts = parts;
        if text.starts_with('\\') {
            if !before.is_empty() {
                (open.with).push((Event::Text(before.into()), call.start..call.start));
            }
        } else {
            texts[0] = before + &texts[0];
        }
        let carry = (end > call.end).then(|| texts.pop()).flatten();
        for t in texts {
            open.with.push((Event::Text(t.into()), call.clone()));
        }
        match carry {
            Some(carry) => {
                open.rest = call.end..end;
                open.carry = carry;
                self.open = Some(open);
            }
            None => self.edits.push((open.first..self.next, open.with)),
        }
        Some(())
    }

    /// Close the edit left open, its rest of a text after its value's.
    fn close(&mut self) {
        if let Some(mut open) = self.open.take() {
            let text = open.carry + &self.body[open.rest.clone()];
            open.with.push((Event::Text(text.into()), open.rest));
            self.edits.push((open.first..self.next, open.with));
        }
    }

    /// Read the events before `call`: the edit for it (the one left open if
    /// the call is in its rest), the text before the call in the text it
    /// starts in, and where that text ends.
    fn text_before(&mut self, call: &Range<usize>) -> Option<(Open<'a>, String, usize)> {
        if let Some(mut open) = self.open.take() {
            if open.rest.end > call.start {
                let before = open.carry.split_off(0) + &self.body[open.rest.start..call.start];
                let end = open.rest.end;
                return Some((open, before, end));
            }
            self.open = Some(open);
            self.close();
        }
        loop {
            let (ev, range) = self.events.get(self.next)?;
            if range.end <= call.start {
                self.next += 1;
                continue;
            }
            if range.start > call.start {
                return None;
            }
            if let Event::Start(_) | Event::End(_) = ev {
                if !encloses(ev, range, call) {
                    return None;
                }
                if let Event::Start(tag) = ev
                    && is_block(tag)
                {
                    self.block = range.clone();
                }
                self.next += 1;
                continue;
            }
            let text = plain(self.body, ev, range)?;
            let open = Open {
                first: self.next,
                with: Vec::new(),
                rest: 0..0,
                carry: String::new(),
            };
            self.next += 1;
            return Some((
                open,
                text[..call.start - range.start].to_string(),
                range.end,
            ));
        }
    }

    /// Whether a delimiter in the call (a quote, `*`, `_`, `~`) may pair with
    /// one of its kind outside the calls in the same inline text, which the
    /// value would leave to pair otherwise: `"` in a call's arguments made a
    /// quote after it an opening one, where the value left it a closing one.
    fn pairs_outside(&self, call: &Range<usize>) -> bool {
        const DELIMITERS: &[char] = &['"', '\'', '*', '_', '~'];
        let inside: Vec<char> = (self.body[call.clone()].chars())
            .filter(|c| DELIMITERS.contains(c))
            .collect();
        if inside.is_empty() {
            return false;
        }
        if self.block.start > call.start || self.block.end < call.end {
            return true;
        }
        let block = self.block.clone();
        let mut at = block.start;
        let calls = (self.calls.iter()).filter(|c| c.start >= block.start && c.end <= block.end);
        for c in calls {
            if self.body[at..c.start].contains(inside.as_slice()) {
                return true;
            }
            at = c.end;
        }
        self.body[at..block.end].contains(inside.as_slice())
    }
}

/// Whether the call at `start..end` of `body` has nothing beside it that is
/// markup with its neighbour: a space, a letter or digit, or punctuation that
/// means nothing to an inline parse next to another character.
fn stands_alone(body: &str, start: usize, end: usize) -> bool {
    // Emphasis and strikethrough delimiters, smart quotes, brackets (links,
    // footnotes), code, raw HTML and entities, escapes, table cells, the
    // parentheses of a link's target and the braces of heading attributes.
    let markup = |c: char| "*_~'\"[]!<>&`\\|(){}".contains(c);
    let before = body[..start].chars().next_back();
    let after = body[end..].chars().next();
    // A link's target may follow its `(`, and a link definition's its `]:`,
    // after spaces and a line break, and start before the call.
    let word = (body[..start].char_indices().rev())
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let spaced = body[..word].trim_end();
    let target = spaced.ends_with('(')
        || spaced.ends_with("]:")
        || body[word..start].contains(['(', '[', ']']);
    !before.is_some_and(markup)
        && !after.is_some_and(markup)
        && !target
        && !in_definition(body, start)
}

/// Whether the paragraph up to `at` may be a link definition (`[label]: target
/// "title"`), of which the call would be part: a `]:` since the last blank line.
fn in_definition(body: &str, at: usize) -> bool {
    let lines = body[..at].rsplit('\n');
    let para = lines.take_while(|line| !line.trim().is_empty());
    para.into_iter().any(|line| line.contains("]:"))
}

/// Whether a call at `at` may be where a block starts: nothing but spaces and
/// the markers of quotes and list items before it on its line. A value of
/// digits there, with `.` after it, would be the marker of a numbered list.
fn starts_block(body: &str, at: usize) -> bool {
    let line = &body[body[..at].rfind('\n').map_or(0, |i| i + 1)..at];
    line.chars()
        .all(|c| " \t>-+*.)".contains(c) || c.is_ascii_digit())
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit()
}

/// Whether `tag` starts a block (whose inline text is parsed as one), not an
/// inline span.
fn is_block(tag: &Tag) -> bool {
    !matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

/// Whether a start or end event around the call leaves it as plain text of what
/// it opens or closes: not a footnote definition, nor a heading with attributes.
fn encloses(ev: &Event, range: &Range<usize>, call: &Range<usize>) -> bool {
    let around = range.start <= call.start && range.end >= call.end;
    around
        && match ev {
            Event::Start(Tag::FootnoteDefinition(_)) => false,
            Event::Start(Tag::Heading {
                id, classes, attrs, ..
            }) => id.is_none() && classes.is_empty() && attrs.is_empty(),
            _ => true,
        }
}

/// The text of a plain-text event, which is its range of the body (not a smart
/// quote, an entity or an escaped character, which pulldown-cmark makes).
fn plain<'a>(body: &'a str, ev: &Event, range: &Range<usize>) -> Option<&'a str> {
    let text = body.get(range.clone())?;
    matches!(ev, Event::Text(t) if t.as_ref() == text).then_some(text)
}

/// The text events of `escaped` parsed alone, as a paragraph's: how the parse of
/// the body cuts the value's text (after each escape).
fn value_events(escaped: &str) -> Option<Vec<String>> {
    if escaped.is_empty() || escaped.trim() != escaped || escaped.contains(['\n', '\r']) {
        return None;
    }
    let mut parser = Parser::new_ext(escaped, super::options());
    if parser.next() != Some(Event::Start(Tag::Paragraph)) {
        return None;
    }
    let mut texts = Vec::new();
    for ev in parser {
        match ev {
            Event::Text(t) => texts.push(t.into_string()),
            Event::End(pulldown_cmark::TagEnd::Paragraph) => return Some(texts),
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::html::{Rendered, digest, digest_of_events};
    use crate::markdown::scan::scan_parsed;

    /// Each `{{…}}` of `body` (none in code) as a value of `values`, in order.
    fn calls(body: &str, values: &[&str]) -> Vec<(usize, usize, String)> {
        let mut out = Vec::new();
        let mut from = 0;
        for v in values {
            let at = from + body[from..].find("{{").expect("a call");
            let len = body[at..].find("}}").expect("its end") + 2;
            out.push((at, len, escape(v)));
            from = at + len;
        }
        out
    }

    /// `body` with the calls replaced: what the resolver's `Body` gives.
    fn put_in(body: &str, values: &[(usize, usize, String)]) -> String {
        let mut out = String::new();
        let mut last = 0;
        for (at, len, text) in values {
            out.push_str(&body[last..*at]);
            out.push_str(text);
            last = at + len;
        }
        out + &body[last..]
    }

    fn escape(s: &str) -> String {
        s.chars()
            .flat_map(|c| {
                c.is_ascii_punctuation()
                    .then_some('\\')
                    .into_iter()
                    .chain([c])
            })
            .collect()
    }

    /// The digest from the events, if the values could be put into them, and
    /// the digest of the text with the values in.
    fn both(body: &str, values: &[&str]) -> (Option<Rendered>, Rendered) {
        let values = calls(body, values);
        let (_, events) = scan_parsed(body);
        let fast = digest_of_events(body, events, &values);
        let slow = digest(&put_in(body, &values), false);
        (fast, slow)
    }

    const CALL: &str = r#"{{ value(data="trade", where="year=2023,reading=primary", column="v", format="US$,.0f m") }}"#;

    #[test]
    fn values_in_plain_text_go_into_the_events() {
        let bodies = [
            "Turnover in 2023 was CALL.[^a] More words follow here.\n\n[^a]: A note.\n",
            "It was US$CALL million in 1988 and only US$CALL million in 1996.\n",
            "## Trade in CALL and after\n\nText with CALL, and CALL; then CALL: done.\n",
            "- A list item of CALL\n- Another: CALL%\n\n> quoted CALL words\n",
            "| a | b |\n|---|---|\n| CALL | x CALL y |\n",
            "Emphasis *around CALL here* and **strong CALL more**.\n",
            "a `code` CALL.\n\nSo CALL\n\nThen CALL CALL and CALL.CALL\n",
            "Smart \"quotes\" here.\n\nDon't matter -- before CALL... or after -- CALL.\n",
        ];
        let values = [
            "1,234",
            "US$ 5.5 m",
            "12",
            "O'Brien",
            "-3",
            "a_b*c",
            "€ 7",
            "x",
        ];
        for body in bodies {
            let body = body.replace("CALL", CALL);
            let n = body.matches("{{").count();
            for shift in 0..values.len() {
                let vals: Vec<&str> = (0..n).map(|i| values[(i + shift) % values.len()]).collect();
                let (fast, slow) = both(&body, &vals);
                let fast = fast.unwrap_or_else(|| panic!("not put in: {body:?} {vals:?}"));
                assert_eq!(fast, slow, "{body:?} {vals:?}");
            }
        }
    }

    #[test]
    fn values_beside_markup_are_left_to_a_second_parse() {
        for body in [
            "a**CALL**b\n",
            "\"CALL\" said\n",
            "[CALL](x.md)\n",
            "[x](CALL)\n",
            "## Heading CALL {#id}\n",
            "Text[^n]\n\n[^n]: CALL\n",
            "`CALL`\n",
        ] {
            let body = body.replace("CALL", CALL);
            let (fast, slow) = both(&body, &["12"]);
            if let Some(fast) = fast {
                assert_eq!(fast, slow, "{body:?}");
            }
        }
        // A value a paragraph of its own would change.
        let body = format!("a {CALL} b\n");
        for v in [" 12", "12 ", "1\n2", ""] {
            let values = vec![(2, CALL.len(), escape(v))];
            let (_, events) = scan_parsed(&body);
            assert!(put_values(&body, events, &values).is_none(), "{v:?}");
        }
    }

    /// Bodies made of random pieces of Markdown around calls: wherever the
    /// values are put into the events, the digest is the second parse's.
    #[test]
    fn random_bodies_give_the_digest_of_a_second_parse() {
        let pieces = [
            "word ",
            "more",
            " ",
            "\n",
            "\n\n",
            "*",
            "**",
            "_",
            "~~",
            "\"",
            "'",
            "[",
            "]",
            "(",
            ")",
            "`",
            "- ",
            "1. ",
            "## ",
            "> ",
            "| ",
            " |",
            "<b>",
            "&amp;",
            "--",
            "...",
            "[^n]",
            "\n\n[^n]: ",
            "{#x}",
            ".",
            ",",
            "$",
            "%",
            ":",
            "\\",
            "    ",
            "![a](b) ",
            "[l](x.md) ",
            "\n```\ncode\n```\n",
            "\n|---|---|\n",
            "é ",
            "\n===\n",
            "#",
            "<",
            "\t",
            "1) ",
            "\u{a0}",
            "(\u{3000}",
            "x\u{2003}",
            "+ ",
            "[a]: ",
            "{",
            "}",
            "CALL",
            "CALL",
            "CALL",
        ];
        let values = [
            "12", "1,234.5", "US$ 5 m", "O'Brien", "a_b*c", "[x]", "-3", "€", "1.", "#",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let (mut put, mut cases) = (0, 0);
        for _ in 0..3000 {
            let body: String = (0..12 + next(20))
                .map(|_| pieces[next(pieces.len())].replace("CALL", CALL))
                .collect();
            // Calls only outside code, as the resolver finds them.
            let (scan, events) = scan_parsed(&body);
            let mut vals = Vec::new();
            let mut from = 0;
            while let Some(at) = body[from..].find("{{").map(|i| from + i) {
                let len = body[at..].find("}}").map_or(0, |e| e + 2);
                if len > 0 && !scan.literal.iter().any(|r| r.contains(&at)) {
                    vals.push((at, len, escape(values[next(values.len())])));
                }
                from = at + len.max(2);
            }
            if vals.is_empty() {
                continue;
            }
            cases += 1;
            let slow = digest(&put_in(&body, &vals), false);
            if let Some(fast) = digest_of_events(&body, events, &vals) {
                put += 1;
                assert_eq!(fast, slow, "{body:?} {vals:?}");
            }
        }
        assert!(
            put * 10 > cases,
            "values put into the events in {put} of {cases} bodies"
        );
    }
}
