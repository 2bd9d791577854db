//! Brief bodies, one at a time and in parallel: links to other briefs' and
//! datasets' files made site paths, `{{ value(…) }}` replaced by the cells they
//! ask for, chart blocks planned. Each body's result records what it read from
//! other files ([`Reads`]), so the live preview reuses it while those hold.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::ResolveOptions;
use super::cache::{BodyResult, ResolveCache};
use super::charts::{self, SpecSource};
use super::lists::Published;
use super::values::{Lookup, Shortcode, lookup, lookup_from_args, parse_shortcode};
use crate::load::history::History;
use crate::load::yaml::YamlDoc;
use crate::load::{BriefSource, Dataset, SiteSources};
use crate::markdown;
use crate::markdown::html::Rendered;
use crate::markdown::scan::{Events, Scan, scan_markdown, scan_parsed};
use crate::model::chart::ChartPlan;
use crate::model::{Body, Brief};
use crate::util::diag::{Diagnostic, Diagnostics, did_you_mean, line_col, suggest};
use crate::util::paths::{display_path, normalize, percent_decode};
use crate::util::slug::slugify;
use crate::util::terms::Terms;

/// A brief's body after resolving: values put in, links mapped, datasets noted.
#[derive(Debug, Clone)]
pub(super) struct ResolvedBody {
    pub(super) body: Arc<Body>,
    pub(super) links: Arc<BTreeMap<String, String>>,
    pub(super) datasets: Arc<BTreeSet<String>>,
    pub(super) charts: Arc<Vec<ChartPlan>>,
    /// The body's lints, pointing into its file ([`Lint::diagnostic`]).
    pub(super) lints: Arc<[Diagnostic]>,
    /// The digest of its Markdown, when the resolve makes them
    /// ([`ResolveOptions::digests`]).
    pub(super) digest: Option<Digest>,
}

/// A body's Markdown digest without its text, and the search terms of the text.
pub(super) type Digest = (Rendered, Terms);

/// What resolving a body read besides the body itself: a cached result stays good
/// while these read the same.
#[derive(Debug, Default)]
pub(super) struct Reads {
    /// Each brief linked to (its normalised file) and the slug its link became.
    pub(super) briefs: Vec<(PathBuf, String)>,
    /// Each dataset read or linked to, with its version (see [`ResolveCache`]).
    pub(super) datasets: Vec<(String, u64)>,
}

/// Briefs' files by normalised path, for relative links.
pub(super) type FileIndex = HashMap<PathBuf, usize>;

pub(super) struct Resolver<'a> {
    briefs: &'a [Arc<BriefSource>],
    /// Which briefs are published, at which slug, and where each file is.
    published: &'a Published,
    datasets: &'a BTreeMap<String, Dataset>,
    data_dir: PathBuf,
    cache: &'a ResolveCache,
    keep_broken_links: bool,
    /// Make each body's digest ([`ResolveOptions::digests`]).
    digests: bool,
    /// With `keep_broken_links` (`tumen check`): links to brief files that do not
    /// exist, reported with the rest when the resolve fails, else by the check of
    /// the rendered links (in the same words).
    pub(super) deferred: std::sync::Mutex<Vec<Diagnostic>>,
}

impl<'a> Resolver<'a> {
    pub(super) fn new(
        src: &'a SiteSources,
        published: &'a Published,
        cache: &'a ResolveCache,
        opts: &ResolveOptions,
    ) -> Resolver<'a> {
        Resolver {
            briefs: &src.briefs,
            published,
            datasets: &src.datasets,
            data_dir: data_dir(&src.root),
            cache,
            keep_broken_links: opts.keep_broken_links,
            digests: opts.digests,
            deferred: Default::default(),
        }
    }

    /// Whether brief `i` is left out as a draft.
    pub(super) fn is_draft(&self, i: usize) -> bool {
        self.published.drafts.contains(&i)
    }
}

impl Resolver<'_> {
    /// Brief `i`'s body, from the cache when neither it nor what it read changed.
    pub(super) fn cached_or_new(&self, i: usize) -> BodyResult {
        let b = &self.briefs[i];
        let _on = crate::util::panic::working_on(b.file.display());
        let scan = match self.cache.bodies.get(b.file.as_os_str()) {
            Some(c) if Arc::ptr_eq(&c.src, b) || c.src.same_body(b) => {
                if let Some((r, reads)) = &c.resolved
                    && self.still(reads)
                {
                    return BodyResult::Reused(r.clone());
                }
                Some(c.scan.clone())
            }
            _ => None,
        };
        // The whole text: read again where a build let it go at load.
        let full = match b.with_body() {
            Ok(full) => full,
            Err(e) => return BodyResult::Unread(e.into()),
        };
        let (scan, events) = match scan {
            Some(scan) => (scan, None),
            None if self.digests => {
                let (scan, events) = scan_parsed(full.body());
                (Arc::new(scan), Some(events))
            }
            None => (Arc::new(scan_markdown(full.body())), None),
        };
        let mut r = self.brief(i, &full, &scan);
        if let Ok((resolved, _)) = &mut r
            && self.digests
        {
            resolved.digest = Some(digest(full.body(), events, resolved.body.values()));
        }
        BodyResult::Made(scan, r)
    }

    /// Whether what a body read resolves as it did.
    fn still(&self, reads: &Reads) -> bool {
        reads.briefs.iter().all(|(file, slug)| {
            self.published.files.get(file).is_some_and(|t| {
                !self.published.drafts.contains(t) && self.published.slugs.get(t) == Some(slug)
            })
        }) && reads
            .datasets
            .iter()
            .all(|(name, v)| self.datasets.contains_key(name) && self.cache.version(name) == *v)
    }

    /// Put values in and resolve links, for brief `i`, whose whole text `b`
    /// holds.
    fn brief(
        &self,
        i: usize,
        b: &BriefSource,
        scan: &Scan,
    ) -> Result<(ResolvedBody, Reads), Diagnostics> {
        let mut reads = Reads::default();
        let mut errors = Diagnostics::default();
        let links = self.links(b, scan, &mut reads, &mut errors);
        let mut used = BTreeSet::new();
        let body = self.put_values_in(b, scan, &mut used, &mut errors);
        let charts = self.charts(b, scan, &mut used, &mut errors);
        errors.into_result()?;
        reads.datasets.extend(used.iter().map(|d| (d.clone(), 0)));
        for (name, v) in &mut reads.datasets {
            *v = self.cache.version(name);
        }
        let body = ResolvedBody {
            body: Arc::new(Body::new(self.briefs[i].clone(), body)),
            links: Arc::new(links),
            datasets: Arc::new(used),
            charts: Arc::new(charts),
            lints: (scan.lints.iter())
                .map(|l| l.diagnostic(&b.file, &b.text, b.body_start))
                .collect(),
            digest: None,
        };
        Ok((body, reads))
    }

    /// Links to other briefs' files and to datasets' files, as site paths.
    fn links(
        &self,
        b: &BriefSource,
        scan: &Scan,
        reads: &mut Reads,
        errors: &mut Diagnostics,
    ) -> BTreeMap<String, String> {
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
            let at = |msg: String| {
                Diagnostic::at_offset(&b.file, &b.text, b.body_start + range.start, msg)
            };
            let resolved = if lower.ends_with(".md") || lower.ends_with(".markdown") {
                self.brief_link(dest, &target, reads, at)
            } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
                self.dataset_link(dest, &target, reads, at)
            } else {
                // Other relative links (images in static/, pages of the theme) are the
                // author's to get right; `tumen check` will verify them.
                continue;
            };
            match resolved {
                Ok(page) => {
                    let full = frag.map_or_else(|| page.clone(), |f| format!("{page}#{f}"));
                    links.insert(dest.clone(), full);
                }
                Err(d) => errors.push(d),
            }
        }
        links
    }

    /// The page of the brief whose file a link names. A link to a brief that does
    /// not exist is kept (to a page that does not exist) for `tumen check`.
    fn brief_link(
        &self,
        dest: &str,
        target: &Path,
        reads: &mut Reads,
        at: impl Fn(String) -> Diagnostic,
    ) -> Result<String, Diagnostic> {
        match self.published.files.get(target) {
            Some(&t) if self.published.drafts.contains(&t) => Err(at(format!(
                "`{dest}` links to a draft, which this build leaves out"
            ))
            .with_help("publish the target (remove `draft: true`) or build with --drafts")),
            Some(t) => {
                reads
                    .briefs
                    .push((target.to_path_buf(), self.published.slugs[t].clone()));
                Ok(format!("briefs/{}/", self.published.slugs[t]))
            }
            None => {
                let published = (self.briefs.iter().enumerate())
                    .filter(|(i, _)| !self.published.drafts.contains(i))
                    .map(|(_, b)| b.file.as_path());
                let (msg, help) = missing_brief(dest, target, published);
                let d = at(msg).with_help(help);
                if !self.keep_broken_links {
                    return Err(d);
                }
                if let Ok(mut deferred) = self.deferred.lock() {
                    deferred.push(d);
                }
                let stem = target.file_stem().map(|s| s.to_string_lossy().into_owned());
                Ok(format!("briefs/{}/", slugify(&stem.unwrap_or_default())))
            }
        }
    }

    /// The page of the dataset whose file a link names.
    fn dataset_link(
        &self,
        dest: &str,
        target: &Path,
        reads: &mut Reads,
        at: impl Fn(String) -> Diagnostic,
    ) -> Result<String, Diagnostic> {
        let name = target
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if target.parent() == Some(self.data_dir.as_path()) && self.datasets.contains_key(&name) {
            let page = format!("data/{name}/");
            reads.datasets.push((name, 0));
            Ok(page)
        } else {
            Err(at(format!(
                "`{dest}` links to a dataset file that does not exist ({})",
                target.display()
            )))
        }
    }

    /// The body with each `{{ value(…) }}` replaced by the cell it asks for
    /// (escaped for Markdown); `{{` in code and raw HTML is left alone.
    fn put_values_in(
        &self,
        b: &BriefSource,
        scan: &Scan,
        used: &mut BTreeSet<String>,
        errors: &mut Diagnostics,
    ) -> Vec<(usize, usize, String)> {
        let at = |offset: usize, msg: String| {
            Diagnostic::at_offset(&b.file, &b.text, b.body_start + offset, msg)
        };
        replace_calls(b.body(), scan, |start, call| match call {
            Err(msg) => {
                errors.push(at(start, msg));
                None
            }
            Ok(sc) => Some(self.shortcode(sc, used).unwrap_or_else(|(msg, help)| {
                errors.push(at(start, msg).with_help_opt(help));
                String::new()
            })),
        })
    }

    /// What a shortcode stands for; on error, what is wrong and the help.
    fn shortcode(
        &self,
        sc: &Shortcode,
        used: &mut BTreeSet<String>,
    ) -> Result<String, (String, Option<String>)> {
        if sc.name != "value" {
            let help = did_you_mean(&sc.name, &["value"]);
            return Err((format!("unknown shortcode `{}`", sc.name), Some(help)));
        }
        lookup_from_args(&sc.args)
            .and_then(|l: Lookup| {
                used.insert(l.data.clone());
                lookup(self.datasets, &l).map(|f| f.text)
            })
            .map_err(|msg| (msg, None))
    }

    /// The plans of the body's chart blocks.
    fn charts(
        &self,
        b: &BriefSource,
        scan: &Scan,
        used: &mut BTreeSet<String>,
        errors: &mut Diagnostics,
    ) -> Vec<ChartPlan> {
        let mut charts = Vec::with_capacity(scan.charts.len());
        for block in &scan.charts {
            let (fence_line, _) = line_col(&b.text, b.body_start + block.fence);
            let (content_line, _) = line_col(&b.text, b.body_start + block.content);
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
        charts
    }
}

/// Each `{{ name(…) }}` call of `body` outside code and raw HTML, as what
/// replaces it ([`Body`]): its offset, its length and what `call` makes of it
/// (given its offset, and the call or what is wrong with it), escaped for
/// Markdown; where `call` gives `None`, the text stays.
pub(super) fn replace_calls(
    body: &str,
    scan: &Scan,
    mut call: impl FnMut(usize, Result<&Shortcode, String>) -> Option<String>,
) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(start) = crate::markdown::find_pair(body, pos, "{{") {
        if let Some(r) = scan.literal.iter().find(|r| r.contains(&start)) {
            pos = r.end.max(start + 2);
            continue;
        }
        let parsed = parse_shortcode(&body[start..]);
        let (len, text) = match parsed {
            None => (0, None),
            Some(Err(msg)) => (0, call(start, Err(msg))),
            Some(Ok(sc)) => (sc.len, call(start, Ok(&sc))),
        };
        let Some(text) = text.filter(|_| len > 0) else {
            pos = start + 2;
            continue;
        };
        out.push((start, len, escape_markdown(&text)));
        pos = start + len;
    }
    out
}

/// The digest of `body` with `values` put in: from the `events` of its scan
/// where the values go into them, else from a parse of the text with them in.
/// A debug build checks the first against the second. The text it holds goes
/// into the search terms of the body, and is let go.
fn digest(body: &str, events: Option<Events>, values: &[(usize, usize, String)]) -> Digest {
    let slow = || markdown::html::digest(&Body::put_in(body, values), false);
    let mut d = match events.and_then(|e| markdown::html::digest_of_events(body, e, values)) {
        Some(d) => {
            debug_assert_eq!(
                d,
                slow(),
                "the digest of a body with values put in its events"
            );
            d
        }
        None => slow(),
    };
    let terms = d.body_terms();
    d.text = String::new();
    (d, terms)
}

fn is_external(dest: &str) -> bool {
    dest.contains("://")
        || dest.starts_with("mailto:")
        || dest.starts_with("tel:")
        || dest.starts_with('#')
        || dest.starts_with('/')
}

/// Markdown-escape text put into a body, so a value never becomes markup.
pub(super) fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
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

/// A brief from its source, where it goes and its resolved body.
pub(super) fn make_brief(
    src: Arc<BriefSource>,
    slug: String,
    path: String,
    topics: Vec<(String, String)>,
    body: ResolvedBody,
    history: &History,
    datasets: &BTreeMap<String, Dataset>,
) -> Brief {
    // The brief's file, and each dataset's (with the file its rows come from).
    let mut files: Vec<&Path> = vec![&src.file];
    for d in body.datasets.iter().filter_map(|n| datasets.get(n)) {
        files.push(&d.file);
        files.extend(d.rows_from.as_ref().map(|(p, _)| p.as_path()));
    }
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
    let warnings = (body.lints.iter().cloned())
        .chain(src.warnings.iter().cloned())
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
pub(super) fn data_dir(root: &Path) -> PathBuf {
    normalize(&display_path(&root.join("data")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_values_for_markdown() {
        assert_eq!(escape_markdown("US$1,000 *x*"), "US\\$1\\,000 \\*x\\*");
    }
}
