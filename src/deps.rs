//! The live preview's incremental contract, in one place: what each output file
//! was made from ([`Dep`], recorded by the render in a [`DepGraph`]), and what
//! changed between two resolves of a site ([`diff`]). A page is made again when
//! the two meet, and only then; so a `Dep` that `diff` can miss is a stale page,
//! and the tests below hold `diff` to each kind.
//!
//! What changed is found by comparing the old and the new resolved site, never by
//! remembering which files the watcher named: a failed build in between loses
//! nothing, as the next good build compares with the last good one. The graph
//! keeps the reverse too (which files each `Dep` went into), so finding the pages
//! to make again costs what the edit touched, not what the site holds.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rustc_hash::{FxHashMap, FxHashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use crate::load::{StaticFile, Theme};
use crate::model::{Brief, Site};

/// Something a page was made from. When it changes, the page must be made again.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dep {
    /// site.yaml: everything depends on it.
    Config,
    /// A template by name (with its parents and includes, which the theme knows).
    Template(String),
    /// A brief's file, or what was resolved into it from other files.
    Brief(SourceFile),
    /// Anything about any brief, or their order: what a file made from every brief
    /// records unless it says more finely what it reads (below).
    BriefList,
    /// The cards of all briefs, in order: the list of all briefs. A card is what
    /// lists show of a brief (title, date, summary, topics, reading time), so most
    /// edits of a brief's body change no card and no list.
    Cards,
    /// Which briefs there are, in what order: a page of the list of all briefs
    /// reads it, and the cards it shows (each a `Card`).
    BriefOrder,
    /// One brief's card, on a page that lists it among others.
    Card(SourceFile),
    /// Which briefs a topic holds, in order, and its name: a brief's related briefs
    /// are picked from its topics' lists.
    Topic(String),
    /// The topics: their names and how many briefs each holds.
    Topics,
    /// Which briefs read a dataset (inline values, charts), in order.
    UsedBy(String),
    /// Which briefs cite a source key in their front matter, in order.
    CitedBy(String),
    /// One dataset.
    Dataset(String),
    /// Every dataset (a template that reads `data`).
    AllData,
    /// A file copied as it is.
    Static(String),
    /// A dataset's change log: the commits that touched it, and the versions
    /// they left (`Dataset` is its text now).
    DatasetLog(String),
}

/// A brief's file as a [`Dep`] names it. Compared by its bytes: every page's
/// record is compared with what changed on every rebuild, and `Path` compares by
/// components, several times slower, to tell apart the same files.
#[derive(Debug, Clone)]
pub struct SourceFile(pub PathBuf);

impl SourceFile {
    fn bytes(&self) -> &[u8] {
        self.0.as_os_str().as_encoded_bytes()
    }
}

impl From<&std::path::Path> for SourceFile {
    fn from(p: &std::path::Path) -> SourceFile {
        SourceFile(p.to_path_buf())
    }
}

impl std::ops::Deref for SourceFile {
    type Target = std::path::Path;
    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

impl PartialEq for SourceFile {
    fn eq(&self, other: &SourceFile) -> bool {
        self.bytes() == other.bytes()
    }
}

impl Eq for SourceFile {}

impl PartialOrd for SourceFile {
    fn partial_cmp(&self, other: &SourceFile) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SourceFile {
    fn cmp(&self, other: &SourceFile) -> std::cmp::Ordering {
        self.bytes().cmp(other.bytes())
    }
}

impl std::hash::Hash for SourceFile {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.bytes().hash(h);
    }
}

/// Output path → what it was made from, with the reverse index.
#[derive(Debug, Default)]
pub struct DepGraph {
    made_from: FxHashMap<String, BTreeSet<Dep>>,
    went_into: FxHashMap<Dep, FxHashSet<String>>,
}

impl DepGraph {
    /// Record what `path` was made from, replacing its last record.
    pub fn insert(&mut self, path: String, deps: BTreeSet<Dep>) {
        // Most pages made again were made from the same things as before.
        if self.made_from.get(&path) == Some(&deps) {
            return;
        }
        self.remove(&path);
        for d in &deps {
            self.went_into
                .entry(d.clone())
                .or_default()
                .insert(path.clone());
        }
        self.made_from.insert(path, deps);
    }

    /// Forget `path` (it is no longer made).
    pub fn remove(&mut self, path: &str) {
        let Some(old) = self.made_from.remove(path) else {
            return;
        };
        for d in old {
            if let Some(paths) = self.went_into.get_mut(&d) {
                paths.remove(path);
                if paths.is_empty() {
                    self.went_into.remove(&d);
                }
            }
        }
    }

    /// Whether `path` has a record.
    pub fn contains(&self, path: &str) -> bool {
        self.made_from.contains_key(path)
    }

    /// The files made from anything in `changed`.
    pub fn affected(&self, changed: &BTreeSet<Dep>) -> FxHashSet<&str> {
        changed
            .iter()
            .filter_map(|d| self.went_into.get(d))
            .flatten()
            .map(String::as_str)
            .collect()
    }

    pub fn len(&self) -> usize {
        self.made_from.len()
    }

    pub fn is_empty(&self) -> bool {
        self.made_from.is_empty()
    }
}

impl Extend<(String, BTreeSet<Dep>)> for DepGraph {
    fn extend<I: IntoIterator<Item = (String, BTreeSet<Dep>)>>(&mut self, iter: I) {
        for (path, deps) in iter {
            self.insert(path, deps);
        }
    }
}

/// A static file's size and modification time, by its path in the output
/// (`None`: built into tumen). The site names static files but does not hold
/// them, so [`diff`] compares these.
pub type Stamps = BTreeMap<String, Option<(u64, SystemTime)>>;

/// The stamps of `files`, as they are on disk now.
pub fn stamps(files: &BTreeMap<String, StaticFile>) -> Stamps {
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

/// What changed between two resolves of a site, `old` (with its static files'
/// `old_stamps`) and `new`, as the [`Dep`]s that pages record; the render adds
/// the cards that changed, which only it can tell. [`Dep::Config`] alone when
/// the settings' text changed: everything depends on them.
pub fn diff(old: &Site, new: &Site, old_stamps: &Stamps, new_stamps: &Stamps) -> BTreeSet<Dep> {
    let mut d = BTreeSet::new();
    if old.config.text != new.config.text {
        d.insert(Dep::Config);
        return d;
    }
    if same_order(old, new) {
        briefs_in_place(old, new, &mut d);
    } else {
        briefs_moved(old, new, &mut d);
    }
    topics(old, new, &mut d);
    datasets(old, new, &mut d);
    templates(&old.theme, &new.theme, &mut d);
    static_files(old, new, old_stamps, new_stamps, &mut d);
    d
}

/// The same briefs (by file) in the same order.
pub fn same_order(old: &Site, new: &Site) -> bool {
    old.briefs.len() == new.briefs.len()
        && (old.briefs.iter().zip(&new.briefs)).all(|(o, b)| o.same_file(b))
}

/// Whether a brief is as it was: its file, and anything resolved into it from
/// other files (inline values, links to other briefs' slugs), and what git says
/// of it. Shared parts are compared by pointer first: what the resolve reused.
fn same(o: &Brief, b: &Brief) -> bool {
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
}

/// Whether brief `i` of `old` and `j` of `new` have the same changes (the same
/// `Arc` when the resolve reused them).
fn same_changes(old: &Site, i: usize, new: &Site, j: usize) -> bool {
    match (old.changes.briefs.get(i), new.changes.briefs.get(j)) {
        (Some(a), Some(b)) => Arc::ptr_eq(a, b) || a == b,
        (a, b) => a.is_none() && b.is_none(),
    }
}

/// The usual edit: the same briefs in the same order, a few of them changed.
/// Anything made from every brief may change with them; lists of briefs change
/// only where those few joined or left them.
fn briefs_in_place(old: &Site, new: &Site, d: &mut BTreeSet<Dep>) {
    let changed = (old.briefs.iter().zip(&new.briefs).enumerate())
        .filter(|(i, (o, b))| !same(o, b) || !same_changes(old, *i, new, *i))
        .map(|(_, pair)| pair);
    for (o, b) in changed {
        d.insert(Dep::Brief(b.src.file.as_path().into()));
        d.insert(Dep::BriefList);
        let slugs = |x: &Brief| x.topics.iter().map(|t| t.1.clone()).collect();
        d.extend(either(slugs(o), slugs(b)).map(Dep::Topic));
        let used = |x: &Brief| x.datasets.iter().cloned().collect();
        d.extend(either(used(o), used(b)).map(Dep::UsedBy));
        let cites = |x: &Brief| x.src.front.sources.iter().cloned().collect();
        d.extend(either(cites(o), cites(b)).map(Dep::CitedBy));
    }
}

/// Briefs added, removed or reordered: each brief that is not as it was, and
/// each list of briefs (by dataset, source and topic) that is not.
fn briefs_moved(old: &Site, new: &Site, d: &mut BTreeSet<Dep>) {
    d.insert(Dep::BriefList);
    let before: HashMap<&Path, (usize, &Brief)> = (old.briefs.iter().enumerate())
        .map(|(i, b)| (b.src.file.as_path(), (i, &**b)))
        .collect();
    let mut seen = BTreeSet::new();
    for (j, b) in new.briefs.iter().enumerate() {
        seen.insert(b.src.file.as_path());
        let kept = |&(i, o): &(usize, &Brief)| same(o, b) && same_changes(old, i, new, j);
        if !before.get(b.src.file.as_path()).is_some_and(kept) {
            d.insert(Dep::Brief(b.src.file.as_path().into()));
        }
    }
    for f in before.keys().filter(|f| !seen.contains(*f)) {
        d.insert(Dep::Brief((*f).into()));
    }
    let ([u0, c0, t0], [u1, c1, t1]) = (lists(old), lists(new));
    d.extend(differ(&u0, &u1).map(Dep::UsedBy));
    d.extend(differ(&c0, &c1).map(Dep::CitedBy));
    d.extend(differ(&t0, &t1).map(Dep::Topic));
}

/// Name → the briefs (by file) that name it, in order.
type Lists<'a> = BTreeMap<&'a str, Vec<&'a Path>>;

/// Which briefs read each dataset, cite each source and are in each topic.
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

/// The names whose lists differ.
fn differ<'a>(a: &'a Lists, b: &'a Lists) -> impl Iterator<Item = String> + 'a {
    (a.keys().chain(b.keys()))
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| k.to_string())
}

/// Topics: the list of topics with their sizes, and each topic's name.
fn topics(old: &Site, new: &Site, d: &mut BTreeSet<Dep>) {
    let names = |s: &Site| -> Vec<(String, String, usize)> {
        (s.topics.iter())
            .map(|t| (t.slug.clone(), t.name.clone(), t.briefs.len()))
            .collect()
    };
    let (old_t, new_t) = (names(old), names(new));
    if old_t == new_t {
        return;
    }
    d.insert(Dep::Topics);
    let old_names: BTreeMap<&str, &str> = (old_t.iter())
        .map(|t| (t.0.as_str(), t.1.as_str()))
        .collect();
    for t in &new_t {
        if old_names.get(t.0.as_str()).is_some_and(|n| *n != t.1) {
            d.insert(Dep::Topic(t.0.clone()));
        }
    }
}

/// Datasets, by the text of their files (and of the files their rows come from),
/// and their change logs.
fn datasets(old: &Site, new: &Site, d: &mut BTreeSet<Dep>) {
    let (ol, nl) = (&old.changes.datasets, &new.changes.datasets);
    for name in ol.keys().chain(nl.keys()) {
        let same = match (ol.get(name), nl.get(name)) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b) || a == b,
            (a, b) => a.is_none() && b.is_none(),
        };
        if !same {
            d.insert(Dep::DatasetLog(name.clone()));
        }
    }
    for name in old.datasets.keys().chain(new.datasets.keys()) {
        let (a, b) = (old.datasets.get(name), new.datasets.get(name));
        let same = match (a, b) {
            (Some(a), Some(b)) => a.same_source(b),
            (a, b) => a.is_none() && b.is_none(),
        };
        if !same {
            d.insert(Dep::Dataset(name.clone()));
            d.insert(Dep::AllData);
        }
    }
}

/// Templates: a changed template changes every template that extends, includes
/// or imports it. Names are looked for as quoted strings, which may find a
/// mention that is no reference: that only renders a page too many.
fn templates(old: &Theme, new: &Theme, d: &mut BTreeSet<Dep>) {
    let (old_tpl, new_tpl) = (&old.templates, &new.templates);
    let mut changed: BTreeSet<&str> = (old_tpl.keys().chain(new_tpl.keys()))
        .filter(|n| old_tpl.get(*n).map(|t| &t.text) != new_tpl.get(*n).map(|t| &t.text))
        .map(String::as_str)
        .collect();
    loop {
        let more: Vec<&str> = (new_tpl.iter())
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
}

/// Files copied as they are, by their stamps, and by where they come from: a
/// file that moved between the theme and the site may keep its stamp.
fn static_files(
    old: &Site,
    new: &Site,
    old_stamps: &Stamps,
    new_stamps: &Stamps,
    d: &mut BTreeSet<Dep>,
) {
    for rel in old_stamps.keys().chain(new_stamps.keys()) {
        let moved = origin(old, rel) != origin(new, rel);
        if old_stamps.get(rel) != new_stamps.get(rel) || moved {
            d.insert(Dep::Static(rel.clone()));
        }
    }
}

/// Where a static file comes from: a file on disk, or tumen itself (`None`).
fn origin<'a>(s: &'a Site, rel: &str) -> Option<Option<&'a Path>> {
    (s.static_files.get(rel)).map(|f| match f {
        StaticFile::Disk(p) => Some(p.as_path()),
        StaticFile::Embedded(_) => None,
    })
}

/// What is in one of two sets and not in the other.
fn either(a: BTreeSet<String>, b: BTreeSet<String>) -> impl Iterator<Item = String> {
    a.symmetric_difference(&b)
        .cloned()
        .collect::<Vec<_>>()
        .into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(deps: &[Dep]) -> BTreeSet<Dep> {
        deps.iter().cloned().collect()
    }

    #[test]
    fn the_reverse_index_follows_every_record() {
        let brief = |f: &str| Dep::Brief(SourceFile(PathBuf::from(f)));
        let mut g = DepGraph::default();
        g.insert("a.html".into(), set(&[Dep::Config, brief("a.md")]));
        g.insert("list.html".into(), set(&[Dep::Config, Dep::Cards]));
        let affected = |g: &DepGraph, d: &[Dep]| {
            let mut v: Vec<String> = g.affected(&set(d)).into_iter().map(String::from).collect();
            v.sort();
            v
        };
        assert_eq!(affected(&g, &[brief("a.md")]), ["a.html"]);
        assert_eq!(affected(&g, &[Dep::Config]), ["a.html", "list.html"]);
        assert!(affected(&g, &[brief("b.md")]).is_empty());
        // A new record replaces the old one in both directions.
        g.insert("a.html".into(), set(&[brief("b.md")]));
        assert!(affected(&g, &[brief("a.md")]).is_empty());
        assert_eq!(affected(&g, &[brief("b.md")]), ["a.html"]);
        assert_eq!(affected(&g, &[Dep::Config]), ["list.html"]);
        g.remove("a.html");
        assert!(affected(&g, &[brief("b.md")]).is_empty());
        assert!(!g.contains("a.html") && g.contains("list.html"));
        assert_eq!(g.len(), 1);
    }

    // `diff`: sites made by hand, as small as each case needs. A brief's topics,
    // the datasets it reads and the sources it cites are what lists are made of.

    use crate::load::history::RepoState;
    use crate::load::theme::TemplateSource;
    use crate::load::{BriefSource, Dataset, SiteConfig};
    use crate::model::Topic;

    const TITLE: &str = "title: Briefings\n";

    /// A brief of `file`, with front matter lines `front`, reading `reads`.
    fn brief(file: &str, front: &str, body: &str, reads: &[&str]) -> Arc<Brief> {
        let text = format!("---\ntitle: \"T\"\ndate: 2024-01-01\n{front}\n---\n\n{body}\n");
        let src = Arc::new(BriefSource::load(Path::new(file), text).unwrap());
        let stem = src.stem.clone();
        Arc::new(Brief {
            topics: (src.front.topics.iter())
                .map(|t| (t.clone(), t.to_lowercase()))
                .collect(),
            body: Arc::new(crate::model::Body::new(src.clone(), Vec::new())),
            src,
            path: format!("briefs/{stem}/"),
            slug: stem,
            links: Arc::default(),
            datasets: Arc::new(reads.iter().map(|r| r.to_string()).collect()),
            charts: Arc::default(),
            warnings: Vec::new(),
            updated: None,
            history: Vec::new(),
            uncommitted: false,
            new: false,
        })
    }

    fn site(config: &str, briefs: Vec<Arc<Brief>>) -> Site {
        let mut topics: BTreeMap<String, Topic> = BTreeMap::new();
        for (i, b) in briefs.iter().enumerate() {
            for (name, slug) in &b.topics {
                let t = topics.entry(slug.clone()).or_insert_with(|| Topic {
                    name: name.clone(),
                    slug: slug.clone(),
                    briefs: Vec::new(),
                });
                t.briefs.push(i);
            }
        }
        Site {
            root: PathBuf::from("site"),
            repo: RepoState::None,
            config: SiteConfig::load(Path::new("site.yaml"), config).unwrap(),
            base_path: "/".into(),
            briefs,
            datasets: BTreeMap::new(),
            topics: Arc::new(topics.into_values().collect()),
            sources: Arc::default(),
            used_by: Arc::default(),
            key_figures: Vec::new(),
            dataset_charts: BTreeMap::new(),
            static_files: BTreeMap::new(),
            theme: Theme::default(),
            drafts_skipped: 0,
            missing_links: Vec::new(),
            changes: Default::default(),
            digests: Vec::new(),
        }
    }

    fn changes(old: &Site, new: &Site) -> BTreeSet<Dep> {
        diff(old, new, &Stamps::new(), &Stamps::new())
    }

    fn file(f: &str) -> Dep {
        Dep::Brief(Path::new(f).into())
    }

    fn two_briefs(a_body: &str) -> Site {
        let a = brief(
            "a.md",
            "topics: [trade, debt]\nsources: [memo]",
            a_body,
            &["trade"],
        );
        site(TITLE, vec![a, brief("b.md", "topics: [trade]", "B.", &[])])
    }

    #[test]
    fn the_same_site_again_changes_nothing() {
        // Read and resolved again: other values, the same content.
        assert!(changes(&two_briefs("A."), &two_briefs("A.")).is_empty());
    }

    #[test]
    fn another_text_of_the_settings_changes_everything() {
        let old = two_briefs("A.");
        let mut new = two_briefs("An edit.");
        new.config = SiteConfig::load(Path::new("site.yaml"), "title: Briefings # c\n").unwrap();
        assert_eq!(changes(&old, &new), set(&[Dep::Config]));
    }

    #[test]
    fn a_body_edited_changes_its_brief_and_what_lists_every_brief() {
        let (old, new) = (two_briefs("A."), two_briefs("A, edited."));
        assert_eq!(changes(&old, &new), set(&[file("a.md"), Dep::BriefList]));
    }

    #[test]
    fn a_brief_edited_in_place_changes_the_lists_it_joined_or_left() {
        let old = two_briefs("A.");
        let a = brief(
            "a.md",
            "topics: [trade, ports]\nsources: [memo, iss]",
            "A.",
            &["trade", "aid"],
        );
        let new = site(TITLE, vec![a, old.briefs[1].clone()]);
        let want = [
            file("a.md"),
            Dep::BriefList,
            Dep::Topic("debt".into()),
            Dep::Topic("ports".into()),
            Dep::Topics,
            Dep::UsedBy("aid".into()),
            Dep::CitedBy("iss".into()),
        ];
        assert_eq!(changes(&old, &new), set(&want));
    }

    #[test]
    fn a_brief_added_or_removed_changes_the_lists_it_is_in() {
        let old = two_briefs("A.");
        let mut briefs = old.briefs.clone();
        briefs.insert(
            1,
            brief("ab.md", "topics: [debt]\nsources: [iss]", "", &["aid"]),
        );
        let new = site(TITLE, briefs);
        let want = [
            file("ab.md"),
            Dep::BriefList,
            Dep::Topic("debt".into()),
            Dep::Topics,
            Dep::UsedBy("aid".into()),
            Dep::CitedBy("iss".into()),
        ];
        assert_eq!(changes(&old, &new), set(&want));
        assert_eq!(changes(&new, &old), set(&want));
    }

    #[test]
    fn a_topic_renamed_changes_the_topic_and_the_list_of_topics() {
        let old = site(TITLE, vec![brief("a.md", "topics: [Trade]", "", &[])]);
        let new = site(TITLE, vec![brief("a.md", "topics: [TRADE]", "", &[])]);
        let want = [
            file("a.md"),
            Dep::BriefList,
            Dep::Topic("trade".into()),
            Dep::Topics,
        ];
        assert_eq!(changes(&old, &new), set(&want));
    }

    #[test]
    fn datasets_change_by_the_text_of_their_files() {
        let dataset = |name: &str, year: u32| {
            let text = format!(
                "title: T\ncolumns:\n  - {{name: year, type: year}}\nrows:\n  - {{year: {year}}}\n"
            );
            let d = Dataset::load(Path::new(&format!("data/{name}.yaml")), text).unwrap();
            (name.to_string(), d)
        };
        let mut old = two_briefs("A.");
        old.datasets = [dataset("trade", 1988), dataset("aid", 1990)].into();
        let mut new = two_briefs("A.");
        new.datasets = [
            dataset("trade", 1989),
            dataset("aid", 1990),
            dataset("new", 1),
        ]
        .into();
        let want = [
            Dep::Dataset("trade".into()),
            Dep::Dataset("new".into()),
            Dep::AllData,
        ];
        assert_eq!(changes(&old, &new), set(&want));
    }

    #[test]
    fn a_template_changes_the_templates_that_extend_include_or_import_it() {
        let theme = |base: &str| {
            let t = |text: &str| TemplateSource {
                text: text.into(),
                origin: String::new(),
            };
            Theme {
                templates: [
                    ("base.html".into(), t(base)),
                    ("brief.html".into(), t("{% extends \"base.html\" %}")),
                    ("page.html".into(), t("{% include 'brief.html' %}")),
                    ("other.html".into(), t("base.html, not quoted")),
                ]
                .into(),
                ..Theme::default()
            }
        };
        let (mut old, mut new) = (two_briefs("A."), two_briefs("A."));
        (old.theme, new.theme) = (theme("B"), theme("B, edited"));
        let want = ["base.html", "brief.html", "page.html"].map(|t| Dep::Template(t.into()));
        assert_eq!(changes(&old, &new), set(&want));
    }

    #[test]
    fn static_files_change_by_their_stamps_and_where_they_come_from() {
        let time = SystemTime::UNIX_EPOCH;
        let stamps = |a: u64| -> Stamps {
            [
                ("a.css".into(), Some((a, time))),
                ("b.css".into(), Some((1, time))),
            ]
            .into()
        };
        let (mut old, mut new) = (two_briefs("A."), two_briefs("A."));
        let disk = |p: &str| StaticFile::Disk(PathBuf::from(p));
        old.static_files = [
            ("a.css".into(), disk("static/a.css")),
            ("b.css".into(), disk("themes/t/static/b.css")),
        ]
        .into();
        new.static_files = [
            ("a.css".into(), disk("static/a.css")),
            ("b.css".into(), disk("static/b.css")),
        ]
        .into();
        let got = diff(&old, &new, &stamps(1), &stamps(2));
        assert_eq!(
            got,
            set(&[Dep::Static("a.css".into()), Dep::Static("b.css".into())])
        );
        let got = diff(&old, &old, &stamps(1), &stamps(1));
        assert!(got.is_empty());
    }
}
