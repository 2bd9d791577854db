//! Stage 2, **resolve**: checks and links across files.
//!
//! Turns the loaded sources into the [`Site`] model the renderer reads: published
//! briefs with their URLs, links between briefs turned into page URLs, inline dataset
//! values looked up, topics gathered (spelling folded), source keys checked and
//! their citations collected, and for every brief the datasets it used — the
//! dependency record that incremental rebuilds need.
//!
//! | module | does |
//! |---|---|
//! | this one | [`resolve_cached`], the coordinator: the steps below in order |
//! | `lists` | what is made across briefs: slugs, order, topics, citations, key figures |
//! | `bodies` | each brief's body: links, inline values, chart blocks (in parallel) |
//! | [`values`] | `{{ value(…) }}` calls and dataset lookups |
//! | [`charts`] | chart specs checked against their data, planned |
//! | `cache` | what the live preview keeps between resolves |
//! | `changes` | what each commit changed in the briefs and datasets, from old versions |

mod bodies;
mod cache;
mod changes;
pub mod charts;
mod lists;
pub mod values;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::load::SiteSources;
use crate::model::{Brief, Site};
use crate::util::diag::Diagnostics;
pub use bodies::missing_brief;
use bodies::{Digest, ResolvedBody, Resolver, make_brief};
pub use cache::ResolveCache;
use cache::{BodyResult, Shape, resolve_again};
use lists::Published;

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
    /// Make every brief's PDF whatever site.yaml says (`--pdf`).
    pub pdf: bool,
    /// Make each brief's Markdown digest ([`crate::markdown::html::digest`])
    /// from the parse that scans its body, into [`Site::digests`]: a build,
    /// which would otherwise parse every body again for it.
    pub digests: bool,
}

/// Check the site across files and build the model the renderer reads.
pub fn resolve(src: SiteSources, opts: &ResolveOptions) -> Result<Site, Diagnostics> {
    let mut once = ResolveCache {
        one_shot: true,
        ..ResolveCache::default()
    };
    resolve_cached(src, opts, &mut once)
}

/// [`resolve`], reusing what `cache` kept of the previous resolve of the site.
pub fn resolve_cached(
    mut src: SiteSources,
    opts: &ResolveOptions,
    cache: &mut ResolveCache,
) -> Result<Site, Diagnostics> {
    if let Some(url) = &opts.base_url {
        src.config.base_url = url.clone();
        if !url.ends_with('/') {
            src.config.base_url.push('/');
        }
    }
    src.config.pdf.enabled |= opts.pdf;
    let datasets_changed = cache.note_datasets(&src.datasets);
    // The settings are told apart by their text (and the base URL they are
    // resolved with), as everywhere else.
    let config_key = (src.config.text.clone(), src.config.base_url.clone());
    let (history, blobs) = (src.history.clone(), src.blobs.clone());
    if !datasets_changed && let Some(again) = resolve_again(&src, &config_key, opts, cache) {
        let mut site = site_again(src, again?, cache);
        site.changes = changes::changes(&site, &history, &blobs, &mut cache.changes);
        return Ok(site);
    }
    // Only a good resolve leaves a shape to resolve again from.
    cache.shape = None;
    let mut clock = crate::util::trace::Clock::new("resolve");
    let mut errors = Diagnostics::default();
    let published = lists::publish(&src.briefs, opts.drafts, &mut errors);
    let keys = lists::source_keys(&src.datasets, &mut errors);
    let unknown = lists::unknown_sources(
        &src.root,
        &src.briefs,
        &published.drafts,
        &src.datasets,
        &keys,
    );
    errors.extend(unknown);
    let (bodies, missing_links) = resolve_bodies(&src, &published, opts, cache, &mut errors);
    clock.mark("bodies");
    let dataset_charts = lists::dataset_charts(&src.datasets, &mut errors);
    let key_figures = lists::key_figures(&src.config, &src.datasets, &src.root, &mut errors);
    if !errors.is_empty() {
        // Reported with the rest when the resolve fails (see `ResolveOptions`).
        errors.extend(missing_links.clone().into());
    }
    errors.into_result()?;
    let (order, mut briefs, digests) = ordered_briefs(&src, &published, bodies);
    let topics = lists::topics(&mut briefs);
    let sources = lists::citations(&briefs, &src.datasets);
    let briefs: Vec<Arc<Brief>> = briefs.into_iter().map(Arc::new).collect();
    let mut site = Site {
        drafts_skipped: published.drafts.len(),
        repo: src.history.state.clone(),
        root: src.root,
        base_path: src.config.base_path(),
        config: src.config,
        used_by: Arc::new(lists::used_by(&briefs)),
        briefs,
        datasets: src.datasets,
        topics: Arc::new(topics),
        sources: Arc::new(sources),
        key_figures,
        dataset_charts,
        static_files: src.static_files,
        theme: src.theme,
        missing_links,
        changes: Default::default(),
        digests,
    };
    cache.shape = Some(Shape::of(
        &site,
        src.briefs,
        src.history,
        config_key,
        opts,
        published,
        order,
    ));
    site.changes = changes::changes(&site, &history, &blobs, &mut cache.changes);
    Ok(site)
}

/// Every published brief's body, in parallel (from the cache where it holds); the
/// errors go to `errors`. With the links to brief files that do not exist that
/// `tumen check` reports later.
fn resolve_bodies(
    src: &SiteSources,
    published: &Published,
    opts: &ResolveOptions,
    cache: &mut ResolveCache,
    errors: &mut Diagnostics,
) -> (
    BTreeMap<usize, ResolvedBody>,
    Vec<crate::util::diag::Diagnostic>,
) {
    let resolver = Resolver::new(src, published, cache, opts);
    let made: Vec<(usize, BodyResult)> = (published.slugs.keys().copied())
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|i| (i, resolver.cached_or_new(i)))
        .collect();
    let mut missing = resolver.deferred.into_inner().unwrap_or_default();
    missing.sort();
    let bodies = cache.keep_all(&src.briefs, made, errors);
    if cache.bodies.len() > bodies.len() {
        let kept: HashSet<&Path> = (published.slugs.keys())
            .map(|&i| src.briefs[i].file.as_path())
            .collect();
        cache.bodies.retain(|f, _| kept.contains(Path::new(f)));
    }
    (bodies, missing)
}

/// The published briefs in the site's order, with the index of each one's
/// source, and their digests (all or none: [`ResolveOptions::digests`]).
fn ordered_briefs(
    src: &SiteSources,
    published: &Published,
    mut bodies: BTreeMap<usize, ResolvedBody>,
) -> (Vec<usize>, Vec<Brief>, Vec<Digest>) {
    let mut digests: HashMap<usize, Digest> = (bodies.iter_mut())
        .filter_map(|(&i, b)| Some((i, b.digest.take()?)))
        .collect();
    let (order, briefs) = lists::in_order(make_briefs(src, published, bodies));
    let digests = if digests.len() == order.len() {
        (order.iter()).filter_map(|i| digests.remove(i)).collect()
    } else {
        Vec::new()
    };
    (order, briefs, digests)
}

/// The published briefs from their sources and resolved bodies, by source index.
#[allow(
    clippy::expect_used,
    reason = "each published brief's body was resolved before, or the resolve failed"
)]
fn make_briefs(
    src: &SiteSources,
    published: &Published,
    mut bodies: BTreeMap<usize, ResolvedBody>,
) -> Vec<(usize, Brief)> {
    (published.slugs.iter())
        .map(|(&i, slug)| {
            let body = bodies.remove(&i).expect("resolved above");
            let brief = make_brief(
                src.briefs[i].clone(),
                slug.clone(),
                format!("briefs/{slug}/"),
                Vec::new(),
                body,
                &src.history,
                &src.datasets,
            );
            (i, brief)
        })
        .collect()
}

/// The site of a resolve made again from the last one's shape: the new briefs,
/// with everything made across briefs as it was.
#[allow(
    clippy::expect_used,
    reason = "called only when the resolve reused the last shape, which it checked is there"
)]
fn site_again(src: SiteSources, briefs: Vec<Arc<Brief>>, cache: &ResolveCache) -> Site {
    let shape = cache.shape.as_ref().expect("resolved again from it");
    Site {
        repo: src.history.state.clone(),
        root: src.root,
        base_path: src.config.base_path(),
        config: src.config,
        briefs,
        datasets: src.datasets,
        topics: shape.topics.clone(),
        sources: shape.sources.clone(),
        used_by: shape.used_by.clone(),
        key_figures: shape.key_figures.clone(),
        dataset_charts: shape.dataset_charts.clone(),
        static_files: src.static_files,
        theme: src.theme,
        drafts_skipped: shape.published.drafts.len(),
        missing_links: Vec::new(),
        changes: Default::default(),
        digests: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use crate::markdown::scan::scan_markdown;

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
}
