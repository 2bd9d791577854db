//! The render's output as it is gathered: every file made, what each was made
//! from, and every path of the site whether it was made this time or not.
//!
//! One place decides which files a render makes ([`Wanted`]): all of them, or for
//! the live preview those that what changed touched, and new ones. Every kind of
//! file (pages, charts, dataset downloads, feeds, static files) goes through
//! [`Collected::add`], so none can forget to list its path, which is how a partial
//! render tells which pages disappeared.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use super::Since;
use super::cards::{Card, changed_cards};
use super::cite;
use super::data_out;
use super::pages::Page;
use crate::deps::{Dep, DepGraph};
use crate::model::Site;
use crate::output::{BriefPaths, Content, FileSink, OutputFile, PathSet};
use crate::util::diag::{Diagnostic, Diagnostics};

/// Which files a render makes: every file, or the files made from what changed
/// since the last good render and those it did not make.
pub(super) struct Wanted<'a> {
    /// The last render's record, and the files in it made from what changed.
    since: Option<(&'a DepGraph, rustc_hash::FxHashSet<&'a str>)>,
    /// Every path of the last good render.
    last_paths: Option<&'a PathSet>,
}

impl<'a> Wanted<'a> {
    /// Every file, without `since`; else those `since` says changed, `cards`
    /// (this render's) added to what changed.
    pub(super) fn new(since: Option<Since<'a>>, cards: &[Arc<Card>]) -> Wanted<'a> {
        Wanted {
            last_paths: since.as_ref().map(|s| s.paths),
            since: since.map(|s| {
                let mut changed = changed_cards(s.cards, cards);
                changed.extend(s.changed);
                (s.deps, s.deps.affected(&changed))
            }),
        }
    }

    /// How many files the last render made: what this one's list of paths is
    /// sized for, so that it is not grown (every path hashed again) as it fills.
    fn expected(&self) -> usize {
        self.since.as_ref().map_or(0, |(deps, _)| deps.len())
    }

    /// The files made before that what changed touched; `None`: every file.
    fn affected(&self) -> Option<impl Iterator<Item = &str>> {
        (self.since.as_ref()).map(|(_, affected)| affected.iter().copied())
    }

    /// Whether a file the last render made, or an earlier one, is made again.
    fn made_again(&self, path: &str) -> bool {
        (self.since.as_ref()).is_none_or(|(_, affected)| affected.contains(path))
    }

    fn contains(&self, path: &str) -> bool {
        self.since
            .as_ref()
            .is_none_or(|(deps, affected)| affected.contains(path) || !deps.contains(path))
    }
}

/// The files of a render, gathered; or, streamed, handed to a sink a batch at a
/// time and forgotten, with no record of what each was made from (only the live
/// preview reads that, and it does not stream).
pub(super) struct Collected<'w, 's> {
    wanted: &'w Wanted<'w>,
    pub(super) files: BTreeMap<String, OutputFile>,
    pub(super) deps: HashMap<String, BTreeSet<Dep>>,
    /// Every path of the site's output, made this time or not.
    pub(super) all_paths: PathSet,
    /// For each brief, whether its list of paths is the last good render's:
    /// then each file in it was made before, and is made again only if what
    /// changed touched it.
    kept_paths: Vec<bool>,
    /// For each brief, whether what changed touched any of its own files: the
    /// others of a kept list are not looked up one by one.
    touched: Vec<bool>,
    sink: Option<&'s mut FileSink<'s>>,
    /// The first error of the sink: nothing more is handed to it.
    sink_error: Option<Diagnostic>,
}

/// How many files a streamed render hands over at once: a few megabytes of
/// pages, enough for every core to write in parallel.
pub(super) const BATCH: usize = 256;

impl<'w, 's> Collected<'w, 's> {
    pub(super) fn new(
        site: &Site,
        wanted: &'w Wanted<'w>,
        sink: Option<&'s mut FileSink<'s>>,
    ) -> Self {
        let others = wanted.expected().saturating_sub(4 * site.briefs.len());
        let mut all_paths = PathSet::with_capacity(site.briefs.len(), others);
        let (briefs, kept_paths): (Vec<_>, Vec<_>) =
            brief_paths(site, wanted.last_paths).into_iter().unzip();
        all_paths.set_briefs(briefs, wanted.last_paths);
        let mut touched = vec![wanted.affected().is_none(); site.briefs.len()];
        let affected = wanted.affected().into_iter().flatten();
        for i in affected.filter_map(|p| all_paths.brief_of(p)) {
            touched[i] = true;
        }
        Collected {
            wanted,
            files: BTreeMap::new(),
            deps: HashMap::new(),
            all_paths,
            kept_paths,
            touched,
            sink,
            sink_error: None,
        }
    }

    /// The paths of brief `i`'s own files.
    pub(super) fn brief_paths(&self, i: usize) -> &BriefPaths {
        &self.all_paths.briefs()[i]
    }

    /// Whether this render makes `path`, one of brief `i`'s own files.
    pub(super) fn wants_brief(&self, i: usize, path: &str) -> bool {
        if self.kept_paths[i] {
            self.touched[i] && self.wanted.made_again(path)
        } else {
            self.wanted.contains(path)
        }
    }

    /// Hand the files gathered so far to the sink, if there is one.
    pub(super) fn flush(&mut self) {
        let Some(sink) = self.sink.as_mut() else {
            return;
        };
        let batch: Vec<OutputFile> = std::mem::take(&mut self.files).into_values().collect();
        if self.sink_error.is_none()
            && let Err(e) = sink(batch)
        {
            self.sink_error = Some(e);
        }
    }

    /// Hand the last files to the sink; its first error, if it had one.
    pub(super) fn finish(&mut self) -> Result<(), Diagnostic> {
        self.flush();
        self.sink_error.take().map_or(Ok(()), Err)
    }

    /// Whether the sink failed: the render may stop.
    pub(super) fn failed(&self) -> bool {
        self.sink_error.is_some()
    }

    /// Whether this render makes the file at `path`.
    pub(super) fn wants(&self, path: &str) -> bool {
        self.wanted.contains(path)
    }

    /// A file made, and what it was made from.
    fn add(&mut self, path: String, deps: BTreeSet<Dep>, content: Content) {
        if self.sink.is_none() {
            self.deps.insert(path.clone(), deps);
        }
        self.files
            .insert(path.clone(), OutputFile { path, content });
        if self.sink.is_some() && self.files.len() >= BATCH {
            self.flush();
        }
    }

    /// The pages rendered; those that failed are errors. Returns how many were.
    pub(super) fn add_pages(
        &mut self,
        pages: Vec<Result<Page, Diagnostic>>,
        errors: &mut Diagnostics,
    ) -> usize {
        let mut count = 0;
        for p in pages {
            match p {
                Ok(Page { path, html, deps }) => {
                    count += 1;
                    self.add(path, deps, Content::Bytes(html));
                }
                Err(e) => errors.push(e),
            }
        }
        count
    }

    /// The briefs' PDFs made this time; one as the last render made it is left
    /// to the file there (its path was listed when it was chosen).
    pub(super) fn add_pdfs(&mut self, pdfs: Vec<Option<super::pdf::Pdf>>) {
        for p in pdfs.into_iter().flatten() {
            if let Some(bytes) = p.bytes {
                self.add(p.path, p.deps, Content::Bytes(bytes));
            }
        }
    }

    /// The standalone SVG of every figure: made from its brief (or its dataset)
    /// and the datasets it reads.
    pub(super) fn add_charts(
        &mut self,
        site: &Site,
        brief_files: Vec<Vec<OutputFile>>,
        dataset_files: Vec<(&str, OutputFile)>,
    ) {
        for (i, (b, files)) in site.briefs.iter().zip(brief_files).enumerate() {
            debug_assert!(
                files.iter().map(|f| f.path.as_str()).eq(self
                    .brief_paths(i)
                    .figures
                    .iter()
                    .map(String::as_str))
            );
            for f in files {
                if !self.wants_brief(i, &f.path) {
                    continue;
                }
                let mut d = BTreeSet::from([Dep::Config, Dep::Brief(b.src.file.as_path().into())]);
                d.extend(b.datasets.iter().map(|n| Dep::Dataset(n.clone())));
                self.add(f.path, d, f.content);
            }
        }
        for (name, f) in dataset_files {
            self.all_paths.insert(f.path.clone());
            if self.wants(&f.path) {
                let deps = BTreeSet::from([Dep::Config, Dep::Dataset(name.to_string())]);
                self.add(f.path, deps, f.content);
            }
        }
    }

    /// Every dataset as CSV, JSON and a spreadsheet, for readers to download,
    /// and the Data Package that describes them all. The CSV and JSON are made
    /// from the dataset alone; the spreadsheet also says the site's name, the
    /// licence and the full references of the sources; the Data Package reads
    /// every dataset and the settings.
    pub(super) fn add_dataset_files(&mut self, site: &Site, errors: &mut Diagnostics) {
        use rayon::prelude::*;
        let mut chosen = Vec::new();
        for d in site.datasets.values() {
            let paths = ["csv", "json", "xlsx"].map(|ext| format!("data/{}.{ext}", d.name));
            paths.iter().for_each(|p| {
                self.all_paths.insert(p.clone());
            });
            if paths.iter().any(|p| self.wants(p)) {
                chosen.push((d, paths));
            }
        }
        let made: Vec<_> = (chosen.into_par_iter())
            .map(|(d, [csv, json, xlsx])| {
                let mut json_text = format!("{:#}", d.to_json());
                json_text.push('\n');
                let dataset = BTreeSet::from([Dep::Dataset(d.name.clone())]);
                let mut about = dataset.clone();
                about.extend([Dep::Config, Dep::Dataset("sources".into())]);
                let sheet = data_out::xlsx::xlsx(site, d).map(|b| (xlsx, about, b));
                [
                    Ok((csv, dataset.clone(), d.to_csv().into_bytes())),
                    Ok((json, dataset, json_text.into_bytes())),
                    sheet,
                ]
            })
            .collect();
        for file in made.into_iter().flatten() {
            match file {
                Ok((path, deps, bytes)) => self.add(path, deps, Content::Bytes(bytes)),
                Err(e) => errors.push(e),
            }
        }
        let package = data_out::DATAPACKAGE.to_string();
        if let Some(d) = site.datasets.get("datapackage") {
            let msg = "a dataset named `datapackage` would be written over the Data Package, data/datapackage.json";
            errors.push(Diagnostic::file(&d.file, msg).with_help("rename the dataset's file"));
        }
        self.all_paths.insert(package.clone());
        if self.wants(&package) {
            let deps = BTreeSet::from([Dep::Config, Dep::AllData]);
            let text = data_out::package::datapackage(site);
            self.add(package, deps, Content::Bytes(text.into_bytes()));
        }
    }

    /// Each brief's citation files (BibTeX, RIS, CSL-JSON), made from the brief
    /// and the settings (the site's name and address, its authors), and the
    /// sources as one BibTeX file, made from the sources alone: written when there
    /// are sources.
    pub(super) fn add_cite_files(&mut self, site: &Site) {
        use rayon::prelude::*;
        let chosen: Vec<_> = (site.briefs.iter().enumerate())
            .filter(|&(i, _)| (self.brief_paths(i).cite.iter()).any(|p| self.wants_brief(i, p)))
            .map(|(_, b)| b)
            .collect();
        // Made a few batches at a time, so that a build holds those, not the
        // files of every brief (30,000 at 10,000 briefs).
        for chunk in chosen.chunks(4 * BATCH) {
            let made: Vec<_> = (chunk.par_iter())
                .map(|&b| (b, cite::brief_files(site, b)))
                .collect();
            for (b, files) in made {
                // What each file was made from: kept only where nothing streams
                // the files out (the live preview's graph).
                let deps = match self.sink {
                    Some(_) => BTreeSet::new(),
                    None => BTreeSet::from([Dep::Config, Dep::Brief(b.src.file.as_path().into())]),
                };
                for (path, bytes) in files {
                    self.add(path, deps.clone(), Content::Bytes(bytes));
                }
            }
        }
        if site.sources.is_empty() {
            return;
        }
        let path = cite::SOURCES_BIB.to_string();
        self.all_paths.insert(path.clone());
        if self.wants(&path) {
            let deps = BTreeSet::from([Dep::Dataset("sources".into())]);
            let text = cite::sources_bib(site);
            self.add(path, deps, Content::Bytes(text.into_bytes()));
        }
    }

    /// Each earlier version of each dataset, as CSV and JSON (`data/<name>/<id>.csv`):
    /// made from the dataset's change log.
    pub(super) fn add_revision_files(&mut self, site: &Site) {
        for (paths, dep, d) in super::changes::revisions(site) {
            paths.iter().for_each(|p| {
                self.all_paths.insert(p.clone());
            });
            if !paths.iter().any(|p| self.wants(p)) {
                continue;
            }
            let deps = BTreeSet::from([dep]);
            for (path, bytes) in paths.into_iter().zip(super::changes::revision_bytes(d)) {
                self.add(path, deps.clone(), Content::Bytes(bytes));
            }
        }
    }

    /// Files made from the whole site (feeds, sitemap, search index): their paths
    /// were listed when they were chosen.
    pub(super) fn add_site_files(&mut self, made: Vec<(String, BTreeSet<Dep>, String)>) {
        for (path, deps, text) in made {
            self.add(path, deps, Content::Bytes(text.into_bytes()));
        }
    }

    /// The site's and the theme's static files, copied as they are; one on the
    /// path of a generated file is an error.
    pub(super) fn add_static_files(&mut self, site: &Site, errors: &mut Diagnostics) {
        for (rel, f) in &site.static_files {
            if !self.all_paths.insert(rel.clone()) {
                errors.push(
                    Diagnostic::file(
                        std::path::Path::new(rel),
                        format!("static file {rel} has the same path as a generated page"),
                    )
                    .with_help("rename or move the static file"),
                );
                continue;
            }
            if self.wants(rel) {
                let deps = BTreeSet::from([Dep::Static(rel.clone())]);
                self.add(rel.clone(), deps, Content::Copy(f.clone()));
            }
        }
    }
}

/// Each brief's paths, with whether they are the last good render's list (the
/// same `Arc`): a list is kept while the brief's folder, and which of its files
/// the site makes, stay the same.
fn brief_paths(site: &Site, last: Option<&PathSet>) -> Vec<(Arc<BriefPaths>, bool)> {
    let pdf = site.config.pdf.enabled;
    let last = last.map_or(&[][..], PathSet::briefs);
    let mut by_dir: Option<HashMap<&str, &Arc<BriefPaths>>> = None;
    (site.briefs.iter().enumerate())
        .map(|(i, b)| {
            let changes = super::changes::has_page(site, i);
            let same = |p: &BriefPaths| {
                p.dir == b.path
                    && p.changes.is_some() == changes
                    && p.pdf.is_some() == pdf
                    && p.figures.len() == b.charts.len()
            };
            let old = match last.get(i) {
                Some(p) if p.dir == b.path => Some(p),
                _ => by_dir
                    .get_or_insert_with(|| last.iter().map(|p| (p.dir.as_str(), p)).collect())
                    .get(b.path.as_str())
                    .copied(),
            };
            match old.filter(|p| same(p)) {
                Some(p) => (p.clone(), true),
                None => (Arc::new(new_brief_paths(b, changes, pdf)), false),
            }
        })
        .collect()
}

/// The paths of a brief's own files.
fn new_brief_paths(b: &crate::model::Brief, changes: bool, pdf: bool) -> BriefPaths {
    BriefPaths {
        dir: b.path.clone(),
        page: super::pages::page_path(b),
        changes: changes.then(|| super::changes::page_path(b)),
        cite: cite::paths(b),
        pdf: pdf.then(|| super::pdf::path(b)),
        figures: (1..=b.charts.len())
            .map(|k| super::figures::svg_path(b, k))
            .collect(),
    }
}
