//! `tumen init [DIR]`: a new site that builds and serves at once, written into an
//! empty or missing folder.
//!
//! The starter site is a real site folder, `assets/init/`, built into the binary
//! file by file ([`FILES`]): its settings with every key a newcomer sets, explained;
//! one brief with a chart, inline values, a footnote and a source; a dataset in
//! YAML and one whose rows are a CSV file; the sources; a `.gitignore`; a GitHub
//! Pages workflow. The files are written as they are (no date, no name filled
//! in), so two inits give the same bytes. Nothing is ever overwritten: a folder
//! that holds anything is refused, and each file is created only if it is new.

use std::path::{Path, PathBuf};

use crate::util::diag::Diagnostic;
use crate::util::paths::display_path;

/// One file of the starter site: its path in the new site, and its text.
pub type StarterFile = (&'static str, &'static str);

/// The starter site, in the order `tumen init` writes it.
pub const FILES: &[StarterFile] = &[
    ("site.yaml", include_str!("../assets/init/site.yaml")),
    (
        "briefs/harbour-cargo-2023.md",
        include_str!("../assets/init/briefs/harbour-cargo-2023.md"),
    ),
    (
        "data/harbour-cargo.yaml",
        include_str!("../assets/init/data/harbour-cargo.yaml"),
    ),
    (
        "data/sources.yaml",
        include_str!("../assets/init/data/sources.yaml"),
    ),
    (".gitignore", include_str!("../assets/init/.gitignore")),
    (
        ".github/workflows/pages.yml",
        include_str!("../assets/init/.github/workflows/pages.yml"),
    ),
    // A dataset whose rows are a CSV file beside it.
    (
        "data/harbour-cargo-types.yaml",
        include_str!("../assets/init/data/harbour-cargo-types.yaml"),
    ),
    (
        "data/harbour-cargo-types.csv",
        include_str!("../assets/init/data/harbour-cargo-types.csv"),
    ),
];

/// The brief of the starter, for the next steps `tumen init` prints.
pub const BRIEF: &str = "briefs/harbour-cargo-2023.md";

/// Write the starter site into `dir`, which must be empty or missing (it is then
/// created, with its parents). Returns the files written, as paths in `dir`.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    refuse_unless_empty(dir)?;
    let mut written = Vec::new();
    for &(rel, text) in FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| {
                Diagnostic::file(
                    &display_path(parent),
                    format!("cannot create the folder: {e}"),
                )
            })?;
        }
        write_new(&path, text)?;
        written.push(path);
    }
    Ok(written)
}

/// An error unless `dir` is missing or an empty folder.
fn refuse_unless_empty(dir: &Path) -> Result<(), Diagnostic> {
    let shown = display_path(dir);
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(_) if dir.exists() && !dir.is_dir() => {
            return Err(Diagnostic::file(&shown, "this is a file, not a folder")
                .with_help("name a new folder for the site: `tumen init my-briefings`"));
        }
        Err(e) => {
            return Err(Diagnostic::file(
                &shown,
                format!("cannot read the folder: {e}"),
            ));
        }
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    if names.is_empty() {
        return Ok(());
    }
    names.sort();
    let folder = if dir == Path::new(".") {
        "the current folder".to_string()
    } else {
        format!("the folder {}", shown.display())
    };
    Err(Diagnostic::file(
        &shown,
        format!("{folder} is not empty: it holds {}", listing(&names)),
    )
    .with_help(
        "tumen init writes a new site only into an empty or missing folder, so that it overwrites nothing; name a new one: `tumen init my-briefings`",
    ))
}

/// `` `a` ``, `` `a` and `b` ``, `` `a`, `b` and `c` ``; past five names, how many more.
fn listing(names: &[String]) -> String {
    let shown: Vec<String> = names.iter().take(5).map(|s| format!("`{s}`")).collect();
    let more = names.len() - shown.len();
    match (shown.split_last(), more) {
        (Some((last, [])), 0) => last.clone(),
        (Some((last, rest)), 0) => format!("{} and {last}", rest.join(", ")),
        _ => format!("{} and {more} more", shown.join(", ")),
    }
}

/// Create `path` with `text`, failing if anything is there already.
fn write_new(path: &Path, text: &str) -> Result<(), Diagnostic> {
    use std::io::Write;
    let shown = display_path(path);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| Diagnostic::file(&shown, format!("cannot create: {e}")))?;
    f.write_all(text.as_bytes())
        .map_err(|e| Diagnostic::file(&shown, format!("cannot write: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_starter_file_is_listed_once_and_the_brief_among_them() {
        let all: Vec<&str> = FILES.iter().map(|(p, _)| *p).collect();
        let mut sorted = all.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), all.len());
        assert!(all.contains(&BRIEF));
        assert!(FILES.iter().any(|(p, _)| p.ends_with(".csv")));
    }

    #[test]
    fn a_listing_names_five_entries_at_most() {
        let names = |n: usize| (1..=n).map(|i| format!("f{i}")).collect::<Vec<_>>();
        assert_eq!(listing(&names(1)), "`f1`");
        assert_eq!(listing(&names(2)), "`f1` and `f2`");
        assert_eq!(listing(&names(3)), "`f1`, `f2` and `f3`");
        assert_eq!(
            listing(&names(7)),
            "`f1`, `f2`, `f3`, `f4`, `f5` and 2 more"
        );
    }

    #[test]
    fn the_csv_dataset_names_its_file_and_the_header_its_columns() {
        let csv_file = |end: &str| {
            FILES
                .iter()
                .find(|(p, _)| p.ends_with(end))
                .map(|f| f.1)
                .unwrap()
        };
        let yaml = csv_file("harbour-cargo-types.yaml");
        assert!(
            yaml.contains("rows: {file: harbour-cargo-types.csv}"),
            "{yaml}"
        );
        let header = csv_file("harbour-cargo-types.csv").lines().next().unwrap();
        for column in header.split(',') {
            assert!(yaml.contains(&format!("{{name: {column}, ")), "{column}");
        }
    }
}
