//! What the live preview keeps from one resolve to the next: each brief body's
//! result with what it read ([`ResolveCache`]), and the shape of the last good
//! resolve ([`Shape`]), from which an edit that moves no brief is resolved again
//! without redoing what is made across briefs ([`resolve_again`]). `tumen build`
//! starts with an empty cache and never reads it.

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::sync::Arc;

use super::ResolveOptions;
use super::bodies::{Reads, ResolvedBody, Resolver, make_brief};
use super::lists::Published;
use crate::load::history::History;
use crate::load::{BriefSource, Dataset, SiteSources};
use crate::markdown::scan::Scan;
use crate::model::chart::ChartPlan;
use crate::model::{Brief, KeyFigure, Site, Source, Topic};
use crate::util::diag::Diagnostics;

/// Resolved brief bodies kept between resolves by the live preview. Resolving every
/// body again is most of the cost of a resolve and an edit changes one brief, so a
/// body seen before (same file, same text) is not parsed again, and its result is
/// reused while what it read from other files is unchanged.
#[derive(Debug, Default)]
pub struct ResolveCache {
    /// By file, as bytes (quicker to hash than a `Path`).
    pub(super) bodies: HashMap<OsString, CachedBody>,
    /// Each dataset's text when last resolved and its version, a number that
    /// changes with the text: what [`Reads`] compare, rather than texts.
    /// (YAML text, rows file and its hash), version.
    #[allow(clippy::type_complexity)]
    pub(super) datasets: HashMap<String, ((String, Option<(std::path::PathBuf, u64)>), u64)>,
    pub(super) versions: u64,
    /// What the last good resolve made across briefs, for [`resolve_again`].
    pub(super) shape: Option<Shape>,
    /// Old versions and the changes made from them.
    pub(super) changes: super::changes::ChangesCache,
    /// A cache for one resolve ([`super::resolve`]), which keeps no body: there
    /// is no next resolve to read them, and keeping then dropping 10,000 took
    /// 45 ms.
    pub(super) one_shot: bool,
}

/// What the last good resolve made across briefs: where each brief went and what
/// lists it is in. It holds while no brief moves (see [`same_place`]).
#[derive(Debug)]
pub(super) struct Shape {
    pub(super) drafts_option: bool,
    /// The git history the briefs were given (they show their dates and commits).
    pub(super) history: Arc<History>,
    /// The settings' text and the base URL they were resolved with, to compare.
    pub(super) config: (String, String),
    /// The briefs as given, in the loader's order, with what the resolve made of
    /// their indexes.
    pub(super) srcs: Vec<Arc<BriefSource>>,
    pub(super) published: Published,
    /// The published briefs in the site's order: index into `srcs`, and the brief.
    pub(super) placed: Vec<(usize, Arc<Brief>)>,
    pub(super) topics: Arc<Vec<Topic>>,
    pub(super) sources: Arc<Vec<Source>>,
    pub(super) used_by: Arc<BTreeMap<String, Vec<usize>>>,
    pub(super) key_figures: Vec<KeyFigure>,
    pub(super) dataset_charts: BTreeMap<String, ChartPlan>,
}

/// Whether a brief's new version goes where the old one went: the same slug, the
/// same place in the order, the same lists (topics, sources cited). Its title,
/// summary or body may differ.
pub(super) fn same_place(a: &BriefSource, b: &BriefSource) -> bool {
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
pub(super) struct CachedBody {
    pub(super) src: Arc<BriefSource>,
    pub(super) scan: Arc<Scan>,
    /// The result when the body resolved without errors (errors are made again,
    /// as their positions follow the front matter).
    pub(super) resolved: Option<(ResolvedBody, Reads)>,
}

impl ResolveCache {
    /// Take note of the datasets of this resolve, giving a new version to each
    /// whose text changed. True when one changed, came or went.
    pub(super) fn note_datasets(&mut self, datasets: &BTreeMap<String, Dataset>) -> bool {
        let before = self.datasets.len();
        self.datasets.retain(|name, _| datasets.contains_key(name));
        let mut changed = self.datasets.len() != before;
        for (name, d) in datasets {
            if self
                .datasets
                .get(name)
                .is_none_or(|(source, _)| *source != (d.text.clone(), d.rows_from.clone()))
            {
                self.versions += 1;
                let source = (d.text.clone(), d.rows_from.clone());
                self.datasets.insert(name.clone(), (source, self.versions));
                changed = true;
            }
        }
        changed
    }

    /// Keep each body's result: the bodies that resolved, by index; the errors of
    /// the others go to `errors`.
    pub(super) fn keep_all(
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
                if let Some(entry) = self.bodies.get_mut(src.file.as_os_str())
                    && !Arc::ptr_eq(&entry.src, src)
                {
                    entry.src = src.clone();
                }
                Ok(v)
            }
            BodyResult::Unread(e) => Err(e),
            BodyResult::Made(scan, r) => {
                if self.one_shot {
                    return r.map(|(v, _)| v);
                }
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

    pub(super) fn version(&self, dataset: &str) -> u64 {
        self.datasets.get(dataset).map_or(0, |v| v.1)
    }
}

/// How one brief's body was resolved this time.
pub(super) enum BodyResult {
    Reused(ResolvedBody),
    Made(Arc<Scan>, Result<(ResolvedBody, Reads), Diagnostics>),
    /// The body, let go at load, could not be read again.
    Unread(Diagnostics),
}

impl Shape {
    /// The shape of a good resolve, remembered for the next.
    pub(super) fn of(
        site: &Site,
        srcs: Vec<Arc<BriefSource>>,
        history: Arc<History>,
        config: (String, String),
        opts: &ResolveOptions,
        published: Published,
        order: Vec<usize>,
    ) -> Shape {
        Shape {
            drafts_option: opts.drafts,
            history,
            config,
            srcs,
            published,
            placed: order.into_iter().zip(site.briefs.iter().cloned()).collect(),
            topics: site.topics.clone(),
            sources: site.sources.clone(),
            used_by: site.used_by.clone(),
            key_figures: site.key_figures.clone(),
            dataset_charts: site.dataset_charts.clone(),
        }
    }

    /// The briefs whose source changed since, when none of them moved
    /// ([`same_place`]) and nothing else the shape was made from changed.
    fn changed(
        &self,
        src: &SiteSources,
        config: &(String, String),
        opts: &ResolveOptions,
    ) -> Option<Vec<usize>> {
        if self.drafts_option != opts.drafts
            || !Arc::ptr_eq(&self.history, &src.history)
            || self.config != *config
            || self.srcs.len() != src.briefs.len()
        {
            return None;
        }
        let mut changed = Vec::new();
        for (i, (a, b)) in self.srcs.iter().zip(&src.briefs).enumerate() {
            if !Arc::ptr_eq(a, b) {
                if !same_place(a, b) {
                    return None;
                }
                changed.push(i);
            }
        }
        Some(changed)
    }
}

/// The last resolve again, when an edit changed what briefs say but not where
/// they go ([`same_place`]) nor the settings or datasets: everything made across
/// briefs is as it was, and only the bodies of the briefs that changed are
/// resolved. `None` when that does not hold.
pub(super) fn resolve_again(
    src: &SiteSources,
    config: &(String, String),
    opts: &ResolveOptions,
    cache: &mut ResolveCache,
) -> Option<Result<Vec<Arc<Brief>>, Diagnostics>> {
    let shape = cache.shape.as_ref()?;
    let changed = shape.changed(src, config, opts)?;
    let resolver = Resolver::new(src, &shape.published, cache, opts);
    let made: Vec<(usize, BodyResult)> = changed
        .into_iter()
        .filter(|&i| !resolver.is_draft(i))
        .map(|i| (i, resolver.cached_or_new(i)))
        .collect();
    let mut errors = Diagnostics::default();
    let mut bodies = cache.keep_all(&src.briefs, made, &mut errors);
    if let Err(e) = errors.into_result() {
        return Some(Err(e));
    }
    let shape = cache.shape.as_mut()?;
    shape.srcs = src.briefs.clone();
    // Unchanged briefs are shared with the last resolve (and with what the
    // render cached from them).
    let mut reads_changed = false;
    let briefs: Vec<Arc<Brief>> = (shape.placed.iter_mut())
        .map(|(i, p)| {
            if let Some(body) = bodies.remove(i) {
                let old = p.datasets.clone();
                *p = Arc::new(make_brief(
                    src.briefs[*i].clone(),
                    p.slug.clone(),
                    p.path.clone(),
                    p.topics.clone(),
                    body,
                    &src.history,
                    &src.datasets,
                ));
                reads_changed |= *old != *p.datasets;
            }
            p.clone()
        })
        .collect();
    if reads_changed {
        shape.used_by = Arc::new(super::lists::used_by(&briefs));
    }
    Some(Ok(briefs))
}
