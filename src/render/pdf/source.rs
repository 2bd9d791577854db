//! One brief's Typst source: the `brief` dictionary (everything the title
//! block, the running head, the figures and the back matter print, as Typst
//! strings), the template, the body converted from Markdown, the back matter.
//!
//! Every value from the site goes in as a string literal ([`string`]), never as
//! markup, so nothing an author writes in a title or a source can act as Typst
//! code; the body's text is escaped by `markdown::typst`.

use crate::load::StaticFile;
use crate::load::config::Paper;
use crate::markdown::typst::{self as markup, Options, string};
use crate::model::{Brief, Site};
use crate::render::context::{Ctx, summary_text};
use crate::render::data_out::full_url;

/// The template every brief's source holds (see its opening comment).
const TEMPLATE: &str = include_str!("brief.typ");

/// Files beside a source: the path it reads each by, and its bytes.
pub(super) type Files = Vec<(String, Vec<u8>)>;

/// A brief's PDF source, and the files it reads beside its charts.
pub(super) struct PdfSource {
    pub(super) text: String,
    /// The images of the brief that the site has, by the path the source uses.
    pub(super) files: Files,
    /// Those images as the site's static files (what the PDF is made from).
    pub(super) statics: Vec<String>,
}

/// The whole source of brief `i`'s PDF.
pub(super) fn source(ctx: &Ctx, i: usize) -> Result<PdfSource, crate::util::diag::Diagnostic> {
    let site = ctx.site;
    let b = &site.briefs[i];
    let page_url = full_url(site, &b.path);
    let base_url = full_url(site, "");
    let opts = Options {
        links: &b.links,
        base_url: &base_url,
        page_url: &page_url,
        raw_html: site.config.markdown.unsafe_html,
    };
    let markup = markup::render(&b.body.text()?, &opts);
    let (images, files, statics) = pictures(site, &markup.images);
    let mut text = String::with_capacity(markup.body.len() + TEMPLATE.len() + 4096);
    text.push_str("#let brief = (\n");
    for (key, value) in dictionary(ctx, i, &page_url)
        .into_iter()
        .chain([("images", images)])
    {
        text.push_str(&format!("  {key}: {value},\n"));
    }
    text.push_str(")\n");
    text.push_str(TEMPLATE);
    text.push('\n');
    text.push_str(&markup.body);
    text.push_str("\n#back-matter\n");
    Ok(PdfSource {
        text,
        files,
        statics,
    })
}

/// The images a brief shows that are the site's own files, in a format Typst
/// draws: each as `/image-N.ext` for the source (or `none`: its description is
/// printed instead), with the bytes and the static file each came from.
fn pictures(site: &Site, srcs: &[String]) -> (String, Files, Vec<String>) {
    let (mut values, mut files, mut statics) = (Vec::new(), Vec::new(), Vec::new());
    for (k, src) in srcs.iter().enumerate() {
        let key = src
            .strip_prefix(site.base_path.as_str())
            .unwrap_or(src)
            .trim_start_matches('/');
        let key = key.split(['?', '#']).next().unwrap_or(key);
        let ext = key.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
        let drawable = ext
            .as_deref()
            .is_some_and(|e| matches!(e, "png" | "jpg" | "jpeg" | "gif" | "svg" | "webp"));
        let bytes = match site.static_files.get(key) {
            Some(_) if !drawable || src.contains("://") => None,
            Some(StaticFile::Disk(p)) => std::fs::read(p).ok(),
            Some(StaticFile::Embedded(b)) => Some(b.to_vec()),
            None => None,
        };
        match (bytes, ext) {
            (Some(bytes), Some(ext)) => {
                let path = format!("/image-{}.{ext}", k + 1);
                values.push(string(&path));
                files.push((path, bytes));
                statics.push(key.to_string());
            }
            _ => values.push("none".into()),
        }
    }
    (array(values.into_iter()), files, statics)
}

/// The `brief` dictionary, as keys and Typst values.
fn dictionary(ctx: &Ctx, i: usize, page_url: &str) -> Vec<(&'static str, String)> {
    let site = ctx.site;
    let b = &site.briefs[i];
    let front = &b.src.front;
    let authors = if front.authors.is_empty() {
        &site.config.authors
    } else {
        &front.authors
    };
    let topics: Vec<String> = b.topics.iter().map(|(name, _)| name.clone()).collect();
    let (lang, region) = language(&site.config.language);
    let date = b.updated.unwrap_or(b.src.date);
    vec![
        ("title", string(&front.title)),
        ("summary", string(&summary_text(b, &ctx.md[i]))),
        ("authors", array(authors.iter().map(|a| string(a)))),
        ("topics", array(topics.iter().map(|t| string(t)))),
        (
            "date",
            format!(
                "datetime(year: {}, month: {}, day: {})",
                date.year,
                date.month.max(1),
                date.day.max(1)
            ),
        ),
        ("lang", string(&lang)),
        ("region", region.map_or("none".into(), |r| string(&r))),
        (
            "paper",
            string(match site.config.pdf.paper {
                Paper::A4 => "a4",
                Paper::Letter => "us-letter",
            }),
        ),
        ("site", string(&site.config.title)),
        ("url", string(page_url)),
        ("kicker", string(&kicker(&topics))),
        (
            "byline",
            array(byline(b, authors).iter().map(|l| string(l))),
        ),
        ("charts", charts(ctx, b)),
        (
            "sources",
            array(front.sources.iter().map(|k| string(&source_line(ctx, k)))),
        ),
        ("history", history(b)),
        (
            "history-note",
            crate::render::pages::history_note(site, b).map_or("none".into(), string),
        ),
        (
            "license",
            string(
                &site
                    .config
                    .license
                    .as_ref()
                    .map_or(String::new(), |l| format!("Licence: {}.", l.text())),
            ),
        ),
    ]
}

/// A Typst array of values, with the trailing comma that makes one of one.
fn array(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    match items.as_slice() {
        [one] => format!("({one},)"),
        _ => format!("({})", items.join(", ")),
    }
}

/// `en` and `GB` from `en-GB`; a tag Typst does not take falls back to `en`.
fn language(tag: &str) -> (String, Option<String>) {
    let mut parts = tag.split(['-', '_']);
    let lang = parts.next().unwrap_or("").to_ascii_lowercase();
    let lang = match lang.len() {
        2 | 3 if lang.chars().all(|c| c.is_ascii_lowercase()) => lang,
        _ => "en".to_string(),
    };
    let region = parts
        .next()
        .filter(|r| r.len() == 2 && r.chars().all(|c| c.is_ascii_alphabetic()))
        .map(str::to_ascii_uppercase);
    (lang, region)
}

/// What the title block says above the title: `Brief · Trade, Sanctions`.
fn kicker(topics: &[String]) -> String {
    match topics.is_empty() {
        true => "Brief".into(),
        false => format!("Brief · {}", topics.join(", ")),
    }
}

/// The line under the title: authors, dates.
fn byline(b: &Brief, authors: &[String]) -> Vec<String> {
    let mut line = Vec::new();
    if !authors.is_empty() {
        line.push(format!("By {}", authors.join(", ")));
    }
    line.push(format!("Published {}", b.src.date.human()));
    if let Some(u) = b.updated {
        line.push(format!("Updated {}", u.human()));
    }
    line
}

/// Each chart's file, description (its alt text), caption and sources.
fn charts(ctx: &Ctx, b: &Brief) -> String {
    array(b.charts.iter().enumerate().map(|(k, plan)| {
        let title = plan.spec.title.clone().unwrap_or_default();
        let caption = plan.spec.caption.clone().unwrap_or_else(|| title.clone());
        let sources: Vec<String> = plan
            .sources
            .iter()
            .map(|key| source_title(ctx, key))
            .collect();
        let mut data = format!("Data: {}", plan.dataset_title);
        if let Some(u) = &plan.unit {
            data.push_str(&format!(" ({u})"));
        }
        format!(
            "(path: {}, alt: {}, caption: {}, sources: {}, data: {})",
            string(&format!("/figure-{}.svg", k + 1)),
            string(format!("{title}. {}", plan.description()).trim_start_matches(". ")),
            string(&caption),
            string(&sources.join("; ")),
            string(&data),
        )
    }))
}

fn source_title(ctx: &Ctx, key: &str) -> String {
    ctx.source_ref(key)["title"]
        .as_str()
        .unwrap_or(key)
        .to_string()
}

/// A source as the back matter lists it: title, author, publisher, date, URL.
fn source_line(ctx: &Ctx, key: &str) -> String {
    let s = ctx.source_ref(key);
    let field = |k: &str| s[k].as_str().unwrap_or("").to_string();
    let (title, author, publisher) = (field("title"), field("author"), field("publisher"));
    let mut line = title;
    if !author.is_empty() {
        line.push_str(&format!(", {author}"));
    }
    if !publisher.is_empty() && publisher != author {
        line.push_str(&format!(", {publisher}"));
    }
    if !field("date").is_empty() {
        line.push_str(&format!(" ({})", field("date")));
    }
    line.push('.');
    if !field("url").is_empty() {
        line.push_str(&format!(" {}", field("url")));
    }
    line
}

/// The brief's revisions, newest first: date and what changed.
fn history(b: &Brief) -> String {
    array(b.history.iter().map(|r| {
        format!(
            "(date: {}, subject: {})",
            string(&r.date.human()),
            string(&r.subject)
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_of_one_keep_their_comma() {
        assert_eq!(array(std::iter::empty()), "()");
        assert_eq!(array(["\"a\"".to_string()].into_iter()), "(\"a\",)");
        assert_eq!(array(["1".into(), "2".into()].into_iter()), "(1, 2)");
    }

    #[test]
    fn language_tags_become_lang_and_region() {
        assert_eq!(language("en-GB"), ("en".into(), Some("GB".into())));
        assert_eq!(language("ko"), ("ko".into(), None));
        assert_eq!(language("x-klingon-1"), ("en".into(), None));
    }
}
