//! Stage 3, **render**: the resolved site to files: Markdown to HTML, then every page
//! through its template, in parallel.
//!
//! Template contexts are small: data shared by all pages (the site, datasets, the
//! list of briefs) is built once as reference-counted Tera values and set as Tera's
//! global context, which every render reads without copying. Each page's context
//! holds only what is its own. Every page records what it used ([`Dep`]), which is
//! what the live preview needs to rebuild only the pages an edit touches.

mod cache;
pub mod charts;
pub mod minify;
pub mod publish;
pub mod templates;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ffi::OsString;
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::{Value as Json, json};
use tera::{Context, Value};

use crate::deps::{Dep, DepGraph};
use crate::load::dataset::{Cell, Dataset};
use crate::markdown::html as markdown;
use crate::model::chart::ChartPlan;
use crate::model::{Brief, Site};
use crate::output::{Content, OutputFile};
use crate::util::diag::{Diagnostic, Diagnostics};
use crate::util::format::format_number;
use cache::{CachedTerms, changed_cards};
pub use cache::{Card, RenderCache};
use templates::Templates;

/// The rendered site (or the part of it that was asked for), in memory, sorted by path.
#[derive(Debug)]
pub struct RenderedSite {
    pub files: Vec<OutputFile>,
    /// Output path → what it was made from, for the files rendered.
    pub deps: HashMap<String, BTreeSet<Dep>>,
    /// Pages rendered.
    pub pages: usize,
    pub charts: usize,
    /// Every path of the site's output, rendered this time or not: what a partial
    /// render compares with the previous output to find pages that disappeared.
    pub all_paths: BTreeSet<String>,
    /// Every brief's card, in the briefs' order, rendered this time or not: what
    /// the next partial render compares its cards with.
    pub cards: Vec<Arc<Card>>,
    /// Files a partial render left to be made later ([`search_index_file`]).
    pub deferred: Vec<String>,
}

/// What a partial render is asked to bring up to date: the pages whose record of
/// what they were made from meets what changed since the last good render.
pub struct Since<'a> {
    /// What each output file was made from, as recorded by the last good render.
    pub deps: &'a DepGraph,
    /// The cards of the last good render.
    pub cards: &'a [Arc<Card>],
    /// What changed in the sources; the render adds the cards that changed, which
    /// only it can tell.
    pub changed: BTreeSet<Dep>,
}

fn tv(j: &Json) -> Value {
    Value::from_serializable(j)
}

/// A number as a reader sees it in a table: thousands grouped, decimals as written.
fn display_cell(c: &Cell) -> String {
    match c {
        Cell::Number(_) | Cell::Integer(_) => {
            format_number(c.as_f64().unwrap_or(0.0), ",").unwrap_or_else(|_| c.text())
        }
        Cell::Date(d) => d.human(),
        other => other.text(),
    }
}

/// Up to ~30 words of `text`, for summaries made from the first paragraph.
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

struct Ctx<'a> {
    site: &'a Site,
    md: &'a [Arc<markdown::Rendered>],
    /// The figure HTML of each dataset's default chart.
    dataset_figures: BTreeMap<&'a str, String>,
    /// Every brief's card, made once: lists of briefs on many pages share them
    /// instead of converting the same JSON again for every page.
    cards: Vec<Arc<Card>>,
    related: Arc<Vec<Vec<usize>>>,
}

/// A Tera map of `base`'s fields plus values that are Tera values already.
fn with_values(base: &Json, extra: Vec<(&'static str, Value)>) -> Value {
    let mut m = tv(base).as_map().cloned().unwrap_or_default();
    for (k, v) in extra {
        m.insert(k.into(), v);
    }
    Value::from(m)
}

fn cards<'a>(ctx: &Ctx, idx: impl IntoIterator<Item = &'a usize>) -> Value {
    Value::from(
        idx.into_iter()
            .map(|&i| ctx.cards[i].value.clone())
            .collect::<Vec<_>>(),
    )
}

impl Ctx<'_> {
    fn url(&self, path: &str) -> String {
        self.site.url(path)
    }

    /// What a brief's page and lists show of it, but its Markdown.
    fn summary(&self, i: usize) -> Json {
        let b = &self.site.briefs[i];
        let md = &self.md[i];
        let summary = if b.src.front.summary.trim().is_empty() {
            clip_words(&md.first_paragraph, 30)
        } else {
            b.src.front.summary.trim().to_string()
        };
        json!({
            "title": b.src.front.title,
            "slug": b.slug,
            "url": self.url(&b.path),
            "path": b.path,
            "date": b.src.date.iso(),
            "date_human": b.src.date.human(),
            "updated": b.updated.map(|d| d.iso()),
            "updated_human": b.updated.map(|d| d.human()),
            "summary": summary,
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
    fn card(&self, i: usize) -> Json {
        let mut card = self.summary(i);
        if let Some(m) = card.as_object_mut() {
            m.shift_remove("words");
        }
        card
    }

    fn source_ref(&self, key: &str) -> Json {
        let s = self.site.sources.iter().find(|s| s.key == key);
        json!({
            "key": key,
            "title": s.and_then(|s| s.fields.get("title")).cloned().unwrap_or_else(|| key.to_string()),
            "author": s.and_then(|s| s.fields.get("author")).cloned().unwrap_or_default(),
            "publisher": s.and_then(|s| s.fields.get("publisher")).cloned().unwrap_or_default(),
            "date": s.and_then(|s| s.fields.get("date")).cloned().unwrap_or_default(),
            "url": s.and_then(|s| s.fields.get("url")).cloned().unwrap_or_default(),
            "anchor": self.url(&format!("sources/#{key}")),
        })
    }

    fn dataset(&self, d: &Dataset) -> Json {
        json!({
            "name": d.name,
            "title": d.title,
            "description": d.description,
            "unit": d.unit,
            "sources": d.sources,
            "columns": d.columns.iter().map(|c| json!({"name": c.name, "type": c.kind, "unit": c.unit, "label": c.label, "heading": c.heading(), "numeric": matches!(c.kind, crate::load::dataset::ColumnType::Number | crate::load::dataset::ColumnType::Integer)})).collect::<Vec<_>>(),
            "rows": d.rows_json(),
            "row_count": d.rows.len(),
            "view": d.view,
            "url": self.url(&format!("data/{}/", d.name)),
            "csv_url": self.url(&format!("data/{}.csv", d.name)),
            "json_url": self.url(&format!("data/{}.json", d.name)),
        })
    }
}

/// For every brief, the `n` briefs sharing the most topics with it, newest first
/// on ties.
///
/// Topic lists hold brief indexes in ascending order (newest first), so a k-way
/// merge of a brief's topic lists meets every candidate once, in order, and counts
/// its shared topics as it goes: linear in the lists' lengths, and it stops as soon
/// as `n` briefs sharing every topic are found. (A 10,000-brief site has topics of
/// thousands of briefs; a pairwise count would be quadratic.)
fn related_briefs(site: &Site, n: usize) -> Vec<Vec<usize>> {
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
        })
        .collect()
}

/// A chart as a figure: the SVG inline, its caption with sources and downloads,
/// and the data as a table for assistive technology and curious readers; plus the
/// standalone SVG. Laid out by the theme's `figure.html`.
fn figure(
    site: &Site,
    tpl: &Templates,
    plan: &ChartPlan,
    number: usize,
    id: &str,
    svg_path: &str,
    palette: &[String],
) -> Result<(String, String), String> {
    let svg = charts::svg(plan, palette)?;
    // A second picture for small screens; the theme shows one or the other.
    let narrow = match charts::narrow_plan(plan) {
        Some(n) => Some(charts::svg(&n, palette)?),
        None => None,
    };
    let sources: Vec<Json> = plan
        .sources
        .iter()
        .map(|k| {
            let title = site
                .sources
                .iter()
                .find(|s| &s.key == k)
                .and_then(|s| s.fields.get("title").cloned())
                .unwrap_or_else(|| k.clone());
            json!({"key": k, "title": title, "anchor": site.url(&format!("sources/#{k}"))})
        })
        .collect();
    let headers: Vec<String> = std::iter::once(plan.x_heading.clone())
        .chain(plan.series.iter().map(|s| s.name.clone()))
        .collect();
    let rows: Vec<Vec<String>> = plan
        .categories
        .iter()
        .enumerate()
        .map(|(i, cat)| {
            std::iter::once(cat.clone())
                .chain(
                    plan.series
                        .iter()
                        .map(|s| s.values[i].map_or(String::new(), |v| plan.fmt(v))),
                )
                .collect()
        })
        .collect();
    let fig = json!({
        "number": number,
        "id": id,
        "title": plan.spec.title,
        "caption": plan.spec.caption,
        "kind": plan.spec.kind,
        "unit": plan.unit,
        "sources": sources,
        "dataset": {"name": plan.dataset, "title": plan.dataset_title, "url": site.url(&format!("data/{}/", plan.dataset))},
        "svg_url": site.url(svg_path),
        "table": {"headers": headers, "rows": rows},
    });
    let value = with_values(
        &fig,
        vec![
            ("svg", Value::safe_string(&charts::embed(&svg, id))),
            (
                "svg_narrow",
                Value::safe_string(&narrow.map_or(String::new(), |n| {
                    charts::embed(&n, &format!("{id}-narrow"))
                })),
            ),
        ],
    );
    let mut ctx = Context::new();
    ctx.insert_value("figure", value);
    let html = tpl.render("figure.html", &ctx).map_err(|d| d.message)?;
    Ok((html, svg.to_string()))
}

/// The rows of a dataset laid out for its view: a timeline (a dated entry per row,
/// in date order) or a directory (an entry per row, named by its first text
/// column). Each entry has a title, the row's other non-empty cells as fields, and
/// its source.
fn view_entries(ctx: &Ctx, d: &Dataset) -> Vec<Json> {
    use crate::load::dataset::{ColumnType, View};
    let title_col = match d.view {
        View::Table => return Vec::new(),
        View::Timeline => d
            .columns
            .iter()
            .position(|c| matches!(c.kind, ColumnType::Date | ColumnType::Year)),
        View::Directory => d
            .columns
            .iter()
            .position(|c| c.kind == ColumnType::Text && c.name != "source"),
    };
    let Some(tc) = title_col else {
        return Vec::new();
    };
    let source_col = d.column_index("source");
    let mut order: Vec<usize> = (0..d.rows.len()).collect();
    if d.view == View::Timeline {
        // Chronological whatever the file's order; ties keep it.
        order.sort_by(|&a, &b| {
            let key = |r: usize| match &d.rows[r][tc] {
                Cell::Date(x) => *x,
                Cell::Year(y) => crate::util::date::Date {
                    year: *y,
                    month: 0,
                    day: 0,
                },
                _ => crate::util::date::Date {
                    year: i32::MAX,
                    month: 0,
                    day: 0,
                },
            };
            key(a).cmp(&key(b))
        });
    }
    order
        .into_iter()
        .map(|r| {
            let row = &d.rows[r];
            let fields: Vec<Json> = d
                .columns
                .iter()
                .enumerate()
                .filter(|&(c, _)| c != tc && Some(c) != source_col && row[c] != Cell::Null)
                .map(|(c, col)| json!({"name": col.name, "heading": col.heading(), "value": display_cell(&row[c])}))
                .collect();
            let iso = match &row[tc] {
                Cell::Date(x) => x.iso(),
                other => other.text(),
            };
            json!({
                "title": display_cell(&row[tc]),
                "datetime": iso,
                "fields": fields,
                "source": source_col.map(|c| row[c].text()).filter(|k| !k.is_empty()).map(|k| ctx.source_ref(&k)),
            })
        })
        .collect()
}

/// What the page says about the brief's history when git cannot tell it all.
fn history_note(site: &Site, b: &Brief) -> Option<&'static str> {
    use crate::load::history::RepoState;
    match (&site.repo, b.uncommitted, b.new) {
        (RepoState::None, _, _) => {
            Some("Revision history is not available: this site is not in a git repository.")
        }
        (_, true, true) => Some("Not yet committed: this brief has no revision history yet."),
        (_, true, false) => Some("This brief has changes not yet committed."),
        (RepoState::Shallow, _, _) => {
            Some("History shortened: this copy of the repository is a shallow clone.")
        }
        // Committed, but by no commit the site counts as a revision (see `history:`
        // in site.yaml).
        _ if b.history.is_empty() => Some("No revisions yet."),
        _ => None,
    }
}

/// A file made from the whole site, what it depends on, and how to make it (only
/// called when the file is wanted).
type SiteFile<'a> = (
    String,
    BTreeSet<Dep>,
    Box<dyn FnOnce() -> String + Send + 'a>,
);

/// Feeds, sitemap, robots.txt and the search index.
fn publish_files<'a>(
    site: &'a Site,
    md: &'a [Arc<markdown::Rendered>],
    cards: &'a [Arc<Card>],
) -> Vec<SiteFile<'a>> {
    let entry = |i: usize| cards[i].feed_entry.as_str();
    // Feeds and the sitemap show what cards show (titles, dates, summaries,
    // topics): most body edits change neither.
    let list = || BTreeSet::from([Dep::Config, Dep::Cards, Dep::Topics]);
    let all: Vec<usize> = (0..site.briefs.len()).collect();
    let mut out: Vec<SiteFile> = vec![(
        "feed.xml".into(),
        list(),
        Box::new(move || publish::atom(site, &site.config.title, "feed.xml", "", &all, entry)),
    )];
    for t in &site.topics {
        let title = format!("{} · {}", t.name, site.config.title);
        let feed = format!("topics/{}/feed.xml", t.slug);
        let page = format!("topics/{}/", t.slug);
        let briefs = t.briefs.clone();
        out.push((
            feed.clone(),
            list(),
            Box::new(move || publish::atom(site, &title, &feed, &page, &briefs, entry)),
        ));
    }
    out.push((
        "sitemap.xml".into(),
        BTreeSet::from([Dep::Config, Dep::Cards, Dep::Topics, Dep::AllData]),
        Box::new(move || {
            let url = |p: &str| publish::sitemap_url(site, p, None);
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
                .collect();
            publish::sitemap(
                before
                    .iter()
                    .chain(cards.iter().map(|c| &c.sitemap_entry))
                    .chain(&after)
                    .map(String::as_str),
            )
        }),
    ));
    out.push((
        "robots.txt".into(),
        BTreeSet::from([Dep::Config]),
        Box::new(move || publish::robots(site)),
    ));
    // Any change to any brief is a change of `BriefList`: no need to name each.
    out.push((
        SEARCH_INDEX.into(),
        BTreeSet::from([Dep::Config, Dep::BriefList, Dep::AllData]),
        Box::new(move || search_index(site, md, None)),
    ));
    out
}

/// The search index: every brief's and dataset's text, weighted by where it
/// stands. With `cache`, a brief's terms are reused while it is unchanged.
fn search_index(
    site: &Site,
    md: &[Arc<markdown::Rendered>],
    mut cache: Option<&mut HashMap<OsString, CachedTerms>>,
) -> String {
    let cached: Vec<Option<Arc<publish::Terms>>> = site
        .briefs
        .iter()
        .zip(md)
        .map(|(b, m)| {
            let c = cache.as_ref()?.get(b.src.file.as_os_str())?;
            (Arc::ptr_eq(&c.src, &b.src)
                && Arc::ptr_eq(&c.body, &b.body)
                && Arc::ptr_eq(&c.md, m)
                && c.topics == b.topics)
                .then(|| c.terms.clone())
        })
        .collect();
    let terms: Vec<Arc<publish::Terms>> = cached
        .into_par_iter()
        .enumerate()
        .map(|(i, c)| {
            c.unwrap_or_else(|| {
                let (b, m) = (&site.briefs[i], &md[i]);
                let topics: Vec<&str> = b.topics.iter().map(|t| t.0.as_str()).collect();
                let toc: Vec<&str> = m.toc.iter().map(|t| t.title.as_str()).collect();
                Arc::new(publish::doc_terms(&[
                    (&b.src.front.title, 8),
                    (&b.src.front.summary, 3),
                    (&topics.join(" "), 3),
                    (&toc.join(" "), 2),
                    (&publish::markdown_text(&b.body), 1),
                ]))
            })
        })
        .collect();
    if let Some(cache) = cache.as_mut() {
        cache.clear();
        cache.extend(site.briefs.iter().zip(md).zip(&terms).map(|((b, m), t)| {
            (
                b.src.file.clone().into_os_string(),
                CachedTerms {
                    src: b.src.clone(),
                    body: b.body.clone(),
                    md: m.clone(),
                    topics: b.topics.clone(),
                    terms: t.clone(),
                },
            )
        }));
    }
    let mut docs: Vec<publish::SearchDoc> = site
        .briefs
        .iter()
        .zip(md)
        .zip(terms)
        .map(|((b, m), terms)| publish::SearchDoc {
            title: b.src.front.title.clone(),
            url: site.url(&b.path),
            summary: if b.src.front.summary.trim().is_empty() {
                clip_words(&m.first_paragraph, 30)
            } else {
                b.src.front.summary.trim().to_string()
            },
            kind: "brief",
            date: b.src.date.human(),
            terms,
        })
        .collect();
    docs.extend(
        site.datasets
            .values()
            .filter(|d| d.name != "sources")
            .map(|d| {
                let columns: Vec<String> = d.columns.iter().map(|c| c.heading()).collect();
                let cells: Vec<String> = d.rows.iter().flatten().map(|c| c.text()).collect();
                publish::SearchDoc {
                    title: d.title.clone(),
                    url: site.url(&format!("data/{}/", d.name)),
                    summary: d.description.clone(),
                    kind: "data",
                    date: String::new(),
                    terms: Arc::new(publish::doc_terms(&[
                        (&d.title, 8),
                        (&d.description, 3),
                        (&columns.join(" "), 2),
                        (&cells.join(" "), 1),
                    ])),
                }
            }),
    );
    publish::search_index(&docs)
}

enum Job<'a> {
    Index,
    Brief(usize),
    Briefs,
    Topics,
    Topic(usize),
    Datasets,
    Dataset(&'a Dataset),
    Sources,
    Search,
    NotFound,
    Alias(usize, String),
}

/// Where an alias (an old URL) puts its redirect page, or why it can't.
fn alias_path(alias: &str) -> Result<String, String> {
    let a = alias.trim().trim_start_matches('/');
    if a.contains("://") {
        return Err(format!(
            "alias `{alias}` must be a path on this site, not a full URL"
        ));
    }
    if a.split('/').any(|seg| seg == ".." || seg == ".") || a.contains('\\') {
        return Err(format!(
            "alias `{alias}` may not contain `.` or `..` segments"
        ));
    }
    if a.is_empty() {
        return Err("an alias may not be the home page".into());
    }
    if a.ends_with(".html") || a.ends_with(".htm") {
        Ok(a.to_string())
    } else {
        Ok(format!("{}/index.html", a.trim_end_matches('/')))
    }
}

/// Render the whole site.
pub fn render(site: &Site) -> Result<RenderedSite, Diagnostics> {
    render_some(site, &mut RenderCache::default(), None)
}

/// Where a page job writes its page.
fn job_path(site: &Site, job: &Job) -> String {
    match job {
        Job::Index => "index.html".into(),
        Job::Brief(i) => format!("{}index.html", site.briefs[*i].path),
        Job::Briefs => "briefs/index.html".into(),
        Job::Topics => "topics/index.html".into(),
        Job::Topic(i) => format!("topics/{}/index.html", site.topics[*i].slug),
        Job::Datasets => "data/index.html".into(),
        Job::Dataset(d) => format!("data/{}/index.html", d.name),
        Job::Sources => "sources/index.html".into(),
        Job::Search => "search/index.html".into(),
        Job::NotFound => "404.html".into(),
        Job::Alias(_, path) => path.clone(),
    }
}

/// Render the files of the site, or with `since` only those that what changed
/// since the last good render touched; the rest are only listed in
/// [`RenderedSite::all_paths`]. Every check that spans the whole site (two pages on
/// one path) is made whatever is rendered, so a partial render fails exactly when
/// a full one would.
pub fn render_some(
    site: &Site,
    cache: &mut RenderCache,
    since: Option<Since>,
) -> Result<RenderedSite, Diagnostics> {
    let mut clock = crate::util::trace::Clock::new("render");
    let mut errors = Diagnostics::default();
    let partial = since.is_some();
    let mut deferred = Vec::new();
    let mut tpl = cache.templates(site)?;

    let palette: Vec<String> = if site.config.palette.is_empty() {
        charts::DEFAULT_PALETTE
            .iter()
            .map(|c| c.to_string())
            .collect()
    } else {
        site.config.palette.clone()
    };
    // Charts first: each chart block becomes a figure (its Markdown is then
    // rendered around it), and each chart a standalone SVG beside its page.
    // A figure is made again only when its plan or what else it reads changed.
    let known = cache.known_figures(site, &palette);
    let used = std::sync::Mutex::new(HashSet::new());
    let made = std::sync::Mutex::new(Vec::new());
    let draw = |plan: &ChartPlan, number: usize, id: &str, svg_path: &str| {
        let key = (plan.key(), number, id.to_string(), svg_path.to_string());
        if let Some(f) = known.get(&key) {
            used.lock().expect("figures").insert(key);
            return Ok(f.clone());
        }
        let f = figure(site, &tpl, plan, number, id, svg_path, &palette)?;
        made.lock().expect("figures").push((key, f.clone()));
        Ok::<_, String>(f)
    };
    let drawn: Vec<Result<BriefFigures, Diagnostics>> = site
        .briefs
        .par_iter()
        .map(|b| {
            let mut figures = Vec::with_capacity(b.charts.len());
            let mut files = Vec::with_capacity(b.charts.len());
            let mut errors = Diagnostics::default();
            for (k, plan) in b.charts.iter().enumerate() {
                let svg_path = format!("{}figure-{}.svg", b.path, k + 1);
                match draw(plan, k + 1, &format!("figure-{}", k + 1), &svg_path) {
                    Ok((html, svg)) => {
                        figures.push(html);
                        files.push(OutputFile {
                            path: svg_path,
                            content: Content::Bytes(svg.into_bytes()),
                        });
                    }
                    Err(e) => errors.push(Diagnostic::file(&b.src.file, e)),
                }
            }
            errors.into_result()?;
            Ok((figures, files))
        })
        .collect();
    let mut figures = Vec::with_capacity(drawn.len());
    let mut chart_files = Vec::new();
    for d in drawn {
        match d {
            Ok((f, files)) => {
                figures.push(f);
                chart_files.push(files);
            }
            Err(e) => errors.extend(e),
        }
    }
    let mut dataset_figures: BTreeMap<&str, String> = BTreeMap::new();
    let dataset_drawn: Vec<_> = site
        .dataset_charts
        .par_iter()
        .map(|(name, plan)| {
            let svg_path = format!("data/{name}/chart.svg");
            let drawn = draw(plan, 0, "figure-data", &svg_path);
            (name, svg_path, drawn)
        })
        .collect();
    for (name, svg_path, drawn) in dataset_drawn {
        match drawn {
            Ok((html, svg)) => {
                dataset_figures.insert(name, html);
                chart_files.push(vec![OutputFile {
                    path: svg_path,
                    content: Content::Bytes(svg.into_bytes()),
                }]);
            }
            Err(e) => errors.push(Diagnostic::file(&site.datasets[name].file, e)),
        }
    }
    cache.keep_figures(
        used.into_inner().expect("figures"),
        made.into_inner().expect("figures"),
    );
    errors.into_result()?;
    clock.mark("charts");
    let chart_count: usize = chart_files.iter().map(Vec::len).sum();
    let md = cache.markdown(site, &figures);
    let mut ctx = Ctx {
        site,
        md: &md,
        dataset_figures,
        cards: Vec::new(),
        related: cache.related(site),
    };
    // Globals: built once, shared by every render. `site` first: cards read it.
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
    clock.mark("markdown");
    ctx.cards = cache.cards(&ctx, &tpl)?;
    cache.remember(site, &figures, &md, &ctx.cards);
    clock.mark("cards");
    let ctx = ctx;
    let changed = since.as_ref().map(|s| {
        let mut changed = changed_cards(s.cards, &ctx.cards);
        changed.extend(s.changed.iter().cloned());
        changed
    });
    // The files to make again: those made from what changed, and new ones.
    let affected = match (&since, &changed) {
        (Some(s), Some(changed)) => Some((s.deps, s.deps.affected(changed))),
        _ => None,
    };
    let wanted = |path: &str| {
        affected
            .as_ref()
            .is_none_or(|(deps, affected)| affected.contains(path) || !deps.contains(path))
    };

    let (data, datasets) = cache.data(&ctx);
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
    tpl.set_global("sources", Value::from(site.sources.iter().map(|s| {
        let mut v = ctx.source_ref(&s.key);
        v["fields"] = json!(s.fields);
        v["cited_by_datasets"] = Json::Array(s.cited_by_datasets.iter().filter_map(|n| site.datasets.get(n)).map(|d| json!({"name": d.name, "title": d.title, "url": ctx.url(&format!("data/{}/", d.name))})).collect());
        with_values(&v, vec![("cited_by_briefs", cards(&ctx, &s.cited_by_briefs))])
    }).collect::<Vec<_>>()));

    let mut jobs = vec![
        Job::Index,
        Job::Briefs,
        Job::Topics,
        Job::Datasets,
        Job::Sources,
        Job::NotFound,
        Job::Search,
    ];
    jobs.extend((0..site.briefs.len()).map(Job::Brief));
    jobs.extend((0..site.topics.len()).map(Job::Topic));
    jobs.extend(
        site.datasets
            .values()
            .filter(|d| d.name != "sources")
            .map(Job::Dataset),
    );
    for (i, b) in site.briefs.iter().enumerate() {
        for (j, a) in b.src.front.aliases.iter().enumerate() {
            match alias_path(a) {
                Ok(p) => jobs.push(Job::Alias(i, p)),
                Err(msg) => errors.push(b.src.front_error(
                    &[
                        crate::load::yaml::Seg::Key("aliases".into()),
                        crate::load::yaml::Seg::Index(j),
                    ],
                    msg,
                )),
            }
        }
    }
    let mut all_paths = BTreeSet::new();
    let mut chosen = Vec::with_capacity(jobs.len());
    for job in jobs {
        let path = job_path(site, &job);
        if !all_paths.insert(path.clone()) {
            errors.push(
                Diagnostic::file(
                    std::path::Path::new(&path),
                    format!("two pages would be written to {path}"),
                )
                .with_help("an alias or slug collides with another page; change one of them"),
            );
            continue;
        }
        if wanted(&path) {
            chosen.push((path, job));
        }
    }
    // Feeds and the sitemap are made beside the pages.
    let mut publish = Vec::new();
    for (path, deps_of, make) in publish_files(site, &md, &ctx.cards) {
        all_paths.insert(path.clone());
        if !wanted(&path) {
            continue;
        }
        if partial && cache.defer_search_index && path == SEARCH_INDEX {
            deferred.push(path);
            continue;
        }
        publish.push((path, deps_of, make));
    }
    clock.mark("globals and page list");
    let (results, made): (Vec<Result<Page, Diagnostic>>, Vec<Made>) = rayon::join(
        || {
            chosen
                .par_iter()
                .map(|(path, job)| {
                    crate::util::trace::page(path, || render_job(&ctx, &tpl, job, path.clone()))
                })
                .collect()
        },
        || {
            publish
                .into_par_iter()
                .map(|(path, deps_of, make)| (path, deps_of, make()))
                .collect()
        },
    );
    let mut files: BTreeMap<String, OutputFile> = BTreeMap::new();
    let mut deps: HashMap<String, BTreeSet<Dep>> = HashMap::new();
    let mut pages = 0;
    for r in results {
        match r {
            Ok(Page {
                path,
                html: bytes,
                deps: d,
            }) => {
                pages += 1;
                deps.insert(path.clone(), d);
                files.insert(
                    path.clone(),
                    OutputFile {
                        path,
                        content: Content::Bytes(bytes),
                    },
                );
            }
            Err(e) => errors.push(e),
        }
    }
    clock.mark(format_args!("{pages} pages, feeds and sitemap"));
    errors.into_result()?;

    for (b, files_of_brief) in site.briefs.iter().zip(&chart_files) {
        for f in files_of_brief {
            all_paths.insert(f.path.clone());
            if !wanted(&f.path) {
                continue;
            }
            let mut d = BTreeSet::from([Dep::Config, Dep::Brief(b.src.file.as_path().into())]);
            d.extend(b.datasets.iter().map(|n| Dep::Dataset(n.clone())));
            deps.insert(f.path.clone(), d);
            files.insert(f.path.clone(), f.clone());
        }
    }
    for f in chart_files.iter().skip(site.briefs.len()).flatten() {
        all_paths.insert(f.path.clone());
        if !wanted(&f.path) {
            continue;
        }
        let name = f
            .path
            .trim_start_matches("data/")
            .trim_end_matches("/chart.svg")
            .to_string();
        let d = BTreeSet::from([Dep::Config, Dep::Dataset(name)]);
        deps.insert(f.path.clone(), d);
        files.insert(f.path.clone(), f.clone());
    }
    for d in site.datasets.values() {
        let csv = format!("data/{}.csv", d.name);
        let json_path = format!("data/{}.json", d.name);
        all_paths.insert(csv.clone());
        all_paths.insert(json_path.clone());
        if !wanted(&csv) && !wanted(&json_path) {
            continue;
        }
        let mut json_text =
            serde_json::to_string_pretty(&d.to_json()).expect("JSON of plain values");
        json_text.push('\n');
        for (p, bytes) in [
            (csv, d.to_csv().into_bytes()),
            (json_path, json_text.into_bytes()),
        ] {
            deps.insert(p.clone(), BTreeSet::from([Dep::Dataset(d.name.clone())]));
            files.insert(
                p.clone(),
                OutputFile {
                    path: p,
                    content: Content::Bytes(bytes),
                },
            );
        }
    }
    clock.mark("dataset files");
    for (path, deps_of, text) in made {
        deps.insert(path.clone(), deps_of);
        files.insert(
            path.clone(),
            OutputFile {
                path,
                content: Content::Bytes(text.into_bytes()),
            },
        );
    }
    for (rel, f) in &site.static_files {
        if !all_paths.insert(rel.clone()) {
            errors.push(
                Diagnostic::file(
                    std::path::Path::new(rel),
                    format!("static file {rel} has the same path as a generated page"),
                )
                .with_help("rename or move the static file"),
            );
            continue;
        }
        if !wanted(rel) {
            continue;
        }
        deps.insert(rel.clone(), BTreeSet::from([Dep::Static(rel.clone())]));
        files.insert(
            rel.clone(),
            OutputFile {
                path: rel.clone(),
                content: Content::Copy(f.clone()),
            },
        );
    }
    clock.mark("static files");
    cache.keep_templates(site, tpl);
    errors.into_result()?;
    Ok(RenderedSite {
        files: files.into_values().collect(),
        deps,
        pages,
        charts: chart_count,
        all_paths,
        cards: ctx.cards,
        deferred,
    })
}

const SEARCH_INDEX: &str = "search-index.json";

/// The theme's template of one brief in a list, pasted into lists ready-made.
const CARD_TEMPLATE: &str = "brief-card.html";

/// The search index of `site`, from the Markdown `cache` holds (a render of the
/// same site came first): what a partial render deferred.
pub fn search_index_file(site: &Site, cache: &mut RenderCache) -> OutputFile {
    let md: Vec<Arc<markdown::Rendered>> = site
        .briefs
        .iter()
        .map(|b| {
            cache.markdown_of(&b.src.file).unwrap_or_else(|| {
                Arc::new(markdown::render(&b.body, &b.links, &site.base_path, &[]))
            })
        })
        .collect();
    OutputFile {
        path: SEARCH_INDEX.into(),
        content: Content::Bytes(search_index(site, &md, Some(&mut cache.terms)).into_bytes()),
    }
}

/// A publish file made: its path, what it was made from, and its text.
type Made = (String, BTreeSet<Dep>, String);

/// A brief's figures (HTML, in block order) and their standalone SVG files.
type BriefFigures = (Vec<String>, Vec<OutputFile>);

/// One rendered page and what it was made from.
struct Page {
    path: String,
    html: Vec<u8>,
    deps: BTreeSet<Dep>,
}

fn render_job(ctx: &Ctx, tpl: &Templates, job: &Job, path: String) -> Result<Page, Diagnostic> {
    let site = ctx.site;
    let mut c = Context::new();
    let mut deps = BTreeSet::from([Dep::Config]);
    let template = match job {
        Job::Index => {
            let n = site.config.latest.min(site.briefs.len());
            c.insert_value("latest", cards(ctx, &(0..n).collect::<Vec<_>>()));
            let kf: Vec<Json> = site
                .key_figures
                .iter()
                .map(|k| {
                    deps.insert(Dep::Dataset(k.dataset.clone()));
                    json!({"label": k.label, "value": k.value, "when": k.when, "dataset": k.dataset,
                       "dataset_url": ctx.url(&format!("data/{}/", k.dataset)),
                       "source": k.source.as_deref().map(|s| ctx.source_ref(s))})
                })
                .collect();
            c.insert_value("key_figures", tv(&Json::Array(kf)));
            deps.insert(Dep::Cards);
            if !site.key_figures.is_empty() {
                deps.insert(Dep::Dataset("sources".into()));
            }
            "index.html"
        }
        Job::Brief(i) => {
            let b: &Brief = &site.briefs[*i];
            let md = &ctx.md[*i];
            let mut page = ctx.summary(*i);
            page["toc"] = json!(md.toc);
            page["sources"] = Json::Array(
                b.src
                    .front
                    .sources
                    .iter()
                    .map(|k| ctx.source_ref(k))
                    .collect(),
            );
            page["extra"] = json!(b.src.front.extra);
            page["history"] = Json::Array(
                b.history
                    .iter()
                    .map(|r| json!({"date": r.date.iso(), "date_human": r.date.human(), "hash": r.hash, "short": r.short, "subject": r.subject}))
                    .collect(),
            );
            page["history_note"] = json!(history_note(site, b));
            page["datasets"] = Json::Array(b.datasets.iter().filter_map(|n| site.datasets.get(n)).map(|d| json!({"name": d.name, "title": d.title, "url": ctx.url(&format!("data/{}/", d.name))})).collect());
            let page = with_values(
                &page,
                vec![
                    ("related", cards(ctx, &ctx.related[*i])),
                    ("content", Value::safe_string(&md.html)),
                ],
            );
            c.insert_value("page", page);
            deps.insert(Dep::Brief(b.src.file.as_path().into()));
            deps.extend(b.datasets.iter().map(|d| Dep::Dataset(d.clone())));
            // Its sources are listed by title, and so are its charts' sources.
            if !b.src.front.sources.is_empty() || !b.charts.is_empty() {
                deps.insert(Dep::Dataset("sources".into()));
            }
            // Related briefs are picked from the lists of this brief's topics, and
            // shown as those briefs' cards: not from the whole list of briefs, so
            // that editing one brief does not touch every brief page.
            deps.extend(b.topics.iter().map(|(_, slug)| Dep::Topic(slug.clone())));
            deps.extend(
                ctx.related[*i]
                    .iter()
                    .map(|&r| Dep::Card(site.briefs[r].src.file.as_path().into())),
            );
            if !b.charts.is_empty() {
                deps.insert(Dep::Template("figure.html".into()));
            }
            "brief.html"
        }
        Job::Briefs => {
            // Not the `briefs` global that every page may read: a page that includes
            // the list's template for a list of its own (a topic's) then does not
            // seem to read every card.
            c.insert_value(
                "all_briefs",
                cards(ctx, &(0..site.briefs.len()).collect::<Vec<_>>()),
            );
            deps.insert(Dep::Cards);
            "briefs.html"
        }
        Job::Topics => "topics.html",
        Job::Topic(i) => {
            let t = &site.topics[*i];
            let topic = json!({"name": t.name, "slug": t.slug, "url": ctx.url(&format!("topics/{}/", t.slug))});
            c.insert_value(
                "topic",
                with_values(&topic, vec![("briefs", cards(ctx, &t.briefs))]),
            );
            deps.insert(Dep::Topic(t.slug.clone()));
            deps.extend(
                t.briefs
                    .iter()
                    .map(|&i| Dep::Card(site.briefs[i].src.file.as_path().into())),
            );
            "topic.html"
        }
        Job::Datasets => "datasets.html",
        Job::Dataset(d) => {
            let mut v = ctx.dataset(d);
            v["table"] = Json::Array(
                d.rows
                    .iter()
                    .map(|r| Json::Array(r.iter().map(|c| Json::String(display_cell(c))).collect()))
                    .collect(),
            );
            v["sources_full"] = Json::Array(d.sources.iter().map(|k| ctx.source_ref(k)).collect());
            v["entries"] = Json::Array(view_entries(ctx, d));
            let cited: Vec<usize> = (0..site.briefs.len())
                .filter(|&i| site.briefs[i].datasets.contains(&d.name))
                .collect();
            let chart = ctx
                .dataset_figures
                .get(d.name.as_str())
                .map_or(Value::none(), |h| Value::safe_string(h));
            c.insert_value(
                "dataset",
                with_values(&v, vec![("cited_by", cards(ctx, &cited)), ("chart", chart)]),
            );
            deps.insert(Dep::Dataset(d.name.clone()));
            deps.insert(Dep::Dataset("sources".into()));
            deps.insert(Dep::UsedBy(d.name.clone()));
            deps.extend(
                cited
                    .iter()
                    .map(|&i| Dep::Card(site.briefs[i].src.file.as_path().into())),
            );
            if site.dataset_charts.contains_key(&d.name) {
                deps.insert(Dep::Template("figure.html".into()));
            }
            "dataset.html"
        }
        Job::Sources => "sources.html",
        Job::Search => "search.html",
        Job::NotFound => "404.html",
        Job::Alias(i, _) => {
            let b = &site.briefs[*i];
            c.insert("target", &ctx.url(&b.path));
            let absolute = if site.config.has_host() {
                format!("{}{}", site.config.base_url, b.path)
            } else {
                ctx.url(&b.path)
            };
            c.insert("target_canonical", &absolute);
            c.insert("title", &b.src.front.title);
            deps.insert(Dep::Brief(b.src.file.as_path().into()));
            "alias.html"
        }
    };
    let current = path.trim_end_matches("index.html").to_string();
    c.insert("current_path", &current);
    c.insert("current_url", &ctx.url(&current));
    c.insert(
        "canonical",
        &if site.config.has_host() {
            format!("{}{}", site.config.base_url, current)
        } else {
            ctx.url(&current)
        },
    );
    deps.insert(Dep::Template(template.to_string()));
    let globals = tpl.globals_used(template);
    if globals.contains("data") || globals.contains("datasets") {
        deps.insert(Dep::AllData);
    }
    if globals.contains("briefs") {
        deps.insert(Dep::Cards);
    }
    if globals.contains("topics") {
        deps.insert(Dep::Topics);
    }
    if globals.contains("sources") {
        // Each source lists the briefs (as cards) and the datasets that cite it.
        deps.insert(Dep::Cards);
        deps.extend(site.sources.iter().map(|s| Dep::CitedBy(s.key.clone())));
        deps.insert(Dep::AllData);
        deps.insert(Dep::Dataset("sources".into()));
    }
    let html = tpl.render(template, &c)?;
    Ok(Page {
        path,
        html: html.into_bytes(),
        deps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_paths() {
        assert_eq!(alias_path("/old/trade/").unwrap(), "old/trade/index.html");
        assert_eq!(alias_path("old.html").unwrap(), "old.html");
        assert!(alias_path("../etc/passwd").is_err());
        assert!(alias_path("/").is_err());
        assert!(alias_path("https://x.org/a").is_err());
    }

    #[test]
    fn clips_summaries_on_word_boundaries() {
        assert_eq!(clip_words("a b c", 5), "a b c");
        assert_eq!(clip_words("one, two, three, four", 2), "one, two…");
    }
}
