//! The search index that the theme's search page queries in the browser: every
//! brief's and dataset's words, each scored by where it stands (a title's words
//! weigh more than a heading's, a heading's more than the body's), written as
//! compact JSON.
//!
//! It reads the text of every brief, so it is the costliest file made from the
//! whole site. A brief's terms are kept in the render cache while the brief is
//! unchanged, and the live preview may leave the index out of a rebuild to make
//! it after the reload ([`Since::search_index_later`](super::Since),
//! [`search_index_file`]).

use std::collections::BTreeSet;
use std::sync::Arc;

use rayon::prelude::*;

use super::cache::RenderCache;
use super::context::summary_text;
use super::publish::SiteFile;
use crate::deps::Dep;
use crate::markdown::html as markdown;
use crate::model::{Brief, Site};
use crate::output::{Content, OutputFile};
use crate::util::diag::Diagnostic;
use crate::util::terms::{Terms, doc_terms};

/// Where the index is written.
pub(super) const SEARCH_INDEX: &str = "search-index.json";

/// The search index as a file made from the whole site (see [`SiteFile`]).
/// `terms`, each brief's, where they were made with its Markdown (a build's
/// digests hold no text to make them from).
pub(super) fn file<'a>(
    site: &'a Site,
    md: &'a [Arc<markdown::Rendered>],
    terms: Option<Vec<Arc<Terms>>>,
) -> SiteFile<'a> {
    // Any change to any brief is a change of `BriefList`: no need to name each.
    (
        SEARCH_INDEX.into(),
        BTreeSet::from([Dep::Config, Dep::BriefList, Dep::AllData]),
        Box::new(move || {
            let terms = terms.unwrap_or_else(|| brief_terms(site, md, |_, _| None));
            index(site, md, terms)
        }),
    )
}

/// The search index of `site`, from the Markdown `cache` holds (a render of the
/// same site came first): what a partial render left for later.
pub fn search_index_file(site: &Site, cache: &mut RenderCache) -> Result<OutputFile, Diagnostic> {
    let mut md: Vec<Arc<markdown::Rendered>> = Vec::with_capacity(site.briefs.len());
    for b in &site.briefs {
        md.push(match cache.markdown_of(&b.src.file) {
            Some(m) => m,
            None => Arc::new(markdown::digest(
                &b.body.text()?,
                site.config.markdown.unsafe_html,
            )),
        });
    }
    let terms = brief_terms(site, &md, |b, m| cache.terms_of(b, m));
    cache.keep_terms(site, &md, &terms);
    Ok(OutputFile {
        path: SEARCH_INDEX.into(),
        content: Content::Bytes(index(site, &md, terms).into_bytes()),
    })
}

/// The search index: every brief's and dataset's text, weighted by where it
/// stands, from each brief's `terms`.
fn index(site: &Site, md: &[Arc<markdown::Rendered>], terms: Vec<Arc<Terms>>) -> String {
    let mut clock = crate::util::trace::Clock::new("search index");
    let mut docs: Vec<SearchDoc> = site
        .briefs
        .iter()
        .zip(md)
        .zip(terms)
        .map(|((b, m), terms)| SearchDoc {
            title: b.src.front.title.clone(),
            url: site.url(&b.path),
            summary: summary_text(b, m),
            kind: "brief",
            date: b.src.date.human(),
            terms,
        })
        .collect();
    clock.mark("terms");
    docs.extend(dataset_docs(site));
    let index = write_index(&docs);
    clock.mark("postings and JSON");
    index
}

/// Every brief's terms: `known` ones, the others made in parallel.
fn brief_terms(
    site: &Site,
    md: &[Arc<markdown::Rendered>],
    known: impl Fn(&Arc<Brief>, &Arc<markdown::Rendered>) -> Option<Arc<Terms>>,
) -> Vec<Arc<Terms>> {
    let known: Vec<Option<Arc<Terms>>> = site
        .briefs
        .iter()
        .zip(md)
        .map(|(b, m)| known(b, m))
        .collect();
    known
        .into_par_iter()
        .enumerate()
        .map(|(i, t)| t.unwrap_or_else(|| Arc::new(brief_doc_terms(&site.briefs[i], &md[i]))))
        .collect()
}

/// A brief's terms: its title's, summary's, topics', headings' and body's.
pub(super) fn brief_doc_terms(b: &Brief, m: &markdown::Rendered) -> Terms {
    brief_terms_with(b, m.body_terms())
}

/// A brief's terms, those of its body (headings and text) made before
/// ([`markdown::Rendered::body_terms`]): its title's, summary's and topics'
/// added.
pub(super) fn brief_terms_with(b: &Brief, body: Terms) -> Terms {
    let topics: Vec<&str> = b.topics.iter().map(|t| t.0.as_str()).collect();
    let front = doc_terms(&[
        (&b.src.front.title, 8),
        (&b.src.front.summary, 3),
        (&topics.join(" "), 3),
    ]);
    front.and(body)
}

/// Every dataset as a document: its title, description, column headings and cells.
fn dataset_docs(site: &Site) -> impl Iterator<Item = SearchDoc> + '_ {
    site.datasets
        .values()
        .filter(|d| d.name != "sources")
        .map(|d| {
            let columns: Vec<String> = d.columns.iter().map(|c| c.heading()).collect();
            let cells: Vec<String> = d.rows.iter().flatten().map(|c| c.text()).collect();
            SearchDoc {
                title: d.title.clone(),
                url: site.url(&format!("data/{}/", d.name)),
                summary: d.description.clone(),
                kind: "data",
                date: String::new(),
                terms: Arc::new(doc_terms(&[
                    (&d.title, 8),
                    (&d.description, 3),
                    (&columns.join(" "), 2),
                    (&cells.join(" "), 1),
                ])),
            }
        })
}

/// One searchable document: what a result shows, and its terms.
struct SearchDoc {
    title: String,
    url: String,
    summary: String,
    kind: &'static str,
    date: String,
    terms: Arc<Terms>,
}

fn push_json_str(out: &mut String, s: &str) {
    out.push_str(&serde_json::Value::from(s).to_string());
}

/// The search index: documents, a sorted term list, and for each term its
/// postings as `[doc, score, doc, score…]` with doc numbers delta-encoded, which
/// keeps the JSON small. The browser looks terms up by prefix with a binary search.
///
/// Written out by hand: on a site of a thousand briefs it has a few hundred
/// thousand numbers, and a JSON value for each took most of the time.
fn write_index(docs: &[SearchDoc]) -> String {
    let mut postings: rustc_hash::FxHashMap<&str, Vec<(u32, u32)>> = Default::default();
    for (i, d) in (0u32..).zip(docs) {
        for (t, s) in d.terms.iter() {
            // A term in two parts of the document's terms: one posting.
            let p = postings.entry(t).or_default();
            match p.last_mut() {
                Some((doc, score)) if *doc == i => *score += s,
                _ => p.push((i, s)),
            }
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
        // itoa: `write!` of two numbers a posting was a third of the index's time.
        let mut number = itoa::Buffer::new();
        for (k, &(doc, score)) in postings[t].iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            out.push_str(number.format(doc - prev));
            out.push(',');
            out.push_str(number.format(score.min(9999)));
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
    fn index_is_sorted_and_delta_encoded() {
        let doc = |title: &str, body: &str| SearchDoc {
            title: title.into(),
            url: "/x/".into(),
            summary: "a \"quoted\" summary".into(),
            kind: "brief",
            date: String::new(),
            terms: Arc::new(doc_terms(&[(title, 5), (body, 1)])),
        };
        let idx = write_index(&[doc("Coal trade", "coal coal rail"), doc("Rail", "coal")]);
        let v: Json = serde_json::from_str(&idx).unwrap();
        assert_eq!(v["terms"], json!(["coal", "rail", "trade"]));
        // coal: doc 0 scores 5 (title) + 2 (body), doc 1 (delta 1) scores 1.
        assert_eq!(v["postings"][0], json!([0, 7, 1, 1]));
        assert_eq!(v["postings"][1], json!([0, 1, 1, 5]));
        assert_eq!(v["docs"][0][2], json!("a \"quoted\" summary"));
        assert_eq!(v["v"], json!(1));
    }
}
