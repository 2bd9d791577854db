//! The pages of the site: which there are and where each is written ([`plan`]),
//! and each kind of page through its template, one function per kind ([`render`]).
//!
//! Every page records what it was made from ([`Dep`]) as it gathers its context:
//! the live preview renders again only the pages an edit touches, so a page that
//! reads something without saying so would go stale. The record is kept beside
//! the code that reads, one page kind at a time, so that the two change together.

use std::collections::BTreeSet;

use rayon::prelude::*;
use serde_json::{Value as Json, json};
use tera::{Context, Value};

use super::assemble::Collected;
use super::context::{Ctx, PAGE_ROWS, display_cell, tv, with_values};
use super::paginate::{Pager, page_count};
use super::templates::Templates;
use crate::deps::Dep;
use crate::load::dataset::{Cell, ColumnType, Dataset, View};
use crate::load::yaml::Seg;
use crate::model::{Brief, Site};
use crate::util::date::Date;
use crate::util::diag::{Diagnostic, Diagnostics};

/// A page to render.
pub(super) enum Job<'a> {
    Index,
    Brief(usize),
    /// A page of the list of all briefs.
    Briefs(Pager),
    Topics,
    /// A page of topic `.0`'s briefs.
    Topic(usize, Pager),
    Datasets,
    /// A dataset's page (page 1), or a further page of the briefs that use it.
    Dataset(&'a Dataset, Pager),
    /// A page of the list of sources.
    Sources(Pager),
    /// A page of source `.0`'s own page: the source and the briefs that cite it.
    Source(usize, Pager),
    Search,
    NotFound,
    /// A redirect from an old URL of brief `.0`, written at `.1`.
    Alias(usize, String),
    /// What each commit changed in brief `.0`.
    Changes(usize),
}

/// One rendered page and what it was made from.
pub(super) struct Page {
    pub(super) path: String,
    pub(super) html: Vec<u8>,
    pub(super) deps: BTreeSet<Dep>,
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

/// Where a brief's own page is written.
pub(super) fn page_path(b: &crate::model::Brief) -> String {
    format!("{}index.html", b.path)
}

/// Where a page job writes its page.
fn job_path(site: &Site, job: &Job) -> String {
    match job {
        Job::Index => "index.html".into(),
        Job::Brief(i) => page_path(&site.briefs[*i]),
        Job::Topics => "topics/index.html".into(),
        Job::Datasets => "data/index.html".into(),
        Job::Briefs(p)
        | Job::Topic(_, p)
        | Job::Dataset(_, p)
        | Job::Sources(p)
        | Job::Source(_, p) => {
            format!("{}index.html", p.path())
        }
        Job::Search => "search/index.html".into(),
        Job::NotFound => "404.html".into(),
        Job::Alias(_, path) => path.clone(),
        Job::Changes(i) => super::changes::page_path(&site.briefs[*i]),
    }
}

/// Every page of the site but the briefs' own ([`brief_pages`]); an alias that
/// cannot be a page is an error instead.
fn jobs<'a>(site: &'a Site, errors: &mut Diagnostics) -> Vec<Job<'a>> {
    let mut jobs = vec![
        Job::Index,
        Job::Topics,
        Job::Datasets,
        Job::NotFound,
        Job::Search,
    ];
    jobs.extend(list_jobs(site));
    for (i, b) in site.briefs.iter().enumerate() {
        for (j, a) in b.src.front.aliases.iter().enumerate() {
            match alias_path(a) {
                Ok(p) => jobs.push(Job::Alias(i, p)),
                Err(msg) => errors.push(
                    b.src
                        .front_error(&[Seg::Key("aliases".into()), Seg::Index(j)], msg),
                ),
            }
        }
    }
    jobs
}

/// Every page of every paginated list: `make(pager)` for each page of a list of
/// `len` items whose first page is at `base`.
fn list_jobs(site: &Site) -> Vec<Job<'_>> {
    let per = site.config.paginate;
    let pages = |base: &str, len: usize| -> Vec<Pager> {
        (1..=page_count(len, per))
            .map(|n| Pager::new(base, n, len, per))
            .collect()
    };
    let mut jobs: Vec<Job> = pages("briefs/", site.briefs.len())
        .into_iter()
        .map(Job::Briefs)
        .collect();
    for (i, t) in site.topics.iter().enumerate() {
        let base = format!("topics/{}/", t.slug);
        jobs.extend(
            pages(&base, t.briefs.len())
                .into_iter()
                .map(|p| Job::Topic(i, p)),
        );
    }
    for d in site.datasets.values().filter(|d| d.name != "sources") {
        let base = format!("data/{}/", d.name);
        let len = used_by(site, &d.name).len();
        jobs.extend(pages(&base, len).into_iter().map(|p| Job::Dataset(d, p)));
    }
    jobs.extend(
        pages("sources/", site.sources.len())
            .into_iter()
            .map(Job::Sources),
    );
    for (i, s) in site.sources.iter().enumerate() {
        let base = format!("sources/{}/", s.slug);
        let len = s.cited_by_briefs.len();
        jobs.extend(pages(&base, len).into_iter().map(|p| Job::Source(i, p)));
    }
    jobs
}

/// The briefs that read dataset `name`, in the briefs' order.
fn used_by<'s>(site: &'s Site, name: &str) -> &'s [usize] {
    site.used_by.get(name).map_or(&[], Vec::as_slice)
}

/// The pages to render, with their paths: every page's path goes into `out`'s
/// list of the site's paths, and those it wants are returned. Two pages on one
/// path are an error, whichever of them is wanted.
pub(super) fn plan<'a>(
    site: &'a Site,
    out: &mut Collected,
    errors: &mut Diagnostics,
) -> Vec<(String, Job<'a>)> {
    let mut chosen = brief_pages(site, out);
    for job in jobs(site, errors) {
        let path = job_path(site, &job);
        if !out.all_paths.insert(path.clone()) {
            errors.push(
                Diagnostic::file(
                    std::path::Path::new(&path),
                    format!("two pages would be written to {path}"),
                )
                .with_help("an alias or slug collides with another page; change one of them"),
            );
            continue;
        }
        if out.wants(&path) {
            chosen.push((path, job));
        }
    }
    chosen
}

/// The pages of each brief that this render makes: its page and its changes
/// page, listed with the brief's other files already ([`Collected::brief_paths`]).
fn brief_pages<'a>(site: &'a Site, out: &Collected) -> Vec<(String, Job<'a>)> {
    let mut chosen = Vec::new();
    for i in 0..site.briefs.len() {
        let paths = out.brief_paths(i);
        if out.wants_brief(i, &paths.page) {
            chosen.push((paths.page.clone(), Job::Brief(i)));
        }
        if let Some(p) = paths.changes.as_ref().filter(|p| out.wants_brief(i, p)) {
            chosen.push((p.clone(), Job::Changes(i)));
        }
    }
    chosen
}

/// Render `pages` in parallel.
pub(super) fn render_all(
    ctx: &Ctx,
    tpl: &Templates,
    pages: &[(String, Job)],
) -> Vec<Result<Page, Diagnostic>> {
    pages
        .par_iter()
        .map(|(path, job)| crate::util::trace::page(path, || render(ctx, tpl, job, path.clone())))
        .collect()
}

/// One page: its own context and what it read, by kind, then what every page
/// reads ([`finish`]).
fn render(ctx: &Ctx, tpl: &Templates, job: &Job, path: String) -> Result<Page, Diagnostic> {
    let _on = crate::util::panic::working_on(format_args!("the page {path}"));
    let mut c = Context::new();
    let mut deps = BTreeSet::from([Dep::Config]);
    let template = match job {
        Job::Index => index(ctx, &mut c, &mut deps),
        Job::Brief(i) => brief(ctx, *i, &mut c, &mut deps)?,
        Job::Briefs(p) => briefs(ctx, p, &mut c, &mut deps),
        Job::Topics => "topics.html",
        Job::Topic(i, p) => topic(ctx, *i, p, &mut c, &mut deps),
        Job::Datasets => "datasets.html",
        Job::Dataset(d, p) if p.number == 1 => dataset(ctx, d, p, &mut c, &mut deps),
        Job::Dataset(d, p) => dataset_briefs(ctx, d, p, &mut c, &mut deps),
        Job::Sources(p) => sources(ctx, p, &mut c, &mut deps),
        Job::Source(i, p) => source(ctx, *i, p, &mut c, &mut deps),
        Job::Search => "search.html",
        Job::NotFound => "404.html",
        Job::Alias(i, _) => alias(ctx, *i, &mut c, &mut deps),
        Job::Changes(i) => super::changes::page(ctx, *i, &mut c, &mut deps),
    };
    finish(ctx, tpl, template, path, c, deps)
}

/// The page's path and canonical URL, what it read of the globals, and its HTML.
fn finish(
    ctx: &Ctx,
    tpl: &Templates,
    template: &str,
    path: String,
    mut c: Context,
    mut deps: BTreeSet<Dep>,
) -> Result<Page, Diagnostic> {
    let site = ctx.site;
    let current = path.trim_end_matches("index.html").to_string();
    c.insert("current_path", &current);
    c.insert("current_url", &ctx.url(&current));
    c.insert("canonical", &canonical(ctx, &current));
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
    // Which page failed: a template that breaks on one brief of 10,000 is
    // found from it.
    let html = tpl.render(template, &c).map_err(|mut e| {
        e.message = format!("{} (rendering the page {path})", e.message);
        e
    })?;
    Ok(Page {
        path,
        html: html.into_bytes(),
        deps,
    })
}

/// The absolute URL of a site path where the base URL names a host, else its URL.
fn canonical(ctx: &Ctx, path: &str) -> String {
    if ctx.site.config.has_host() {
        format!("{}{}", ctx.site.config.base_url, path)
    } else {
        ctx.url(path)
    }
}

/// The home page: the latest briefs and the key figures.
fn index(ctx: &Ctx, c: &mut Context, deps: &mut BTreeSet<Dep>) -> &'static str {
    let site = ctx.site;
    let n = site.config.latest.min(site.briefs.len());
    c.insert_value("latest", ctx.card_list(&(0..n).collect::<Vec<_>>()));
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

/// A brief's page: its HTML, contents, sources, history, datasets and related
/// briefs.
fn brief(
    ctx: &Ctx,
    i: usize,
    c: &mut Context,
    deps: &mut BTreeSet<Dep>,
) -> Result<&'static str, Diagnostic> {
    let site = ctx.site;
    let b: &Brief = &site.briefs[i];
    let md = &ctx.md[i];
    let mut page = ctx.summary(i);
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
    if super::changes::has_page(site, i) {
        page["changes_url"] = json!(ctx.url(&format!("{}changes/", b.path)));
    }
    let corrections = super::changes::corrections(site, i);
    if !corrections.is_empty() {
        page["corrections"] = Json::Array(corrections);
    }
    if let Some(Some((url, size))) = ctx.pdfs.get(i) {
        let paper = match site.config.pdf.paper {
            crate::load::config::Paper::A4 => "A4",
            crate::load::config::Paper::Letter => "US Letter",
        };
        page["pdf"] = json!({"url": url, "size": file_size(*size), "paper": paper});
    }
    page["datasets"] = Json::Array(
        b.datasets
            .iter()
            .filter_map(|n| site.datasets.get(n))
            .map(|d| ctx.dataset_link(d))
            .collect(),
    );
    let page = with_values(
        &page,
        vec![
            ("related", ctx.card_list(&ctx.related[i])),
            ("content", Value::safe_string(&ctx.brief_html(i)?)),
            ("cite", super::cite::page_value(site, b)),
        ],
    );
    c.insert_value("page", page);
    brief_deps(ctx, i, deps);
    Ok("brief.html")
}

/// What a brief's page reads besides the brief.
fn brief_deps(ctx: &Ctx, i: usize, deps: &mut BTreeSet<Dep>) {
    let site = ctx.site;
    let b = &site.briefs[i];
    deps.insert(Dep::Brief(b.src.file.as_path().into()));
    deps.extend(b.datasets.iter().map(|d| Dep::Dataset(d.clone())));
    // Its sources are listed by title, and so are its charts' sources.
    if !b.src.front.sources.is_empty() || !b.charts.is_empty() {
        deps.insert(Dep::Dataset("sources".into()));
    }
    // Related briefs are picked from the lists of this brief's topics, and shown
    // as those briefs' cards: not from the whole list of briefs, so that editing
    // one brief does not touch every brief page.
    deps.extend(b.topics.iter().map(|(_, slug)| Dep::Topic(slug.clone())));
    deps.extend(
        ctx.related[i]
            .iter()
            .map(|&r| Dep::Card(site.briefs[r].src.file.as_path().into())),
    );
    if !b.charts.is_empty() {
        deps.insert(Dep::Template("figure.html".into()));
    }
}

/// A file's size as a reader is shown it: `135 kB`, `1.2 MB`.
fn file_size(bytes: usize) -> String {
    match bytes {
        0..1_000 => format!("{bytes} bytes"),
        1_000..1_000_000 => format!("{} kB", bytes.div_ceil(1_000)),
        _ => format!("{:.1} MB", bytes as f64 / 1e6),
    }
}

/// What the page says about the brief's history when git cannot tell it all.
pub(super) fn history_note(site: &Site, b: &Brief) -> Option<&'static str> {
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

/// Page `p` of the briefs `list` (indexes into the site's briefs): the briefs it
/// shows, with the pager set and each shown brief's card recorded as read.
fn page_of<'l>(
    ctx: &Ctx,
    list: &'l [usize],
    p: &Pager,
    c: &mut Context,
    deps: &mut BTreeSet<Dep>,
) -> &'l [usize] {
    let shown = &list[p.range(list.len())];
    c.insert("pager", &p.value(|path| ctx.url(path)));
    deps.extend((shown.iter()).map(|&i| Dep::Card(ctx.site.briefs[i].src.file.as_path().into())));
    shown
}

/// A page of the list of every brief: the cards it shows, and which briefs there
/// are in what order (a title edit renders again the one page that shows it).
fn briefs(ctx: &Ctx, p: &Pager, c: &mut Context, deps: &mut BTreeSet<Dep>) -> &'static str {
    let all: Vec<usize> = (0..ctx.site.briefs.len()).collect();
    let shown = page_of(ctx, &all, p, c, deps);
    // Not the `briefs` global that every page may read: a page that includes the
    // list's template for a list of its own (a topic's) then does not seem to read
    // every card.
    c.insert_value("all_briefs", ctx.card_list(shown));
    deps.insert(Dep::BriefOrder);
    "briefs.html"
}

/// A page of a topic's briefs.
fn topic(
    ctx: &Ctx,
    i: usize,
    p: &Pager,
    c: &mut Context,
    deps: &mut BTreeSet<Dep>,
) -> &'static str {
    let t = &ctx.site.topics[i];
    let topic = json!({"name": t.name, "slug": t.slug, "url": ctx.url(&format!("topics/{}/", t.slug)), "count": t.briefs.len()});
    let shown = page_of(ctx, &t.briefs, p, c, deps);
    c.insert_value(
        "topic",
        with_values(&topic, vec![("briefs", ctx.card_list(shown))]),
    );
    deps.insert(Dep::Topic(t.slug.clone()));
    "topic.html"
}

/// A dataset's page: its table (or timeline, or directory), chart, sources and
/// the briefs that cite it.
fn dataset(
    ctx: &Ctx,
    d: &Dataset,
    p: &Pager,
    c: &mut Context,
    deps: &mut BTreeSet<Dep>,
) -> &'static str {
    let site = ctx.site;
    let mut v = ctx.dataset_page(d);
    v["table"] = Json::Array(
        d.rows
            .iter()
            .take(PAGE_ROWS)
            .map(|r| Json::Array(r.iter().map(|c| Json::String(display_cell(c))).collect()))
            .collect(),
    );
    v["sources_full"] = Json::Array(d.sources.iter().map(|k| ctx.source_ref(k)).collect());
    v["entries"] = Json::Array(view_entries(ctx, d));
    v["use"] = use_this_data(ctx, d);
    v["changes"] = super::changes::dataset_log(ctx, d);
    let key: Vec<&str> = (d.key_indexes().into_iter())
        .map(|c| d.columns[c].name.as_str())
        .collect();
    v["changes_key"] = json!(key.join(", "));
    v["source_anchors"] = source_anchors(ctx, d);
    let cited = used_by(site, &d.name);
    v["cited_by_count"] = json!(cited.len());
    let shown = page_of(ctx, cited, p, c, deps);
    let chart = ctx
        .dataset_figures
        .get(d.name.as_str())
        .map_or(Value::none(), |h| Value::safe_string(h));
    c.insert_value(
        "dataset",
        with_values(
            &v,
            vec![("cited_by", ctx.card_list(shown)), ("chart", chart)],
        ),
    );
    deps.insert(Dep::Dataset(d.name.clone()));
    deps.insert(Dep::Dataset("sources".into()));
    deps.insert(Dep::UsedBy(d.name.clone()));
    deps.insert(Dep::DatasetLog(d.name.clone()));
    if site.dataset_charts.contains_key(&d.name) {
        deps.insert(Dep::Template("figure.html".into()));
    }
    "dataset.html"
}

/// Where each key of a dataset's `source` column is listed among the sources
/// (`sources/page/2/#key` past the first page), for the table's links.
fn source_anchors(ctx: &Ctx, d: &Dataset) -> Json {
    let Some(c) = d.column_index("source") else {
        return json!({});
    };
    let anchors: serde_json::Map<String, Json> = (d.rows.iter())
        .map(|r| r[c].text())
        .filter(|k| !k.is_empty())
        .map(|k| {
            let at = super::paginate::source_anchor(ctx.site, &k);
            (k, Json::String(at))
        })
        .collect();
    Json::Object(anchors)
}

/// The "Use this data" box: the Data Package's link, and the addresses the
/// snippets load: absolute where the base URL names a host, else the files'
/// names, for a reader who downloaded them.
fn use_this_data(ctx: &Ctx, d: &Dataset) -> Json {
    let site = ctx.site;
    let absolute = site.config.has_host();
    let (csv, package) = if absolute {
        let csv = super::data_out::full_url(site, &format!("data/{}.csv", d.name));
        (
            csv,
            super::data_out::full_url(site, super::data_out::DATAPACKAGE),
        )
    } else {
        (format!("{}.csv", d.name), "datapackage.json".to_string())
    };
    json!({
        "absolute": absolute,
        "csv": csv,
        "datapackage": package,
        "datapackage_url": ctx.url(super::data_out::DATAPACKAGE),
    })
}

/// The column that names each entry of a dataset's view: a timeline's date, a
/// directory's first text column. `None` for a table.
fn title_column(d: &Dataset) -> Option<usize> {
    match d.view {
        View::Table => None,
        View::Timeline => d
            .columns
            .iter()
            .position(|c| matches!(c.kind, ColumnType::Date | ColumnType::Year)),
        View::Directory => d
            .columns
            .iter()
            .position(|c| c.kind == ColumnType::Text && c.name != "source"),
    }
}

/// The rows of a dataset laid out for its view: a timeline (a dated entry per row,
/// in date order) or a directory (an entry per row, named by its first text
/// column). Each entry has a title, the row's other non-empty cells as fields, and
/// its source.
fn view_entries(ctx: &Ctx, d: &Dataset) -> Vec<Json> {
    let Some(tc) = title_column(d) else {
        return Vec::new();
    };
    let source_col = d.column_index("source");
    let mut order: Vec<usize> = (0..d.rows.len()).collect();
    if d.view == View::Timeline {
        // Chronological whatever the file's order; ties keep it.
        let year = |year| Date {
            year,
            month: 0,
            day: 0,
        };
        let key = |r: usize| match &d.rows[r][tc] {
            Cell::Date(x) => *x,
            Cell::Year(y) => year(*y),
            _ => year(i32::MAX),
        };
        order.sort_by_key(|&r| key(r));
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

/// A further page of the briefs that use a dataset: the dataset's name and
/// link, and those briefs (its first page shows them below the data).
fn dataset_briefs(
    ctx: &Ctx,
    d: &Dataset,
    p: &Pager,
    c: &mut Context,
    deps: &mut BTreeSet<Dep>,
) -> &'static str {
    let cited = used_by(ctx.site, &d.name);
    let shown = page_of(ctx, cited, p, c, deps);
    let mut v = ctx.dataset_link(d);
    v["cited_by_count"] = json!(cited.len());
    c.insert_value(
        "dataset",
        with_values(&v, vec![("cited_by", ctx.card_list(shown))]),
    );
    deps.insert(Dep::Dataset(d.name.clone()));
    deps.insert(Dep::UsedBy(d.name.clone()));
    "dataset-briefs.html"
}

/// A page of the sources: each with the first briefs that cite it (its own page
/// lists them all), and the link to their BibTeX file.
fn sources(ctx: &Ctx, p: &Pager, c: &mut Context, deps: &mut BTreeSet<Dep>) -> &'static str {
    let site = ctx.site;
    let shown = p.range(site.sources.len());
    c.insert("pager", &p.value(|path| ctx.url(path)));
    let list: Vec<Value> = (site.sources[shown].iter())
        .map(|s| {
            deps.insert(Dep::CitedBy(s.key.clone()));
            let first = super::context::source_preview(s);
            deps.extend(
                first
                    .iter()
                    .map(|&i| Dep::Card(site.briefs[i].src.file.as_path().into())),
            );
            ctx.source_value(s, first)
        })
        .collect();
    c.insert_value("sources_page", Value::from(list));
    if !site.sources.is_empty() {
        c.insert("sources_bib", &ctx.url(super::cite::SOURCES_BIB));
    }
    deps.insert(Dep::Dataset("sources".into()));
    deps.insert(Dep::AllData);
    "sources.html"
}

/// A page of a source's own page: the source, and the briefs that cite it.
fn source(
    ctx: &Ctx,
    i: usize,
    p: &Pager,
    c: &mut Context,
    deps: &mut BTreeSet<Dep>,
) -> &'static str {
    let s = &ctx.site.sources[i];
    let shown = page_of(ctx, &s.cited_by_briefs, p, c, deps);
    c.insert_value("source", ctx.source_value(s, shown));
    deps.insert(Dep::CitedBy(s.key.clone()));
    deps.insert(Dep::Dataset("sources".into()));
    deps.insert(Dep::AllData);
    "source.html"
}

/// The redirect page of an alias of brief `i`.
fn alias(ctx: &Ctx, i: usize, c: &mut Context, deps: &mut BTreeSet<Dep>) -> &'static str {
    let b = &ctx.site.briefs[i];
    c.insert("target", &ctx.url(&b.path));
    c.insert("target_canonical", &canonical(ctx, &b.path));
    c.insert("title", &b.src.front.title);
    deps.insert(Dep::Brief(b.src.file.as_path().into()));
    "alias.html"
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
}
