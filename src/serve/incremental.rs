//! The live preview's rebuild: after an edit, make again only what it touched.
//!
//! The [`Builder`] keeps what `tumen build` throws away: every source file as last
//! read (a [`SourceStore`]), the last good site with what each of its files was
//! made from, and the resolver's and renderer's caches. A rebuild is the build's
//! pipeline with each stage told what it may keep:
//!
//! 1. [`SourceStore::apply`]: read again the files the watcher named;
//! 2. resolve, reusing the briefs that did not change;
//! 3. [`deps::diff`]: compare the new site with the last good one;
//! 4. render the files whose record meets that difference (everything when the
//!    settings changed, as `tumen build` would);
//! 5. stage them in the [`Output`]: served from memory at once, written to the
//!    output folder by [`Builder::flush`] after the open pages were told.
//!
//! A failed build changes nothing in the output, and as what changed is found by
//! comparing sites, never by remembering events, the next good build catches up.
//! Git is asked which files are uncommitted after the reload
//! ([`Builder::follow_git_status`]), as pages say so.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use super::outcome::{Built, Outcome};
use super::outcome::{edited, warnings};
use super::output::Output;
use super::watch::Changes;
use crate::build::{BuildOptions, BuildReport};
use crate::deps::{self, Dep, DepGraph, Stamps};
use crate::load::blobs::Blobs;
use crate::load::history::History;
use crate::load::{Applied, SiteConfig, SiteSources, SourceStore};
use crate::model::Site;
use crate::output::PathSet;
use crate::render::{Card, RenderCache, RenderedSite, Since, render_some};
use crate::resolve::{ResolveCache, resolve_cached};
use crate::util::diag::{Diagnostic, Diagnostics, Warnings};
use crate::util::paths::display_path;

/// How the tests make a rebuild panic: when `TUMEN_TEST_PANIC_ON` names a file
/// among those changed. Never set otherwise.
fn panic_if_asked(changes: &Changes) {
    if let Some(name) = std::env::var_os("TUMEN_TEST_PANIC_ON")
        && changes
            .paths
            .iter()
            .any(|p| p.file_name() == Some(name.as_os_str()))
    {
        let _on = crate::util::panic::working_on(display_path(Path::new(&name)).display());
        panic!("a panic asked for by TUMEN_TEST_PANIC_ON");
    }
}

/// The last good build: what the output holds and what it was made from.
struct Last {
    site: Site,
    /// Its static files' sizes and times, which the site does not hold.
    stamps: Stamps,
    deps: DepGraph,
    paths: PathSet,
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
    /// Old versions of the site's files, read from git once per blob for the
    /// whole session (one `git cat-file` process).
    blobs: Arc<Blobs>,
    /// Sources changed since git was last asked which files are uncommitted.
    status_due: bool,
    /// What the last build replaced, dropped by [`Builder::flush`]: freeing a
    /// site of a thousand briefs takes longer than rendering the page edited.
    retired: Vec<Last>,
    /// Where the rebuilt files go: served from memory at once, written by
    /// [`Builder::flush`].
    output: Arc<Output>,
}

/// The site's git history, as the settings say which commits count; the old
/// versions it names read meanwhile by `blobs` (only those not read before).
fn read_history(site_dir: &Path, config: &SiteConfig, blobs: &Arc<Blobs>) -> Arc<History> {
    Arc::new(History::load(
        site_dir,
        display_path,
        &config.history,
        Some(blobs),
    ))
}

impl Builder {
    pub fn new(opts: BuildOptions, output: Arc<Output>) -> Builder {
        Builder {
            history: None,
            blobs: Arc::new(Blobs::new(&opts.site_dir)),
            status_due: false,
            opts,
            store: None,
            last: None,
            failing: false,
            resolve_cache: ResolveCache::default(),
            render_cache: RenderCache::default(),
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
            let index = crate::render::search_index_file(&last.site, &mut self.render_cache)?;
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
        panic_if_asked(changes);
        self.finish(start, changes.clone())
    }

    /// [`Builder::rebuild`], surviving a panic in it: see [`Builder::recovering`].
    pub fn rebuild_or_recover(&mut self, changes: &Changes) -> Outcome {
        let at = changes.paths.first().map(|p| display_path(p));
        self.recovering(at, |b| b.rebuild(changes))
    }

    /// Run `work` on the builder; if it panics, the preview goes on serving the
    /// last good site, says "internal error" as a failed build (the panic hook has
    /// printed where), and forgets what the interrupted work may have left
    /// half-done, so the next save reads and renders everything again.
    pub fn recovering<T: From<Outcome>>(
        &mut self,
        at: Option<std::path::PathBuf>,
        work: impl FnOnce(&mut Builder) -> T,
    ) -> T {
        let run = std::panic::AssertUnwindSafe(|| work(self));
        std::panic::catch_unwind(run).unwrap_or_else(|payload| {
            *self = Builder::new(self.opts.clone(), self.output.clone());
            self.failing = true;
            let d = Diagnostic::file(
                at.as_deref().unwrap_or(&self.opts.site_dir),
                format!(
                    "internal error while rebuilding: {}",
                    crate::util::panic::message(&*payload)
                ),
            )
            .with_help("this is a bug in tumen, not in your site: please report it; the last good build is still served, and the next save rebuilds everything");
            T::from(Outcome::Failed(d.into()))
        })
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
    #[allow(
        clippy::expect_used,
        reason = "the store was read just above when it was not held"
    )]
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
            Ok(Applied::Changed) => Ok(true),
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
        self.history = config.map(|c| read_history(&self.opts.site_dir, c, &self.blobs));
        let moved = before != self.history;
        if !moved {
            self.history = before;
        }
        moved
    }

    /// Resolve, render what changed and write it. `None` when no output changed.
    #[allow(
        clippy::expect_used,
        reason = "`last` is there when the rebuild is not full"
    )]
    fn build(&mut self, start: Instant) -> Result<Option<Built>, Diagnostics> {
        let mut clock = crate::util::trace::Clock::since("rebuild", start);
        let sources = self.sources()?;
        clock.mark("collect sources");
        let site = resolve_cached(sources, &self.opts.resolve, &mut self.resolve_cache)?;
        clock.mark("resolve");
        let stamps = deps::stamps(&site.static_files);
        let changed = (self.last.as_ref()).map(|l| deps::diff(&l.site, &site, &l.stamps, &stamps));
        let changed = changed.filter(|c| !c.contains(&Dep::Config));
        let full = changed.is_none();
        clock.mark("what changed");
        let mut rendered = self.render(&site, changed)?;
        clock.mark("render");
        let removed: Vec<String> = (self.last.as_ref())
            .map(|l| rendered.all_paths.removed_since(&l.paths))
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
    #[allow(
        clippy::expect_used,
        reason = "called only after read_changes has read the store"
    )]
    fn sources(&mut self) -> Result<SiteSources, Diagnostics> {
        let store = self.store.as_ref().expect("read before building");
        let (site_dir, history, blobs) = (&self.opts.site_dir, &mut self.history, &self.blobs);
        let mut sources = store.sources(|config| {
            (history.get_or_insert_with(|| read_history(site_dir, config, blobs))).clone()
        })?;
        sources.blobs = self.blobs.clone();
        Ok(sources)
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
            paths: &l.paths,
            changed,
            search_index_later: true,
        });
        let rendered = render_some(site, &mut self.render_cache, since)?;
        self.search_index_due |= rendered.search_index_due;
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
