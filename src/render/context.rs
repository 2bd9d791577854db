//! What templates read: the site as JSON and Tera values. [`Ctx`] holds what every
//! page of one render shares (each brief's Markdown and card, the related briefs,
//! the datasets' figures); the globals ([`set_site_global`], [`set_globals`]) are
//! built once and set as Tera's global context, which every page reads without
//! copying; a page's own context (in `pages`) holds only what is its own.
//!
//! The JSON shapes here are the theme's interface: a key renamed is a template
//! broken, so every value a template reads is made in this one place.

use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::{Value as Json, json};
use tera::Value;
use tera::value::Key;

use super::cards::Card;
use super::templates::Templates;
use crate::load::dataset::{Cell, ColumnType, Dataset};
use crate::markdown::html as markdown;
use crate::model::{Brief, Site, Source};
use crate::util::format::format_number;

/// The most rows a dataset's page shows as a table: a page of 860,000 rows
/// (100 MB of HTML) helps no reader and takes a browser minutes. The page says how
/// many there are and links the whole table (CSV, JSON).
pub(super) const PAGE_ROWS: usize = 1000;

/// How many of the briefs citing a source the sources page (and the `sources`
/// global) lists under it; the source's own page lists them all.
const SOURCE_PREVIEW: usize = 10;

/// The first briefs citing `s`, as the sources page lists them under it.
pub(super) fn source_preview(s: &Source) -> &[usize] {
    &s.cited_by_briefs[..s.cited_by_briefs.len().min(SOURCE_PREVIEW)]
}

pub(super) fn tv(j: &Json) -> Value {
    Value::from_serializable(j)
}

/// A Tera map of `base`'s fields plus values that are Tera values already.
pub(super) fn with_values(base: &Json, extra: Vec<(&'static str, Value)>) -> Value {
    // The map itself, not a copy: the value made here has no other owner.
    let mut m = tv(base).into_map().unwrap_or_default();
    for (k, v) in extra {
        m.insert(k.into(), v);
    }
    Value::from(m)
}

/// A dataset's rows as template values: what `tv(&d.rows_json())` makes.
fn rows_value(d: &Dataset) -> Value {
    let keys: Vec<Key<'static>> = (d.columns.iter())
        .map(|c| Key::String(Arc::from(c.name.as_str())))
        .collect();
    let rows: Vec<Value> = (d.rows.par_iter())
        .map(|row| {
            let mut m = tera::value::Map::with_capacity(keys.len());
            for (k, cell) in keys.iter().zip(row) {
                m.insert(k.clone(), cell_value(cell));
            }
            Value::from(m)
        })
        .collect();
    Value::from(rows)
}

/// A cell as a template value, as [`Cell::to_json`] and [`tv`] would make it.
fn cell_value(c: &Cell) -> Value {
    match c {
        Cell::Null => Value::none(),
        Cell::Integer(i) => int_value(*i),
        Cell::Year(y) => int_value(i64::from(*y)),
        Cell::Number(n) if n.is_finite() => (*n).into(),
        Cell::Number(_) => Value::none(),
        Cell::Text(s) => s.as_str().into(),
        Cell::Date(d) => d.iso().into(),
    }
}

/// JSON keeps non-negative integers unsigned, and so does a value made from it.
fn int_value(i: i64) -> Value {
    u64::try_from(i).map_or_else(|_| i.into(), Value::from)
}

/// A number as a reader sees it in a table: thousands grouped, decimals as written.
pub(super) fn display_cell(c: &Cell) -> String {
    match c {
        Cell::Number(_) | Cell::Integer(_) => {
            format_number(c.as_f64().unwrap_or(0.0), ",").unwrap_or_else(|_| c.text())
        }
        Cell::Date(d) => d.human(),
        other => other.text(),
    }
}

/// Up to `n` words of `text`, for summaries made from the first paragraph.
fn clip_words(text: &str, n: usize) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() <= n {
        return words.join(" ");
    }
    format!(
        "{}…",
        words[..n].join(" ").trim_end_matches([',', ';', ':', '.'])
    )
}

/// A brief's summary: its `summary:`, else the first ~30 words of its first
/// paragraph. What its page, lists and search results show.
pub(super) fn summary_text(b: &Brief, md: &markdown::Rendered) -> String {
    if b.src.front.summary.trim().is_empty() {
        clip_words(&md.first_paragraph, 30)
    } else {
        b.src.front.summary.trim().to_string()
    }
}

/// What every page of one render shares.
pub(super) struct Ctx<'a> {
    pub(super) site: &'a Site,
    /// Each brief's Markdown; a build's are digests, without HTML.
    pub(super) md: &'a [Arc<markdown::Rendered>],
    /// When `md` are digests: each brief's figures, for its page to make its
    /// HTML with ([`Ctx::brief_html`]).
    pub(super) html_later: Option<&'a [Vec<String>]>,
    /// The figure HTML of each dataset's default chart.
    pub(super) dataset_figures: BTreeMap<&'a str, String>,
    /// Every brief's card, made once: lists of briefs on many pages share them
    /// instead of converting the same JSON again for every page.
    pub(super) cards: Vec<Arc<Card>>,
    pub(super) related: Arc<Vec<Vec<usize>>>,
    /// Each brief's PDF (its URL and size), when the site makes them and this
    /// render needs them.
    pub(super) pdfs: Vec<Option<(String, usize)>>,
}

impl Ctx<'_> {
    pub(super) fn url(&self, path: &str) -> String {
        self.site.url(path)
    }

    /// The cards of the briefs `idx`, as a list for a template.
    pub(super) fn card_list<'i>(&self, idx: impl IntoIterator<Item = &'i usize>) -> Value {
        Value::from(
            idx.into_iter()
                .map(|&i| self.cards[i].value.clone())
                .collect::<Vec<_>>(),
        )
    }

    /// Brief `i`'s body as HTML: made now when `md` holds digests (a build
    /// makes each brief's page once, and holds a batch of pages, not every
    /// brief's HTML), else the one made with the rest.
    pub(super) fn brief_html(
        &self,
        i: usize,
    ) -> Result<std::borrow::Cow<'_, str>, crate::util::diag::Diagnostic> {
        let Some(figures) = self.html_later else {
            return Ok(std::borrow::Cow::Borrowed(self.md[i].html.as_str()));
        };
        let (site, b) = (self.site, &self.site.briefs[i]);
        let raw_html = site.config.markdown.unsafe_html;
        let body = b.body.text()?;
        let html = markdown::html(&body, &b.links, &site.base_path, &figures[i], raw_html);
        Ok(std::borrow::Cow::Owned(html))
    }

    /// What a brief's page and lists show of it, but its Markdown.
    pub(super) fn summary(&self, i: usize) -> Json {
        let b = &self.site.briefs[i];
        let md = &self.md[i];
        json!({
            "title": b.src.front.title,
            "slug": b.slug,
            "url": self.url(&b.path),
            "path": b.path,
            "date": b.src.date.iso(),
            "date_human": b.src.date.human(),
            "updated": b.updated.map(|d| d.iso()),
            "updated_human": b.updated.map(|d| d.human()),
            "summary": summary_text(b, md),
            "authors": b.src.front.authors,
            "countries": b.src.front.countries,
            "topics": b.topics.iter().map(|(name, slug)| json!({"name": name, "slug": slug, "url": self.url(&format!("topics/{slug}/"))})).collect::<Vec<_>>(),
            "words": md.words,
            "reading_minutes": markdown::reading_minutes(md.words),
            "weight": b.src.front.weight,
        })
    }

    /// What lists show of a brief: its summary without the word count, which
    /// changes with nearly every edit of the body (the reading time seldom does).
    pub(super) fn card(&self, i: usize) -> Json {
        let mut card = self.summary(i);
        if let Some(m) = card.as_object_mut() {
            m.shift_remove("words");
            // The feed entry, made with the card, shows them.
            let corrections = super::changes::corrections(self.site, i);
            if !corrections.is_empty() {
                m.insert("corrections".into(), Json::Array(corrections));
            }
        }
        card
    }

    pub(super) fn source_ref(&self, key: &str) -> Json {
        let s = self.site.sources.iter().find(|s| s.key == key);
        json!({
            "key": key,
            "title": s.and_then(|s| s.fields.get("title")).cloned().unwrap_or_else(|| key.to_string()),
            "author": s.and_then(|s| s.fields.get("author")).cloned().unwrap_or_default(),
            "publisher": s.and_then(|s| s.fields.get("publisher")).cloned().unwrap_or_default(),
            "date": s.and_then(|s| s.fields.get("date")).cloned().unwrap_or_default(),
            "url": s.and_then(|s| s.fields.get("url")).cloned().unwrap_or_default(),
            "anchor": self.url(&super::paginate::source_anchor(self.site, key)),
        })
    }

    /// A source as the sources page, its own page and the `sources` global show
    /// it: its fields, the datasets drawn from it, how many briefs cite it and
    /// `cited`'s cards (some or all of those briefs), and its page's URL.
    pub(super) fn source_value(&self, s: &Source, cited: &[usize]) -> Value {
        let site = self.site;
        let mut v = self.source_ref(&s.key);
        v["fields"] = json!(s.fields);
        v["page_url"] = json!(self.url(&format!("sources/{}/", s.slug)));
        v["cited_by_count"] = json!(s.cited_by_briefs.len());
        v["cited_by_datasets"] = Json::Array(
            (s.cited_by_datasets.iter())
                .filter_map(|n| site.datasets.get(n))
                .map(|d| self.dataset_link(d))
                .collect(),
        );
        with_values(&v, vec![("cited_by_briefs", self.card_list(cited))])
    }

    /// A dataset's name, title and URL: how pages link to it.
    pub(super) fn dataset_link(&self, d: &Dataset) -> Json {
        json!({"name": d.name, "title": d.title, "url": self.url(&format!("data/{}/", d.name))})
    }

    /// A dataset as templates read it, with every row (the `data` and
    /// `datasets` globals), as a template value: its rows made straight from the
    /// cells (not through JSON) and in parallel, the column names shared: a
    /// dataset of 860,000 rows takes a second, not twelve.
    pub(super) fn dataset_value(&self, d: &Dataset) -> Value {
        with_values(
            &self.dataset_with(d, Vec::new()),
            vec![("rows", rows_value(d))],
        )
    }

    /// A dataset as its page reads it: the first [`PAGE_ROWS`] rows (all of them
    /// are in `data.<name>.rows` and in the downloads), with `rows_shown`.
    pub(super) fn dataset_page(&self, d: &Dataset) -> Json {
        let mut rows = d.rows_json();
        rows.truncate(PAGE_ROWS);
        let mut v = self.dataset_with(d, rows);
        let shown = d.rows.len().min(PAGE_ROWS);
        let grouped = |n: usize| display_cell(&Cell::Integer(n as i64));
        v["rows_shown"] = json!(shown);
        v["rows_shown_text"] = json!(grouped(shown));
        v["row_count_text"] = json!(grouped(d.rows.len()));
        v
    }

    fn dataset_with(&self, d: &Dataset, rows: Vec<Json>) -> Json {
        json!({
            "name": d.name,
            "title": d.title,
            "description": d.description,
            "unit": d.unit,
            "sources": d.sources,
            "columns": d.columns.iter().map(|c| json!({"name": c.name, "type": c.kind, "unit": c.unit, "label": c.label, "heading": c.heading(), "numeric": matches!(c.kind, ColumnType::Number | ColumnType::Integer)})).collect::<Vec<_>>(),
            "rows": rows,
            "row_count": d.rows.len(),
            "view": d.view,
            "url": self.url(&format!("data/{}/", d.name)),
            "csv_url": self.url(&format!("data/{}.csv", d.name)),
            "json_url": self.url(&format!("data/{}.json", d.name)),
            "xlsx_url": self.url(&format!("data/{}.xlsx", d.name)),
        })
    }
}

/// The `site` global: the settings, which cards read too, so it is set first.
pub(super) fn set_site_global(tpl: &mut Templates, site: &Site) {
    let cfg = &site.config;
    let menu: Vec<Json> = cfg
        .menu
        .iter()
        .map(|m| {
            let external = m.url.contains("://") || m.url.starts_with("mailto:");
            json!({"name": m.name, "url": if external { m.url.clone() } else { site.url(&m.url) }})
        })
        .collect();
    tpl.set_global(
        "site",
        tv(&json!({
            "title": cfg.title,
            "description": cfg.description,
            "base_url": cfg.base_url,
            "base_path": site.base_path,
            "language": cfg.language,
            "authors": cfg.authors,
            "menu": menu,
            "extra": cfg.extra,
            "generator": format!("tumen {}", env!("CARGO_PKG_VERSION")),
        })),
    );
}

/// The globals every page may read besides `site`: `data` and `datasets` (given,
/// as the render cache keeps them), `briefs`, `topics` and `sources`.
pub(super) fn set_globals(tpl: &mut Templates, ctx: &Ctx, (data, datasets): (Value, Value)) {
    let site = ctx.site;
    tpl.set_global("data", data);
    tpl.set_global("datasets", datasets);
    tpl.set_global(
        "briefs",
        Value::from(
            ctx.cards
                .iter()
                .map(|c| c.value.clone())
                .collect::<Vec<_>>(),
        ),
    );
    tpl.set_global("topics", tv(&Json::Array(site.topics.iter().map(|t| json!({
        "name": t.name, "slug": t.slug, "url": ctx.url(&format!("topics/{}/", t.slug)), "count": t.briefs.len()
    })).collect())));
    tpl.set_global(
        "sources",
        Value::from(
            (site.sources.iter())
                .map(|s| ctx.source_value(s, source_preview(s)))
                .collect::<Vec<_>>(),
        ),
    );
}

/// For every brief, the `n` briefs sharing the most topics with it, newest first
/// on ties.
///
/// Topic lists hold brief indexes in ascending order (newest first), so a k-way
/// merge of a brief's topic lists meets every candidate once, in order, and counts
/// its shared topics as it goes: linear in the lists' lengths, and it stops as soon
/// as `n` briefs sharing every topic are found. (A 10,000-brief site has topics of
/// thousands of briefs; a pairwise count would be quadratic.)
pub(super) fn related_briefs(site: &Site, n: usize) -> Vec<Vec<usize>> {
    let topic_of: BTreeMap<&str, &[usize]> = site
        .topics
        .iter()
        .map(|t| (t.slug.as_str(), t.briefs.as_slice()))
        .collect();
    (0..site.briefs.len())
        .into_par_iter()
        .map(|i| {
            let lists: Vec<&[usize]> = site.briefs[i]
                .topics
                .iter()
                .filter_map(|(_, slug)| topic_of.get(slug.as_str()).copied())
                .collect();
            most_shared(i, &lists, n)
        })
        .collect()
}

/// The `n` briefs (but `i`) found in the most of `lists`, lowest index first on
/// ties: a merge of the sorted lists (see [`related_briefs`]).
fn most_shared(i: usize, lists: &[&[usize]], n: usize) -> Vec<usize> {
    let k = lists.len();
    let mut heads = vec![0usize; k];
    // buckets[c]: the first n candidates (lowest indexes) sharing c topics.
    let mut buckets: Vec<Vec<usize>> = vec![Vec::new(); k + 1];
    while let Some(j) = (0..k).filter_map(|l| lists[l].get(heads[l]).copied()).min() {
        let mut c = 0;
        for l in 0..k {
            if lists[l].get(heads[l]) == Some(&j) {
                heads[l] += 1;
                c += 1;
            }
        }
        if j != i && buckets[c].len() < n {
            buckets[c].push(j);
            if c == k && buckets[k].len() == n {
                break;
            }
        }
    }
    buckets.into_iter().rev().flatten().take(n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clips_summaries_on_word_boundaries() {
        assert_eq!(clip_words("a b c", 5), "a b c");
        assert_eq!(clip_words("one, two, three, four", 2), "one, two…");
    }

    #[test]
    fn related_briefs_share_the_most_topics() {
        // Brief 0 is in topics A = [0, 1, 2] and B = [0, 2, 3].
        let (a, b): (&[usize], &[usize]) = (&[0, 1, 2], &[0, 2, 3]);
        assert_eq!(most_shared(0, &[a, b], 2), vec![2, 1]);
        assert_eq!(most_shared(0, &[a, b], 3), vec![2, 1, 3]);
        assert_eq!(most_shared(0, &[], 3), Vec::<usize>::new());
    }
}
