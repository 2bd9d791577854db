//! `tumen new dataset FILE`: the YAML that describes a CSV file or a
//! spreadsheet, written beside it, with each column's type inferred from its
//! cells (year, date, integer, number, text), its decimal mark, percentages and
//! missing values, and placeholders for what only the analyst knows (title,
//! unit, sources).
//!
//! The inference tries each type with the loader's own rules ([`cells`]) on
//! every cell, so the YAML written reads the file without an error; it is checked
//! by loading it before it is written. Nothing in the file is changed.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::load::cells::{self, Raw};
use crate::load::dataset::{Column, ColumnType, Dataset};
use crate::load::table::{self, RowsFile, Table};
use crate::util::diag::Diagnostic;
use crate::util::paths::display_path;

/// What was inferred of one column.
#[derive(Debug, Clone)]
pub struct Guess {
    pub column: Column,
    /// The file's heading, when the column's name had to differ from it.
    pub header: String,
    /// Cells with no value.
    pub empty: usize,
}

/// The dataset written: where, from how many rows, and its columns.
#[derive(Debug)]
pub struct NewDataset {
    pub yaml: PathBuf,
    pub rows: usize,
    pub columns: Vec<Guess>,
}

/// Cell texts that mean "no value" in exports (statistics offices write `..`).
const MISSING_MARKERS: &[&str] = &[
    "NA", "N/A", "n/a", "na", "..", "…", "-", "–", "—", "x", "NaN",
];

/// Write `<stem>.yaml` beside `file` (a .csv, .xlsx, .xls or .ods), describing
/// it (a spreadsheet's `sheet` and `range`, or its first sheet's cells); refuses
/// to overwrite an existing one.
pub fn new_dataset(
    file: &Path,
    sheet: Option<String>,
    range: Option<String>,
) -> Result<NewDataset, Diagnostic> {
    let shown = display_path(file);
    let bytes = std::fs::read(file)
        .map_err(|e| Diagnostic::file(&shown, format!("cannot read this file: {e}")))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let spec = RowsFile {
        file: name.clone(),
        sheet,
        range,
        delimiter: None,
    };
    let table = table::read(&shown, bytes, &spec)?;
    let columns = names(&table.header)
        .into_iter()
        .enumerate()
        .map(|(i, (n, h))| infer(&table, i, n, h))
        .collect::<Vec<_>>();
    let yaml_path = file.with_extension("yaml");
    let shown_yaml = display_path(&yaml_path);
    if yaml_path.exists() {
        return Err(Diagnostic::file(
            &shown_yaml,
            "this file exists already: tumen new dataset overwrites nothing",
        )
        .with_help("delete or rename it first, or edit it by hand"));
    }
    let text = yaml(file, &name, &table, &columns);
    // The YAML must read its file: check it as the build will.
    Dataset::load(&shown_yaml, text.clone()).map_err(|d| {
        let first = d.0.into_iter().next().map(|d| d.to_string()).unwrap_or_default();
        Diagnostic::file(&shown, format!("internal error: the inferred dataset does not read its file; please report it:\n{first}"))
    })?;
    std::fs::write(&yaml_path, text)
        .map_err(|e| Diagnostic::file(&shown_yaml, format!("cannot write: {e}")))?;
    Ok(NewDataset {
        yaml: yaml_path,
        rows: table.rows.len(),
        columns,
    })
}

/// Column names made from the headings: lowercase letters, digits and `_`,
/// each once; with the heading kept as the label where they differ.
fn names(header: &[String]) -> Vec<(String, String)> {
    let mut taken: Vec<String> = Vec::new();
    header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let mut n = String::new();
            for c in h.trim().chars().flat_map(char::to_lowercase) {
                if c.is_ascii_alphanumeric() {
                    n.push(c);
                } else if !n.ends_with('_') {
                    n.push('_');
                }
            }
            let mut n = n.trim_matches('_').to_string();
            if n.is_empty() {
                n = format!("column_{}", i + 1);
            } else if n.starts_with(|c: char| c.is_ascii_digit()) {
                n.insert_str(0, "c_");
            }
            let base = n.clone();
            let mut k = 2;
            while taken.contains(&n) {
                n = format!("{base}_{k}");
                k += 1;
            }
            taken.push(n.clone());
            (n, h.trim().to_string())
        })
        .collect()
}

/// A column of `kind` with the settings that read its cells.
fn column(name: &str, kind: ColumnType) -> Column {
    Column {
        name: name.to_string(),
        kind,
        unit: None,
        label: None,
        optional: false,
        decimal: None,
        missing: Vec::new(),
    }
}

/// Column `i`'s type: the first of year, date, integer, number (with a point,
/// then a comma), text that reads every cell.
fn infer(table: &Table, i: usize, name: String, header: String) -> Guess {
    let cells: Vec<&Raw> = table
        .rows
        .iter()
        .map(|r| r.get(i).unwrap_or(&Raw::Empty))
        .collect();
    let is_empty = |c: &Raw| match c {
        Raw::Empty => true,
        Raw::Text(t) => t.trim().is_empty(),
        _ => false,
    };
    let empty = cells.iter().filter(|c| is_empty(c)).count();
    let markers: Vec<String> = (MISSING_MARKERS.iter())
        .filter(|m| {
            cells
                .iter()
                .any(|c| matches!(c, Raw::Text(t) if t.trim() == **m))
        })
        .map(|m| m.to_string())
        .collect();
    let percent = cells
        .iter()
        .any(|c| matches!(c, Raw::Text(t) if t.trim().ends_with('%')));
    let year_like = name.contains("year") || name.contains("jahr") || name == "annee";
    let mut candidates = Vec::new();
    if year_like {
        candidates.push(column(&name, ColumnType::Year));
    }
    candidates.push(column(&name, ColumnType::Date));
    candidates.push(column(&name, ColumnType::Integer));
    candidates.push(column(&name, ColumnType::Number));
    candidates.push(Column {
        decimal: Some(",".into()),
        ..column(&name, ColumnType::Number)
    });
    let mut found = column(&name, ColumnType::Text);
    for mut c in candidates {
        c.optional = empty > 0;
        if c.kind != ColumnType::Text {
            c.missing = markers.clone();
        }
        if percent && c.kind == ColumnType::Number {
            c.unit = Some("%".into());
        }
        let some_value = cells.iter().any(|r| {
            !is_empty(r) && !matches!(r, Raw::Text(t) if c.missing.iter().any(|m| m == t.trim()))
        });
        if some_value && cells.iter().all(|r| cells::convert(r, &c).is_ok()) {
            found = c;
            break;
        }
    }
    if found.kind == ColumnType::Text {
        found.optional = empty > 0;
    }
    if name != header {
        found.label = Some(header.clone());
    }
    Guess {
        column: found,
        header,
        empty,
    }
}

/// The dataset's YAML, placeholders marked `TODO`.
fn yaml(file: &Path, name: &str, table: &Table, columns: &[Guess]) -> String {
    let q = |s: &str| serde_json::Value::from(s).to_string();
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().replace(['-', '_'], " "))
        .unwrap_or_default();
    let mut chars = stem.chars();
    let stem: String = (chars.next())
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    let mut out =
        format!("# Written by `tumen new dataset` from {name}: fill in the lines marked TODO.\n");
    let _ = writeln!(out, "title: {}   # TODO: the title readers see", q(&stem));
    out.push_str(
        "description: \"\"   # TODO: what the figures are and what to know before using them\n",
    );
    out.push_str("unit: \"\"   # TODO: the unit of the figures, such as US$ million\n");
    out.push_str(
        "sources: []   # TODO: the keys of data/sources.yaml these figures come from\ncolumns:\n",
    );
    for g in columns {
        let c = &g.column;
        let kind = serde_json::to_value(c.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let _ = write!(out, "  - {{name: {}, type: {kind}", c.name);
        if let Some(u) = &c.unit {
            let _ = write!(out, ", unit: {}", q(u));
        }
        if let Some(l) = &c.label {
            let _ = write!(out, ", label: {}", q(l));
        }
        if let Some(d) = &c.decimal {
            let _ = write!(out, ", decimal: {}", q(d));
        }
        if c.optional {
            out.push_str(", optional: true");
        }
        if !c.missing.is_empty() {
            let m: Vec<String> = c.missing.iter().map(|m| q(m)).collect();
            let _ = write!(out, ", missing: [{}]", m.join(", "));
        }
        out.push_str("}\n");
    }
    match table.sheet_and_range() {
        Some((sheet, range)) => {
            let _ = writeln!(
                out,
                "rows: {{file: {}, sheet: {}, range: {}}}",
                q(name),
                q(&sheet),
                q(&range)
            );
        }
        None => {
            let _ = writeln!(out, "rows: {{file: {}}}", q(name));
        }
    }
    out
}
