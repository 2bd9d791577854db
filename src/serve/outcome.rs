//! What one rebuild did, and what the terminal says of it: `Rebuilt briefs/x/ + 4
//! other files in 6 ms`, once per save, with the warnings of the briefs edited.
//!
//! Apart from the rebuilding itself ([`super::incremental`]), as it is read by
//! the terminal's report, the open pages' reload ([`super::reload`]) and the
//! tests, and says nothing about how the pages were made.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::build::BuildReport;
use crate::model::{Brief, Site};
use crate::util::diag::{Diagnostics, Warnings};

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

/// The warnings to show after a build: every brief's when it was `full`, else
/// those of the briefs `edited` (by page), so that a warning shows when its brief
/// is built, not on every rebuild.
pub(super) fn warnings(site: &Site, full: bool, edited: &[String]) -> Warnings {
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
pub(super) fn edited(old: &Site, new: &Site) -> Vec<String> {
    let edited = |o: &Brief, b: &Brief| !Arc::ptr_eq(&o.src, &b.src) && o.src.text != b.src.text;
    if crate::deps::same_order(old, new) {
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
