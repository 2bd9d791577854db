//! The resolved site: what `resolve` makes of the sources and `render` reads.
//!
//! Owned here, apart from both stages, so that each type has one home and the
//! renderer depends on the model, not on the resolver's workings. Everything in
//! it has been checked across files: slugs are unique, links and source keys point
//! somewhere, inline values are looked up, charts are planned ([`chart`]).

pub mod changes;
pub mod chart;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use crate::load::history::{RepoState, Revision};
use crate::load::{BriefSource, Dataset, SiteConfig, StaticFile, Theme};
use crate::util::date::Date;
use crate::util::diag::{Diagnostic, Warnings};
use chart::ChartPlan;

/// A brief's body with its inline values put in, kept as its source and what
/// each value call is replaced by: a build holds every brief's source text
/// already, and a second copy of each with the values put in was a fifth of
/// what it held. [`Body::text`] makes the text when it is read.
#[derive(Debug, Clone)]
pub struct Body {
    src: Arc<BriefSource>,
    /// (offset in the body, length of the call, what replaces it), in order and
    /// apart.
    values: Vec<(usize, usize, String)>,
}

impl Body {
    /// `src`'s body with the calls at `values` replaced, each by its text.
    pub fn new(src: Arc<BriefSource>, values: Vec<(usize, usize, String)>) -> Body {
        Body { src, values }
    }

    /// The body's text, values put in: ready for Markdown. Read again from the
    /// brief's file when a build let it go at load
    /// ([`crate::load::Bodies`]).
    pub fn text(&self) -> Result<std::borrow::Cow<'_, str>, Diagnostic> {
        let body = self.src.read_body()?;
        if self.values.is_empty() {
            return Ok(body);
        }
        Ok(std::borrow::Cow::Owned(Body::put_in(&body, &self.values)))
    }

    /// Each value call: (offset in the body, length of the call, what replaces
    /// it), in order.
    pub fn values(&self) -> &[(usize, usize, String)] {
        &self.values
    }

    /// `body` with the calls at `values` replaced, each by its text.
    pub fn put_in(body: &str, values: &[(usize, usize, String)]) -> String {
        let put: usize = values.iter().map(|v| v.2.len()).sum();
        let mut out = String::with_capacity(body.len() + put);
        let mut last = 0;
        for (at, len, text) in values {
            out.push_str(&body[last..*at]);
            out.push_str(text);
            last = at + len;
        }
        out.push_str(&body[last..]);
        out
    }
}

impl PartialEq for Body {
    fn eq(&self, other: &Body) -> bool {
        (Arc::ptr_eq(&self.src, &other.src) || self.src.same_body(&other.src))
            && self.values == other.values
    }
}

/// A brief ready to render. Its parts are shared, so that the live preview can
/// keep what an edit did not change from one resolve to the next.
#[derive(Debug)]
pub struct Brief {
    pub src: Arc<BriefSource>,
    pub slug: String,
    /// Site path of its page: `briefs/<slug>/` (without the base path).
    pub path: String,
    /// (display name, slug) of each topic.
    pub topics: Vec<(String, String)>,
    /// The body with inline values put in, ready for Markdown.
    pub body: Arc<Body>,
    /// Link targets as written (`other.md#x`) → site path (`briefs/other/#x`).
    pub links: Arc<BTreeMap<String, String>>,
    /// Datasets this brief's body reads.
    pub datasets: Arc<BTreeSet<String>>,
    /// Its charts, in the order of their blocks.
    pub charts: Arc<Vec<ChartPlan>>,
    /// Mistakes in its Markdown that do not stop the build (`lint`).
    pub warnings: Vec<Diagnostic>,
    /// When it last changed: `updated:` if set, else its last commit.
    pub updated: Option<Date>,
    /// Commits that touched it or the datasets it reads, newest first.
    pub history: Vec<Revision>,
    /// Its file has edits not yet committed.
    pub uncommitted: bool,
    /// Its file has never been committed.
    pub new: bool,
}

#[derive(Debug, Clone)]
pub struct Topic {
    pub name: String,
    pub slug: String,
    /// Indexes into [`Site::briefs`], in the briefs' order.
    pub briefs: Vec<usize>,
}

/// One row of the `sources` dataset and what cites it.
#[derive(Debug, Clone)]
pub struct Source {
    pub key: String,
    /// Where its page is, `sources/<slug>/`: the key made a URL segment, unique
    /// among the sources.
    pub slug: String,
    /// The row's cells by column name.
    pub fields: BTreeMap<String, String>,
    pub cited_by_briefs: Vec<usize>,
    pub cited_by_datasets: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct KeyFigure {
    pub label: String,
    pub value: String,
    pub dataset: String,
    /// The year or date of the row, when the dataset has one.
    pub when: Option<String>,
    pub source: Option<String>,
}

/// The whole site, cross-checked. Owned by this module; the renderer only reads it.
#[derive(Debug)]
pub struct Site {
    pub root: PathBuf,
    /// Whether the site is in git, and how much of its history there is.
    pub repo: RepoState,
    pub config: SiteConfig,
    /// `/` or `/sub/`: every internal link starts with it.
    pub base_path: String,
    /// Published briefs, newest first.
    /// Shared: a rebuild of the live preview reuses every brief it did not change.
    pub briefs: Vec<Arc<Brief>>,
    pub datasets: BTreeMap<String, Dataset>,
    /// Shared with the resolver's cache, which a rebuild of the live preview
    /// reuses when no brief moved: the lists are not copied on every edit.
    pub topics: Arc<Vec<Topic>>,
    pub sources: Arc<Vec<Source>>,
    /// Dataset name → the briefs whose bodies read it (inline values, charts), in
    /// the briefs' order.
    pub used_by: Arc<BTreeMap<String, Vec<usize>>>,
    pub key_figures: Vec<KeyFigure>,
    /// Each dataset's default chart (its `chart:` section), by dataset name.
    pub dataset_charts: BTreeMap<String, ChartPlan>,
    pub static_files: BTreeMap<String, StaticFile>,
    pub theme: Theme,
    /// Briefs left out because they are drafts.
    pub drafts_skipped: usize,
    /// With `keep_broken_links` (`tumen check`): the links to brief files that do
    /// not exist, which `check` reports with the other broken links.
    pub missing_links: Vec<Diagnostic>,
    /// What each commit changed in the briefs and datasets ([`changes`]).
    pub changes: changes::Changes,
    /// A build's digest of each brief's Markdown, without its text, and the
    /// search terms of its body, in the briefs' order, made by the resolve from
    /// the parse of its scan
    /// ([`crate::resolve::ResolveOptions::digests`]); the build hands them to
    /// the render. Empty otherwise.
    pub digests: Vec<(crate::markdown::html::Rendered, crate::util::terms::Terms)>,
}

impl Brief {
    /// Whether `other` is made from the same file: the same source (what the
    /// resolve shares between rebuilds, compared by pointer), or one of the
    /// same name.
    pub fn same_file(&self, other: &Brief) -> bool {
        Arc::ptr_eq(&self.src, &other.src) || self.src.file == other.src.file
    }
}

impl Site {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_path, path.trim_start_matches('/'))
    }

    /// Every brief's warnings, in file order.
    pub fn warnings(&self) -> Warnings {
        Warnings(
            self.briefs
                .iter()
                .flat_map(|b| b.warnings.iter().cloned())
                .collect(),
        )
        .sorted()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn src(body: &str) -> Arc<BriefSource> {
        let text = format!("---\ntitle: T\ndate: 2024-05-01\n---\n{body}");
        Arc::new(BriefSource::load(Path::new("briefs/x.md"), text).unwrap())
    }

    #[test]
    fn a_body_puts_each_value_in_place_of_its_call() {
        let s = src("A {{ one }} and {{ two }}.\n");
        let at = |call: &str| s.body().find(call).unwrap();
        let values = vec![
            (at("{{ one }}"), "{{ one }}".len(), "1".to_string()),
            (at("{{ two }}"), "{{ two }}".len(), "2 m".to_string()),
        ];
        let body = Body::new(s.clone(), values.clone());
        assert_eq!(body.text().unwrap(), "A 1 and 2 m.\n");
        assert_eq!(Body::new(s.clone(), Vec::new()).text().unwrap(), s.body());

        // Equal: the same text and values, whether or not the source is shared.
        assert_eq!(
            body,
            Body::new(src("A {{ one }} and {{ two }}.\n"), values.clone())
        );
        assert_ne!(body, Body::new(s.clone(), values[..1].to_vec()));
        assert_ne!(body, Body::new(src("B {{ one }} and {{ two }}.\n"), values));
    }
}
