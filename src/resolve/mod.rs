//! Stage 2, **resolve**: checks and links across files.
//!
//! Turns the loaded sources into the [`Site`] model the renderer reads: published
//! briefs with their URLs, links between briefs turned into page URLs, inline dataset
//! values looked up, topics gathered (spelling folded), source keys checked and
//! their citations collected, and for every brief the datasets it used — the
//! dependency record that incremental rebuilds need.

pub mod charts;
pub mod values;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::load::dataset::Cell;
use crate::load::history::History;
use crate::load::yaml::Seg;
use crate::load::yaml::YamlDoc;
use crate::load::{BriefSource, Dataset, SiteSources};
use crate::markdown::lint::Lint;
use crate::markdown::scan::{Scan, scan_markdown};
use crate::model::chart::ChartPlan;
use crate::model::{Brief, KeyFigure, Site, Source, Topic};
use crate::util::diag::{Diagnostic, Diagnostics, did_you_mean, suggest};
use crate::util::paths::{display_path, normalize, percent_decode};
use crate::util::slug::slugify;
use charts::SpecSource;
use values::{Lookup, lookup, lookup_from_args, parse_shortcode};

/// Options of a build that change what is published.
#[derive(Debug, Clone, Default)]
pub struct ResolveOptions {
    pub drafts: bool,
    /// Overrides `base_url` of site.yaml (preview deployments).
    pub base_url: Option<String>,
    /// Let a link to a brief file that does not exist through, to a page that
    /// does not exist either: `tumen check` then reports it with every other
    /// broken link and anchor, instead of stopping here.
    pub keep_broken_links: bool,
}

fn is_external(dest: &str) -> bool {
    dest.contains("://")
        || dest.starts_with("mailto:")
        || dest.starts_with("tel:")
        || dest.starts_with('#')
        || dest.starts_with('/')
}

/// Markdown-escape text put into a body, so a value never becomes markup.
fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A brief's body after resolving: values put in, links mapped, datasets noted.
#[derive(Debug, Clone)]
struct ResolvedBody {
    body: Arc<str>,
    links: Arc<BTreeMap<String, String>>,
    datasets: Arc<BTreeSet<String>>,
    charts: Arc<Vec<ChartPlan>>,
    /// Offsets in the body: the brief makes them lines ([`Lint::diagnostic`]).
    lints: Arc<[Lint]>,
}

/// What resolving a body read besides the body itself: a cached result stays good
/// while these read the same.
#[derive(Debug, Default)]
struct Reads {
    /// Each brief linked to (its normalised file) and the slug its link became.
    briefs: Vec<(PathBuf, String)>,
    /// Each dataset read or linked to, with its version (see [`ResolveCache`]).
    datasets: Vec<(String, u64)>,
}

/// Briefs' files by normalised path, for relative links.
type FileIndex = HashMap<PathBuf, usize>;

/// Resolved brief bodies kept between resolves by the live preview. Resolving every
/// body again is most of the cost of a resolve and an edit changes one brief, so a
/// body seen before (same file, same text) is not parsed again, and its result is
/// reused while what it read from other files is unchanged.
#[derive(Debug, Default)]
pub struct ResolveCache {
    /// By file, as bytes (quicker to hash than a `Path`).
    bodies: HashMap<OsString, CachedBody>,
    /// Each dataset's text when last resolved and its version, a number that
    /// changes with the text: what [`Reads`] compare, rather than texts.
    datasets: HashMap<String, (String, u64)>,
    versions: u64,
    /// What the last good resolve made across briefs, for [`resolve_again`].
    shape: Option<Shape>,
}

/// What the last good resolve made across briefs: where each brief went and what
/// lists it is in. It holds while no brief moves (see [`same_place`]).
#[derive(Debug)]
struct Shape {
    drafts_option: bool,
    /// The git history the briefs were given (they show their dates and commits).
    history: Arc<History>,
    /// The settings' text and the base URL they were resolved with, to compare.
    config: (String, String),
    /// The briefs as given, in the loader's order, with what the resolve made of
    /// their indexes.
    srcs: Vec<Arc<BriefSource>>,
    slugs: BTreeMap<usize, String>,
    files: FileIndex,
    drafts: BTreeSet<usize>,
    /// The published briefs in the site's order: index into `srcs`, and the brief.
    placed: Vec<(usize, Arc<Brief>)>,
    topics: Vec<Topic>,
    sources: Vec<Source>,
    key_figures: Vec<KeyFigure>,
    dataset_charts: BTreeMap<String, ChartPlan>,
}

/// Whether a brief's new version goes where the old one went: the same slug, the
/// same place in the order, the same lists (topics, sources cited). Its title,
/// summary or body may differ.
fn same_place(a: &BriefSource, b: &BriefSource) -> bool {
    a.file == b.file
        && a.stem == b.stem
        && a.front.draft == b.front.draft
        && a.front.slug == b.front.slug
        && a.front.topics == b.front.topics
        && a.front.sources == b.front.sources
        && a.date == b.date
        && a.front.weight == b.front.weight
}

#[derive(Debug)]
struct CachedBody {
    src: Arc<BriefSource>,
    scan: Arc<Scan>,
    /// The result when the body resolved without errors (errors are made again,
    /// as their positions follow the front matter).
    resolved: Option<(ResolvedBody, Reads)>,
}

impl ResolveCache {
    /// Take note of the datasets of this resolve, giving a new version to each
    /// whose text changed. True when one changed, came or went.
    fn note_datasets(&mut self, datasets: &BTreeMap<String, Dataset>) -> bool {
        let before = self.datasets.len();
        self.datasets.retain(|name, _| datasets.contains_key(name));
        let mut changed = self.datasets.len() != before;
        for (name, d) in datasets {
            if self
                .datasets
                .get(name)
                .is_none_or(|(text, _)| *text != d.text)
            {
                self.versions += 1;
                self.datasets
                    .insert(name.clone(), (d.text.clone(), self.versions));
                changed = true;
            }
        }
        changed
    }

    /// Keep each body's result: the bodies that resolved, by index; the errors of
    /// the others go to `errors`.
    fn keep_all(
        &mut self,
        sources: &[Arc<BriefSource>],
        made: Vec<(usize, BodyResult)>,
        errors: &mut Diagnostics,
    ) -> BTreeMap<usize, ResolvedBody> {
        let mut resolved = BTreeMap::new();
        for (i, r) in made {
            match self.keep(&sources[i], r) {
                Ok(v) => {
                    resolved.insert(i, v);
                }
                Err(e) => errors.extend(e),
            }
        }
        resolved
    }

    /// Keep the result of resolving a body (`None` when it had errors).
    fn keep(&mut self, src: &Arc<BriefSource>, r: BodyResult) -> Result<ResolvedBody, Diagnostics> {
        match r {
            BodyResult::Reused(v) => {
                let entry = self
                    .bodies
                    .get_mut(src.file.as_os_str())
                    .expect("reused from the cache");
                if !Arc::ptr_eq(&entry.src, src) {
                    entry.src = src.clone();
                }
                Ok(v)
            }
            BodyResult::Made(scan, r) => {
                let (out, resolved) = match r {
                    Ok((v, reads)) => (Ok(v.clone()), Some((v, reads))),
                    Err(e) => (Err(e), None),
                };
                let entry = CachedBody {
                    src: src.clone(),
                    scan,
                    resolved,
                };
                self.bodies.insert(src.file.clone().into_os_string(), entry);
                out
            }
        }
    }

    fn version(&self, dataset: &str) -> u64 {
        self.datasets.get(dataset).map_or(0, |v| v.1)
    }
}

/// How one brief's body was resolved this time.
enum BodyResult {
    Reused(ResolvedBody),
    Made(Arc<Scan>, Result<(ResolvedBody, Reads), Diagnostics>),
}

struct Resolver<'a> {
    briefs: &'a [Arc<BriefSource>],
    /// Index into `briefs` → slug, for published briefs only.
    slugs: &'a BTreeMap<usize, String>,
    files: &'a FileIndex,
    datasets: &'a BTreeMap<String, Dataset>,
    data_dir: PathBuf,
    drafts: &'a BTreeSet<usize>,
    cache: &'a ResolveCache,
    keep_broken_links: bool,
    /// With `keep_broken_links` (`tumen check`): links to brief files that do not
    /// exist, reported with the rest when the resolve fails, else by the check of
    /// the rendered links (in the same words).
    deferred: std::sync::Mutex<Vec<Diagnostic>>,
}

impl Resolver<'_> {
    /// Brief `i`'s body, from the cache when neither it nor what it read changed.
    fn cached_or_new(&self, i: usize) -> BodyResult {
        let b = &self.briefs[i];
        let scan = match self.cache.bodies.get(b.file.as_os_str()) {
            Some(c) if Arc::ptr_eq(&c.src, b) || c.src.body() == b.body() => {
                if let Some((r, reads)) = &c.resolved
                    && self.still(reads)
                {
                    return BodyResult::Reused(r.clone());
                }
                c.scan.clone()
            }
            _ => Arc::new(scan_markdown(b.body())),
        };
        let r = self.brief(i, &scan);
        BodyResult::Made(scan, r)
    }

    /// Whether what a body read resolves as it did.
    fn still(&self, reads: &Reads) -> bool {
        reads.briefs.iter().all(|(file, slug)| {
            self.files
                .get(file)
                .is_some_and(|t| !self.drafts.contains(t) && self.slugs.get(t) == Some(slug))
        }) && reads
            .datasets
            .iter()
            .all(|(name, v)| self.datasets.contains_key(name) && self.cache.version(name) == *v)
    }

    /// Put values in and resolve links, for one brief.
    fn brief(&self, i: usize, scan: &Scan) -> Result<(ResolvedBody, Reads), Diagnostics> {
        let b = &self.briefs[i];
        let body = b.body();
        let mut reads = Reads::default();
        let mut errors = Diagnostics::default();
        let at = |offset: usize, msg: String| {
            Diagnostic::at_offset(&b.file, &b.text, b.body_start + offset, msg)
        };

        let mut links = BTreeMap::new();
        let dir = b.file.parent().unwrap_or(Path::new(""));
        for (dest, range) in &scan.links {
            if is_external(dest) || dest.is_empty() {
                continue;
            }
            let (file_part, frag) = dest
                .split_once('#')
                .map_or((dest.as_str(), None), |(f, h)| (f, Some(h)));
            let file_part = file_part.split('?').next().unwrap_or(file_part);
            let lower = file_part.to_ascii_lowercase();
            let target = normalize(
                &dir.join(percent_decode(file_part).unwrap_or_else(|| file_part.to_string())),
            );
            let resolved = if lower.ends_with(".md") || lower.ends_with(".markdown") {
                match self.files.get(&target) {
                    Some(&t) if self.drafts.contains(&t) => {
                        errors.push(
                            at(
                                range.start,
                                format!("`{dest}` links to a draft, which this build leaves out"),
                            )
                            .with_help(
                                "publish the target (remove `draft: true`) or build with --drafts",
                            ),
                        );
                        continue;
                    }
                    Some(t) => {
                        reads.briefs.push((target.clone(), self.slugs[t].clone()));
                        format!("briefs/{}/", self.slugs[t])
                    }
                    None => {
                        let published = (self.briefs.iter().enumerate())
                            .filter(|(i, _)| !self.drafts.contains(i))
                            .map(|(_, b)| b.file.as_path());
                        let (msg, help) = missing_brief(dest, &target, published);
                        let d = at(range.start, msg).with_help(help);
                        if !self.keep_broken_links {
                            errors.push(d);
                            continue;
                        }
                        if let Ok(mut deferred) = self.deferred.lock() {
                            deferred.push(d);
                        }
                        let stem = target.file_stem().map(|s| s.to_string_lossy().into_owned());
                        format!("briefs/{}/", slugify(&stem.unwrap_or_default()))
                    }
                }
            } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
                let name = target
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if target.parent() == Some(self.data_dir.as_path())
                    && self.datasets.contains_key(&name)
                {
                    let page = format!("data/{name}/");
                    reads.datasets.push((name, 0));
                    page
                } else {
                    errors.push(at(
                        range.start,
                        format!(
                            "`{dest}` links to a dataset file that does not exist ({})",
                            target.display()
                        ),
                    ));
                    continue;
                }
            } else {
                // Other relative links (images in static/, pages of the theme) are the
                // author's to get right; `tumen check` will verify them.
                continue;
            };
            let full = match frag {
                Some(f) => format!("{resolved}#{f}"),
                None => resolved,
            };
            links.insert(dest.clone(), full);
        }

        let mut out = String::with_capacity(body.len());
        let mut used = BTreeSet::new();
        let mut last = 0;
        let mut pos = 0;
        while let Some(found) = body[pos..].find("{{") {
            let start = pos + found;
            if let Some(r) = scan.literal.iter().find(|r| r.contains(&start)) {
                pos = r.end.max(start + 2);
                continue;
            }
            let Some(parsed) = parse_shortcode(&body[start..]) else {
                pos = start + 2;
                continue;
            };
            let sc = match parsed {
                Ok(sc) => sc,
                Err(msg) => {
                    errors.push(at(start, msg));
                    pos = start + 2;
                    continue;
                }
            };
            let end = start + sc.len;
            let text = if sc.name == "value" {
                match lookup_from_args(&sc.args).and_then(|l: Lookup| {
                    used.insert(l.data.clone());
                    lookup(self.datasets, &l).map(|f| f.text)
                }) {
                    Ok(t) => t,
                    Err(msg) => {
                        errors.push(at(start, msg));
                        String::new()
                    }
                }
            } else {
                errors.push(
                    at(start, format!("unknown shortcode `{}`", sc.name))
                        .with_help(did_you_mean(&sc.name, &["value"])),
                );
                String::new()
            };
            out.push_str(&body[last..start]);
            out.push_str(&escape_markdown(&text));
            last = end;
            pos = end;
        }
        out.push_str(&body[last..]);
        let mut charts = Vec::with_capacity(scan.charts.len());
        for block in &scan.charts {
            let (fence_line, _) = crate::util::diag::line_col(&b.text, b.body_start + block.fence);
            let (content_line, _) =
                crate::util::diag::line_col(&b.text, b.body_start + block.content);
            let doc = YamlDoc {
                file: &b.file,
                file_text: &b.text,
                yaml: &block.yaml,
                line_offset: content_line - 1,
            };
            let raw: yaml_serde::Value = match doc.parse() {
                Ok(v) => v,
                Err(d) => {
                    errors.push(d);
                    continue;
                }
            };
            let src = SpecSource {
                doc,
                base: Vec::new(),
                implicit_data: None,
                fence_line,
            };
            match charts::plan(&raw, &src, self.datasets) {
                Ok(p) => {
                    used.insert(p.dataset.clone());
                    charts.push(p);
                }
                Err(e) => errors.extend(e),
            }
        }
        errors.into_result()?;
        reads.datasets.extend(used.iter().map(|d| (d.clone(), 0)));
        for (name, v) in &mut reads.datasets {
            *v = self.cache.version(name);
        }
        Ok((
            ResolvedBody {
                body: out.into(),
                links: Arc::new(links),
                datasets: Arc::new(used),
                charts: Arc::new(charts),
                lints: scan.lints.clone(),
            },
            reads,
        ))
    }
}

/// What is wrong with a link `dest` to a brief file `target` that does not exist,
/// and the help: the nearest brief file by name, else the briefs there are. The
/// same words in `tumen build` and `tumen check`.
/// `briefs` are the files of the published briefs.
pub fn missing_brief<'a>(
    dest: &str,
    target: &Path,
    briefs: impl Iterator<Item = &'a Path>,
) -> (String, String) {
    let name = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned());
    let names: Vec<String> = briefs.filter_map(name).collect();
    let want = name(target).unwrap_or_default();
    let help = match suggest(&want, names.iter().map(String::as_str)) {
        Some(s) => format!("did you mean `{s}`?"),
        None if names.is_empty() => "there are no briefs to link to yet".to_string(),
        None => {
            let mut shown: Vec<&str> = names.iter().map(String::as_str).take(8).collect();
            if names.len() > shown.len() {
                shown.push("…");
            }
            format!(
                "no brief file has a name like it; the briefs are: {}",
                shown.join(", ")
            )
        }
    };
    let msg = format!(
        "`{dest}` links to a brief file that does not exist ({})",
        target.display()
    );
    (msg, help)
}

/// Check the site across files and build the model the renderer reads.
pub fn resolve(src: SiteSources, opts: &ResolveOptions) -> Result<Site, Diagnostics> {
    resolve_cached(src, opts, &mut ResolveCache::default())
}

/// [`resolve`], reusing what `cache` kept of the previous resolve of the site.
pub fn resolve_cached(
    src: SiteSources,
    opts: &ResolveOptions,
    cache: &mut ResolveCache,
) -> Result<Site, Diagnostics> {
    let SiteSources {
        root,
        mut config,
        briefs: sources,
        datasets,
        static_files,
        theme,
        history,
    } = src;
    if let Some(url) = &opts.base_url {
        let mut u = url.clone();
        if !u.ends_with('/') {
            u.push('/');
        }
        config.base_url = u;
    }
    let base_path = config.base_path();
    let datasets_changed = cache.note_datasets(&datasets);
    let config_key = (config.text.clone(), config.base_url.clone());
    if !datasets_changed
        && let Some(r) = resolve_again(
            &sources,
            &config_key,
            opts,
            &datasets,
            &history,
            &root,
            cache,
        )
    {
        let briefs = r?;
        let shape = cache.shape.as_ref().expect("resolved again from it");
        return Ok(Site {
            root,
            config,
            base_path,
            briefs,
            datasets,
            topics: shape.topics.clone(),
            sources: shape.sources.clone(),
            key_figures: shape.key_figures.clone(),
            dataset_charts: shape.dataset_charts.clone(),
            static_files,
            theme,
            drafts_skipped: shape.drafts.len(),
            repo: history.state.clone(),
            missing_links: Vec::new(),
        });
    }
    // Only a good resolve leaves a shape to resolve again from.
    cache.shape = None;
    let mut errors = Diagnostics::default();

    // Slugs, and which briefs are published.
    let mut drafts = BTreeSet::new();
    let mut slugs = BTreeMap::new();
    let mut by_slug: BTreeMap<String, usize> = BTreeMap::new();
    for (i, b) in sources.iter().enumerate() {
        if b.front.draft && !opts.drafts {
            drafts.insert(i);
            continue;
        }
        let slug = slugify(b.front.slug.as_deref().unwrap_or(&b.stem));
        if slug.is_empty() {
            errors.push(
                b.front_error(&[Seg::Key("slug".into())], "this brief's slug is empty")
                    .with_help("set `slug:` to a few words, or rename the file"),
            );
            continue;
        }
        if let Some(&other) = by_slug.get(&slug) {
            errors.push(
                b.front_error(
                    &[Seg::Key("title".into())],
                    format!(
                        "slug `{slug}` is already used by {}",
                        sources[other].file.display()
                    ),
                )
                .with_help("set a different `slug:` in one of the two briefs"),
            );
            continue;
        }
        by_slug.insert(slug.clone(), i);
        slugs.insert(i, slug);
    }
    let files: FileIndex = sources
        .iter()
        .enumerate()
        .map(|(i, b)| (normalize(&b.file), i))
        .collect();

    // Source keys.
    let source_keys: BTreeSet<String> = match datasets.get("sources") {
        Some(d) => match d.column_index("key") {
            Some(k) => {
                let mut seen = BTreeSet::new();
                for (r, row) in d.rows.iter().enumerate() {
                    let key = row[k].text();
                    if !seen.insert(key.clone()) {
                        errors.push(d.error_at(
                            &[
                                Seg::Key("rows".into()),
                                Seg::Index(r),
                                Seg::Key("key".into()),
                            ],
                            format!("source key `{key}` is listed twice"),
                        ));
                    }
                }
                seen
            }
            None => {
                errors.push(
                    d.error_at(
                        &[Seg::Key("columns".into())],
                        "the sources dataset needs a `key` column",
                    )
                    .with_help("add `- {name: key, type: text}` to its columns"),
                );
                BTreeSet::new()
            }
        },
        None => BTreeSet::new(),
    };
    errors.extend(unknown_sources(
        &root,
        &sources,
        &drafts,
        &datasets,
        &source_keys,
    ));

    // Bodies: links and inline values, in parallel.
    let resolver = Resolver {
        briefs: &sources,
        slugs: &slugs,
        files: &files,
        datasets: &datasets,
        data_dir: data_dir(&root),
        drafts: &drafts,
        cache,
        keep_broken_links: opts.keep_broken_links,
        deferred: Default::default(),
    };
    let bodies: Vec<(usize, BodyResult)> = slugs
        .keys()
        .copied()
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|i| (i, resolver.cached_or_new(i)))
        .collect();
    let deferred = resolver.deferred.into_inner().unwrap_or_default();
    let mut resolved = cache.keep_all(&sources, bodies, &mut errors);
    if cache.bodies.len() > resolved.len() {
        let published: HashSet<&Path> = slugs.keys().map(|&i| sources[i].file.as_path()).collect();
        cache.bodies.retain(|f, _| published.contains(Path::new(f)));
    }

    // Datasets' default charts.
    let mut dataset_charts = BTreeMap::new();
    for d in datasets.values() {
        let Some(raw) = &d.chart else { continue };
        let src = SpecSource {
            doc: YamlDoc::whole(&d.file, &d.text),
            base: vec![Seg::Key("chart".into())],
            implicit_data: Some(&d.name),
            fence_line: 0,
        };
        match charts::plan(raw, &src, &datasets) {
            Ok(p) => {
                dataset_charts.insert(d.name.clone(), p);
            }
            Err(e) => errors.extend(e),
        }
    }

    // Key figures.
    let mut key_figures = Vec::new();
    for (i, kf) in config.key_figures.iter().enumerate() {
        let l = Lookup {
            data: kf.data.clone(),
            filter: kf.filter.clone(),
            column: kf.column.clone(),
            format: kf.format.clone(),
        };
        match lookup(&datasets, &l) {
            Ok(f) => {
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
                key_figures.push(KeyFigure {
                    label: kf.label.clone(),
                    value: f.text,
                    dataset: kf.data.clone(),
                    when,
                    source,
                });
            }
            Err(msg) => {
                let cfg = crate::util::paths::display_path(&root.join("site.yaml"));
                let text = std::fs::read_to_string(root.join("site.yaml")).unwrap_or_default();
                errors.push(
                    crate::load::yaml::YamlDoc::whole(&cfg, &text)
                        .error_at(&[Seg::Key("key_figures".into()), Seg::Index(i)], msg),
                );
            }
        }
    }
    if !errors.is_empty() {
        errors.extend(deferred.clone().into());
    }
    errors.into_result()?;

    // Published briefs, newest first; ties by weight then slug, so order never
    // depends on the file system.
    let mut placed: Vec<(usize, Brief)> = slugs
        .iter()
        .map(|(&i, slug)| {
            let body = resolved.remove(&i).expect("resolved above");
            (
                i,
                brief(
                    sources[i].clone(),
                    slug.clone(),
                    format!("briefs/{slug}/"),
                    Vec::new(),
                    body,
                    &history,
                    &datasets,
                ),
            )
        })
        .collect();
    placed.sort_by(|(_, a), (_, b)| {
        b.src
            .date
            .cmp(&a.src.date)
            .then(a.src.front.weight.cmp(&b.src.front.weight))
            .then(a.slug.cmp(&b.slug))
    });
    let (order, mut briefs): (Vec<usize>, Vec<Brief>) = placed.into_iter().unzip();

    // Topics: "Trade" and "trade" are one topic, shown in its most common spelling.
    // Briefs share a few topics, so each spelling is made a slug once.
    let srcs: Vec<Arc<BriefSource>> = briefs.iter().map(|b| b.src.clone()).collect();
    let mut slug_of: HashMap<&str, String> = HashMap::new();
    let mut spellings: BTreeMap<String, BTreeMap<&str, usize>> = BTreeMap::new();
    for src in &srcs {
        for t in &src.front.topics {
            let s = slug_of.entry(t).or_insert_with(|| slugify(t));
            if !s.is_empty() {
                *spellings
                    .entry(s.clone())
                    .or_default()
                    .entry(t.trim())
                    .or_default() += 1;
            }
        }
    }
    let mut topics: BTreeMap<String, Topic> = spellings
        .iter()
        .map(|(slug, m)| {
            let best = m.values().max().copied().unwrap_or(0);
            let name = m
                .iter()
                .find(|(_, n)| **n == best)
                .map(|(s, _)| s.to_string())
                .unwrap_or_default();
            let topic = Topic {
                name,
                slug: slug.clone(),
                briefs: Vec::new(),
            };
            (slug.clone(), topic)
        })
        .collect();
    for (bi, (b, src)) in briefs.iter_mut().zip(&srcs).enumerate() {
        let mut seen = Vec::with_capacity(src.front.topics.len());
        for t in &src.front.topics {
            let s = slug_of[t.as_str()].as_str();
            if s.is_empty() || seen.contains(&s) {
                continue;
            }
            seen.push(s);
            let topic = topics.get_mut(s).expect("counted above");
            b.topics.push((topic.name.clone(), topic.slug.clone()));
            topic.briefs.push(bi);
        }
    }

    // Sources and what cites them.
    let mut sources_out = Vec::new();
    if let Some(d) = datasets.get("sources")
        && let Some(k) = d.column_index("key")
    {
        for row in &d.rows {
            let key = row[k].text();
            let fields = d
                .columns
                .iter()
                .zip(row)
                .map(|(c, v)| (c.name.clone(), v.text()))
                .collect();
            let cited_by_briefs = briefs
                .iter()
                .enumerate()
                .filter(|(_, b)| b.src.front.sources.contains(&key))
                .map(|(i, _)| i)
                .collect();
            let cited_by_datasets = datasets
                .values()
                .filter(|x| {
                    x.name != "sources"
                        && (x.sources.contains(&key)
                            || x.column_index("source")
                                .is_some_and(|c| x.rows.iter().any(|r| r[c].text() == key)))
                })
                .map(|x| x.name.clone())
                .collect();
            sources_out.push(Source {
                key,
                fields,
                cited_by_briefs,
                cited_by_datasets,
            });
        }
    }

    let topics: Vec<Topic> = topics.into_values().collect();
    let briefs: Vec<Arc<Brief>> = briefs.into_iter().map(Arc::new).collect();
    let placed = order.iter().copied().zip(briefs.iter().cloned()).collect();
    let drafts_skipped = drafts.len();
    cache.shape = Some(Shape {
        drafts_option: opts.drafts,
        history: history.clone(),
        config: config_key,
        srcs: sources,
        slugs,
        files,
        drafts,
        placed,
        topics: topics.clone(),
        sources: sources_out.clone(),
        key_figures: key_figures.clone(),
        dataset_charts: dataset_charts.clone(),
    });
    Ok(Site {
        root,
        config,
        base_path,
        briefs,
        datasets,
        topics,
        sources: sources_out,
        key_figures,
        dataset_charts,
        static_files,
        theme,
        drafts_skipped,
        repo: history.state.clone(),
        missing_links: deferred,
    })
}

/// A brief from its source, where it goes and its resolved body.
fn brief(
    src: Arc<BriefSource>,
    slug: String,
    path: String,
    topics: Vec<(String, String)>,
    body: ResolvedBody,
    history: &History,
    datasets: &BTreeMap<String, Dataset>,
) -> Brief {
    let mut files: Vec<&Path> = vec![&src.file];
    files.extend(
        body.datasets
            .iter()
            .filter_map(|n| datasets.get(n))
            .map(|d| d.file.as_path()),
    );
    let uncommitted = history.uncommitted.contains(&src.file);
    // An explicit `updated:` wins; else the last commit of the brief's own file,
    // unless it has changed since (then git cannot say when it was).
    let updated = src.updated.or_else(|| {
        if uncommitted {
            return None;
        }
        let last = history.commits.get(&src.file)?.first()?.date;
        (last > src.date).then_some(last)
    });
    let warnings = (body.lints.iter())
        .map(|l| l.diagnostic(&src.file, &src.text, src.body_start))
        .collect();
    Brief {
        warnings,
        history: history.of(&files),
        uncommitted,
        new: history.new.contains(&src.file),
        updated,
        src,
        slug,
        path,
        topics,
        body: body.body,
        links: body.links,
        datasets: body.datasets,
        charts: body.charts,
    }
}

/// Brief paths are display paths, so the data folder must be one too.
/// Every use of a source key that `data/sources.yaml` does not list (in briefs'
/// and datasets' `sources:`, and in datasets' `source` column), in the same words
/// for each, so that each key is one report listing its places.
fn unknown_sources(
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

fn data_dir(root: &Path) -> PathBuf {
    normalize(&crate::util::paths::display_path(&root.join("data")))
}

/// The last resolve again, when an edit changed what briefs say but not where
/// they go ([`same_place`]) nor the settings or datasets: everything made across
/// briefs is as it was, and only the bodies of the briefs that changed are
/// resolved. `None` when that does not hold.
fn resolve_again(
    sources: &[Arc<BriefSource>],
    config: &(String, String),
    opts: &ResolveOptions,
    datasets: &BTreeMap<String, Dataset>,
    history: &Arc<History>,
    root: &Path,
    cache: &mut ResolveCache,
) -> Option<Result<Vec<Arc<Brief>>, Diagnostics>> {
    let shape = cache.shape.as_ref()?;
    if shape.drafts_option != opts.drafts
        || !Arc::ptr_eq(&shape.history, history)
        || shape.config != *config
        || shape.srcs.len() != sources.len()
    {
        return None;
    }
    let mut changed = Vec::new();
    for (i, (a, b)) in shape.srcs.iter().zip(sources).enumerate() {
        if !Arc::ptr_eq(a, b) {
            if !same_place(a, b) {
                return None;
            }
            changed.push(i);
        }
    }
    let resolver = Resolver {
        briefs: sources,
        slugs: &shape.slugs,
        files: &shape.files,
        datasets,
        data_dir: data_dir(root),
        drafts: &shape.drafts,
        cache,
        keep_broken_links: opts.keep_broken_links,
        deferred: Default::default(),
    };
    let made: Vec<(usize, BodyResult)> = changed
        .into_iter()
        .filter(|i| !resolver.drafts.contains(i))
        .map(|i| (i, resolver.cached_or_new(i)))
        .collect();
    let mut errors = Diagnostics::default();
    let mut bodies = cache.keep_all(sources, made, &mut errors);
    if let Err(e) = errors.into_result() {
        return Some(Err(e));
    }
    let shape = cache.shape.as_mut().expect("checked above");
    shape.srcs = sources.to_vec();
    // Unchanged briefs are shared with the last resolve (and with what the
    // render cached from them).
    let briefs = shape
        .placed
        .iter_mut()
        .map(|(i, p)| {
            if let Some(body) = bodies.remove(i) {
                *p = Arc::new(brief(
                    sources[*i].clone(),
                    p.slug.clone(),
                    p.path.clone(),
                    p.topics.clone(),
                    body,
                    history,
                    datasets,
                ));
            }
            p.clone()
        })
        .collect();
    Some(Ok(briefs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_ranges_cover_code_and_html() {
        let body = "a `{{ x }}` b\n\n```\n{{ value(data=\"x\") }}\n```\n\n<div>{{</div>\n";
        let scan = scan_markdown(body);
        for needle in ["{{ x }}", "{{ value", "{{</div>"] {
            let at = body.find(needle).unwrap();
            assert!(
                scan.literal.iter().any(|r| r.contains(&at)),
                "{needle} not covered"
            );
        }
    }

    #[test]
    fn escapes_values_for_markdown() {
        assert_eq!(escape_markdown("US$1,000 *x*"), "US\\$1\\,000 \\*x\\*");
    }
}
