//! What to rebuild after an edit.
//!
//! The live preview keeps every source file as last read and the last good site in
//! memory. On a change it reads only the files that changed, resolves again (cheap:
//! unchanged briefs are shared, not copied, and the resolver keeps what it made of
//! them), compares the new site with the last good one to find what changed, as
//! [`Dep`]s, and renders only the pages whose record of what they were made from
//! meets that set. The changed files are served from memory at once and written
//! into the output one by one after; a change to `site.yaml` rebuilds and swaps in
//! everything, as `tumen build` does.
//!
//! What changed is found by comparing old and new, never by remembering which
//! events came in, so a failed build in between loses nothing: the next good build
//! compares with the last good one.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

pub use super::outcome::{Built, Outcome};
use super::outcome::{edited, warnings};
use super::output::Output;
use super::watch::Changes;
use crate::build::{BuildOptions, BuildReport};
use crate::deps::{Dep, DepGraph};
use crate::load::history::History;
use crate::load::{Applied, SiteConfig, SiteSources, SourceStore, StaticFile};
use crate::model::{Brief, Site};
use crate::render::{Card, RenderCache, RenderedSite, Since, render_some};
use crate::resolve::{ResolveCache, resolve_cached};
use crate::util::diag::{Diagnostic, Diagnostics, Warnings};
use crate::util::paths::display_path;

/// Static file → its size and modification time (`None`: built into tumen).
type Stamps = BTreeMap<String, Option<(u64, SystemTime)>>;

fn stamps(files: &BTreeMap<String, StaticFile>) -> Stamps {
    (files.iter())
        .map(|(rel, f)| (rel.clone(), stamp(f)))
        .collect()
}

fn stamp(f: &StaticFile) -> Option<(u64, SystemTime)> {
    match f {
        StaticFile::Embedded(_) => None,
        StaticFile::Disk(p) => std::fs::metadata(p)
            .ok()
            .map(|m| (m.len(), m.modified().unwrap_or(SystemTime::UNIX_EPOCH))),
    }
}

/// The last good build: what the output holds and what it was made from.
struct Last {
    site: Site,
    /// Its static files' sizes and times, which the site does not hold.
    stamps: Stamps,
    deps: DepGraph,
    paths: BTreeSet<String>,
    cards: Vec<Arc<Card>>,
}

pub struct Builder {
    opts: BuildOptions,
    /// Every source file as last read. `None` before the first build, and after
    /// a change that left nothing to read (site.yaml gone): the next change reads
    /// everything again.
    store: Option<SourceStore>,
    last: Option<Last>,
    /// The last build failed: build again on the next change, whatever it is.
    failing: bool,
    resolve_cache: ResolveCache,
    render_cache: RenderCache,
    /// The last rebuild left the search index to be made after the reload.
    search_index_due: bool,
    /// The site's git history, read on the first good build and again when the
    /// repository or the settings change (a commit, a checkout); `None` until then.
    history: Option<Arc<History>>,
    /// Sources changed since git was last asked which files are uncommitted.
    status_due: bool,
    /// What the last build replaced, dropped by [`Builder::flush`]: freeing a
    /// site of a thousand briefs takes longer than rendering the page edited.
    retired: Vec<Last>,
    /// Where the rebuilt files go: served from memory at once, written by
    /// [`Builder::flush`].
    output: Arc<Output>,
}

/// The site's git history, as the settings say which commits count.
fn read_history(site_dir: &Path, config: &SiteConfig) -> Arc<History> {
    Arc::new(History::load(site_dir, display_path, &config.history))
}

impl Builder {
    pub fn new(opts: BuildOptions, output: Arc<Output>) -> Builder {
        Builder {
            history: None,
            status_due: false,
            opts,
            store: None,
            last: None,
            failing: false,
            resolve_cache: ResolveCache::default(),
            render_cache: {
                let mut c = RenderCache::default();
                c.defer_search_index = true;
                c
            },
            search_index_due: false,
            retired: Vec::new(),
            output,
        }
    }

    /// Write the files of the last rebuild to the output folder: after the open
    /// pages have been told to reload, which they can as the files are served from
    /// memory until then.
    pub fn flush(&mut self) -> Result<(), Diagnostic> {
        self.output.flush()?;
        self.retired.clear();
        // The search index reads every brief's text: made after the reload, so that
        // the page being edited comes back first.
        if std::mem::take(&mut self.search_index_due)
            && let Some(last) = &self.last
        {
            let index = crate::render::search_index_file(&last.site, &mut self.render_cache);
            self.output.stage(vec![index], &[]);
            self.output.flush()?;
        }
        Ok(())
    }

    /// The first build: everything.
    pub fn build_all(&mut self) -> Outcome {
        let start = Instant::now();
        self.store = None;
        self.last = None;
        self.finish(start, Changes::everything())
    }

    /// Bring the output up to date with `changes`.
    pub fn rebuild(&mut self, changes: &Changes) -> Outcome {
        let start = Instant::now();
        self.finish(start, changes.clone())
    }

    fn finish(&mut self, start: Instant, changes: Changes) -> Outcome {
        let relevant = match self.read_changes(&changes) {
            Ok(r) => r,
            Err(e) => {
                self.failing = true;
                return Outcome::Failed(e);
            }
        };
        self.status_due |= relevant;
        self.build_outcome(start, relevant)
    }

    /// After a rebuild and its reload: ask git which files are uncommitted, as
    /// pages say so, and rebuild what that changed. One `git status`, after the
    /// pages being edited came back.
    pub fn follow_git_status(&mut self) -> Option<Outcome> {
        if !std::mem::take(&mut self.status_due) {
            return None;
        }
        let h = self.history.as_ref()?;
        let start = Instant::now();
        let now = h.with_status(&self.opts.site_dir, display_path);
        if now == **h {
            return None;
        }
        self.history = Some(Arc::new(now));
        // A failing build would fail again; the next good one shows the status.
        if self.failing {
            return None;
        }
        Some(self.build_outcome(start, true))
    }

    fn build_outcome(&mut self, start: Instant, relevant: bool) -> Outcome {
        if !relevant && !self.failing && self.last.is_some() {
            return Outcome::Unchanged;
        }
        match self.build(start) {
            Ok(Some(b)) => {
                self.failing = false;
                Outcome::Built(b)
            }
            // The errors were undone and the sources are as the output shows them.
            Ok(None) if self.failing => {
                self.failing = false;
                Outcome::Built(Built {
                    written: Vec::new(),
                    removed: Vec::new(),
                    full: false,
                    briefs: Vec::new(),
                    warnings: Warnings::default(),
                    elapsed: start.elapsed(),
                    report: None,
                })
            }
            Ok(None) => Outcome::Unchanged,
            Err(e) => {
                self.failing = true;
                Outcome::Failed(e)
            }
        }
    }

    /// Read again what `changes` touched: everything on the first build and when
    /// the watcher lost track. True when a source may have changed.
    fn read_changes(&mut self, changes: &Changes) -> Result<bool, Diagnostics> {
        if changes.rescan || self.store.is_none() {
            self.store = None;
            self.store = Some(SourceStore::load_all(&self.opts.site_dir)?);
            self.history = None;
            return Ok(true);
        }
        // A commit or a checkout: dates and revision lists may have changed.
        let moved = changes.git && self.history_moved();
        let store = self.store.as_mut().expect("read above");
        match store.apply(&changes.paths) {
            Ok(Applied::Nothing) => Ok(moved),
            Ok(Applied::Some) => Ok(true),
            // The settings say which commits count.
            Ok(Applied::Everything) => {
                self.history = None;
                Ok(true)
            }
            Err(e) => {
                self.store = None;
                Err(e)
            }
        }
    }

    /// Read the history again; true when it changed.
    fn history_moved(&mut self) -> bool {
        let before = self.history.take();
        let config = self.store.as_ref().and_then(SourceStore::config);
        self.history = config.map(|c| read_history(&self.opts.site_dir, c));
        let moved = before != self.history;
        if !moved {
            self.history = before;
        }
        moved
    }

    /// Resolve, render what changed and write it. `None` when no output changed.
    fn build(&mut self, start: Instant) -> Result<Option<Built>, Diagnostics> {
        let mut clock = crate::util::trace::Clock::since("rebuild", start);
        let sources = self.sources()?;
        clock.mark("collect sources");
        let site = resolve_cached(sources, &self.opts.resolve, &mut self.resolve_cache)?;
        clock.mark("resolve");
        let stamps = stamps(&site.static_files);
        let changed = (self.last.as_ref()).map(|l| dirty(&l.site, &site, &l.stamps, &stamps));
        let changed = changed.filter(|c| !c.contains(&Dep::Config));
        let full = changed.is_none();
        clock.mark("what changed");
        let mut rendered = self.render(&site, changed)?;
        clock.mark("render");
        let removed: Vec<String> = (self.last.as_ref())
            .map(|l| l.paths.difference(&rendered.all_paths).cloned().collect())
            .unwrap_or_default();
        if !full && rendered.files.is_empty() && removed.is_empty() {
            let deps = self.last.take().expect("not full").deps;
            self.last = Some(Last {
                site,
                stamps,
                deps,
                paths: rendered.all_paths,
                cards: rendered.cards,
            });
            return Ok(None);
        }
        let mut built = self.stage(&site, &mut rendered, removed, full)?;
        clock.mark("stage");
        self.record(site, stamps, rendered, &built.removed, full);
        clock.mark("record");
        built.elapsed = start.elapsed();
        if let Some(r) = &mut built.report {
            r.elapsed = built.elapsed;
        }
        Ok(Some(built))
    }

    /// The sources as they stand, with the history (read if it is not held).
    fn sources(&mut self) -> Result<SiteSources, Diagnostics> {
        let store = self.store.as_ref().expect("read before building");
        let (site_dir, history) = (&self.opts.site_dir, &mut self.history);
        store.sources(|config| {
            (history.get_or_insert_with(|| read_history(site_dir, config))).clone()
        })
    }

    /// Render the pages `changed` touched, or every page when `None`.
    fn render(
        &mut self,
        site: &Site,
        changed: Option<BTreeSet<Dep>>,
    ) -> Result<RenderedSite, Diagnostics> {
        let since = changed.zip(self.last.as_ref()).map(|(changed, l)| Since {
            deps: &l.deps,
            cards: &l.cards,
            changed,
        });
        let rendered = render_some(site, &mut self.render_cache, since)?;
        self.search_index_due |= !rendered.deferred.is_empty();
        Ok(rendered)
    }

    /// Hand the files rendered to the output: everything swapped in when `full`,
    /// else staged, to be served from memory at once and written by
    /// [`Builder::flush`]. What the build did, to say.
    fn stage(
        &self,
        site: &Site,
        rendered: &mut RenderedSite,
        removed: Vec<String>,
        full: bool,
    ) -> Result<Built, Diagnostics> {
        let written: Vec<String> = rendered.files.iter().map(|f| f.path.clone()).collect();
        let report = full.then(|| BuildReport::of(site, rendered, Duration::ZERO));
        let files = std::mem::take(&mut rendered.files);
        if full {
            self.output.replace(&files)?;
        } else {
            self.output.stage(files, &removed);
        }
        let briefs = (self.last.as_ref())
            .map(|l| edited(&l.site, site))
            .unwrap_or_default();
        Ok(Built {
            warnings: warnings(site, full, &briefs),
            written,
            removed,
            full,
            briefs,
            elapsed: Duration::ZERO,
            report,
        })
    }

    /// Keep `site` as the last good build, with what its files were made from:
    /// the last record (none when `full`), less the files `removed`, plus what
    /// was rendered.
    fn record(
        &mut self,
        site: Site,
        stamps: Stamps,
        rendered: RenderedSite,
        removed: &[String],
        full: bool,
    ) {
        let mut deps = match self.last.take() {
            Some(mut l) if !full => {
                let deps = std::mem::take(&mut l.deps);
                self.retired.push(l);
                deps
            }
            Some(l) => {
                self.retired.push(l);
                DepGraph::default()
            }
            None => DepGraph::default(),
        };
        for r in removed {
            deps.remove(r);
        }
        deps.extend(rendered.deps);
        self.last = Some(Last {
            site,
            stamps,
            deps,
            paths: rendered.all_paths,
            cards: rendered.cards,
        });
    }
}

/// What changed between the last good site and `site`, as the [`Dep`]s that pages
/// record (the render adds the cards that changed).
fn dirty(old_site: &Site, site: &Site, old_stamps: &Stamps, stamps: &Stamps) -> BTreeSet<Dep> {
    let mut d = BTreeSet::new();
    if old_site.config.text != site.config.text {
        d.insert(Dep::Config);
        return d;
    }

    // Briefs: a brief changed when its file or anything resolved from other files
    // (inline values, links to other briefs' slugs) did. Anything made from every
    // brief may change with it, and with their order. Shared parts are compared by
    // pointer first: what the resolve reused.
    let same = |o: &Brief, b: &Brief| {
        std::ptr::eq(o, b)
            || (Arc::ptr_eq(&o.src, &b.src) || o.src.text == b.src.text)
                && o.body == b.body
                && o.links == b.links
                && o.slug == b.slug
                && o.topics == b.topics
                && o.datasets == b.datasets
                // What git says of it (a commit, or its first uncommitted edit).
                && o.updated == b.updated
                && (o.uncommitted, o.new) == (b.uncommitted, b.new)
                && o.history == b.history
    };
    let (old, new) = (&old_site.briefs, &site.briefs);
    let same_order = old.len() == new.len()
        && old
            .iter()
            .zip(new)
            .all(|(o, b)| o.src.file.as_os_str() == b.src.file.as_os_str());
    if same_order {
        // The usual edit: the same briefs in the same order, a few of them changed.
        // Lists of briefs change only where those few joined or left them.
        for (o, b) in old.iter().zip(new).filter(|(o, b)| !same(o, b)) {
            d.insert(Dep::Brief(b.src.file.as_path().into()));
            d.insert(Dep::BriefList);
            let slugs = |x: &Brief| x.topics.iter().map(|t| t.1.clone()).collect();
            d.extend(either(slugs(o), slugs(b)).map(Dep::Topic));
            d.extend(
                either(
                    o.datasets.iter().cloned().collect(),
                    b.datasets.iter().cloned().collect(),
                )
                .map(Dep::UsedBy),
            );
            let cites = |x: &Brief| x.src.front.sources.iter().cloned().collect();
            d.extend(either(cites(o), cites(b)).map(Dep::CitedBy));
        }
    } else {
        d.insert(Dep::BriefList);
        let old: HashMap<&Path, &Brief> =
            old.iter().map(|b| (b.src.file.as_path(), &**b)).collect();
        let mut seen = BTreeSet::new();
        for b in new {
            seen.insert(b.src.file.as_path());
            if !old.get(b.src.file.as_path()).is_some_and(|o| same(o, b)) {
                d.insert(Dep::Brief(b.src.file.as_path().into()));
            }
        }
        for f in old.keys().filter(|f| !seen.contains(*f)) {
            d.insert(Dep::Brief((*f).into()));
        }
        // Which briefs read each dataset, cite each source and are in each topic,
        // in order.
        type Lists<'a> = BTreeMap<&'a str, Vec<&'a Path>>;
        fn lists(s: &Site) -> [Lists<'_>; 3] {
            let mut l: [Lists; 3] = Default::default();
            for b in &s.briefs {
                let f = b.src.file.as_path();
                for n in b.datasets.iter() {
                    l[0].entry(n).or_default().push(f);
                }
                for k in &b.src.front.sources {
                    l[1].entry(k).or_default().push(f);
                }
                for (_, slug) in &b.topics {
                    l[2].entry(slug).or_default().push(f);
                }
            }
            l
        }
        let differ = |a: &Lists, b: &Lists| -> Vec<String> {
            a.keys()
                .chain(b.keys())
                .filter(|k| a.get(*k) != b.get(*k))
                .map(|k| k.to_string())
                .collect()
        };
        let ([u0, c0, t0], [u1, c1, t1]) = (lists(old_site), lists(site));
        d.extend(differ(&u0, &u1).into_iter().map(Dep::UsedBy));
        d.extend(differ(&c0, &c1).into_iter().map(Dep::CitedBy));
        d.extend(differ(&t0, &t1).into_iter().map(Dep::Topic));
    }

    // Topics: their names, and the list of topics with their sizes.
    let names = |s: &Site| -> Vec<(String, String, usize)> {
        s.topics
            .iter()
            .map(|t| (t.slug.clone(), t.name.clone(), t.briefs.len()))
            .collect()
    };
    let (old_t, new_t) = (names(old_site), names(site));
    if old_t != new_t {
        d.insert(Dep::Topics);
        let old_names: BTreeMap<&str, &str> =
            old_t.iter().map(|t| (t.0.as_str(), t.1.as_str())).collect();
        for t in &new_t {
            if old_names.get(t.0.as_str()).is_some_and(|n| *n != t.1) {
                d.insert(Dep::Topic(t.0.clone()));
            }
        }
    }

    // Datasets, by the text of their files.
    let text = |s: &Site, name: &str| s.datasets.get(name).map(|d| d.text.clone());
    for name in old_site.datasets.keys().chain(site.datasets.keys()) {
        if text(old_site, name) != text(site, name) {
            d.insert(Dep::Dataset(name.clone()));
            d.insert(Dep::AllData);
        }
    }

    // Templates: a changed template changes every template that extends, includes
    // or imports it. Names are looked for as quoted strings, which may find a
    // mention that is no reference: that only renders a page too many.
    let (old_tpl, new_tpl) = (&old_site.theme.templates, &site.theme.templates);
    let mut changed: BTreeSet<&str> = old_tpl
        .keys()
        .chain(new_tpl.keys())
        .filter(|n| old_tpl.get(*n).map(|t| &t.text) != new_tpl.get(*n).map(|t| &t.text))
        .map(String::as_str)
        .collect();
    loop {
        let more: Vec<&str> = new_tpl
            .iter()
            .filter(|(n, t)| {
                !changed.contains(n.as_str())
                    && changed.iter().any(|c| {
                        t.text.contains(&format!("\"{c}\"")) || t.text.contains(&format!("'{c}'"))
                    })
            })
            .map(|(n, _)| n.as_str())
            .collect();
        if more.is_empty() {
            break;
        }
        changed.extend(more);
    }
    d.extend(changed.into_iter().map(|n| Dep::Template(n.to_string())));

    // Files copied as they are.
    for rel in old_stamps.keys().chain(stamps.keys()) {
        let (a, b) = (old_stamps.get(rel), stamps.get(rel));
        // A file that moved between the theme and the site has the same stamp
        // status but another origin; compare origins too.
        let moved =
            old_site.static_files.get(rel).map(origin) != site.static_files.get(rel).map(origin);
        if a != b || moved {
            d.insert(Dep::Static(rel.clone()));
        }
    }
    d
}

/// What is in one of two sets and not in the other.
fn either(a: BTreeSet<String>, b: BTreeSet<String>) -> impl Iterator<Item = String> {
    a.symmetric_difference(&b)
        .cloned()
        .collect::<Vec<_>>()
        .into_iter()
}

fn origin(f: &StaticFile) -> Option<&Path> {
    match f {
        StaticFile::Disk(p) => Some(p),
        StaticFile::Embedded(_) => None,
    }
}
