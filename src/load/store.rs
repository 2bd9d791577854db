//! Every source file of a site as last read, for `tumen build` and `tumen serve`
//! alike.
//!
//! `tumen build` reads everything once ([`SourceStore::load_all`]) and takes the
//! sources out ([`SourceStore::sources`]). The live preview keeps the store and,
//! on each edit, reads again only the files that changed ([`SourceStore::apply`]).
//! Each file's result is kept on its own, errors included, and errors are
//! collected from all of them when the sources are taken out, so both commands
//! report the same problems in the same words, every one of them, not just the
//! first. A file whose text did not change is not loaded again, and a brief kept
//! is the same `Arc` as before: what the resolver recognises as unchanged.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::brief::text_hash;
use super::classify::list_files;
use super::history::History;
use super::{
    Bodies, BriefSource, Dataset, Kind, NO_SITE_HELP, SiteConfig, SiteSources, StaticFile, Theme,
    classify,
};
use crate::util::diag::{Diagnostic, Diagnostics};
use crate::util::paths::{absolute, display_path};

/// A source file as last read: a hash of its text (what tells whether it
/// changed), the text itself where it is small and searched (the settings, a
/// dataset's YAML), and what loading it gave. A brief's text is not kept here:
/// its source holds it, and a second copy would double what a build holds.
#[derive(Debug)]
struct Loaded<T> {
    /// Of the text as read; 0 when the file could not be read.
    hash: u128,
    /// Empty when the file could not be read, or its text is not kept.
    text: String,
    value: Result<T, Diagnostics>,
}

/// Whether a [`Loaded`] keeps its file's text beside what it loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeepText {
    Yes,
    No,
}

impl<T> Loaded<T> {
    /// `path`'s text as read (`text`), loaded with `load`.
    fn new(
        path: &Path,
        text: Result<String, Diagnostic>,
        keep: KeepText,
        load: impl Fn(&Path, String) -> Result<T, Diagnostics>,
    ) -> Loaded<T> {
        match text {
            Ok(text) => Loaded {
                hash: text_hash(&text),
                text: if keep == KeepText::Yes {
                    text.clone()
                } else {
                    String::new()
                },
                value: load(&display_path(path), text),
            },
            Err(e) => Loaded {
                hash: 0,
                text: String::new(),
                value: Err(e.into()),
            },
        }
    }
}

fn load_config(file: &Path, text: String) -> Result<SiteConfig, Diagnostics> {
    SiteConfig::load(file, &text)
}

fn load_brief(file: &Path, text: String) -> Result<Arc<BriefSource>, Diagnostics> {
    BriefSource::load(file, text).map(Arc::new)
}

/// A brief's source without its body ([`BriefSource::without_body`]).
fn load_brief_front(file: &Path, text: String) -> Result<Arc<BriefSource>, Diagnostics> {
    BriefSource::load(file, text).map(|b| Arc::new(b.without_body()))
}

/// What [`SourceStore::apply`] read again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// No source changed: a file saved as it was, a file that is no source.
    Nothing,
    /// Some sources changed.
    Changed,
    /// `site.yaml` changed, so everything was read again (anything may depend on
    /// the settings: the theme, the history).
    Everything,
}

/// Every source file of a site as last read, loaded or not.
#[derive(Debug)]
pub struct SourceStore {
    /// The folder holding `site.yaml`, as given: what the files are named by.
    root: PathBuf,
    /// The same, absolute and canonical, as the watcher reports paths.
    abs_root: PathBuf,
    config: Loaded<SiteConfig>,
    /// By path as listed (`root`, joined), so in file order.
    briefs: BTreeMap<PathBuf, Loaded<Arc<BriefSource>>>,
    datasets: BTreeMap<PathBuf, Loaded<Dataset>>,
    /// `None` while the settings have errors: which theme they name is not known.
    theme: Option<Result<Theme, Diagnostics>>,
    static_files: Result<BTreeMap<String, StaticFile>, Diagnostic>,
}

/// What a batch of changed paths asks to read again, sorted by [`classify`].
#[derive(Default)]
struct Todo {
    config: bool,
    briefs: Vec<PathBuf>,
    list_briefs: bool,
    datasets: Vec<PathBuf>,
    list_datasets: bool,
    /// Other files in `data/` that changed: a dataset may take its rows from one.
    data_files: Vec<PathBuf>,
    theme: bool,
}

impl SourceStore {
    /// Read the site in `root` (the folder holding `site.yaml`). Errors here are
    /// those that leave nothing to read (no `site.yaml`, a folder that cannot be
    /// listed); a file's own errors are kept with it (see [`SourceStore::sources`]).
    pub fn load_all(root: &Path) -> Result<SourceStore, Diagnostics> {
        Self::load_all_with(root, Bodies::Kept)
    }

    /// [`SourceStore::load_all`], each brief's body kept or let go once its
    /// front matter is read (for a build, which reads once; a brief read again
    /// by [`SourceStore::apply`] keeps its body).
    pub fn load_all_with(root: &Path, bodies: Bodies) -> Result<SourceStore, Diagnostics> {
        let config_file = root.join("site.yaml");
        if !config_file.is_file() {
            return Err(Diagnostic::file(
                &display_path(&config_file),
                "no site.yaml here: this folder is not a tumen site",
            )
            .with_help(NO_SITE_HELP)
            .into());
        }
        let (brief_files, data_files) =
            match rayon::join(|| brief_files(root), || dataset_files(root)) {
                (Ok(b), Ok(d)) => (b, d),
                (b, d) => {
                    return Err(b
                        .err()
                        .into_iter()
                        .chain(d.err())
                        .collect::<Vec<_>>()
                        .into());
                }
            };
        // The briefs and the datasets side by side: a site's few datasets each
        // take longer than a brief, and would leave a core waiting at the end.
        let (briefs, datasets) = rayon::join(
            || match bodies {
                Bodies::Kept => read_all(brief_files, KeepText::No, load_brief),
                Bodies::LetGo => read_all(brief_files, KeepText::No, load_brief_front),
            },
            || read_all(data_files, KeepText::Yes, Dataset::load),
        );
        let mut store = SourceStore {
            root: root.to_path_buf(),
            abs_root: absolute(root),
            config: Loaded::new(&config_file, read(&config_file), KeepText::Yes, load_config),
            briefs,
            datasets,
            theme: None,
            static_files: Ok(BTreeMap::new()),
        };
        store.load_theme();
        Ok(store)
    }

    /// The settings, when `site.yaml` has no errors.
    pub fn config(&self) -> Option<&SiteConfig> {
        self.config.value.as_ref().ok()
    }

    /// Read again what changed at `paths` (as the watcher reports them: absolute,
    /// canonical): the files whose text changed, the folders whose listing did.
    /// Errors are those of [`SourceStore::load_all`] (no `site.yaml`, a folder
    /// that cannot be listed); the store may then be half updated, so its owner
    /// drops it and reads everything on the next change.
    pub fn apply(&mut self, paths: &BTreeSet<PathBuf>) -> Result<Applied, Diagnostics> {
        let mut todo = self.todo(paths);
        if todo.config && self.config_changed() {
            *self = SourceStore::load_all(&self.root)?;
            return Ok(Applied::Everything);
        }
        let mut changed = false;
        if todo.list_briefs {
            let now = brief_files(&self.root)?;
            changed |= relist(&mut self.briefs, now, &mut todo.briefs);
        }
        if todo.list_datasets {
            let now = dataset_files(&self.root)?;
            changed |= relist(&mut self.datasets, now, &mut todo.datasets);
        }
        changed |= reread(
            &mut self.briefs,
            todo.briefs,
            &BTreeSet::new(),
            KeepText::No,
            load_brief,
        );
        // A dataset whose rows file changed is read again though its YAML did not.
        let forced = self.datasets_reading(&todo.data_files);
        todo.datasets.extend(forced.iter().cloned());
        changed |= reread(
            &mut self.datasets,
            todo.datasets,
            &forced,
            KeepText::Yes,
            Dataset::load,
        );
        if todo.theme {
            self.load_theme();
            changed = true;
        }
        Ok(if changed {
            Applied::Changed
        } else {
            Applied::Nothing
        })
    }

    /// What `paths` ask to read again, by what they are.
    fn todo(&self, paths: &BTreeSet<PathBuf>) -> Todo {
        let mut todo = Todo::default();
        for p in paths {
            // As listed: the site's folder as given, joined.
            let file = match p.strip_prefix(&self.abs_root) {
                Ok(rel) => self.root.join(rel),
                Err(_) => p.clone(),
            };
            match classify(&self.abs_root, None, p) {
                Kind::Config => todo.config = true,
                Kind::Brief if file.is_file() => todo.briefs.push(file),
                // A folder, a file removed or renamed: list the folder again.
                Kind::Brief | Kind::InBriefs => todo.list_briefs = true,
                Kind::Dataset if file.is_file() => todo.datasets.push(file),
                Kind::Dataset => todo.list_datasets = true,
                Kind::InData => {
                    todo.list_datasets = true;
                    todo.data_files.push(file);
                }
                k if k.is_theme() => todo.theme = true,
                _ => {}
            }
        }
        todo
    }

    /// The datasets that may read `files`: those whose YAML names one of them
    /// (loaded or not, as a dataset with errors may be fixed by its rows file).
    fn datasets_reading(&self, files: &[PathBuf]) -> BTreeSet<PathBuf> {
        let names: Vec<String> = (files.iter())
            .filter_map(|f| f.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .collect();
        (self.datasets.iter())
            .filter(|(_, l)| names.iter().any(|n| l.text.contains(n.as_str())))
            .map(|(p, _)| p.clone())
            .collect()
    }

    /// Whether `site.yaml` now holds another text than the one last read (or
    /// cannot be read).
    fn config_changed(&self) -> bool {
        read(&self.root.join("site.yaml")).map_or(true, |text| text_hash(&text) != self.config.hash)
    }

    /// Read the theme the settings name and the files copied as they are.
    fn load_theme(&mut self) {
        let config = self.config.value.as_ref().ok();
        self.theme = config.map(|c| Theme::load(&self.root, &c.theme));
        let theme = self.theme.as_ref().and_then(|t| t.as_ref().ok());
        self.static_files = static_files(&self.root, theme);
    }

    /// The sources as they stand, or every error of every file. `history` reads
    /// the site's git history for the settings, when there are no errors.
    pub fn sources(
        &self,
        history: impl FnOnce(&SiteConfig) -> Arc<History>,
    ) -> Result<SiteSources, Diagnostics> {
        let mut errors = Diagnostics::default();
        let config = kept(&self.config.value, &mut errors);
        let briefs: Vec<Arc<BriefSource>> = (self.briefs.values())
            .filter_map(|l| kept(&l.value, &mut errors).cloned())
            .collect();
        let datasets: Vec<Dataset> = (self.datasets.values())
            .filter_map(|l| kept(&l.value, &mut errors).cloned())
            .collect();
        let datasets = index_datasets(datasets, &mut errors);
        let theme = self.theme.as_ref().and_then(|t| kept(t, &mut errors));
        if let Err(e) = &self.static_files {
            errors.push(e.clone());
        }
        errors.into_result()?;
        let (Some(config), Some(theme), Ok(static_files)) = (config, theme, &self.static_files)
        else {
            unreachable!("no errors, so the settings and the theme loaded");
        };
        Ok(SiteSources {
            history: history(config),
            blobs: Arc::default(),
            root: self.root.clone(),
            config: config.clone(),
            briefs,
            datasets,
            static_files: static_files.clone(),
            theme: theme.clone(),
        })
    }
}

/// The value, or its errors added to `errors`.
fn kept<'a, T>(value: &'a Result<T, Diagnostics>, errors: &mut Diagnostics) -> Option<&'a T> {
    match value {
        Ok(v) => Some(v),
        Err(e) => {
            errors.extend(e.clone());
            None
        }
    }
}

/// Read and load `files`, in parallel.
fn read_all<T: Send>(
    files: Vec<PathBuf>,
    keep: KeepText,
    load: impl Fn(&Path, String) -> Result<T, Diagnostics> + Sync,
) -> BTreeMap<PathBuf, Loaded<T>> {
    // Collected in order, then made a map at once: rayon's collect into a map
    // inserts one at a time, on one thread (50 ms at 10,000 briefs).
    let loaded: Vec<(PathBuf, Loaded<T>)> = files
        .into_par_iter()
        .map(|p| {
            let _on = crate::util::panic::working_on(display_path(&p).display());
            let l = Loaded::new(&p, read(&p), keep, &load);
            (p, l)
        })
        .collect();
    loaded.into_iter().collect()
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

/// Read `paths` again and load those whose text changed, or that are `forced`
/// (or that cannot be read: the error is what they hold then). True when any did.
fn reread<T>(
    held: &mut BTreeMap<PathBuf, Loaded<T>>,
    paths: Vec<PathBuf>,
    forced: &BTreeSet<PathBuf>,
    keep: KeepText,
    load: impl Fn(&Path, String) -> Result<T, Diagnostics>,
) -> bool {
    let mut changed = false;
    for p in paths {
        let text = read(&p);
        if let Ok(text) = &text
            && !forced.contains(&p)
            && held.get(&p).is_some_and(|l| l.hash == text_hash(text))
        {
            continue;
        }
        held.insert(p.clone(), Loaded::new(&p, text, keep, &load));
        changed = true;
    }
    changed
}

/// A source file's text; it must be UTF-8.
pub fn read(path: &Path) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::file(&display_path(path), format!("cannot read this file: {e}"))
    })?;
    String::from_utf8(bytes).map_err(|e| {
        Diagnostic::file(
            &display_path(path),
            format!(
                "this file is not UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
        .with_help("save it as UTF-8 in your editor")
    })
}

fn listing(root: &Path, dir: &Path, kind: Kind) -> Result<Vec<PathBuf>, Diagnostic> {
    list_files(root, dir, kind)
}

/// Briefs' files: `briefs/**/*.md`, sorted.
fn brief_files(root: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    listing(root, &root.join("briefs"), Kind::Brief)
}

/// Datasets' files: `data/**/*.yaml`, sorted.
fn dataset_files(root: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    listing(root, &root.join("data"), Kind::Dataset)
}

/// Datasets by name; a second dataset of the same name is an error.
fn index_datasets(
    datasets: impl IntoIterator<Item = Dataset>,
    errors: &mut Diagnostics,
) -> BTreeMap<String, Dataset> {
    let mut map: BTreeMap<String, Dataset> = BTreeMap::new();
    for d in datasets {
        if let Some(prev) = map.get(&d.name) {
            errors.push(
                Diagnostic::file(&d.file, format!("a second dataset named `{}`", d.name))
                    .with_help(format!(
                        "{} has the same name; rename one",
                        prev.file.display()
                    )),
            );
        } else {
            map.insert(d.name.clone(), d);
        }
    }
    map
}

/// Files copied as they are: the theme's, then the site's `static/`, so that the
/// site's win.
fn static_files(
    root: &Path,
    theme: Option<&Theme>,
) -> Result<BTreeMap<String, StaticFile>, Diagnostic> {
    let mut out = BTreeMap::new();
    if let Some(t) = theme {
        out.extend(t.static_files.clone());
    }
    let static_dir = root.join("static");
    for f in listing(root, &static_dir, Kind::Static)? {
        let rel = f.strip_prefix(&static_dir).unwrap_or(&f);
        let rel = rel.to_string_lossy().replace('\\', "/");
        out.insert(rel, StaticFile::Disk(f));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BRIEF: &str = "---\ntitle: \"A\"\ndate: 2024-01-01\n---\n\nBody.\n";
    const DATASET: &str =
        "title: T\ncolumns:\n  - {name: year, type: year}\nrows:\n  - {year: 1988}\n";

    /// A site of two briefs and a dataset in a new folder; the store read from it.
    fn site() -> (tempfile::TempDir, PathBuf, SourceStore) {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        for (file, text) in [
            ("site.yaml", "title: Briefings\n"),
            ("briefs/a.md", BRIEF),
            ("briefs/b.md", BRIEF),
            ("data/trade.yaml", DATASET),
        ] {
            write(&root, file, text);
        }
        let store = SourceStore::load_all(&root).unwrap();
        (tmp, root, store)
    }

    fn write(root: &Path, file: &str, text: &str) {
        let path = root.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Paths as the watcher reports them.
    fn changed(root: &Path, files: &[&str]) -> BTreeSet<PathBuf> {
        files.iter().map(|f| absolute(root).join(f)).collect()
    }

    fn sources(store: &SourceStore) -> Result<SiteSources, Diagnostics> {
        store.sources(|_| Arc::new(History::default()))
    }

    #[test]
    fn reads_every_source() {
        let (_tmp, _root, store) = site();
        let s = sources(&store).unwrap();
        assert_eq!(s.config.title, "Briefings");
        assert_eq!(s.config.text, "title: Briefings\n");
        let stems: Vec<&str> = s.briefs.iter().map(|b| b.stem.as_str()).collect();
        assert_eq!(stems, ["a", "b"]);
        assert!(s.datasets.contains_key("trade"));
        assert!(s.theme.templates.contains_key("brief.html"));
    }

    #[test]
    fn applies_only_what_changed_and_keeps_the_rest_as_it_was() {
        let (_tmp, root, mut store) = site();
        let before = sources(&store).unwrap();
        // Saved as it was, editor junk, a file that is no source: nothing.
        write(&root, "briefs/.a.md.swp", "x");
        write(&root, "README.md", "x");
        let paths = changed(&root, &["briefs/a.md", "briefs/.a.md.swp", "README.md"]);
        assert_eq!(store.apply(&paths).unwrap(), Applied::Nothing);
        write(&root, "briefs/a.md", &BRIEF.replace("Body", "Edited"));
        let paths = changed(&root, &["briefs/a.md"]);
        assert_eq!(store.apply(&paths).unwrap(), Applied::Changed);
        let after = sources(&store).unwrap();
        assert!(after.briefs[0].text.contains("Edited"));
        assert!(!Arc::ptr_eq(&before.briefs[0], &after.briefs[0]));
        assert!(Arc::ptr_eq(&before.briefs[1], &after.briefs[1]));
    }

    #[test]
    fn briefs_added_and_removed_are_listed_again() {
        let (_tmp, root, mut store) = site();
        write(&root, "briefs/sub/c.md", BRIEF);
        std::fs::remove_file(root.join("briefs/a.md")).unwrap();
        let paths = changed(&root, &["briefs/sub", "briefs/a.md"]);
        assert_eq!(store.apply(&paths).unwrap(), Applied::Changed);
        let s = sources(&store).unwrap();
        let stems: Vec<&str> = s.briefs.iter().map(|b| b.stem.as_str()).collect();
        assert_eq!(stems, ["b", "c"]);
    }

    #[test]
    fn every_error_of_every_file_as_build_says_them() {
        let (_tmp, root, mut store) = site();
        write(&root, "briefs/a.md", "no front matter");
        write(&root, "data/trade.yaml", "title: [");
        let paths = changed(&root, &["briefs/a.md", "data/trade.yaml"]);
        assert_eq!(store.apply(&paths).unwrap(), Applied::Changed);
        let served = sources(&store).unwrap_err().to_string();
        let built = SiteSources::load(&root).unwrap_err().to_string();
        assert_eq!(served, built);
        assert!(
            served.contains("a.md") && served.contains("trade.yaml"),
            "{served}"
        );
    }

    #[test]
    fn another_text_of_the_settings_reads_everything_again() {
        let (_tmp, root, mut store) = site();
        let paths = changed(&root, &["site.yaml"]);
        assert_eq!(store.apply(&paths).unwrap(), Applied::Nothing);
        write(&root, "site.yaml", "title: Briefings\n# a comment\n");
        assert_eq!(store.apply(&paths).unwrap(), Applied::Everything);
        write(&root, "site.yaml", "titel: Briefings\n");
        assert_eq!(store.apply(&paths).unwrap(), Applied::Everything);
        let err = sources(&store).unwrap_err().to_string();
        assert!(err.contains("site.yaml"), "{err}");
        std::fs::remove_file(root.join("site.yaml")).unwrap();
        let err = store.apply(&paths).unwrap_err().to_string();
        assert!(err.contains("no site.yaml here"), "{err}");
    }
}
