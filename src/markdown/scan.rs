//! One walk over a brief's Markdown, before values are put in: where its code and
//! raw HTML are (so that `{{` inside them is left alone), every link with its
//! position (to resolve and to report at), its chart blocks, and its lints. The
//! resolver keeps the result per body text, so an unchanged body is not walked
//! again by the live preview.

use std::ops::Range;
use std::sync::Arc;

use pulldown_cmark::{Event, LinkType, Parser, RefDefs, Tag, TagEnd};

use super::lint::{Lint, Linter};

/// Where the code and raw HTML of a Markdown text are, so that `{{` inside them is
/// left alone, every link with its position, and the mistakes of its Markdown.
#[derive(Debug)]
pub struct Scan {
    pub literal: Vec<Range<usize>>,
    pub links: Vec<(String, Range<usize>)>,
    pub charts: Vec<ChartBlock>,
    pub lints: Arc<[Lint]>,
}

/// A ```` ```chart ```` block: its YAML and where it is.
#[derive(Debug, Clone)]
pub struct ChartBlock {
    pub yaml: String,
    /// Offset of the opening fence in the body.
    pub fence: usize,
    /// Offset of the first line of YAML in the body.
    pub content: usize,
}

pub fn scan_markdown(body: &str) -> Scan {
    scan_parsed(body).0
}

/// A body's events as pulldown-cmark gives them, each with where it is in the body.
pub type Events<'a> = Vec<(Event<'a>, Range<usize>)>;

/// [`scan_markdown`], with the events it walked: a build makes the brief's
/// digest from them too ([`super::html::digest_of_events`]), rather than parse
/// the body again.
pub fn scan_parsed(body: &str) -> (Scan, Events<'_>) {
    let mut parser = Parser::new_ext(body, super::options()).into_offset_iter();
    let events: Events = parser.by_ref().collect();
    let scan = walk(body, &events, parser.reference_definitions());
    (scan, events)
}

/// The scan's walk of a body's `events`.
fn walk(body: &str, events: &Events, defs: &RefDefs) -> Scan {
    let mut literal = Vec::new();
    let mut links = Vec::new();
    let mut charts = Vec::new();
    let mut code_start = None;
    let mut chart: Option<ChartBlock> = None;
    let mut lint = Linter::new(body);
    for (ev, range) in events {
        lint.event(ev, range);
        match ev {
            Event::Start(Tag::CodeBlock(kind)) => {
                code_start = Some(range.start);
                if super::is_chart_block(kind) {
                    // The YAML starts on the line after the fence.
                    let content = body[range.start..]
                        .find('\n')
                        .map_or(range.end, |i| range.start + i + 1);
                    chart = Some(ChartBlock {
                        yaml: String::new(),
                        fence: range.start,
                        content,
                    });
                }
            }
            Event::Text(t) if chart.is_some() => {
                if let Some(c) = chart.as_mut() {
                    c.yaml.push_str(t);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(s) = code_start.take() {
                    literal.push(s..range.end);
                }
                charts.extend(chart.take());
            }
            Event::Code(_) | Event::Html(_) | Event::InlineHtml(_) => literal.push(range.clone()),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                id,
                ..
            }) => {
                // A reference link's target is written in its definition
                // (`[label]: target.md`): point errors there.
                let at = match link_type {
                    LinkType::Reference | LinkType::Collapsed | LinkType::Shortcut => {
                        defs.get(id).map_or(range.clone(), |def| def.span.clone())
                    }
                    _ => range.clone(),
                };
                links.push((dest_url.to_string(), at));
            }
            _ => {}
        }
    }
    Scan {
        literal,
        links,
        charts,
        lints: lint.finish().into(),
    }
}
