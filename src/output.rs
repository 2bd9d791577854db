//! The files of a built site, in memory: what `render` makes, `write` puts on
//! disk, `check` reads and the live preview serves before they are written.
//! A build hands them from one to the other a batch at a time ([`FileSink`]), so
//! that it never holds every page at once. [`PathSet`] lists every path of an
//! output, made this time or not, which is how the live preview tells which
//! files went away.

use std::collections::hash_map::Entry;
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::load::StaticFile;

/// The paths of one brief's own files, all in its folder (`briefs/<slug>/`): its
/// page, its citation files, and where the site makes them its changes page,
/// its PDF and its figures. The render keeps a brief's list from one rebuild to
/// the next while they stay the same (the same `Arc`), which is what lets a
/// rebuild of a large site skip the briefs an edit did not touch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BriefPaths {
    /// `briefs/<slug>/`: every path below starts with it.
    pub dir: String,
    pub page: String,
    pub changes: Option<String>,
    pub cite: [String; 3],
    pub pdf: Option<String>,
    pub figures: Vec<String>,
}

impl BriefPaths {
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        std::iter::once(&self.page)
            .chain(&self.changes)
            .chain(&self.cite)
            .chain(&self.pdf)
            .chain(&self.figures)
            .map(String::as_str)
    }

    fn contains(&self, path: &str) -> bool {
        path.starts_with(&self.dir) && self.iter().any(|p| p == path)
    }
}

/// Every path of a site's output: each brief's own paths as a list per brief
/// ([`BriefPaths`]), and the rest in a hash set.
///
/// Shaped for the live preview, which lists some 40,000 paths of a site of
/// 10,000 briefs on every rebuild to find the files that went away: one flat
/// set, filled and compared path by path, cost more than rendering the page
/// edited. Kept per brief, a rebuild compares the lists of unchanged briefs by
/// pointer. Not sorted: sort what is shown from it.
#[derive(Debug, Default)]
pub struct PathSet {
    briefs: Vec<Arc<BriefPaths>>,
    /// A hash of each brief's folder → its index in `briefs`, to find the brief
    /// a path of `briefs/<slug>/` may belong to.
    dirs: FxHashMap<u64, u32>,
    /// The briefs whose folder's hash another's had already (almost never).
    clashed: Vec<u32>,
    other: FxHashSet<String>,
}

fn dir_hash(dir: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(dir)
}

/// The brief folder a path is in, `briefs/<slug>/`, if it is in one.
fn brief_dir(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("briefs/")?;
    let slash = rest.find('/')?;
    Some(&path[.."briefs/".len() + slash + 1])
}

impl PathSet {
    /// An empty set, room made for `other` paths besides the briefs'.
    pub fn with_capacity(briefs: usize, other: usize) -> PathSet {
        PathSet {
            briefs: Vec::with_capacity(briefs),
            dirs: FxHashMap::with_capacity_and_hasher(briefs, Default::default()),
            clashed: Vec::new(),
            other: FxHashSet::with_capacity_and_hasher(other, Default::default()),
        }
    }

    /// The briefs' paths, in order: the folder index of `last` is reused when
    /// every list is the same `Arc` in the same place (the usual rebuild).
    pub fn set_briefs(&mut self, briefs: Vec<Arc<BriefPaths>>, last: Option<&PathSet>) {
        let same = |l: &&PathSet| {
            l.briefs.len() == briefs.len()
                && l.briefs.iter().zip(&briefs).all(|(a, b)| Arc::ptr_eq(a, b))
        };
        if let Some(l) = last.filter(same) {
            self.dirs.clone_from(&l.dirs);
            self.clashed.clone_from(&l.clashed);
            self.briefs = briefs;
            return;
        }
        self.briefs.clear();
        self.dirs.clear();
        self.clashed.clear();
        for b in briefs {
            self.push_brief(b);
        }
    }

    /// A brief's paths. Two briefs never share a folder (slugs are unique).
    fn push_brief(&mut self, paths: Arc<BriefPaths>) {
        let at = u32::try_from(self.briefs.len()).unwrap_or(u32::MAX);
        match self.dirs.entry(dir_hash(&paths.dir)) {
            Entry::Vacant(v) => {
                v.insert(at);
            }
            Entry::Occupied(_) => self.clashed.push(at),
        }
        self.briefs.push(paths);
    }

    /// The paths of the briefs, in the order they were pushed.
    pub fn briefs(&self) -> &[Arc<BriefPaths>] {
        &self.briefs
    }

    /// A path that is not a brief's own; false (and not added) when the set
    /// holds it already, as another file's or a brief's.
    pub fn insert(&mut self, path: String) -> bool {
        !self.in_briefs(&path) && self.other.insert(path)
    }

    fn in_briefs(&self, path: &str) -> bool {
        self.brief_of(path).is_some()
    }

    /// The index of the brief whose own file `path` is.
    pub fn brief_of(&self, path: &str) -> Option<usize> {
        let dir = brief_dir(path)?;
        let at = self.dirs.get(&dir_hash(dir)).into_iter();
        (at.chain(&self.clashed))
            .map(|&i| i as usize)
            .find(|&i| self.briefs[i].contains(path))
    }

    pub fn contains(&self, path: &str) -> bool {
        self.other.contains(path) || self.in_briefs(path)
    }

    pub fn len(&self) -> usize {
        self.other.len() + self.briefs.iter().map(|b| b.iter().count()).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (self.briefs.iter().flat_map(|b| b.iter())).chain(self.other.iter().map(String::as_str))
    }

    /// The paths of `old` that this set does not hold, sorted. A brief's list
    /// that is the same `Arc` in both is not looked into.
    pub fn removed_since(&self, old: &PathSet) -> Vec<String> {
        let same_place =
            |i: usize, b: &Arc<BriefPaths>| self.briefs.get(i).is_some_and(|n| Arc::ptr_eq(n, b));
        let mut kept: Option<FxHashSet<*const BriefPaths>> = None;
        let mut removed = Vec::new();
        for (i, b) in old.briefs.iter().enumerate() {
            if same_place(i, b) {
                continue;
            }
            let kept = kept.get_or_insert_with(|| self.briefs.iter().map(Arc::as_ptr).collect());
            if kept.contains(&Arc::as_ptr(b)) {
                continue;
            }
            removed.extend(b.iter().filter(|p| !self.contains(p)).map(str::to_string));
        }
        removed.extend(old.other.iter().filter(|p| !self.contains(p)).cloned());
        removed.sort_unstable();
        removed
    }
}

/// What a file of the output holds.
#[derive(Debug, Clone)]
pub enum Content {
    Bytes(Vec<u8>),
    Copy(StaticFile),
}

#[derive(Debug, Clone)]
pub struct OutputFile {
    /// Relative to the output folder, with `/` separators.
    pub path: String,
    pub content: Content,
}

/// Where a streamed render hands its files, a batch at a time, as it makes them
/// (`tumen build`: the write stage's writer). An error stops the render.
pub type FileSink<'a> =
    dyn FnMut(Vec<OutputFile>) -> Result<(), crate::util::diag::Diagnostic> + Send + 'a;

#[cfg(test)]
mod tests {
    use super::*;

    fn brief(slug: &str, pdf: bool) -> Arc<BriefPaths> {
        let dir = format!("briefs/{slug}/");
        Arc::new(BriefPaths {
            page: format!("{dir}index.html"),
            changes: None,
            cite: ["bib", "ris", "json"].map(|e| format!("{dir}cite.{e}")),
            pdf: pdf.then(|| format!("{dir}{slug}.pdf")),
            figures: vec![format!("{dir}figure-1.svg")],
            dir,
        })
    }

    fn set(briefs: &[Arc<BriefPaths>], other: &[&str]) -> PathSet {
        let mut s = PathSet::with_capacity(briefs.len(), other.len());
        for b in briefs {
            s.push_brief(b.clone());
        }
        for p in other {
            assert!(s.insert(p.to_string()));
        }
        s
    }

    #[test]
    fn a_path_of_a_brief_is_taken() {
        let s = set(
            &[brief("a", false), brief("page", true)],
            &["briefs/page/2/index.html"],
        );
        assert!(s.contains("briefs/a/cite.ris"));
        assert!(s.contains("briefs/page/page.pdf"));
        assert!(s.contains("briefs/page/2/index.html"));
        assert!(!s.contains("briefs/a/a.pdf"));
        assert!(!s.contains("briefs/b/index.html"));
        assert!(!s.contains("briefs/a"));
        let mut s = s;
        // An alias or a static file on a brief's path is refused.
        assert!(!s.insert("briefs/a/index.html".into()));
        assert!(!s.insert("briefs/page/2/index.html".into()));
        assert!(s.insert("briefs/a/other.html".into()));
        assert_eq!(s.len(), 5 + 6 + 2);
        assert_eq!(s.iter().count(), s.len());
    }

    #[test]
    fn the_folder_index_is_reused_only_for_the_same_lists() {
        let (a, b) = (brief("a", false), brief("b", true));
        let mut old = PathSet::default();
        old.set_briefs(vec![a.clone(), b.clone()], None);
        let mut same = PathSet::default();
        same.set_briefs(vec![a.clone(), b.clone()], Some(&old));
        assert_eq!(same.brief_of("briefs/b/b.pdf"), Some(1));
        // Another order, and an equal list that is not shared: indexed anew.
        let mut moved = PathSet::default();
        moved.set_briefs(vec![b.clone(), brief("a", false)], Some(&old));
        assert_eq!(moved.brief_of("briefs/b/b.pdf"), Some(0));
        assert_eq!(moved.brief_of("briefs/a/cite.bib"), Some(1));
        assert_eq!(moved.brief_of("briefs/c/index.html"), None);
    }

    #[test]
    fn removed_paths_are_found_whether_lists_are_shared_or_not() {
        let (a, b, c) = (brief("a", false), brief("b", false), brief("c", false));
        let old = set(
            &[a.clone(), b.clone(), c.clone()],
            &["index.html", "topics/x/index.html"],
        );
        // The same lists, shared: nothing removed.
        let same = set(
            &[a.clone(), b.clone(), c.clone()],
            &["index.html", "topics/x/index.html"],
        );
        assert!(same.removed_since(&old).is_empty());
        // b removed, c moved up, a made again (equal, not shared), a topic gone.
        let new = set(&[brief("a", false), c.clone()], &["index.html"]);
        let mut want: Vec<String> = b.iter().map(str::to_string).collect();
        want.push("topics/x/index.html".into());
        want.sort();
        assert_eq!(new.removed_since(&old), want);
        // a's PDF is no longer made; a path of a brief that became another file's
        // is not removed.
        let old = set(&[brief("a", true)], &[]);
        let new = set(&[brief("a", false)], &["briefs/a/a.pdf"]);
        assert!(new.removed_since(&old).is_empty());
        let new = set(&[brief("a", false)], &[]);
        assert_eq!(new.removed_since(&old), vec!["briefs/a/a.pdf".to_string()]);
    }
}
