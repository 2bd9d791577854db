//! What changed, commit by commit: each brief's changes (its text before and
//! after, and the figures it shows that changed) and each dataset's change log
//! (its rows added, removed and changed, and the version each commit left).
//!
//! Made by `resolve::changes` from the git history and the old versions of the
//! files; the renderer draws them (the word diff of the prose is the renderer's,
//! from the blocks made here). Everything here is as a commit left it, so the same
//! repository gives the same values whatever the working tree holds.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::load::Dataset;
use crate::load::history::Revision;
use crate::markdown::text::Block;

/// What a commit did to what a brief shows.
#[derive(Debug, Clone, PartialEq)]
pub struct BriefChange {
    pub rev: Revision,
    pub kind: ChangeKind,
    /// The brief's prose with its values put in, before and after the commit,
    /// where the commit changed it (`after` is `None` where the commit removed
    /// the brief).
    pub before: Option<Prose>,
    pub after: Option<Prose>,
    /// The numbers it shows that the commit changed.
    pub figures: Vec<FigureChange>,
}

/// A brief's title, summary and body as a reader reads them: block by block
/// ([`markdown::text`](crate::markdown::text)), what the word diff compares.
pub type Prose = Arc<[Block]>;

/// What kind of change a commit was to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeKind {
    /// The commit added it.
    Added,
    /// The commit changed it, or what it reads.
    Changed,
    /// The oldest commit of a shallow clone: what came before is not in this copy.
    HistoryStarts,
    /// A version could not be read (a file git no longer has, or that did not
    /// load then): what it says.
    Unreadable(String),
}

/// One number that a brief shows, before and after a commit: "Turnover 2022:
/// 120 → 125 (US$ million)".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FigureChange {
    /// What it is: the column's label and the row's key ("Turnover 2022"), or a
    /// key figure's label.
    pub label: String,
    /// As the brief shows it; `None` where there was no such value.
    pub before: Option<String>,
    pub after: Option<String>,
    pub unit: Option<String>,
    /// Where it is: the dataset's name and title, the row, the column.
    pub dataset: String,
    pub dataset_title: String,
    pub row: String,
    pub column: String,
    /// How the brief shows it: "in the text", or "in the chart <title>".
    pub shown: String,
}

/// A brief's changes, newest first.
pub type BriefLog = Vec<BriefChange>;

/// One commit in a dataset's change log.
#[derive(Debug, Clone)]
pub struct DatasetRevision {
    pub rev: Revision,
    /// The name its files take: `data/<name>/<id>.csv`. The commit's first seven
    /// hex digits, more only where two of the dataset's commits share them.
    pub id: String,
    /// The dataset as the commit left it; what is wrong with it, if it does not
    /// load (or git no longer has it).
    pub data: Result<Arc<Dataset>, String>,
    pub kind: ChangeKind,
    pub rows: RowsDiff,
}

impl PartialEq for DatasetRevision {
    fn eq(&self, o: &DatasetRevision) -> bool {
        let same_data = match (&self.data, &o.data) {
            (Ok(a), Ok(b)) => Arc::ptr_eq(a, b) || a.same_source(b),
            (Err(a), Err(b)) => a == b,
            _ => false,
        };
        self.rev == o.rev
            && self.id == o.id
            && self.kind == o.kind
            && self.rows == o.rows
            && same_data
    }
}

/// Rows of a dataset added, removed and changed by a commit, matched by key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowsDiff {
    /// The names of the key columns the rows were matched by.
    pub key: Vec<String>,
    pub added: Vec<RowText>,
    pub removed: Vec<RowText>,
    pub changed: Vec<RowChange>,
    pub columns_added: Vec<String>,
    pub columns_removed: Vec<String>,
    /// Rows in the version the commit left.
    pub rows_after: usize,
}

/// A row by its key, with its cells (column heading, text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowText {
    pub key: String,
    pub cells: Vec<(String, String)>,
}

/// A row whose cells changed: each as (column heading, before, after).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowChange {
    pub key: String,
    pub cells: Vec<(String, String, String)>,
}

/// A dataset's change log, newest first.
pub type DatasetLog = Vec<DatasetRevision>;

/// The changes of the whole site: one log per brief (in the site's order) and
/// per dataset that has one. Empty outside git.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    pub briefs: Vec<Arc<BriefLog>>,
    pub datasets: BTreeMap<String, Arc<DatasetLog>>,
}
