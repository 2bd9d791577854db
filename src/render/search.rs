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
use std::fmt::Write as _;
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
    let topics: Vec<&str> = b.topics.iter().map(|t| t.0.as_str()).collect();
    let toc: Vec<&str> = m.toc.iter().map(|t| t.title.as_str()).collect();
    doc_terms(&[
        (&b.src.front.title, 8),
        (&b.src.front.summary, 3),
        (&topics.join(" "), 3),
        (&toc.join(" "), 2),
        (&m.text, 1),
    ])
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

/// Words too common to search for; the index is smaller without them.
/// [`is_stop_word`] matches the same (this list is its test's).
#[cfg(test)]
const STOP: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is",
    "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "which", "with",
];

/// Lowercase words of two characters or more, in any script.
#[cfg(test)]
fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    each_word(text, |w| out.push(w.into_owned()));
    out
}

/// What a byte is to [`each_word`]: a lowercase ASCII letter or a digit, an
/// uppercase ASCII letter, another ASCII character, or part of a character
/// beyond ASCII.
const BYTE_CLASS: [u8; 256] = {
    let mut t = [OTHER; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c.is_ascii_lowercase() || c.is_ascii_digit() {
            LOWER
        } else if c.is_ascii_uppercase() {
            UPPER
        } else if c >= 0x80 {
            BEYOND
        } else {
            OTHER
        };
        b += 1;
    }
    t
};
const LOWER: u8 = 0;
const UPPER: u8 = 1;
const OTHER: u8 = 2;
const BEYOND: u8 = 3;

/// Each word of `text` that is a term, lowercased: a run of letters and digits
/// (of any script) two characters long or more, not a stop word. Borrowed where
/// it is lowercase already (most words of a body).
///
/// One pass a byte at a time over ASCII, which tells on the way whether a word
/// needs lowercasing: the index reads every word of every brief, and this was
/// an eighth of a build's time as an iterator of runs, each looked at again.
fn each_word<'t>(text: &'t str, mut f: impl FnMut(std::borrow::Cow<'t, str>)) {
    use std::borrow::Cow;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while bytes
            .get(i)
            .is_some_and(|&b| BYTE_CLASS[usize::from(b)] == OTHER)
        {
            i += 1;
        }
        let start = i;
        // Lowercase ASCII letters and digits only, so far.
        let mut plain = true;
        while let Some(&b) = bytes.get(i) {
            let class = BYTE_CLASS[usize::from(b)];
            if class == LOWER {
                i += 1;
            } else if class == UPPER {
                plain = false;
                i += 1;
            } else if class == OTHER {
                break;
            } else {
                match text[i..].chars().next() {
                    Some(c) if c.is_alphanumeric() => {
                        plain = false;
                        i += c.len_utf8();
                    }
                    _ => break,
                }
            }
        }
        if i == start {
            // Not a letter or digit (or the end): step over it, whole.
            i += text[i..].chars().next().map_or(1, char::len_utf8);
            continue;
        }
        let w = &text[start..i];
        if w.len() < 2 || (bytes[start] >= 0x80 && w.chars().nth(1).is_none()) {
            continue;
        }
        let w = match plain {
            true => Cow::Borrowed(w),
            false => Cow::Owned(w.to_lowercase()),
        };
        if !is_stop_word(&w) {
            f(w);
        }
    }
}

/// Whether `w` (lowercase) is one of [`STOP`]'s words: a match the compiler
/// makes a few byte compares (a binary search over [`STOP`] was a sixth of the
/// index's time); the test below keeps the two lists the same.
fn is_stop_word(w: &str) -> bool {
    matches!(
        w.as_bytes(),
        b"a" | b"an"
            | b"and"
            | b"are"
            | b"as"
            | b"at"
            | b"be"
            | b"by"
            | b"for"
            | b"from"
            | b"has"
            | b"have"
            | b"in"
            | b"is"
            | b"it"
            | b"its"
            | b"of"
            | b"on"
            | b"or"
            | b"that"
            | b"the"
            | b"this"
            | b"to"
            | b"was"
            | b"were"
            | b"which"
            | b"with"
    )
}

/// A document's terms and their scores, sorted by term: the terms in one
/// string, each ended by a newline (no term holds one), and their scores. A
/// build holds every brief's terms until the index is written; a string and a
/// score for each term took ten times the room.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Terms {
    words: Box<str>,
    scores: Box<[u32]>,
}

impl Terms {
    /// Each term, in order, with its score.
    pub(super) fn iter(&self) -> impl Iterator<Item = (&str, u32)> + '_ {
        self.words
            .split_terminator('\n')
            .zip(self.scores.iter().copied())
    }
}

/// The terms of a document's texts, each text with its weight: titles weigh more
/// than headings, headings more than body text.
fn doc_terms(texts: &[(&str, u32)]) -> Terms {
    // About one distinct term in every sixteen bytes of text.
    let size: usize = texts.iter().map(|(t, _)| t.len()).sum();
    let mut scores: rustc_hash::FxHashMap<std::borrow::Cow<str>, u32> =
        rustc_hash::FxHashMap::with_capacity_and_hasher(size / 16, Default::default());
    for (text, weight) in texts {
        each_word(text, |t| *scores.entry(t).or_default() += weight);
    }
    let mut sorted: Vec<(std::borrow::Cow<str>, u32)> = scores.into_iter().collect();
    sorted.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut words = String::with_capacity(sorted.iter().map(|(t, _)| t.len() + 1).sum());
    for (t, _) in &sorted {
        words.push_str(t);
        words.push('\n');
    }
    Terms {
        words: words.into(),
        scores: sorted.into_iter().map(|(_, s)| s).collect(),
    }
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
            postings.entry(t).or_default().push((i, s));
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
    fn words_split_as_unicode_says_and_stop_words_go() {
        assert!(STOP.windows(2).all(|w| w[0] < w[1]));
        assert!(STOP.iter().all(|w| is_stop_word(w)));
        assert!(
            !["al", "ant", "thee", "witch", "tho"]
                .iter()
                .any(|w| is_stop_word(w))
        );
        assert_eq!(terms("The Trade OF it"), ["trade"]);
    }

    /// What [`each_word`] makes, the slow way: split where Unicode says a
    /// character is not alphanumeric, keep words of two characters, lowercase.
    fn terms_the_slow_way(text: &str) -> Vec<String> {
        (text.split(|c: char| !c.is_alphanumeric()))
            .filter(|w| w.len() >= 2 && (w.as_bytes()[0] < 0x80 || w.chars().nth(1).is_some()))
            .map(str::to_lowercase)
            .filter(|w| !is_stop_word(w))
            .collect()
    }

    #[test]
    fn words_are_what_unicode_splitting_gives() {
        let texts = [
            "—Khasan–Rajin, 2013!  Хасан и 라선 x",
            "The ÉCOLE d'été, naïve CAFÉ; ǅemal İstanbul ΣΊΣΥΦΟΣ ＡＢＣ x2 ².",
            "a1 B2 c_3 ü ÜB 한국어 的 ４２ e\u{301}t\u{e9} \u{2028}end",
            "",
            "-",
            "ab",
        ];
        for t in texts {
            assert_eq!(terms(t), terms_the_slow_way(t), "{t}");
        }
    }

    #[test]
    fn terms_in_any_script() {
        let t: Vec<String> = terms("The Khasan–Rajin line, 2013: Хасан и 라선 a");
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
