//! Stage 1, **load**: read the site's files into checked, typed values.
//!
//! Everything that can be checked from one file alone is checked here (YAML syntax,
//! front matter keys and types, dataset rows against their columns), and every
//! problem in every file is collected before the build stops. Checks that need
//! several files (links, source keys, dataset lookups) belong to `resolve`.
//!
//! | module | owns |
//! |---|---|
//! | [`classify`](mod@classify) | what a path is to the site: the one list of which files are sources |
//! | [`store`] | every source file as last read: read all (`tumen build`), or again what changed (`tumen serve`) |
//! | [`config`], [`brief`], [`dataset`], [`theme`] | one kind of file each, read and checked |
//! | [`history`] | what git says of the files |
//! | [`blobs`] | old versions of files, read from git by blob id |
//! | [`yaml`] | YAML with errors that point into the file |
//!
//! One loader for both commands, so that they read the same files and report the
//! same problems; [`SiteSources`] is what it hands to `resolve`.

pub mod blobs;
pub mod brief;
pub mod cells;
pub mod classify;
pub mod config;
pub mod dataset;
pub mod history;
pub mod store;
pub mod table;
pub mod theme;
pub mod yaml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use brief::BriefSource;
pub use classify::{Kind, classify};
pub use config::SiteConfig;
pub use dataset::Dataset;
pub use store::{Applied, SourceStore};
pub use theme::{StaticFile, Theme};

use crate::util::diag::Diagnostics;
use crate::util::paths::display_path;

/// What to do when there is no site.yaml where tumen looked.
pub const NO_SITE_HELP: &str = "run tumen in the site's folder (the one holding site.yaml), or in the folder above its content/, or pass --site DIR. To start a new site: `tumen init my-briefings`, then `cd my-briefings`";

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
    /// The reader of old versions of its files (nothing read until asked).
    pub blobs: Arc<blobs::Blobs>,
}

/// Whether a loaded brief keeps its body ([`SiteSources::load_with`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bodies {
    Kept,
    LetGo,
}

impl SiteSources {
    /// Read the site in `root` (the folder holding `site.yaml`), as `tumen build`
    /// does: every file, then every problem of every file, or the sources.
    pub fn load(root: &Path) -> Result<SiteSources, Diagnostics> {
        Self::load_with(root, Bodies::Kept)
    }

    /// [`SiteSources::load`], each brief's body let go as soon as its front
    /// matter is read, or kept: a build lets them go, so that it never holds
    /// every brief's text, and reads each body again when it resolves and
    /// renders it ([`BriefSource::read_body`]).
    pub fn load_with(root: &Path, bodies: Bodies) -> Result<SiteSources, Diagnostics> {
        let blobs = Arc::new(blobs::Blobs::new(root));
        let mut sources = SourceStore::load_all_with(root, bodies)?.sources(|config| {
            let h = history::History::load(root, display_path, &config.history, Some(&blobs));
            Arc::new(h)
        })?;
        sources.blobs = blobs;
        Ok(sources)
    }
}
