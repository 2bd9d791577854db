//! Stage 1, **load**: read the site's files into checked, typed values.
//!
//! Everything that can be checked from one file alone is checked here (YAML syntax,
//! front matter keys and types, dataset rows against their columns), and every
//! problem in every file is collected before the build stops. Checks that need
//! several files (links, source keys, dataset lookups) belong to `resolve`.

pub mod brief;
pub mod classify;
pub mod config;
pub mod dataset;
pub mod history;
pub mod theme;
pub mod yaml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

pub use brief::BriefSource;
pub use classify::{Kind, classify};
pub use config::SiteConfig;
pub use dataset::Dataset;
pub use theme::{StaticFile, Theme};

use crate::util::diag::{Diagnostic, Diagnostics};
use crate::util::paths::display_path;

/// What to do when there is no site.yaml where tumen looked.
pub const NO_SITE_HELP: &str = "run tumen in the site's folder (the one holding site.yaml), or in the folder above its content/, or pass --site DIR. To start a new site, write a site.yaml holding a `title:` line";

/// Everything read from disk, before any cross-file check.
#[derive(Debug)]
pub struct SiteSources {
    pub root: PathBuf,
    pub config: SiteConfig,
    /// Sorted by file path, so that everything downstream iterates in a stable order.
    /// Shared: the live preview keeps the briefs it did not reload from one rebuild
    /// to the next without copying their text.
    pub briefs: Vec<Arc<BriefSource>>,
    pub datasets: BTreeMap<String, Dataset>,
    /// Files copied as they are: (path in the output, file on disk), theme files first
    /// and the site's own after, so that the site's win.
    pub static_files: BTreeMap<String, StaticFile>,
    pub theme: Theme,
    /// The site's revision history, when it is in a git repository.
    pub history: Arc<history::History>,
}

/// The files below `dir` (recursively) that [`classify`] calls `kind` for the site
/// in `root`, sorted. A missing folder is no files.
pub fn list_files(root: &Path, dir: &Path, kind: Kind) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let entry = entry?;
            let path = entry.path();
            let found = classify(root, None, &path);
            if found == Kind::Junk {
                continue;
            }
            // Follow symlinks to files and folders inside the site, as a user who
            // links shared material in would expect.
            let ft = entry.file_type()?;
            if ft.is_dir() || (ft.is_symlink() && path.is_dir()) {
                stack.push(path);
            } else if found == kind {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
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
        .map_err(|e| Diagnostic::file(&display_path(dir), format!("cannot list this folder: {e}")))
}

/// Briefs' files: `briefs/**/*.md`, sorted.
pub fn brief_files(root: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    listing(root, &root.join("briefs"), Kind::Brief)
}

/// Datasets' files: `data/**/*.yaml`, sorted.
pub fn dataset_files(root: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    listing(root, &root.join("data"), Kind::Dataset)
}

/// Datasets by name; a second dataset of the same name is an error.
pub fn index_datasets(
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
pub fn static_files(
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

impl SiteSources {
    /// Read the site in `root` (the folder holding `site.yaml`).
    pub fn load(root: &Path) -> Result<SiteSources, Diagnostics> {
        let config_file = root.join("site.yaml");
        if !config_file.is_file() {
            return Err(Diagnostic::file(
                &display_path(&config_file),
                "no site.yaml here: this folder is not a tumen site",
            )
            .with_help(NO_SITE_HELP)
            .into());
        }
        let mut errors = Diagnostics::default();
        let config = read(&config_file)
            .map_err(Diagnostics::from)
            .and_then(|t| SiteConfig::load(&display_path(&config_file), &t));

        let brief_files = brief_files(root);
        let data_files = dataset_files(root);
        let (brief_files, data_files) = match (brief_files, data_files) {
            (Ok(b), Ok(d)) => (b, d),
            (b, d) => {
                errors.extend(
                    b.err()
                        .into_iter()
                        .chain(d.err())
                        .collect::<Vec<_>>()
                        .into(),
                );
                return Err(errors);
            }
        };

        let briefs: Vec<Result<BriefSource, Diagnostics>> = brief_files
            .par_iter()
            .map(|p| BriefSource::load(&display_path(p), read(p)?))
            .collect();
        let datasets: Vec<Result<Dataset, Diagnostics>> = data_files
            .par_iter()
            .map(|p| Dataset::load(&display_path(p), read(p)?))
            .collect();

        let config = match config {
            Ok(c) => Some(c),
            Err(e) => {
                errors.extend(e);
                None
            }
        };
        let mut brief_list = Vec::with_capacity(briefs.len());
        for b in briefs {
            match b {
                Ok(b) => brief_list.push(Arc::new(b)),
                Err(e) => errors.extend(e),
            }
        }
        let mut loaded = Vec::with_capacity(datasets.len());
        for d in datasets {
            match d {
                Ok(d) => loaded.push(d),
                Err(e) => errors.extend(e),
            }
        }
        let dataset_map = index_datasets(loaded, &mut errors);

        let theme = config.as_ref().map(|c| Theme::load(root, &c.theme));
        let theme = match theme {
            Some(Ok(t)) => Some(t),
            Some(Err(e)) => {
                errors.extend(e);
                None
            }
            None => None,
        };

        let static_files = match static_files(root, theme.as_ref()) {
            Ok(s) => s,
            Err(e) => {
                errors.push(e);
                BTreeMap::new()
            }
        };

        errors.into_result()?;
        let config = config.expect("no errors, so config loaded");
        Ok(SiteSources {
            history: Arc::new(history::History::load(root, display_path, &config.history)),
            root: root.to_path_buf(),
            config,
            briefs: brief_list,
            datasets: dataset_map,
            static_files,
            theme: theme.expect("no errors, so theme loaded"),
        })
    }
}
