//! What each commit changed ([`model::changes`](crate::model::changes)): for
//! each brief, its body before and after each commit of its history with the
//! values of that time put in, and the numbers it shows that changed; for each
//! dataset, the rows each commit added, removed and changed.
//!
//! A version is named by blob ids: the brief's file and each dataset it reads
//! (with its rows file) as the commit found and left them. Old datasets are
//! loaded, and old bodies resolved, once per such name ([`ChangesCache`]), which
//! never goes stale, as a blob id names its content; the blobs are read in one
//! pass ([`Blobs`]). The live preview keeps the cache, and with the same history
//! a log is reused whole, so a rebuild without a commit does no work here.
//!
//! Each commit is compared with the state just before it (what the commit
//! itself changed). The versions of the files a commit did not touch are those
//! the log's last earlier commit left: exact for a linear history; across merged
//! branches, the nearest commit by date.
//!
//! Old versions are resolved leniently: a value that no longer resolves shows
//! as "[value unavailable]" rather than failing today's build.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::bodies::{escape_markdown, replace_calls};
use super::values::{Lookup, lookup_from_args, lookup_in, parse_filter, select_rows};
use crate::load::Dataset;
use crate::load::blobs::{Blob, Blobs};
use crate::load::brief::split_front_matter;
use crate::load::config::KeyFigure;
use crate::load::dataset::Cell;
use crate::load::history::{History, RepoState, Revision, Version, blob_in};
use crate::markdown::scan::scan_markdown;
use crate::markdown::text::{Block, blocks};
use crate::model::Site;
use crate::model::changes::{
    BriefChange, BriefLog, ChangeKind, Changes, DatasetLog, DatasetRevision, FigureChange, Prose,
    RowChange, RowText, RowsDiff,
};
use crate::model::chart::ChartSpec;

/// A dataset's version: its YAML file, the YAML's blob and its rows file's.
/// (The file as text: hashed and compared as bytes, not path components.)
type DataKey = (Arc<str>, Id, Option<Id>);

/// A blob's id, shared.
type Id = crate::load::history::Blob;

/// A brief's version: its file's blob, and each dataset it reads by name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct BodyKey {
    blob: Id,
    data: Vec<(Arc<str>, Option<DataKey>)>,
}

/// A brief's file as a commit left it, parsed: what all its versions (with the
/// datasets of their time) share.
#[derive(Debug)]
struct Parsed {
    /// Its `{{ … }}` calls: where each is, and the lookup of each `value(…)`.
    calls: Vec<(usize, usize, Option<Arc<Lookup>>)>,
    prose: Prosed,
    charts: Vec<ChartSpec>,
}

/// How a brief file's versions are made prose.
#[derive(Debug)]
enum Prosed {
    /// Its head and body as a reader reads them, each call's place marked
    /// ([`marked`]): a version's prose is these with its values put in, the
    /// Markdown read once per file rather than once per version.
    Marked(Vec<Block>),
    /// Where the file holds the marks' own characters: its head (the title and
    /// summary, as paragraphs of Markdown) and body, each version read whole.
    Whole { head: String, body: String },
}

/// The lookups of one run, by dataset and call (their addresses: both live
/// through the run): a call is looked up once in each version of its dataset,
/// though the commits before and after it and their figures all ask.
#[derive(Default)]
struct Memo(std::sync::Mutex<HashMap<(usize, usize), Found>>);

/// A cell's text and its row, when the lookup found one.
type Found = Option<(String, usize)>;

impl Memo {
    /// The text of the cell `l` asks for in `d`, and its row.
    fn find(&self, d: &Arc<Dataset>, l: &Lookup) -> Option<(String, usize)> {
        let key = (Arc::as_ptr(d) as usize, l as *const Lookup as usize);
        if let Ok(m) = self.0.lock()
            && let Some(v) = m.get(&key)
        {
            return v.clone();
        }
        let v = lookup_in(d, l).ok().map(|f| (f.text, f.row));
        if let Ok(mut m) = self.0.lock() {
            m.insert(key, v.clone());
        }
        v
    }
}

/// An old body: its file parsed, and the datasets of its time. Its text is made
/// only where a diff shows it ([`OldBody::text`]).
struct OldBody<'m> {
    parsed: Arc<Parsed>,
    data: BTreeMap<Arc<str>, Arc<Dataset>>,
    memo: &'m Memo,
}

impl OldBody<'_> {
    /// What call `c` stood for.
    fn value(&self, c: &(usize, usize, Option<Arc<Lookup>>)) -> Option<String> {
        let l = c.2.as_ref()?;
        Some(self.memo.find(self.data.get(l.data.as_str())?, l)?.0)
    }

    /// The prose as a reader reads it, with its values put in.
    fn prose(&self) -> Prose {
        let marked = match &self.parsed.prose {
            Prosed::Marked(m) => m,
            Prosed::Whole { head, body } => return blocks(&self.text(head, body)).into(),
        };
        let calls = &self.parsed.calls;
        (marked.iter())
            .filter_map(|b| match b.text.contains(MARK.0) {
                false => Some(b.clone()),
                true => unmark(b, |i| {
                    let v = calls.get(i).and_then(|c| self.value(c));
                    v.unwrap_or_else(|| UNAVAILABLE.to_string())
                }),
            })
            .collect()
    }

    /// The head and body with the values put in.
    fn text(&self, head: &str, body: &str) -> String {
        let mut out = String::with_capacity(head.len() + body.len());
        out.push_str(head);
        let mut last = 0;
        for c in &self.parsed.calls {
            out.push_str(&body[last..c.0]);
            out.push_str(&escape_markdown(
                self.value(c).as_deref().unwrap_or(UNAVAILABLE),
            ));
            last = c.0 + c.1;
        }
        out.push_str(&body[last..]);
        out
    }

    /// Whether two versions read the same: the same file, and the same values
    /// from the datasets that differ.
    fn same_text(&self, o: &OldBody) -> bool {
        Arc::ptr_eq(&self.parsed, &o.parsed)
            && (self.parsed.calls.iter()).all(|c| {
                let name = c.2.as_ref().map(|l| l.data.as_str()).unwrap_or("");
                let same = match (self.data.get(name), o.data.get(name)) {
                    (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                    (a, b) => a.is_none() && b.is_none(),
                };
                same || self.value(c) == o.value(c)
            })
    }
}

type Loaded<T> = Arc<Result<T, String>>;

/// The datasets of a version, by name.
type DataMap = BTreeMap<Arc<str>, Arc<Dataset>>;

/// A commit of a brief's history with its versions before and after.
type Step = (Revision, Option<BodyKey>, Option<BodyKey>);
/// A commit of a dataset's history with its versions before and after.
type DataStep = (Revision, Option<DataKey>, Option<DataKey>);

/// A brief's log and what it was made from: its files, the versions of its
/// commits and the key figures.
#[derive(Debug)]
struct KeptLog {
    files: Vec<PathBuf>,
    steps: Vec<Step>,
    kfs: Vec<KeyFigure>,
    log: Arc<BriefLog>,
}

/// A dataset's log and what it was made from.
#[derive(Debug)]
struct KeptDataLog {
    file: Arc<str>,
    rows: Option<PathBuf>,
    steps: Vec<DataStep>,
    log: Arc<DatasetLog>,
}

/// What the changes were made from, kept between resolves (the live preview).
#[derive(Debug, Default)]
pub struct ChangesCache {
    datasets: HashMap<DataKey, Loaded<Arc<Dataset>>>,
    /// Brief files by blob id (the same text parses the same, whatever its name).
    parsed: HashMap<Id, Loaded<Arc<Parsed>>>,
    /// Every lookup of those files, once ([`intern`]).
    lookups: HashMap<Lookup, Arc<Lookup>>,
    /// The history the logs below were made from.
    history: Option<Arc<History>>,
    /// Each brief's log, by file, with what it was made from.
    briefs: HashMap<PathBuf, KeptLog>,
    /// Each dataset's log, by name, with its files and the versions it was made
    /// from.
    datasets_logs: HashMap<String, KeptDataLog>,
}

/// The changes of `site` from its `history`, old versions read with `blobs`.
pub(super) fn changes(
    site: &Site,
    history: &Arc<History>,
    blobs: &Blobs,
    cache: &mut ChangesCache,
) -> Changes {
    if history.state == RepoState::None {
        return Changes {
            briefs: vec![Arc::default(); site.briefs.len()],
            datasets: BTreeMap::new(),
        };
    }
    let mut clock = crate::util::trace::Clock::new("changes");
    // The same log (git status may have been read again since: an edit).
    let same = (cache.history.as_ref()).is_some_and(|h| {
        Arc::ptr_eq(h, history) || (h.log_key, &h.top) == (history.log_key, &history.top)
    });
    let kept = kept_logs(site, same, cache);
    let files: BTreeMap<&str, DataFiles> = (site.datasets.iter())
        .map(|(n, d)| (n.as_str(), DataFiles::of(history, d)))
        .collect();
    let brief_steps: Vec<Vec<Step>> = (site.briefs.par_iter().zip(&kept))
        .map(|(b, (_, kept))| match kept {
            Some(_) => Vec::new(),
            // Its history is the commits of its files (see `make_brief`).
            None => brief_steps(history, b, &files),
        })
        .collect();
    // A dataset's log is kept as it is for the same log and files.
    let data_steps: BTreeMap<&str, (&DataFiles, Option<Vec<DataStep>>)> = (files.iter())
        .filter(|(n, _)| **n != "sources")
        .map(|(n, d)| {
            let kept = (cache.datasets_logs.get(*n))
                .is_some_and(|k| same && k.file == d.file && k.rows == d.rows);
            (*n, (d, (!kept).then(|| data_steps(history, d))))
        })
        .collect();
    clock.mark("versions");
    fill(cache, blobs, &brief_steps, &data_steps, &mut clock);
    let roots = &history.shallow_roots;
    let memo = Memo::default();
    let made: Vec<(Arc<BriefLog>, bool)> = (site.briefs.par_iter().zip(&brief_steps).zip(&kept))
        .map(|((b, steps), (_, kept))| match kept {
            Some(log) => (log.clone(), false),
            None => brief_log((cache, &memo), site, roots, &b.src.file, steps),
        })
        .collect();
    let mut briefs = Vec::with_capacity(made.len());
    for (((b, steps), (files, _)), (log, new)) in
        (site.briefs.iter().zip(brief_steps).zip(kept)).zip(made)
    {
        if new {
            let kept = KeptLog {
                files,
                steps,
                kfs: site.config.key_figures.clone(),
                log: log.clone(),
            };
            cache.briefs.insert(b.src.file.clone(), kept);
        }
        briefs.push(log);
    }
    let datasets = (data_steps.into_iter())
        .filter_map(|(name, (d, steps))| {
            let log = match steps {
                Some(steps) => dataset_log(cache, roots, d, steps),
                None => cache.datasets_logs.get(name)?.log.clone(),
            };
            Some((name.to_string(), log))
        })
        .collect();
    cache.history = Some(history.clone());
    clock.mark("logs");
    Changes { briefs, datasets }
}

/// Each brief's files, and its last log when it can be kept as it is: made from
/// the same history, for the same files and key figures.
fn kept_logs(
    site: &Site,
    same: bool,
    cache: &ChangesCache,
) -> Vec<(Vec<PathBuf>, Option<Arc<BriefLog>>)> {
    (site.briefs.iter())
        .map(|b| {
            let files = brief_files(b, &site.datasets);
            let kept = (cache.briefs.get(&b.src.file))
                .filter(|k| same && k.files == files && k.kfs == site.config.key_figures)
                .map(|k| k.log.clone());
            (files, kept)
        })
        .collect()
}

/// A brief's file and those of the datasets it reads (with their rows files).
fn brief_files(b: &crate::model::Brief, datasets: &BTreeMap<String, Dataset>) -> Vec<PathBuf> {
    let mut files = vec![b.src.file.clone()];
    for d in b.datasets.iter().filter_map(|n| datasets.get(n)) {
        files.push(d.file.clone());
        files.extend(d.rows_from.as_ref().map(|(p, _)| p.clone()));
    }
    files
}

/// A dataset's name and files, shared by the keys of all its versions, with
/// what the commits did to them.
struct DataFiles<'h> {
    name: Arc<str>,
    file: Arc<str>,
    rows: Option<PathBuf>,
    versions: &'h [Version],
    rows_versions: &'h [Version],
}

impl<'h> DataFiles<'h> {
    fn of(h: &'h History, d: &Dataset) -> DataFiles<'h> {
        let rows = d.rows_from.as_ref().map(|(p, _)| p.clone());
        DataFiles {
            name: d.name.as_str().into(),
            file: d.file.to_string_lossy().into(),
            versions: h.versions_of(&d.file),
            rows_versions: rows.as_deref().map_or(&[], |p| h.versions_of(p)),
            rows,
        }
    }

    fn key(&self, seq: usize, before: bool) -> Option<DataKey> {
        let yaml = blob_in(self.versions, seq, before)?.clone();
        let rows = blob_in(self.rows_versions, seq, before).cloned();
        Some((self.file.clone(), yaml, rows))
    }
}

/// Brief `b`'s steps: each commit of its history with its versions before and
/// after.
fn brief_steps(
    h: &History,
    b: &crate::model::Brief,
    data: &BTreeMap<&str, DataFiles>,
) -> Vec<Step> {
    let versions = h.versions_of(&b.src.file);
    let reads: Vec<&DataFiles> = b
        .datasets
        .iter()
        .filter_map(|n| data.get(n.as_str()))
        .collect();
    let key = |seq: usize, before: bool| {
        Some(BodyKey {
            blob: blob_in(versions, seq, before)?.clone(),
            data: (reads.iter())
                .map(|d| (d.name.clone(), d.key(seq, before)))
                .collect(),
        })
    };
    (b.history.iter())
        .map(|r| (r.clone(), key(r.seq, true), key(r.seq, false)))
        .collect()
}

fn data_steps(h: &History, d: &DataFiles) -> Vec<DataStep> {
    let mut files = vec![Path::new(&*d.file)];
    files.extend(d.rows.as_deref());
    (h.of(&files).into_iter())
        .map(|r| {
            let (before, after) = (d.key(r.seq, true), d.key(r.seq, false));
            (r, before, after)
        })
        .collect()
}

/// Load every old dataset and resolve every old body the steps name that the
/// cache does not hold, reading their blobs in one pass.
fn fill(
    cache: &mut ChangesCache,
    blobs: &Blobs,
    briefs: &[Vec<Step>],
    datasets: &BTreeMap<&str, (&DataFiles, Option<Vec<DataStep>>)>,
    clock: &mut crate::util::trace::Clock,
) {
    // Brief files by blob, datasets by their blobs: each version once.
    let mut files: HashSet<&str> = HashSet::new();
    let mut data: HashMap<(&str, Option<&str>), &DataKey> = HashMap::new();
    let keys = (briefs.iter().flatten())
        .flat_map(|(_, a, b)| [a, b])
        .flatten();
    for k in keys {
        files.insert(&k.blob);
        for d in k.data.iter().filter_map(|(_, d)| d.as_ref()) {
            data.entry((&d.1, d.2.as_deref())).or_insert(d);
        }
    }
    for d in (datasets.values().filter_map(|(_, s)| s.as_ref()).flatten())
        .flat_map(|(_, a, b)| [a, b])
        .flatten()
    {
        data.entry((&d.1, d.2.as_deref())).or_insert(d);
    }
    files.retain(|blob| !cache.parsed.contains_key(*blob));
    let data: Vec<&DataKey> = (data.into_values())
        .filter(|k| !cache.datasets.contains_key(*k))
        .collect();
    if files.is_empty() && data.is_empty() {
        return;
    }
    let ids = (files.iter().map(|k| Some(*k)))
        .chain(data.iter().flat_map(|(_, y, r)| [Some(&**y), r.as_deref()]))
        .flatten();
    clock.mark("versions to read");
    let read = blobs.read(ids);
    clock.mark(format_args!("{} blobs read", read.len()));
    let loaded: Vec<_> = (data.into_par_iter())
        .map(|k| (k.clone(), Arc::new(load_dataset(k, &read))))
        .collect();
    cache.datasets.extend(loaded);
    clock.mark("old datasets loaded");
    let parsed: Vec<_> = (files.into_par_iter())
        .map(|k| (k, parse_brief(k, &read)))
        .collect();
    for (k, mut p) in parsed {
        if let Ok(p) = &mut p {
            intern(&mut cache.lookups, p);
        }
        cache.parsed.insert(Id::from(k), Arc::new(p.map(Arc::new)));
    }
    clock.mark("old briefs parsed");
}

/// The lookups of `p` made the same `Arc`s as those of every file parsed before
/// that ask for the same cell: the versions of a brief, and briefs quoting the
/// same figure, then share their lookups' results in [`Memo`].
fn intern(lookups: &mut HashMap<Lookup, Arc<Lookup>>, p: &mut Parsed) {
    for l in p.calls.iter_mut().filter_map(|c| c.2.as_mut()) {
        *l = lookups
            .entry(Lookup::clone(l))
            .or_insert_with(|| l.clone())
            .clone();
    }
}

/// A blob as text, or why it cannot be read.
fn text(read: &HashMap<String, Blob>, id: &str) -> Result<String, String> {
    let blob = read
        .get(id)
        .ok_or("this version is no longer in the repository")?;
    String::from_utf8(blob.to_vec()).map_err(|_| "this version is not UTF-8".to_string())
}

/// The first line of an error, as a note on the page says it.
fn first_error(e: &crate::util::diag::Diagnostics) -> String {
    e.0.first()
        .map_or_else(|| "it did not load".into(), |d| d.message.clone())
}

fn load_dataset(k: &DataKey, read: &HashMap<String, Blob>) -> Result<Arc<Dataset>, String> {
    let (file, yaml, rows) = k;
    let text = text(read, yaml)?;
    let rows = rows.as_ref().and_then(|id| read.get(&**id)).cloned();
    let from_file = |_: &Path| match &rows {
        Some(b) => Ok(b.to_vec()),
        None => Err(std::io::Error::other("not in this commit")),
    };
    let d =
        Dataset::load_reading(Path::new(&**file), text, &from_file).map_err(|e| first_error(&e))?;
    Ok(Arc::new(d))
}

/// The datasets of a version that loaded, by name.
fn data_map(
    k: &BodyKey,
    loaded: &HashMap<DataKey, Loaded<Arc<Dataset>>>,
) -> BTreeMap<Arc<str>, Arc<Dataset>> {
    (k.data.iter())
        .filter_map(|(name, key)| {
            let d = loaded.get(key.as_ref()?)?;
            Some((name.clone(), d.as_ref().as_ref().ok()?.clone()))
        })
        .collect()
}

const UNAVAILABLE: &str = "[value unavailable]";

/// What an old brief's front matter gives its changes: the title and summary
/// (the rest was checked when it was the brief, and is not shown).
#[derive(serde::Deserialize)]
struct Head {
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
}

/// A brief's file as a commit left it, parsed, its calls found.
fn parse_brief(blob: &str, read: &HashMap<String, Blob>) -> Result<Parsed, String> {
    let text = text(read, blob)?;
    let (yaml, _, body_start) =
        split_front_matter(&text).ok_or("this version has no front matter")?;
    let head: Head = match yaml.trim() {
        "" => Head {
            title: String::new(),
            summary: String::new(),
        },
        yaml => yaml_serde::from_str(yaml).map_err(|e| format!("its front matter: {e}"))?,
    };
    let body = &text[body_start..];
    let scan = scan_markdown(body);
    let mut calls = Vec::new();
    replace_calls(body, &scan, |start, call| {
        let sc = call.ok()?;
        let l = (sc.name == "value")
            .then(|| lookup_from_args(&sc.args).ok())
            .flatten();
        calls.push((start, sc.len, l.map(Arc::new)));
        None
    });
    let charts = (scan.charts.iter())
        .filter_map(|c| yaml_serde::from_str::<ChartSpec>(&c.yaml).ok())
        .collect();
    let mut head_text = escape_markdown(head.title.trim());
    if !head.summary.trim().is_empty() {
        head_text = format!("{head_text}\n\n{}", escape_markdown(head.summary.trim()));
    }
    let head = head_text + "\n\n";
    let prose = match marked(&head, body, &calls) {
        Some(m) => Prosed::Marked(blocks(&m)),
        None => Prosed::Whole {
            head,
            body: body.to_string(),
        },
    };
    Ok(Parsed {
        calls,
        charts,
        prose,
    })
}

/// What marks a call's place in [`Prosed::Marked`]: its number between these.
/// (Characters of Unicode's private use area: no brief's prose has them, and
/// one that does is read version by version instead.)
const MARK: (char, char) = ('\u{E000}', '\u{E001}');

/// The head and body with each call's place marked, for the Markdown to be read
/// once; `None` where the text already holds a mark's character.
fn marked(head: &str, body: &str, calls: &[(usize, usize, Option<Arc<Lookup>>)]) -> Option<String> {
    if head.contains([MARK.0, MARK.1]) || body.contains([MARK.0, MARK.1]) {
        return None;
    }
    let mut out = String::with_capacity(head.len() + body.len());
    out.push_str(head);
    let mut last = 0;
    for (i, c) in calls.iter().enumerate() {
        out.push_str(&body[last..c.0]);
        out.push(MARK.0);
        out.push_str(&i.to_string());
        out.push(MARK.1);
        last = c.0 + c.1;
    }
    out.push_str(&body[last..]);
    Some(out)
}

/// A marked block with each mark's value put in (`value(i)` for call `i`), its
/// spaces then folded as [`blocks`] folds them; `None` if nothing is left of it.
fn unmark(block: &Block, value: impl Fn(usize) -> String) -> Option<Block> {
    let mut out = String::with_capacity(block.text.len() + 16);
    let mut rest = &*block.text;
    while let Some(at) = rest.find(MARK.0) {
        out.push_str(&rest[..at]);
        let after = &rest[at + MARK.0.len_utf8()..];
        let Some(end) = after.find(MARK.1) else {
            out.push_str(&rest[at..]);
            rest = "";
            break;
        };
        out.push_str(&value(after[..end].parse().unwrap_or(usize::MAX)));
        rest = &after[end + MARK.1.len_utf8()..];
    }
    out.push_str(rest);
    let text = crate::markdown::text::fold_spaces(&out);
    (!text.is_empty()).then(|| Block {
        heading: block.heading,
        text: text.into(),
    })
}

/// An old body: its file parsed, with the datasets of its time.
fn old_body<'m>(cache: &ChangesCache, k: &BodyKey, memo: &'m Memo) -> Result<OldBody<'m>, String> {
    let parsed = match cache.parsed.get(&*k.blob) {
        Some(p) => p.as_ref().clone()?,
        None => return Err("this version is no longer in the repository".into()),
    };
    let data = data_map(k, &cache.datasets);
    Ok(OldBody { parsed, data, memo })
}

/// A brief's log: the last one when made from the same versions (`false`), else
/// made (`true`).
fn brief_log(
    (cache, memo): (&ChangesCache, &Memo),
    site: &Site,
    roots: &BTreeSet<String>,
    file: &Path,
    steps: &[Step],
) -> (Arc<BriefLog>, bool) {
    if let Some(k) = cache.briefs.get(file)
        && k.steps == steps
        && k.kfs == site.config.key_figures
    {
        return (k.log.clone(), false);
    }
    let log: BriefLog = (steps.iter())
        .map(|(rev, b, a)| brief_change((cache, memo), site, roots, rev, (b, a)))
        .collect();
    (Arc::new(log), true)
}

fn brief_change(
    (cache, memo): (&ChangesCache, &Memo),
    site: &Site,
    roots: &BTreeSet<String>,
    rev: &Revision,
    (before, after): (&Option<BodyKey>, &Option<BodyKey>),
) -> BriefChange {
    let body = |k: &Option<BodyKey>| k.as_ref().map(|k| old_body(cache, k, memo));
    let mut change = BriefChange {
        rev: rev.clone(),
        kind: ChangeKind::Changed,
        before: None,
        after: None,
        figures: Vec::new(),
    };
    let (b, a) = (body(before), body(after));
    let (b, a) = match (b.as_ref(), a.as_ref()) {
        (_, Some(Err(e))) | (Some(Err(e)), _) => {
            change.kind = ChangeKind::Unreadable(e.clone());
            return change;
        }
        (None, _) if roots.contains(&rev.hash) => {
            change.kind = ChangeKind::HistoryStarts;
            return change;
        }
        (None, _) => {
            change.kind = ChangeKind::Added;
            return change;
        }
        (Some(Ok(b)), None) => {
            change.before = Some(b.prose());
            return change;
        }
        (Some(Ok(b)), Some(Ok(a))) => (b, a),
    };
    if !b.same_text(a) {
        (change.before, change.after) = (Some(b.prose()), Some(a.prose()));
    }
    let shown: Vec<&str> = a.data.keys().map(|k| &**k).collect();
    change.figures = figures(b, a, &site.config.key_figures, &shown);
    change
}

/// The numbers a body shows (through `value(…)`, its charts, and the key
/// figures of the datasets it reads) that differ between two sets of datasets:
/// each cell once.
fn figures(b: &OldBody, a: &OldBody, kfs: &[KeyFigure], reads: &[&str]) -> Vec<FigureChange> {
    let (body, before, after) = (&a.parsed, &b.data, &a.data);
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let differs = |name: &str| match (before.get(name), after.get(name)) {
        (Some(a), Some(b)) => !Arc::ptr_eq(a, b),
        (a, b) => a.is_some() || b.is_some(),
    };
    let calls = body.calls.iter().filter_map(|c| c.2.as_ref());
    for l in calls.filter(|l| differs(&l.data)) {
        let memo = Some(a.memo);
        looked_up(
            l,
            None,
            "in the text",
            (before, after, memo),
            &mut seen,
            &mut out,
        );
    }
    for spec in body
        .charts
        .iter()
        .filter(|c| c.data.as_deref().is_some_and(differs))
    {
        charted(spec, before, after, &mut seen, &mut out);
    }
    for kf in kfs
        .iter()
        .filter(|k| reads.contains(&k.data.as_str()) && differs(&k.data))
    {
        let l = Lookup {
            data: kf.data.clone(),
            filter: kf.filter.clone(),
            column: kf.column.clone(),
            format: kf.format.clone(),
        };
        let shown = "as a key figure on the home page";
        looked_up(
            &l,
            Some(&kf.label),
            shown,
            (before, after, None),
            &mut seen,
            &mut out,
        );
    }
    out
}

/// A cell as (dataset, row key, column): what [`figures`] shows once.
type Seen = BTreeSet<(String, String, String)>;

/// The key of row `r`: its key columns' texts.
fn row_key(d: &Dataset, r: usize) -> String {
    (d.key_indexes().into_iter())
        .map(|c| d.rows[r][c].text())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A column's label (its `label:`, else its name) and unit (else the dataset's).
fn label_unit(d: &Dataset, column: &str) -> (String, Option<String>) {
    match d.column_index(column).map(|c| &d.columns[c]) {
        Some(c) => (
            c.label.clone().unwrap_or_else(|| c.name.replace('_', " ")),
            c.unit.clone().or_else(|| d.unit.clone()),
        ),
        None => (column.to_string(), d.unit.clone()),
    }
}

fn looked_up(
    l: &Lookup,
    label: Option<&str>,
    shown: &str,
    (before, after, memo): (&DataMap, &DataMap, Option<&Memo>),
    seen: &mut Seen,
    out: &mut Vec<FigureChange>,
) {
    let find = |m: &DataMap| {
        let d = m.get(l.data.as_str())?;
        let (text, row) = match memo {
            Some(memo) => memo.find(d, l)?,
            None => lookup_in(d, l).ok().map(|f| (f.text, f.row))?,
        };
        Some((text, row_key(d, row)))
    };
    let (b, a) = (find(before), find(after));
    if b.as_ref().map(|x| &x.0) == a.as_ref().map(|x| &x.0) {
        return;
    }
    let Some(d) = after
        .get(l.data.as_str())
        .or_else(|| before.get(l.data.as_str()))
    else {
        return;
    };
    let key = (a.as_ref().or(b.as_ref())).map_or_else(String::new, |x| x.1.clone());
    if !seen.insert((l.data.clone(), key.clone(), l.column.clone())) {
        return;
    }
    let (col, unit) = label_unit(d, &l.column);
    out.push(FigureChange {
        label: label.map_or_else(|| format!("{col} {key}").trim().to_string(), String::from),
        before: b.map(|x| x.0),
        after: a.map(|x| x.0),
        unit,
        dataset: d.name.clone(),
        dataset_title: d.title.clone(),
        row: l.filter.clone(),
        column: l.column.clone(),
        shown: shown.to_string(),
    });
}

/// The rows a chart draws from `d`, by key.
/// The rows a chart draws from `d`, each by its key in the columns `key` names
/// (the newer version's key, so that a commit that changed the dataset's `key:`
/// compares the same rows; `d`'s own where it lacks one of them).
fn chart_rows(spec: &ChartSpec, d: &Dataset, key: &[String]) -> Vec<(String, usize)> {
    let conds = parse_filter(spec.filter.as_deref().unwrap_or("")).unwrap_or_default();
    let rows = select_rows(d, &conds).unwrap_or_default();
    let named: Option<Vec<usize>> = key.iter().map(|k| d.column_index(k)).collect();
    let cols = named
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| d.key_indexes());
    let key_of = |r: usize| {
        (cols.iter())
            .map(|&c| d.rows[r][c].text())
            .collect::<Vec<_>>()
            .join(", ")
    };
    rows.into_iter().map(|r| (key_of(r), r)).collect()
}

/// A cell as a chart's reader sees it.
fn chart_value(spec: &ChartSpec, cell: &Cell) -> Option<String> {
    match (cell, cell.as_f64()) {
        (Cell::Null, _) => None,
        (Cell::Number(_) | Cell::Integer(_), Some(n)) => {
            let f = spec.format.as_deref().unwrap_or(",");
            Some(crate::util::format::format_number(n, f).unwrap_or_else(|_| cell.text()))
        }
        _ => Some(cell.text()),
    }
}

/// The values a chart draws that changed, each as a figure change.
fn charted(
    spec: &ChartSpec,
    before: &BTreeMap<Arc<str>, Arc<Dataset>>,
    after: &BTreeMap<Arc<str>, Arc<Dataset>>,
    seen: &mut Seen,
    out: &mut Vec<FigureChange>,
) {
    let Some(name) = spec.data.as_deref() else {
        return;
    };
    let (b, a) = (before.get(name), after.get(name));
    let Some(d) = a.or(b) else { return };
    let key: Vec<String> = (d.key_indexes().into_iter())
        .filter_map(|c| Some(d.columns.get(c)?.name.clone()))
        .collect();
    let rows =
        |x: Option<&Arc<Dataset>>| (x.map(|d| chart_rows(spec, d, &key))).unwrap_or_default();
    let (rb, ra) = (rows(b), rows(a));
    let old: HashMap<&str, usize> = rb.iter().map(|(k, r)| (k.as_str(), *r)).collect();
    let new: HashMap<&str, usize> = ra.iter().map(|(k, r)| (k.as_str(), *r)).collect();
    let keys = (ra.iter().map(|x| x.0.as_str())).chain(rb.iter().map(|x| x.0.as_str()));
    let shown = match &spec.title {
        Some(t) => format!("in the chart “{t}”"),
        None => "in a chart".to_string(),
    };
    for key in keys {
        for col in spec.y.to_vec() {
            let cell = |x: Option<&Arc<Dataset>>, rows: &HashMap<&str, usize>| {
                let d = x?;
                chart_value(spec, &d.rows[*rows.get(key)?][d.column_index(&col)?])
            };
            let (vb, va) = (cell(b, &old), cell(a, &new));
            if vb == va || !seen.insert((name.to_string(), key.to_string(), col.clone())) {
                continue;
            }
            let (label, unit) = label_unit(d, &col);
            out.push(FigureChange {
                label: format!("{label} {key}").trim().to_string(),
                before: vb,
                after: va,
                unit,
                dataset: d.name.clone(),
                dataset_title: d.title.clone(),
                row: key_filter(d, key),
                column: col,
                shown: shown.clone(),
            });
        }
    }
}

/// A row's key as `column=value,…`, as a `where` says it.
fn key_filter(d: &Dataset, key: &str) -> String {
    let names = d
        .key_indexes()
        .into_iter()
        .map(|c| d.columns[c].name.as_str());
    (names.zip(key.split(", ")))
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// A dataset's log: the last one when made from the same versions, else made.
fn dataset_log(
    cache: &mut ChangesCache,
    roots: &BTreeSet<String>,
    d: &DataFiles,
    steps: Vec<DataStep>,
) -> Arc<DatasetLog> {
    if let Some(k) = cache.datasets_logs.get(&*d.name)
        && k.steps == steps
    {
        return k.log.clone();
    }
    let ids = short_ids(&steps);
    let log: DatasetLog = (steps.iter().zip(ids))
        .map(|((rev, before, after), id)| {
            let get = |k: &Option<DataKey>| k.as_ref().and_then(|k| cache.datasets.get(k));
            let (b, a) = (get(before), get(after));
            let data = match a.map(|a| a.as_ref()) {
                Some(Ok(d)) => Ok(d.clone()),
                Some(Err(e)) => Err(e.clone()),
                None => Err("the commit removed the dataset".to_string()),
            };
            let (kind, rows) = match (b.map(|b| b.as_ref()), &data) {
                (_, Err(e)) => (ChangeKind::Unreadable(e.clone()), RowsDiff::default()),
                (Some(Ok(b)), Ok(a)) => (ChangeKind::Changed, rows_diff(b, a)),
                (Some(Err(e)), Ok(_)) => (ChangeKind::Unreadable(e.clone()), RowsDiff::default()),
                (None, Ok(a)) if roots.contains(&rev.hash) => {
                    (ChangeKind::HistoryStarts, counted(a))
                }
                (None, Ok(a)) => (ChangeKind::Added, counted(a)),
            };
            DatasetRevision {
                rev: rev.clone(),
                id,
                data,
                kind,
                rows,
            }
        })
        .collect();
    let log = Arc::new(log);
    let kept = KeptDataLog {
        file: d.file.clone(),
        rows: d.rows.clone(),
        steps,
        log: log.clone(),
    };
    cache.datasets_logs.insert(d.name.to_string(), kept);
    log
}

/// A version's rows counted, for a dataset the commit added.
fn counted(d: &Dataset) -> RowsDiff {
    RowsDiff {
        rows_after: d.rows.len(),
        ..RowsDiff::default()
    }
}

/// The names of each step's files: the commit's first seven hex digits, more
/// where an older commit of the same log took them (so a name, once given,
/// stays as later commits come).
fn short_ids(steps: &[DataStep]) -> Vec<String> {
    let mut taken = BTreeSet::new();
    let mut ids = vec![String::new(); steps.len()];
    for (i, (rev, _, _)) in steps.iter().enumerate().rev() {
        let mut n = 7.min(rev.hash.len());
        while !taken.insert(rev.hash[..n].to_string()) && n < rev.hash.len() {
            n += 1;
        }
        ids[i] = rev.hash[..n].to_string();
    }
    ids
}

/// Each row of `d` by its key and the key's occurrence (rows of one key are
/// matched in order).
fn keyed(d: &Dataset, key: &[usize]) -> Vec<(String, usize)> {
    let mut count: HashMap<String, usize> = HashMap::new();
    (0..d.rows.len())
        .map(|r| {
            let k = (key.iter().map(|&c| d.rows[r][c].text()))
                .collect::<Vec<_>>()
                .join(", ");
            let n = count.entry(k.clone()).or_default();
            *n += 1;
            (k, *n)
        })
        .collect()
}

/// A row as its non-empty cells.
fn row_text(d: &Dataset, r: usize, key: &str) -> RowText {
    let cells = (d.columns.iter().zip(&d.rows[r]))
        .filter(|(_, c)| **c != Cell::Null)
        .map(|(col, c)| (col.heading(), c.text()))
        .collect();
    RowText {
        key: key.to_string(),
        cells,
    }
}

/// The rows `after` added, removed and changed from `before`, matched by the
/// key columns of `after` (when `before` has them too), cell by cell over the
/// columns both have.
fn rows_diff(before: &Dataset, after: &Dataset) -> RowsDiff {
    let key_a = after.key_indexes();
    let names: Vec<String> = key_a
        .iter()
        .map(|&c| after.columns[c].name.clone())
        .collect();
    let key_b: Vec<usize> = names
        .iter()
        .filter_map(|n| before.column_index(n))
        .collect();
    let key_b = if key_b.len() == names.len() {
        key_b
    } else {
        before.key_indexes()
    };
    let (kb, ka) = (keyed(before, &key_b), keyed(after, &key_a));
    let old: HashMap<&(String, usize), usize> =
        kb.iter().enumerate().map(|(r, k)| (k, r)).collect();
    let new: HashSet<&(String, usize)> = ka.iter().collect();
    let shared: Vec<(usize, usize)> = (after.columns.iter().enumerate())
        .filter_map(|(c, col)| Some((before.column_index(&col.name)?, c)))
        .collect();
    let mut diff = RowsDiff {
        key: names,
        rows_after: after.rows.len(),
        ..RowsDiff::default()
    };
    for (r, k) in ka.iter().enumerate() {
        let Some(&o) = old.get(k) else {
            diff.added.push(row_text(after, r, &k.0));
            continue;
        };
        let cells: Vec<(String, String, String)> = (shared.iter())
            .filter(|&&(cb, ca)| before.rows[o][cb] != after.rows[r][ca])
            .map(|&(cb, ca)| {
                let h = after.columns[ca].heading();
                (h, before.rows[o][cb].text(), after.rows[r][ca].text())
            })
            .collect();
        if !cells.is_empty() {
            diff.changed.push(RowChange {
                key: k.0.clone(),
                cells,
            });
        }
    }
    diff.removed = (kb.iter().enumerate())
        .filter(|(_, k)| !new.contains(k))
        .map(|(r, k)| row_text(before, r, &k.0))
        .collect();
    let has = |d: &Dataset, n: &str| d.column_index(n).is_some();
    diff.columns_added = (after.columns.iter().filter(|c| !has(before, &c.name)))
        .map(|c| c.heading())
        .collect();
    diff.columns_removed = (before.columns.iter().filter(|c| !has(after, &c.name)))
        .map(|c| c.heading())
        .collect();
    diff
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_read_once_with_marks_is_each_versions_prose() {
        let head = "A *title*\n\n";
        let body =
            "## In {{ v(1) }}\n\nTrade was US${{ v(2) }} million, {{ v(3) }}.\n\n- {{ v(4) }}\n";
        let calls: Vec<(usize, usize, Option<Arc<Lookup>>)> = (body.match_indices("{{"))
            .map(|(at, _)| (at, body[at..].find("}}").unwrap() + 2, None))
            .collect();
        let marked_prose = blocks(&marked(head, body, &calls).unwrap());
        for values in [
            ["2012", "75.6", "about", "x"],
            ["<b>", "1,234  5", "*not*", "  "],
        ] {
            let got: Vec<Block> = (marked_prose.iter())
                .filter_map(|b| unmark(b, |i| values[i].to_string()))
                .collect();
            let mut text = head.to_string();
            let mut last = 0;
            for (c, v) in calls.iter().zip(values) {
                text.push_str(&body[last..c.0]);
                text.push_str(&escape_markdown(v));
                last = c.0 + c.1;
            }
            text.push_str(&body[last..]);
            assert_eq!(got, blocks(&text), "{values:?}");
        }
        assert_eq!(marked("", "a \u{E000} b", &[]), None);
    }

    fn dataset(extra: &str, rows: &str) -> Dataset {
        let text = format!(
            "title: T\nunit: US$ million\ncolumns:\n  - {{name: year, type: year}}\n  - {{name: reading, type: text}}\n  - {{name: value, type: number, label: Value}}\n{extra}rows:\n{rows}"
        );
        Dataset::load(Path::new("data/t.yaml"), text).unwrap()
    }

    const ROWS: &str = "  - {year: 2011, reading: primary, value: 110}\n  - {year: 2012, reading: primary, value: 110}\n  - {year: 2012, reading: alternative, value: 75.6}\n";

    #[test]
    fn rows_are_matched_by_key_and_compared_cell_by_cell() {
        let before = dataset("key: [year, reading]\n", ROWS);
        let rows = ROWS
            .replace("value: 75.6", "value: 76")
            .replace("  - {year: 2011, reading: primary, value: 110}\n", "")
            + "  - {year: 2013, reading: primary, value: 112}\n";
        let after = dataset("key: [year, reading]\n", &rows);
        let d = rows_diff(&before, &after);
        assert_eq!(d.key, ["year", "reading"]);
        let cells = vec![("Value".to_string(), "75.6".to_string(), "76".to_string())];
        let changed = RowChange {
            key: "2012, alternative".into(),
            cells,
        };
        assert_eq!(d.changed, [changed]);
        assert_eq!(d.removed.len(), 1);
        assert_eq!(d.removed[0].key, "2011, primary");
        assert_eq!(d.added[0].key, "2013, primary");
        assert_eq!(
            d.added[0].cells[2],
            ("Value".to_string(), "112".to_string())
        );
        assert_eq!(d.rows_after, 3);
    }

    #[test]
    fn without_a_key_rows_of_one_first_cell_are_matched_in_order() {
        let before = dataset("", ROWS);
        let after = dataset("", &ROWS.replace("value: 75.6", "value: 76"));
        let d = rows_diff(&before, &after);
        assert_eq!(d.key, ["year"]);
        assert!(d.added.is_empty() && d.removed.is_empty());
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].key, "2012");
        assert_eq!(d.changed[0].cells[0].1, "75.6");
    }

    #[test]
    fn short_ids_stay_as_they_were_given() {
        let rev = |hash: &str| Revision {
            seq: 0,
            date: crate::util::date::Date::parse("2024-01-01").unwrap(),
            hash: hash.into(),
            short: hash[..7].into(),
            subject: String::new(),
            author: String::new(),
            time: String::new(),
            correction: None,
        };
        // Newest first; the oldest keeps seven digits, a later twin takes more.
        let steps: Vec<DataStep> = ["abcdef12", "12345678", "abcdef13"]
            .iter()
            .map(|h| (rev(h), None, None))
            .collect();
        assert_eq!(short_ids(&steps), ["abcdef12", "1234567", "abcdef1"]);
    }
}
