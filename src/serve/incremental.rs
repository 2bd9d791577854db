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
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use rayon::prelude::*;

use super::output::Output;
use super::watch::Changes;
use crate::build::{BuildOptions, BuildReport};
use crate::deps::{Dep, DepGraph};
use crate::load::history::History;
use crate::load::{self, BriefSource, Dataset, SiteConfig, SiteSources, StaticFile, Theme};
use crate::model::{Brief, Site};
use crate::render::{Card, RenderCache, Since, render_some};
use crate::resolve::{ResolveCache, resolve_cached};
use crate::util::diag::{Diagnostic, Diagnostics, Warnings};
use crate::util::paths::{absolute, display_path};

/// What one rebuild did.
#[derive(Debug)]
pub enum Outcome {
    /// The output was brought up to date.
    Built(Built),
    /// Nothing that the site is made from changed (a file saved as it was, an
    /// editor's swap file).
    Unchanged,
    /// The sources have errors; the output was left as it was.
    Failed(Diagnostics),
}

#[derive(Debug)]
pub struct Built {
    /// Output paths written, sorted.
    pub written: Vec<String>,
    /// Output paths deleted because the site no longer has them.
    pub removed: Vec<String>,
    /// Everything was rendered and swapped in (the first build, a config change).
    pub full: bool,
    /// Briefs whose file changed, to name in the summary line.
    pub briefs: Vec<String>,
    /// The warnings of the briefs rebuilt (of every brief when `full`): shown
    /// once each time their brief is edited, not on every rebuild.
    pub warnings: Warnings,
    pub elapsed: Duration,
    /// What a full build made, as `tumen build` counts it.
    pub report: Option<BuildReport>,
}

impl Outcome {
    /// One outcome for a rebuild and the one that followed it (after `git status`
    /// said which files are uncommitted): what the terminal says of one save.
    pub fn then(self, later: Outcome) -> Outcome {
        match (self, later) {
            (Outcome::Built(a), Outcome::Built(b)) => Outcome::Built(a.then(b)),
            (first, Outcome::Unchanged) => first,
            (_, later) => later,
        }
    }
}

impl Built {
    /// Two rebuilds as one: the files of both, the briefs edited in the first, the
    /// time of both.
    fn then(self, later: Built) -> Built {
        let written: BTreeSet<String> = self.written.into_iter().chain(later.written).collect();
        let removed: BTreeSet<String> = self
            .removed
            .into_iter()
            .chain(later.removed)
            .filter(|r| !written.contains(r))
            .collect();
        Built {
            written: written.into_iter().collect(),
            removed: removed.into_iter().collect(),
            full: self.full || later.full,
            briefs: self.briefs,
            // The follow-up rebuilds for git's answer, not for an edit: its
            // warnings were said with the edit.
            warnings: self.warnings,
            elapsed: self.elapsed + later.elapsed,
            report: self.report.or(later.report),
        }
    }

    /// Only stylesheets changed: open pages can swap them in without reloading.
    pub fn css_only(&self) -> bool {
        !self.full
            && self.removed.is_empty()
            && !self.written.is_empty()
            && self.written.iter().all(|p| p.ends_with(".css"))
    }

    /// The terminal's line: `Rebuilt briefs/x/ + 4 other pages in 6 ms`.
    pub fn summary(&self) -> String {
        let ms = self.elapsed.as_millis();
        let warned = crate::build::with_warnings(self.warnings.len());
        if self.full {
            let n = self.written.len();
            let files = if n == 1 { "file" } else { "files" };
            return format!("Rebuilt everything ({n} {files}) in {ms} ms{warned}");
        }
        let shown = |p: &str| p.strip_suffix("index.html").unwrap_or(p).to_string();
        // Name the page of the brief that was edited first, when there is one.
        let first = self
            .briefs
            .iter()
            .find_map(|b| {
                self.written
                    .iter()
                    .find(|w| **w == format!("{b}index.html"))
            })
            .or_else(|| self.written.first());
        let mut what = match first {
            Some(f) => {
                let others = self.written.len() - 1;
                match others {
                    0 => shown(f),
                    1 => format!("{} + 1 other file", shown(f)),
                    n => format!("{} + {n} other files", shown(f)),
                }
            }
            None if self.removed.is_empty() => {
                return format!("No page changed ({ms} ms)");
            }
            None => "nothing".to_string(),
        };
        if !self.removed.is_empty() {
            what.push_str(&format!(
                ", removed {}",
                self.removed
                    .iter()
                    .map(|p| shown(p))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        format!("Rebuilt {what} in {ms} ms{warned}")
    }
}

/// A source file as last read: its text, and what loading it gave.
struct Loaded<T> {
    text: String,
    value: Result<T, Diagnostics>,
}

/// Every source file as last read, loaded or not.
struct Sources {
    config_text: String,
    config: SiteConfig,
    theme: Result<Theme, Diagnostics>,
    static_files: Result<BTreeMap<String, StaticFile>, Diagnostic>,
    /// By path as the loader lists them (the site folder as given, joined).
    briefs: BTreeMap<PathBuf, Loaded<Arc<BriefSource>>>,
    datasets: BTreeMap<PathBuf, Loaded<Dataset>>,
}

/// The last good build: what the output holds and what it was made from.
struct Last {
    site: Site,
    config_text: String,
    /// Dataset name → the text of its file.
    dataset_texts: BTreeMap<String, String>,
    /// Static file → its size and modification time (None: built into tumen).
    static_stamps: BTreeMap<String, Option<(u64, SystemTime)>>,
    deps: DepGraph,
    paths: BTreeSet<String>,
    cards: Vec<Arc<Card>>,
}

pub struct Builder {
    opts: BuildOptions,
    /// The site folder, absolute, to match the watcher's paths against.
    abs_root: PathBuf,
    sources: Option<Sources>,
    last: Option<Last>,
    /// The last build failed: build again on the next change, whatever it is.
    failing: bool,
    resolve_cache: ResolveCache,
    render_cache: RenderCache,
    /// The last rebuild left the search index to be made after the reload.
    search_index_due: bool,
    /// The site's git history, read on the first build and again when the
    /// repository changes (a commit, a checkout); `None` until then.
    history: Option<Arc<History>>,
    /// The repository's git folder, if the site is in one.
    git_dir: Option<PathBuf>,
    /// Sources changed since git was last asked which files are uncommitted.
    status_due: bool,
    /// What the last build replaced, dropped by [`Builder::flush`]: freeing a
    /// site of a thousand briefs takes longer than rendering the page edited.
    retired: Vec<Last>,
    /// Where the rebuilt files go: served from memory at once, written by
    /// [`Builder::flush`].
    output: Arc<Output>,
}

/// A file's text as read (`read`), loaded.
fn loaded<T>(
    path: &Path,
    read: Result<String, Diagnostic>,
    load: impl Fn(&Path, String) -> Result<T, Diagnostics>,
) -> Loaded<T> {
    match read {
        Ok(text) => Loaded {
            value: load(&display_path(path), text.clone()),
            text,
        },
        Err(e) => Loaded {
            text: String::new(),
            value: Err(e.into()),
        },
    }
}

/// Bring the files of a folder as last listed up to date with `files`, its listing
/// now: files gone are dropped, new ones added to `to_read`. True when one went.
fn relist<T>(
    held: &mut BTreeMap<PathBuf, Loaded<T>>,
    files: Vec<PathBuf>,
    to_read: &mut Vec<PathBuf>,
) -> bool {
    let now: BTreeSet<&PathBuf> = files.iter().collect();
    let before = held.len();
    held.retain(|p, _| now.contains(p));
    to_read.extend(files.iter().filter(|p| !held.contains_key(*p)).cloned());
    held.len() != before
}

/// Read `paths` again and load those whose text changed (or that cannot be read:
/// the error is what they hold then). True when any did.
fn reread<T>(
    held: &mut BTreeMap<PathBuf, Loaded<T>>,
    paths: Vec<PathBuf>,
    load: impl Fn(&Path, String) -> Result<T, Diagnostics>,
) -> bool {
    let mut changed = false;
    for p in paths {
        let read = load::read(&p);
        if let Ok(text) = &read
            && held.get(&p).is_some_and(|l| l.text == *text)
        {
            continue;
        }
        held.insert(p.clone(), loaded(&p, read, &load));
        changed = true;
    }
    changed
}

fn load_brief(path: &Path) -> Loaded<Arc<BriefSource>> {
    loaded(path, load::read(path), |p, text| {
        BriefSource::load(p, text).map(Arc::new)
    })
}

fn load_dataset(path: &Path) -> Loaded<Dataset> {
    loaded(path, load::read(path), Dataset::load)
}

fn stamp(f: &StaticFile) -> Option<(u64, SystemTime)> {
    match f {
        StaticFile::Embedded(_) => None,
        StaticFile::Disk(p) => std::fs::metadata(p)
            .ok()
            .map(|m| (m.len(), m.modified().unwrap_or(SystemTime::UNIX_EPOCH))),
    }
}

impl Builder {
    pub fn new(opts: BuildOptions, output: Arc<Output>) -> Builder {
        // Canonical, as the watcher reports paths under the folders it was given.
        let abs_root = absolute(&opts.site_dir);
        let git_dir = crate::load::history::git_dir(&opts.site_dir);
        Builder {
            git_dir,
            history: None,
            status_due: false,
            opts,
            abs_root,
            sources: None,
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

    /// The repository's git folder, if the site is in one: watched (not its
    /// subfolders) for the files a commit or a checkout writes.
    pub fn git_dir(&self) -> Option<&Path> {
        self.git_dir.as_deref()
    }

    fn root(&self) -> &Path {
        &self.opts.site_dir
    }

    /// Read every source file, as `tumen build` does, but keep each file's result
    /// on its own, so that a later edit reloads just that file.
    fn load_all(&mut self) -> Result<(), Diagnostics> {
        let root = self.root().to_path_buf();
        if !root.join("site.yaml").is_file() {
            // SiteSources::load words this error; let it.
            return SiteSources::load(&root).map(|_| ());
        }
        let config_file = root.join("site.yaml");
        let config_text = load::read(&config_file).map_err(Diagnostics::from)?;
        let config = SiteConfig::load(&display_path(&config_file), &config_text)?;
        let brief_files = load::brief_files(&root)?;
        let data_files = load::dataset_files(&root)?;
        let briefs = brief_files
            .into_par_iter()
            .map(|p| {
                let l = load_brief(&p);
                (p, l)
            })
            .collect();
        let datasets = data_files
            .into_par_iter()
            .map(|p| {
                let l = load_dataset(&p);
                (p, l)
            })
            .collect();
        let theme = Theme::load(&root, &config.theme);
        let static_files = load::static_files(&root, theme.as_ref().ok());
        self.history = None;
        self.sources = Some(Sources {
            config_text,
            config,
            theme,
            static_files,
            briefs,
            datasets,
        });
        Ok(())
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
        self.sources = None;
        self.last = None;
        self.finish(start, Changes::everything())
    }

    /// Bring the output up to date with `changes`.
    pub fn rebuild(&mut self, changes: &Changes) -> Outcome {
        let start = Instant::now();
        self.finish(start, changes.clone())
    }

    fn finish(&mut self, start: Instant, changes: Changes) -> Outcome {
        let relevant = match self.reload(&changes) {
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

    /// The site's git history, read if it is not held: on the first build, after
    /// a change to site.yaml (which says which commits count) or to the repository.
    fn history(&mut self) -> Arc<History> {
        let config = &self.sources.as_ref().expect("loaded first").config;
        let site_dir = &self.opts.site_dir;
        self.history
            .get_or_insert_with(|| Arc::new(History::load(site_dir, display_path, &config.history)))
            .clone()
    }

    /// Read again what `changes` touched. True when a source may have changed.
    fn reload(&mut self, changes: &Changes) -> Result<bool, Diagnostics> {
        if changes.rescan || self.sources.is_none() {
            self.load_all()?;
            return Ok(true);
        }
        let root = self.root().to_path_buf();
        let mut relevant = false;
        if changes.git {
            // A commit or a checkout: dates and revision lists may have changed.
            let before = self.history.take();
            relevant = before.as_deref() != Some(&*self.history());
            if !relevant {
                self.history = before;
            }
        }
        let (mut briefs_relist, mut data_relist, mut theme_touched) = (false, false, false);
        let mut brief_paths = Vec::new();
        let mut data_paths = Vec::new();
        for p in &changes.paths {
            let Ok(rel) = p.strip_prefix(&self.abs_root) else {
                // Outside the site folder: a theme folder.
                theme_touched = true;
                continue;
            };
            let first = rel.components().next().map(|c| c.as_os_str().to_owned());
            let is_ext = |exts: &[&str]| {
                rel.extension()
                    .is_some_and(|e| exts.iter().any(|x| e.eq_ignore_ascii_case(x)))
            };
            match first.as_deref().and_then(|f| f.to_str()) {
                Some("site.yaml") if rel.components().count() == 1 => {
                    let text = load::read(p).map_err(Diagnostics::from)?;
                    let same = self.sources.as_ref().is_some_and(|s| s.config_text == text);
                    if !same {
                        // Anything may depend on the settings: read everything.
                        self.load_all()?;
                        return Ok(true);
                    }
                }
                Some("briefs") => {
                    let full = root.join(rel);
                    if is_ext(&["md", "markdown"]) && full.is_file() {
                        brief_paths.push(full);
                    } else {
                        // A folder, a removed or renamed file: list the folder again.
                        briefs_relist = true;
                    }
                }
                Some("data") => {
                    let full = root.join(rel);
                    if is_ext(&["yaml", "yml"]) && full.is_file() {
                        data_paths.push(full);
                    } else {
                        data_relist = true;
                    }
                }
                Some("static") | Some("themes") => theme_touched = true,
                _ => {}
            }
        }
        let src = self.sources.as_mut().expect("loaded above");
        if briefs_relist {
            relevant |= relist(&mut src.briefs, load::brief_files(&root)?, &mut brief_paths);
        }
        if data_relist {
            relevant |= relist(
                &mut src.datasets,
                load::dataset_files(&root)?,
                &mut data_paths,
            );
        }
        relevant |= reread(&mut src.briefs, brief_paths, |p, text| {
            BriefSource::load(p, text).map(Arc::new)
        });
        relevant |= reread(&mut src.datasets, data_paths, Dataset::load);
        if theme_touched {
            src.theme = Theme::load(&root, &src.config.theme);
            src.static_files = load::static_files(&root, src.theme.as_ref().ok());
            relevant = true;
        }
        Ok(relevant)
    }

    /// Resolve, render what changed and write it. `None` when no output changed.
    fn build(&mut self, start: Instant) -> Result<Option<Built>, Diagnostics> {
        let mut clock = crate::util::trace::Clock::since("rebuild", start);
        let history = self.history();
        clock.mark("read what changed");
        let src = self.sources.as_ref().expect("loaded before building");
        let mut errors = Diagnostics::default();
        if let Err(e) = &src.theme {
            errors.extend(e.clone());
        }
        if let Err(e) = &src.static_files {
            errors.push(e.clone());
        }
        for l in src.briefs.values() {
            if let Err(e) = &l.value {
                errors.extend(e.clone());
            }
        }
        for l in src.datasets.values() {
            if let Err(e) = &l.value {
                errors.extend(e.clone());
            }
        }
        errors.into_result()?;
        let briefs: Vec<Arc<BriefSource>> = src
            .briefs
            .values()
            .filter_map(|l| l.value.as_ref().ok().cloned())
            .collect();
        let datasets = load::index_datasets(
            src.datasets
                .values()
                .filter_map(|l| l.value.as_ref().ok().cloned()),
            &mut errors,
        );
        errors.into_result()?;
        let dataset_texts: BTreeMap<String, String> = src
            .datasets
            .values()
            .filter_map(|l| {
                l.value
                    .as_ref()
                    .ok()
                    .map(|d| (d.name.clone(), l.text.clone()))
            })
            .collect();
        let theme = src.theme.as_ref().expect("checked").clone();
        let static_files = src.static_files.as_ref().expect("checked").clone();
        let static_stamps = static_files
            .iter()
            .map(|(rel, f)| (rel.clone(), stamp(f)))
            .collect();
        let sources = SiteSources {
            root: self.opts.site_dir.clone(),
            config: src.config.clone(),
            briefs,
            datasets,
            static_files,
            theme,
            history: history.clone(),
        };
        let config_text = src.config_text.clone();
        clock.mark("collect sources");
        let site = resolve_cached(sources, &self.opts.resolve, &mut self.resolve_cache)?;
        clock.mark("resolve");

        let last = self.last.as_ref().filter(|l| l.config_text == config_text);
        let since = last.map(|l| Since {
            deps: &l.deps,
            cards: &l.cards,
            changed: dirty(l, &site, &dataset_texts, &static_stamps),
        });
        let full = since.is_none();
        clock.mark("what changed");
        let rendered = render_some(&site, &mut self.render_cache, since)?;
        clock.mark("render");
        self.search_index_due |= !rendered.deferred.is_empty();
        let removed: Vec<String> = self
            .last
            .as_ref()
            .map(|l| l.paths.difference(&rendered.all_paths).cloned().collect())
            .unwrap_or_default();
        if !full && rendered.files.is_empty() && removed.is_empty() {
            self.last = Some(Last {
                site,
                config_text,
                dataset_texts,
                static_stamps,
                deps: self.last.take().expect("not full").deps,
                paths: rendered.all_paths,
                cards: rendered.cards,
            });
            return Ok(None);
        }
        let written: Vec<String> = rendered.files.iter().map(|f| f.path.clone()).collect();
        let report = full.then(|| BuildReport::of(&site, &rendered, Duration::ZERO));
        if full {
            self.output.replace(&rendered.files)?;
        } else {
            self.output.stage(rendered.files, &removed);
        }
        clock.mark("stage");
        let changed_briefs = match &self.last {
            Some(l) => edited(&l.site, &site),
            None => Vec::new(),
        };
        let warnings = warnings(&site, full, &changed_briefs);
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
        for r in &removed {
            deps.remove(r);
        }
        deps.extend(rendered.deps);
        clock.mark("record");
        self.last = Some(Last {
            site,
            config_text,
            dataset_texts,
            static_stamps,
            deps,
            paths: rendered.all_paths,
            cards: rendered.cards,
        });
        Ok(Some(Built {
            written,
            removed,
            full,
            briefs: changed_briefs,
            warnings,
            elapsed: start.elapsed(),
            report: report.map(|r| BuildReport {
                elapsed: start.elapsed(),
                ..r
            }),
        }))
    }
}

/// What changed between the last good site and `site`, as the [`Dep`]s that pages
/// record (the render adds the cards that changed).
fn dirty(
    last: &Last,
    site: &Site,
    dataset_texts: &BTreeMap<String, String>,
    static_stamps: &BTreeMap<String, Option<(u64, SystemTime)>>,
) -> BTreeSet<Dep> {
    let mut d = BTreeSet::new();

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
    let (old, new) = (&last.site.briefs, &site.briefs);
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
        let ([u0, c0, t0], [u1, c1, t1]) = (lists(&last.site), lists(site));
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
    let (old_t, new_t) = (names(&last.site), names(site));
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
    for name in last.dataset_texts.keys().chain(dataset_texts.keys()) {
        if last.dataset_texts.get(name) != dataset_texts.get(name) {
            d.insert(Dep::Dataset(name.clone()));
            d.insert(Dep::AllData);
        }
    }

    // Templates: a changed template changes every template that extends, includes
    // or imports it. Names are looked for as quoted strings, which may find a
    // mention that is no reference: that only renders a page too many.
    let (old_tpl, new_tpl) = (&last.site.theme.templates, &site.theme.templates);
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
    for rel in last.static_stamps.keys().chain(static_stamps.keys()) {
        let (a, b) = (last.static_stamps.get(rel), static_stamps.get(rel));
        // A file that moved between the theme and the site has the same stamp
        // status but another origin; compare origins too.
        let moved =
            last.site.static_files.get(rel).map(origin) != site.static_files.get(rel).map(origin);
        if a != b || moved {
            d.insert(Dep::Static(rel.clone()));
        }
    }
    d
}

/// The warnings to show after a build: every brief's when it was `full`, else
/// those of the briefs `edited` (by page), so that a warning shows when its brief
/// is built, not on every rebuild.
fn warnings(site: &Site, full: bool, edited: &[String]) -> Warnings {
    if full {
        return site.warnings();
    }
    Warnings(
        site.briefs
            .iter()
            .filter(|b| edited.contains(&b.path))
            .flat_map(|b| b.warnings.iter().cloned())
            .collect(),
    )
    .sorted()
}

/// The pages of the briefs whose file changed since `old`, in the site's order.
fn edited(old: &Site, new: &Site) -> Vec<String> {
    let edited = |o: &Brief, b: &Brief| !Arc::ptr_eq(&o.src, &b.src) && o.src.text != b.src.text;
    let same_order = old.briefs.len() == new.briefs.len()
        && old
            .briefs
            .iter()
            .zip(&new.briefs)
            .all(|(o, b)| o.src.file.as_os_str() == b.src.file.as_os_str());
    if same_order {
        return old
            .briefs
            .iter()
            .zip(&new.briefs)
            .filter(|(o, b)| edited(o, b))
            .map(|(_, b)| b.path.clone())
            .collect();
    }
    let before: HashMap<&Path, &Brief> = old
        .briefs
        .iter()
        .map(|b| (b.src.file.as_path(), &**b))
        .collect();
    new.briefs
        .iter()
        .filter(|b| {
            before
                .get(b.src.file.as_path())
                .is_none_or(|o| edited(o, b))
        })
        .map(|b| b.path.clone())
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn built(written: &[&str], briefs: &[&str], ms: u64) -> Built {
        Built {
            written: written.iter().map(|w| w.to_string()).collect(),
            removed: Vec::new(),
            full: false,
            briefs: briefs.iter().map(|b| b.to_string()).collect(),
            warnings: Warnings::default(),
            elapsed: Duration::from_millis(ms),
            report: None,
        }
    }

    #[test]
    fn summaries_count_files_in_the_singular_and_the_plural() {
        let page = "briefs/x/index.html";
        assert_eq!(
            built(&[page], &["briefs/x/"], 3).summary(),
            "Rebuilt briefs/x/ in 3 ms"
        );
        assert_eq!(
            built(&["a.html", page], &["briefs/x/"], 3).summary(),
            "Rebuilt briefs/x/ + 1 other file in 3 ms"
        );
        assert_eq!(
            built(&["a.html", "b.html", page], &["briefs/x/"], 3).summary(),
            "Rebuilt briefs/x/ + 2 other files in 3 ms"
        );
        let mut all = built(&["index.html"], &[], 4);
        all.full = true;
        assert_eq!(all.summary(), "Rebuilt everything (1 file) in 4 ms");
        all.written.push("404.html".into());
        assert_eq!(all.summary(), "Rebuilt everything (2 files) in 4 ms");
    }

    #[test]
    fn a_rebuild_and_its_git_status_follow_up_are_one_line() {
        let page = "briefs/x/index.html";
        let first = Outcome::Built(built(&[page, "feed.xml"], &["briefs/x/"], 5));
        let status = Outcome::Built(built(&["briefs/index.html", page], &[], 7));
        let Outcome::Built(b) = first.then(status) else {
            panic!("two builds make one");
        };
        assert_eq!(b.summary(), "Rebuilt briefs/x/ + 2 other files in 12 ms");
        let first = Outcome::Built(built(&[page], &["briefs/x/"], 5));
        assert!(matches!(first.then(Outcome::Unchanged), Outcome::Built(_)));
    }
}
