//! What each output file was made from, and the reverse: which files each source
//! went into. The live preview asks the reverse after an edit, so finding the
//! pages to make again costs what the edit touched, not what the site holds.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

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
    made_from: HashMap<String, BTreeSet<Dep>>,
    went_into: HashMap<Dep, HashSet<String>>,
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
    pub fn affected(&self, changed: &BTreeSet<Dep>) -> HashSet<&str> {
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
}
