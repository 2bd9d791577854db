//! What the resolver makes across briefs and datasets: which briefs are published
//! and at which slug, their order, the topics (spellings folded), the source keys
//! and what cites each source, the datasets' own charts and the home page's key
//! figures. Each step is a function of its own, called in turn by [`super::resolve_cached`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use super::bodies::FileIndex;
use super::charts::{self, SpecSource};
use super::values::{Lookup, lookup};
use crate::load::dataset::Cell;
use crate::load::yaml::{Seg, YamlDoc};
use crate::load::{BriefSource, Dataset, SiteConfig};
use crate::model::chart::ChartPlan;
use crate::model::{Brief, KeyFigure, Source, Topic};
use crate::util::diag::{Diagnostic, Diagnostics, did_you_mean};
use crate::util::paths::{display_path, normalize};
use crate::util::slug::{slugify, unsafe_segment};

/// Which briefs are published, and at which slug.
#[derive(Debug, Default)]
pub(super) struct Published {
    /// Index into the briefs → slug, for published briefs only.
    pub(super) slugs: BTreeMap<usize, String>,
    /// Briefs left out because they are drafts (and drafts are not asked for).
    pub(super) drafts: BTreeSet<usize>,
    /// Every brief's file, normalised, for relative links between briefs.
    pub(super) files: FileIndex,
}

/// Slugs from front matter (as written) or file names (made a slug); drafts left
/// out unless asked for. An unsafe or empty slug is an error, and so are two
/// briefs at one URL (slugs that differ only in case are one folder on macOS and
/// Windows).
pub(super) fn publish(
    briefs: &[Arc<BriefSource>],
    drafts_too: bool,
    errors: &mut Diagnostics,
) -> Published {
    let mut out = Published {
        files: (briefs.iter().enumerate())
            .map(|(i, b)| (normalize(&b.file), i))
            .collect(),
        ..Published::default()
    };
    let mut by_slug: BTreeMap<String, usize> = BTreeMap::new();
    for (i, b) in briefs.iter().enumerate() {
        if b.front.draft && !drafts_too {
            out.drafts.insert(i);
            continue;
        }
        let Some(slug) = slug_of(b, errors) else {
            continue;
        };
        if let Some(&other) = by_slug.get(&slug.to_lowercase()) {
            let (msg, help) = same_url(&slug, b, &briefs[other]);
            let key = if b.front.slug.is_some() {
                "slug"
            } else {
                "title"
            };
            errors.push(b.front_error(&[Seg::Key(key.into())], msg).with_help(help));
            continue;
        }
        by_slug.insert(slug.to_lowercase(), i);
        out.slugs.insert(i, slug);
    }
    out
}

/// A brief's slug: `slug:` as written when it is a safe URL segment, else its
/// file name made a slug. `None`, with the error pushed, when there is none.
fn slug_of(b: &BriefSource, errors: &mut Diagnostics) -> Option<String> {
    let at = [Seg::Key("slug".into())];
    let Some(given) = &b.front.slug else {
        let slug = slugify(&b.stem);
        if slug.is_empty() {
            errors.push(
                b.front_error(&at, "this brief's file name makes no slug")
                    .with_help("set `slug:` to a few words, or rename the file"),
            );
            return None;
        }
        return Some(slug);
    };
    let Some(why) = unsafe_segment(given) else {
        return Some(given.clone());
    };
    let suggestion = slugify(given);
    let help = if suggestion.is_empty() {
        "use letters, digits, `-`, `_` and `.`".to_string()
    } else {
        format!("write `slug: {suggestion}`")
    };
    errors.push(
        b.front_error(
            &at,
            format!("slug `{given}` cannot be a URL as written: {why}"),
        )
        .with_help(help),
    );
    None
}

/// What to say of two briefs at one URL: both files, and how to part them.
fn same_url(slug: &str, b: &BriefSource, other: &BriefSource) -> (String, String) {
    let msg = format!(
        "{} and {} would both be published at briefs/{slug}/",
        b.file.display(),
        other.file.display()
    );
    (
        msg,
        "set a different `slug:` in one of the two briefs".to_string(),
    )
}

/// The keys of the `sources` dataset; a key listed twice, or no `key` column, is
/// an error.
pub(super) fn source_keys(
    datasets: &BTreeMap<String, Dataset>,
    errors: &mut Diagnostics,
) -> BTreeSet<String> {
    let Some(d) = datasets.get("sources") else {
        return BTreeSet::new();
    };
    let Some(k) = d.column_index("key") else {
        errors.push(
            d.error_at(
                &[Seg::Key("columns".into())],
                "the sources dataset needs a `key` column",
            )
            .with_help("add `- {name: key, type: text}` to its columns"),
        );
        return BTreeSet::new();
    };
    let mut seen = BTreeSet::new();
    for (r, row) in d.rows.iter().enumerate() {
        let key = row[k].text();
        if !seen.insert(key.clone()) {
            let at = [
                Seg::Key("rows".into()),
                Seg::Index(r),
                Seg::Key("key".into()),
            ];
            errors.push(d.error_at(&at, format!("source key `{key}` is listed twice")));
        }
    }
    seen
}

/// Every use of a source key that `data/sources.yaml` does not list (in briefs'
/// and datasets' `sources:`, and in datasets' `source` column), in the same words
/// for each, so that each key is one report listing its places.
pub(super) fn unknown_sources(
    root: &Path,
    briefs: &[Arc<BriefSource>],
    drafts: &BTreeSet<usize>,
    datasets: &BTreeMap<String, Dataset>,
    known: &BTreeSet<String>,
) -> Diagnostics {
    let key_list: Vec<&str> = known.iter().map(String::as_str).collect();
    let help = |key: &str| {
        if key_list.is_empty() {
            let file = display_path(&root.join("data").join("sources.yaml"));
            format!(
                "list your sources in {} (columns key, title, author, publisher, date, url)",
                file.display()
            )
        } else {
            did_you_mean(key, &key_list)
        }
    };
    let mut errors = Diagnostics::default();
    let mut note = |key: &str, at: &dyn Fn(String) -> Diagnostic| {
        if !known.contains(key) {
            errors.push(at(format!("unknown source key `{key}`")).with_help(help(key)));
        }
    };
    let sources = |j| [Seg::Key("sources".into()), Seg::Index(j)];
    for (_, b) in briefs
        .iter()
        .enumerate()
        .filter(|(i, _)| !drafts.contains(i))
    {
        for (j, key) in b.front.sources.iter().enumerate() {
            note(key, &|m| b.front_error(&sources(j), m));
        }
    }
    for d in datasets.values() {
        for (j, key) in d.sources.iter().enumerate() {
            note(key, &|m| d.error_at(&sources(j), m));
        }
        let Some(c) = d.column_index("source").filter(|_| d.name != "sources") else {
            continue;
        };
        for (r, row) in d.rows.iter().enumerate() {
            let key = row[c].text();
            let at = [
                Seg::Key("rows".into()),
                Seg::Index(r),
                Seg::Key("source".into()),
            ];
            if !key.is_empty() {
                note(&key, &|m| d.error_at(&at, m));
            }
        }
    }
    errors
}

/// Each dataset's own chart (its `chart:` section), planned.
pub(super) fn dataset_charts(
    datasets: &BTreeMap<String, Dataset>,
    errors: &mut Diagnostics,
) -> BTreeMap<String, ChartPlan> {
    let mut out = BTreeMap::new();
    for d in datasets.values() {
        let Some(raw) = &d.chart else { continue };
        let src = SpecSource {
            doc: YamlDoc::whole(&d.file, &d.text),
            base: vec![Seg::Key("chart".into())],
            implicit_data: Some(&d.name),
            fence_line: 0,
        };
        match charts::plan(raw, &src, datasets) {
            Ok(p) => {
                out.insert(d.name.clone(), p);
            }
            Err(e) => errors.extend(e),
        }
    }
    out
}

/// The home page's key figures, looked up in the data; an error points at the
/// entry of `key_figures` in site.yaml.
pub(super) fn key_figures(
    config: &SiteConfig,
    datasets: &BTreeMap<String, Dataset>,
    root: &Path,
    errors: &mut Diagnostics,
) -> Vec<KeyFigure> {
    let mut out = Vec::new();
    for (i, kf) in config.key_figures.iter().enumerate() {
        let l = Lookup {
            data: kf.data.clone(),
            filter: kf.filter.clone(),
            column: kf.column.clone(),
            format: kf.format.clone(),
        };
        match lookup(datasets, &l) {
            Ok(f) => out.push(key_figure(&kf.label, &kf.data, f)),
            Err(msg) => {
                let cfg = display_path(&root.join("site.yaml"));
                let at = [Seg::Key("key_figures".into()), Seg::Index(i)];
                errors.push(YamlDoc::whole(&cfg, &config.text).error_at(&at, msg));
            }
        }
    }
    out
}

/// A key figure from the cell found: with the row's year or date and source.
fn key_figure(label: &str, dataset: &str, f: super::values::Found) -> KeyFigure {
    let row = &f.dataset.rows[f.row];
    let cell = |name: &str| {
        f.dataset
            .column_index(name)
            .map(|c| &row[c])
            .filter(|c| **c != Cell::Null)
    };
    let when = cell("year").or_else(|| cell("date")).map(|c| match c {
        Cell::Date(d) => d.human(),
        other => other.text(),
    });
    let source = cell("source")
        .map(Cell::text)
        .or_else(|| f.dataset.sources.first().cloned());
    KeyFigure {
        label: label.to_string(),
        value: f.text,
        dataset: dataset.to_string(),
        when,
        source,
    }
}

/// Published briefs, newest first; ties by weight then slug, so that the order
/// never depends on the file system. Each with the index of its source.
pub(super) fn in_order(mut placed: Vec<(usize, Brief)>) -> (Vec<usize>, Vec<Brief>) {
    placed.sort_by(|(_, a), (_, b)| {
        b.src
            .date
            .cmp(&a.src.date)
            .then(a.src.front.weight.cmp(&b.src.front.weight))
            .then(a.slug.cmp(&b.slug))
    });
    placed.into_iter().unzip()
}

/// The topics, and each brief's: "Trade" and "trade" are one topic, shown in its
/// most common spelling. Briefs share a few topics, so each spelling is made a
/// slug once.
pub(super) fn topics(briefs: &mut [Brief]) -> Vec<Topic> {
    let srcs: Vec<Arc<BriefSource>> = briefs.iter().map(|b| b.src.clone()).collect();
    let mut slug_of: rustc_hash::FxHashMap<&str, String> = Default::default();
    let mut spellings: BTreeMap<String, BTreeMap<&str, usize>> = BTreeMap::new();
    for src in &srcs {
        for t in &src.front.topics {
            let s = slug_of.entry(t).or_insert_with(|| slugify(t));
            if s.is_empty() {
                continue;
            }
            // Looked up before inserting: a slug is made a key once, not for
            // each of its 30,000 uses at 10,000 briefs.
            let of_slug = match spellings.get_mut(s.as_str()) {
                Some(m) => m,
                None => spellings.entry(s.clone()).or_default(),
            };
            *of_slug.entry(t.trim()).or_default() += 1;
        }
    }
    let mut topics: BTreeMap<String, Topic> = spellings
        .iter()
        .map(|(slug, m)| (slug.clone(), topic(slug, m)))
        .collect();
    for (bi, (b, src)) in briefs.iter_mut().zip(&srcs).enumerate() {
        let mut seen = Vec::with_capacity(src.front.topics.len());
        for t in &src.front.topics {
            let s = slug_of[t.as_str()].as_str();
            if s.is_empty() || seen.contains(&s) {
                continue;
            }
            seen.push(s);
            let Some(topic) = topics.get_mut(s) else {
                continue;
            };
            b.topics.push((topic.name.clone(), topic.slug.clone()));
            topic.briefs.push(bi);
        }
    }
    topics.into_values().collect()
}

/// A topic named by its most common spelling (the first of those equally common).
fn topic(slug: &str, spellings: &BTreeMap<&str, usize>) -> Topic {
    let best = spellings.values().max().copied().unwrap_or(0);
    let name = spellings
        .iter()
        .find(|(_, n)| **n == best)
        .map(|(s, _)| s.to_string())
        .unwrap_or_default();
    Topic {
        name,
        slug: slug.to_string(),
        briefs: Vec::new(),
    }
}

/// Dataset name → the briefs whose bodies read it, in the briefs' order. Made
/// again on every resolve (what a body reads is not part of a brief's place).
pub(super) fn used_by(briefs: &[Arc<Brief>]) -> BTreeMap<String, Vec<usize>> {
    let mut by: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, b) in briefs.iter().enumerate() {
        for name in b.datasets.iter() {
            match by.get_mut(name) {
                Some(list) => list.push(i),
                None => {
                    by.insert(name.clone(), vec![i]);
                }
            }
        }
    }
    by
}

/// Each row of the `sources` dataset, with the briefs and datasets that cite it.
pub(super) fn citations(briefs: &[Brief], datasets: &BTreeMap<String, Dataset>) -> Vec<Source> {
    let Some(d) = datasets.get("sources") else {
        return Vec::new();
    };
    let Some(k) = d.column_index("key") else {
        return Vec::new();
    };
    let cites = |x: &Dataset, key: &str| {
        x.name != "sources"
            && (x.sources.iter().any(|s| s == key)
                || x.column_index("source")
                    .is_some_and(|c| x.rows.iter().any(|r| r[c].text() == key)))
    };
    let mut out = Vec::new();
    let mut slugs = BTreeSet::new();
    for row in &d.rows {
        let key = row[k].text();
        let slug = unique_slug(&key, &mut slugs);
        let fields = (d.columns.iter().zip(row))
            .map(|(c, v)| (c.name.clone(), v.text()))
            .collect();
        let cited_by_briefs = (briefs.iter().enumerate())
            .filter(|(_, b)| b.src.front.sources.contains(&key))
            .map(|(i, _)| i)
            .collect();
        let cited_by_datasets = (datasets.values())
            .filter(|x| cites(x, &key))
            .map(|x| x.name.clone())
            .collect();
        out.push(Source {
            key,
            slug,
            fields,
            cited_by_briefs,
            cited_by_datasets,
        });
    }
    out
}

/// A source's page slug: its key made a URL segment (`source` when nothing of it
/// is left), with `-2`, `-3`… when another source's key made the same.
fn unique_slug(key: &str, taken: &mut BTreeSet<String>) -> String {
    let base = match crate::util::slug::slugify(key) {
        s if s.is_empty() => "source".to_string(),
        s => s,
    };
    let mut slug = base.clone();
    let mut n = 1;
    while !taken.insert(slug.clone()) {
        n += 1;
        slug = format!("{base}-{n}");
    }
    slug
}
