//! What static hosts and readers' tools read besides the pages: Atom feeds (all
//! briefs, and one per topic), `sitemap.xml`, `robots.txt`, and the search index
//! that the theme's search page queries in the browser.
//!
//! Everything here is derived from the resolved site, with dates from the briefs
//! (never the clock), so it is as deterministic as the pages.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use pulldown_cmark::{Event, Parser};

use crate::model::{Brief, Site};
use crate::util::date::Date;

use crate::util::escape::xml as xml_escape;

/// An absolute URL where the base URL names a host, else the site path.
pub fn absolute_url(site: &Site, path: &str) -> String {
    if site.config.has_host() {
        format!("{}{}", site.config.base_url, path.trim_start_matches('/'))
    } else {
        site.url(path)
    }
}

/// RFC 3339 timestamp of a day: feeds need a time, briefs have dates.
fn timestamp(d: &Date) -> String {
    format!(
        "{:04}-{:02}-{:02}T00:00:00Z",
        d.year,
        d.month.max(1),
        d.day.max(1)
    )
}

/// The date a brief last changed: `updated:`, else its last commit, else `date:`.
pub fn last_changed(b: &Brief) -> Date {
    b.updated.unwrap_or(b.src.date)
}

/// An Atom feed of `briefs` (indexes into the site's, newest first), each entry
/// given by `entry` ([`atom_entry`], made once per brief and kept with its card:
/// a site has a feed per topic, and an edit changes one entry of each).
pub fn atom<'e>(
    site: &Site,
    title: &str,
    feed_path: &str,
    page_path: &str,
    briefs: &[usize],
    entry: impl Fn(usize) -> &'e str,
) -> String {
    let updated = briefs
        .iter()
        .map(|&i| last_changed(&site.briefs[i]))
        .max()
        .map_or_else(|| "1970-01-01T00:00:00Z".to_string(), |d| timestamp(&d));
    let mut out = String::with_capacity(1024 + briefs.len() * 600);
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"",
    );
    out.push_str(&format!(
        " xml:lang=\"{}\">\n",
        xml_escape(&site.config.language)
    ));
    out.push_str(&format!("<title>{}</title>\n", xml_escape(title)));
    if !site.config.description.is_empty() {
        out.push_str(&format!(
            "<subtitle>{}</subtitle>\n",
            xml_escape(&site.config.description)
        ));
    }
    out.push_str(&format!(
        "<id>{}</id>\n",
        xml_escape(&absolute_url(site, feed_path))
    ));
    out.push_str(&format!(
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        xml_escape(&absolute_url(site, feed_path))
    ));
    out.push_str(&format!(
        "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        xml_escape(&absolute_url(site, page_path))
    ));
    out.push_str(&format!("<updated>{updated}</updated>\n"));
    for a in &site.config.authors {
        out.push_str(&format!(
            "<author><name>{}</name></author>\n",
            xml_escape(a)
        ));
    }
    if site.config.authors.is_empty() {
        out.push_str(&format!(
            "<author><name>{}</name></author>\n",
            xml_escape(&site.config.title)
        ));
    }
    out.push_str(&format!(
        "<generator version=\"{}\">tumen</generator>\n",
        env!("CARGO_PKG_VERSION")
    ));
    for &i in briefs {
        out.push_str(entry(i));
    }
    out.push_str("</feed>\n");
    out
}

/// A brief's `<entry>` in a feed.
pub fn atom_entry(site: &Site, b: &Brief) -> String {
    let url = xml_escape(&absolute_url(site, &b.path));
    let mut out = format!(
        "<entry>\n<title>{}</title>\n<id>{url}</id>\n\
         <link rel=\"alternate\" type=\"text/html\" href=\"{url}\"/>\n\
         <published>{}</published>\n<updated>{}</updated>\n",
        xml_escape(&b.src.front.title),
        timestamp(&b.src.date),
        timestamp(&last_changed(b))
    );
    for a in &b.src.front.authors {
        out.push_str(&format!(
            "<author><name>{}</name></author>\n",
            xml_escape(a)
        ));
    }
    for (name, slug) in &b.topics {
        out.push_str(&format!(
            "<category term=\"{}\" label=\"{}\"/>\n",
            xml_escape(slug),
            xml_escape(name)
        ));
    }
    if !b.src.front.summary.trim().is_empty() {
        out.push_str(&format!(
            "<summary>{}</summary>\n",
            xml_escape(b.src.front.summary.trim())
        ));
    }
    out.push_str("</entry>\n");
    out
}

/// One page's `<url>` line of `sitemap.xml` (the site path of an `…/index.html`
/// page).
pub fn sitemap_url(site: &Site, path: &str, lastmod: Option<Date>) -> String {
    let mut out = format!("<url><loc>{}</loc>", xml_escape(&absolute_url(site, path)));
    if let Some(d) = lastmod {
        out.push_str(&format!("<lastmod>{}</lastmod>", d.iso()));
    }
    out.push_str("</url>\n");
    out
}

/// `sitemap.xml` of pages' [`sitemap_url`] lines.
pub fn sitemap<'u>(urls: impl IntoIterator<Item = &'u str>) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for u in urls {
        out.push_str(u);
    }
    out.push_str("</urlset>\n");
    out
}

pub fn robots(site: &Site) -> String {
    format!(
        "User-agent: *\nAllow: /\nSitemap: {}\n",
        absolute_url(site, "sitemap.xml")
    )
}

/// Words too common to search for; the index is smaller without them.
const STOP: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is",
    "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "which", "with",
];

/// Lowercase words of two characters or more, in any script.
pub fn terms(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2)
        .map(|w| w.to_lowercase())
        .filter(|w| !STOP.contains(&w.as_str()))
}

/// A document's terms and their scores, sorted by term.
pub type Terms = Vec<(Box<str>, u32)>;

/// The terms of a document's texts, each text with its weight: titles weigh more
/// than headings, headings more than body text.
pub fn doc_terms(texts: &[(&str, u32)]) -> Terms {
    let mut scores: HashMap<String, u32> = HashMap::new();
    for (text, weight) in texts {
        for t in terms(text) {
            *scores.entry(t).or_default() += weight;
        }
    }
    let mut out: Terms = scores
        .into_iter()
        .map(|(t, s)| (t.into_boxed_str(), s))
        .collect();
    out.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    out
}

/// One searchable document: what a result shows, and its terms.
pub struct SearchDoc {
    pub title: String,
    pub url: String,
    pub summary: String,
    pub kind: &'static str,
    pub date: String,
    pub terms: Arc<Terms>,
}

/// The text of a Markdown body, without its markup.
pub fn markdown_text(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    for ev in Parser::new(body) {
        if let Event::Text(t) | Event::Code(t) = ev {
            out.push_str(&t);
            out.push(' ');
        }
    }
    out
}

fn push_json_str(out: &mut String, s: &str) {
    out.push_str(&serde_json::to_string(s).expect("a string is JSON"));
}

/// The search index: documents, a sorted term list, and for each term its
/// postings as `[doc, score, doc, score…]` with doc numbers delta-encoded, which
/// keeps the JSON small. The browser looks terms up by prefix with a binary search.
///
/// Written out by hand: on a site of a thousand briefs it has a few hundred
/// thousand numbers, and a JSON value for each took most of the time.
pub fn search_index(docs: &[SearchDoc]) -> String {
    let mut postings: HashMap<&str, Vec<(usize, u32)>> = HashMap::new();
    for (i, d) in docs.iter().enumerate() {
        for (t, s) in d.terms.iter() {
            postings.entry(t).or_default().push((i, *s));
        }
    }
    let mut terms: Vec<&str> = postings.keys().copied().collect();
    terms.sort_unstable();
    let mut out = String::with_capacity(64 + docs.len() * 200 + postings.len() * 24);
    out.push_str("{\"v\":1,\"docs\":[");
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        for (k, f) in [&d.title, &d.url, &d.summary, d.kind, &d.date]
            .into_iter()
            .enumerate()
        {
            if k > 0 {
                out.push(',');
            }
            push_json_str(&mut out, f);
        }
        out.push(']');
    }
    out.push_str("],\"terms\":[");
    for (i, t) in terms.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_str(&mut out, t);
    }
    out.push_str("],\"postings\":[");
    for (i, t) in terms.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        let mut prev = 0;
        for (k, &(doc, score)) in postings[t].iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            let _ = write!(out, "{},{}", doc - prev, score.min(9999));
            prev = doc;
        }
        out.push(']');
    }
    out.push_str("]}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value as Json, json};

    #[test]
    fn terms_in_any_script() {
        let t: Vec<String> = terms("The Khasan–Rajin line, 2013: Хасан и 라선 a").collect();
        assert_eq!(t, vec!["khasan", "rajin", "line", "2013", "хасан", "라선"]);
    }

    #[test]
    fn index_is_sorted_and_delta_encoded() {
        let doc = |title: &str, body: &str| SearchDoc {
            title: title.into(),
            url: "/x/".into(),
            summary: "a \"quoted\" summary".into(),
            kind: "brief",
            date: String::new(),
            terms: Arc::new(doc_terms(&[(title, 5), (body, 1)])),
        };
        let idx = search_index(&[doc("Coal trade", "coal coal rail"), doc("Rail", "coal")]);
        let v: Json = serde_json::from_str(&idx).unwrap();
        assert_eq!(v["terms"], json!(["coal", "rail", "trade"]));
        // coal: doc 0 scores 5 (title) + 2 (body), doc 1 (delta 1) scores 1.
        assert_eq!(v["postings"][0], json!([0, 7, 1, 1]));
        assert_eq!(v["postings"][1], json!([0, 1, 1, 5]));
        assert_eq!(v["docs"][0][2], json!("a \"quoted\" summary"));
        assert_eq!(v["v"], json!(1));
    }
}
