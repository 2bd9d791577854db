//! What static hosts and readers' tools read besides the pages: Atom feeds (all
//! briefs, and one per topic), `sitemap.xml` and `robots.txt` ([`files`]). The
//! search index, the other file made from the whole site, is `search`'s.
//!
//! Everything here is derived from the resolved site, with dates from the briefs
//! (never the clock), so it is as deterministic as the pages. A brief's feed entry
//! and sitemap line are made with its card ([`Card`]) and pasted here: a site has a
//! feed per topic, and an edit changes one entry of each.

use super::data_out::full_url as absolute_url;
use std::collections::BTreeSet;
use std::sync::Arc;

use super::cards::Card;
use crate::deps::Dep;
use crate::model::{Brief, Site};
use crate::util::date::Date;
use crate::util::escape::xml as xml_escape;

/// A file made from the whole site, what it depends on, and how to make it (only
/// called when the file is wanted).
pub(super) type SiteFile<'a> = (
    String,
    BTreeSet<Dep>,
    Box<dyn FnOnce() -> String + Send + 'a>,
);

/// The feeds (all briefs, then each topic's), the sitemap and robots.txt.
pub(super) fn files<'a>(site: &'a Site, cards: &'a [Arc<Card>]) -> Vec<SiteFile<'a>> {
    let entry = |i: usize| cards[i].feed_entry(site, i);
    // Feeds and the sitemap show what cards show (titles, dates, summaries,
    // topics): most body edits change neither.
    let list = || BTreeSet::from([Dep::Config, Dep::Cards, Dep::Topics]);
    let all: Vec<usize> = (0..site.briefs.len()).collect();
    let mut out: Vec<SiteFile> = vec![(
        "feed.xml".into(),
        list(),
        Box::new(move || atom(site, &site.config.title, "feed.xml", "", &all, entry)),
    )];
    for t in site.topics.iter() {
        let title = format!("{} · {}", t.name, site.config.title);
        let feed = format!("topics/{}/feed.xml", t.slug);
        let page = format!("topics/{}/", t.slug);
        let briefs = t.briefs.clone();
        out.push((
            feed.clone(),
            list(),
            Box::new(move || atom(site, &title, &feed, &page, &briefs, entry)),
        ));
    }
    out.push((
        "sitemap.xml".into(),
        BTreeSet::from([Dep::Config, Dep::Cards, Dep::Topics, Dep::AllData]),
        Box::new(move || site_sitemap(site, cards)),
    ));
    out.push((
        "robots.txt".into(),
        BTreeSet::from([Dep::Config]),
        Box::new(move || robots(site)),
    ));
    out
}

/// The sitemap of the site: the lists, every brief (its card's line), every topic,
/// every dataset and every source (the first page of each list).
fn site_sitemap(site: &Site, cards: &[Arc<Card>]) -> String {
    let url = |p: &str| sitemap_url(site, p, None);
    let before: Vec<String> = ["", "briefs/", "topics/", "data/", "sources/", "search/"]
        .into_iter()
        .map(url)
        .collect();
    let after: Vec<String> = site
        .topics
        .iter()
        .map(|t| url(&format!("topics/{}/", t.slug)))
        .chain(
            site.datasets
                .keys()
                .filter(|n| *n != "sources")
                .map(|n| url(&format!("data/{n}/"))),
        )
        .chain((site.sources.iter()).map(|s| url(&format!("sources/{}/", s.slug))))
        .collect();
    // Each brief's PDF, when the site makes them, beside the pages.
    let pdfs: Vec<String> = match site.config.pdf.enabled {
        true => (site.briefs.iter())
            .map(|b| sitemap_url(site, &super::pdf::path(b), Some(last_changed(b))))
            .collect(),
        false => Vec::new(),
    };
    sitemap(
        before
            .iter()
            .chain(cards.iter().map(|c| &c.sitemap_entry))
            .chain(&pdfs)
            .chain(&after)
            .map(String::as_str),
    )
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
pub(super) fn last_changed(b: &Brief) -> Date {
    b.updated.unwrap_or(b.src.date)
}

/// An Atom feed of `briefs` (indexes into the site's, newest first; the first
/// `feed_limit:` of them), each entry
/// given by `entry` ([`atom_entry`], made once per brief and kept with its card:
/// a site has a feed per topic, and an edit changes one entry of each).
fn atom<'e>(
    site: &Site,
    title: &str,
    feed_path: &str,
    page_path: &str,
    briefs: &[usize],
    entry: impl Fn(usize) -> &'e str,
) -> String {
    let briefs = match site.config.feed_limit {
        0 => briefs,
        n => &briefs[..briefs.len().min(n)],
    };
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
pub(super) fn atom_entry(site: &Site, i: usize) -> String {
    let b = &site.briefs[i];
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
    out.push_str(&super::changes::feed_content(site, i));
    out.push_str("</entry>\n");
    out
}

/// One page's `<url>` line of `sitemap.xml` (the site path of an `…/index.html`
/// page).
pub(super) fn sitemap_url(site: &Site, path: &str, lastmod: Option<Date>) -> String {
    let mut out = format!("<url><loc>{}</loc>", xml_escape(&absolute_url(site, path)));
    if let Some(d) = lastmod {
        out.push_str(&format!("<lastmod>{}</lastmod>", d.iso()));
    }
    out.push_str("</url>\n");
    out
}

/// `sitemap.xml` of pages' [`sitemap_url`] lines.
fn sitemap<'u>(urls: impl IntoIterator<Item = &'u str>) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for u in urls {
        out.push_str(u);
    }
    out.push_str("</urlset>\n");
    out
}

fn robots(site: &Site) -> String {
    format!(
        "User-agent: *\nAllow: /\nSitemap: {}\n",
        absolute_url(site, "sitemap.xml")
    )
}
