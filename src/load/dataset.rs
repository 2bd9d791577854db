//! Datasets: `content/data/*.yaml`, a typed table with its provenance.
//!
//! The schema (documented for users in the README):
//!
//! ```yaml
//! title: Russia–DPRK trade turnover       # required
//! description: …                          # optional
//! unit: US$ million                       # optional, for the whole table
//! sources: [memo-2016]                    # keys of the `sources` dataset
//! columns:                                # required, in display order
//!   - {name: year, type: year}
//!   - {name: turnover, type: number, unit: US$ million, label: Turnover}
//!   - {name: note, type: text, optional: true}
//! rows:
//!   - {year: 1988, turnover: 2350}
//! chart: {…}                              # the dataset page's default chart
//! key: [year, reading]                    # optional: the columns that name a row
//! ```
//!
//! Every row is checked against the columns when the file is loaded; checks that
//! need other files (source keys) happen in the resolve stage.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::table::{self, RowsFile};
use super::yaml::{Seg, YamlDoc};
use crate::util::date::Date;
use crate::util::diag::{Diagnostic, Diagnostics, did_you_mean};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    Integer,
    Number,
    Text,
    Date,
    Year,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ColumnType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// May be left out of a row, or given as `null` (or left empty in a file).
    #[serde(default)]
    pub optional: bool,
    /// The decimal mark of a number column's cells in a CSV file or a
    /// spreadsheet: `.` (the default) or `,`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimal: Option<String>,
    /// Cell texts that mean "no value" in a file (`NA`, `..`, `-`); `missing:
    /// true` allows empty cells only (as `optional: true` does).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "markers_or_flag"
    )]
    pub missing: Vec<String>,
}

/// `missing: [NA, ".."]`, or `missing: true` (empty cells: the marker `""`).
fn markers_or_flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Missing {
        Flag(bool),
        Markers(Vec<String>),
    }
    Ok(match Missing::deserialize(d)? {
        Missing::Flag(true) => vec![String::new()],
        Missing::Flag(false) => Vec::new(),
        Missing::Markers(m) => m,
    })
}

impl Column {
    /// What a reader sees as the column's heading.
    pub fn heading(&self) -> String {
        let label = self
            .label
            .clone()
            .unwrap_or_else(|| self.name.replace('_', " "));
        match &self.unit {
            Some(u) => format!("{label} ({u})"),
            None => label,
        }
    }
}

/// One cell, already of its column's type.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Integer(i64),
    Number(f64),
    Text(String),
    Date(Date),
    Year(i32),
}

impl Cell {
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Cell::Integer(i) => Some(*i as f64),
            Cell::Number(n) => Some(*n),
            Cell::Year(y) => Some(*y as f64),
            _ => None,
        }
    }

    /// The cell as text: what CSV holds and what `where` filters compare against.
    pub fn text(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Integer(i) => i.to_string(),
            // Rust prints the shortest text that reads back as the same f64, so the
            // CSV holds exactly what the YAML said (103.4, not 103.40000000000001).
            Cell::Number(n) => n.to_string(),
            Cell::Text(s) => s.clone(),
            Cell::Date(d) => d.iso(),
            Cell::Year(y) => y.to_string(),
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Cell::Null => serde_json::Value::Null,
            Cell::Integer(i) => (*i).into(),
            Cell::Number(n) => {
                serde_json::Number::from_f64(*n).map_or(serde_json::Value::Null, Into::into)
            }
            Cell::Text(s) => s.clone().into(),
            Cell::Date(d) => d.iso().into(),
            Cell::Year(y) => (*y).into(),
        }
    }
}

/// A loaded, checked dataset.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// The file name without `.yaml`: how briefs, charts and templates name it.
    pub name: String,
    pub file: PathBuf,
    pub text: String,
    pub title: String,
    pub description: String,
    pub unit: Option<String>,
    pub sources: Vec<String>,
    pub columns: Vec<Column>,
    /// Cells in column order.
    pub rows: Vec<Vec<Cell>>,
    /// The dataset page's default chart, checked by the chart stage.
    pub chart: Option<yaml_serde::Value>,
    /// How the dataset page shows the rows.
    pub view: View,
    /// The file the rows were read from (as shown in messages) and a hash of its
    /// bytes, when they came from one: with `text`, what the dataset is made
    /// from (see [`Dataset::same_source`]).
    pub rows_from: Option<(PathBuf, u64)>,
    /// The columns that name a row (`key:`), by which the change log matches a
    /// version's rows with the last one's; empty: the first column.
    pub key: Vec<String>,
}

/// How a dataset's page lays out its rows (the table is always there too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum View {
    /// A table.
    #[default]
    Table,
    /// A dated list of events, in date order: the first date or year column is the
    /// date, the other text columns the event.
    Timeline,
    /// A card per row: the first text column is its name, the others its details.
    Directory,
}

#[derive(Deserialize)]
struct RawDataset {
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    sources: Vec<String>,
    columns: Vec<Column>,
    /// A list of rows, or `{file: …}` (see [`RowsFile`]).
    #[serde(default)]
    rows: yaml_serde::Value,
    #[serde(default)]
    chart: Option<yaml_serde::Value>,
    #[serde(default)]
    view: View,
    #[serde(default)]
    key: Option<KeyColumns>,
}

/// `key: year` or `key: [year, reading]`.
#[derive(Deserialize)]
#[serde(untagged)]
enum KeyColumns {
    One(String),
    Many(Vec<String>),
}

const KNOWN_KEYS: &[&str] = &[
    "title",
    "description",
    "unit",
    "sources",
    "columns",
    "rows",
    "chart",
    "view",
    "key",
];
const COLUMN_KEYS: &[&str] = &[
    "name", "type", "unit", "label", "optional", "decimal", "missing",
];

impl Dataset {
    /// Read a dataset from its file's text: its keys, columns and every row,
    /// each cell checked against its column's type.
    pub fn load(file: &Path, text: String) -> Result<Dataset, Diagnostics> {
        Dataset::load_reading(file, text, &|p| std::fs::read(p))
    }

    /// [`Dataset::load`], reading a rows file with `read`.
    pub fn load_reading(
        file: &Path,
        text: String,
        read: &dyn Fn(&Path) -> std::io::Result<Vec<u8>>,
    ) -> Result<Dataset, Diagnostics> {
        let name = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let doc = YamlDoc::whole(file, &text);
        let parsed = parse(&doc)?;
        check_columns(&doc, &parsed.columns)?;
        let mut errors = Diagnostics::default();
        let (rows, rows_from) = match rows_file(&doc, &parsed.rows)? {
            Some(spec) => {
                let (rows, from) = rows_from_file(&doc, &spec, &parsed.columns, read)?;
                (rows, Some(from))
            }
            None => (
                inline_rows(&doc, &parsed.rows, &parsed.columns, &mut errors),
                None,
            ),
        };
        check_view(&doc, parsed.view, &parsed.columns, &mut errors);
        let key = key_columns(&doc, parsed.key, &parsed.columns, &mut errors);
        errors.into_result()?;
        Ok(Dataset {
            name,
            file: file.to_path_buf(),
            title: parsed.title,
            description: parsed.description,
            unit: parsed.unit,
            sources: parsed.sources,
            columns: parsed.columns,
            rows,
            chart: parsed.chart,
            view: parsed.view,
            text,
            rows_from,
            key,
        })
    }

    /// The indexes of the columns that name a row: `key:`, else the first column.
    pub fn key_indexes(&self) -> Vec<usize> {
        let named: Vec<usize> = (self.key.iter())
            .filter_map(|k| self.column_index(k))
            .collect();
        if named.is_empty() && !self.columns.is_empty() {
            vec![0]
        } else {
            named
        }
    }

    /// Whether `other` was made from the same sources: the same YAML, and the
    /// same rows file bytes.
    pub fn same_source(&self, other: &Dataset) -> bool {
        self.text == other.text && self.rows_from == other.rows_from
    }

    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    pub fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// A diagnostic at a place in this dataset's file.
    pub fn error_at(&self, path: &[Seg], message: impl Into<String>) -> Diagnostic {
        YamlDoc::whole(&self.file, &self.text).error_at(path, message)
    }

    /// The rows as CSV (RFC 4180), column names as the header.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        let header: Vec<String> = self.columns.iter().map(|c| csv_field(&c.name)).collect();
        out.push_str(&header.join(","));
        out.push_str("\r\n");
        for row in &self.rows {
            let fields: Vec<String> = row.iter().map(|c| csv_field(&c.text())).collect();
            out.push_str(&fields.join(","));
            out.push_str("\r\n");
        }
        out
    }

    /// The dataset as JSON: its metadata and the rows as objects, in column order.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "unit": self.unit,
            "sources": self.sources,
            "columns": self.columns,
            "rows": self.rows_json(),
        })
    }

    pub fn rows_json(&self) -> Vec<serde_json::Value> {
        self.rows
            .iter()
            .map(|row| {
                let mut m = serde_json::Map::new();
                for (col, cell) in self.columns.iter().zip(row) {
                    m.insert(col.name.clone(), cell.to_json());
                }
                serde_json::Value::Object(m)
            })
            .collect()
    }
}

/// The file as YAML, its keys and its columns' keys checked, then typed.
fn parse(doc: &YamlDoc) -> Result<RawDataset, Diagnostics> {
    let raw: yaml_serde::Value = doc.parse()?;
    if !raw.is_mapping() {
        return Err(Diagnostic::file(
            doc.file,
            "a dataset must be a mapping with title, columns and rows",
        )
        .with_help("see the dataset format in the README")
        .into());
    }
    let mut errors = Diagnostics::default();
    doc.check_keys(&raw, &[], KNOWN_KEYS, "a dataset", &mut errors);
    if let Some(cols) = raw.get("columns").and_then(|c| c.as_sequence()) {
        for (i, c) in cols.iter().enumerate() {
            let path = [Seg::Key("columns".into()), Seg::Index(i)];
            doc.check_keys(c, &path, COLUMN_KEYS, "a column", &mut errors);
        }
    }
    errors.into_result()?;
    Ok(doc.parse()?)
}

/// A dataset's cells, row by row in column order.
type Rows = Vec<Vec<Cell>>;

/// `rows: {file: …}`, checked, or `None` for rows written in the YAML.
fn rows_file(doc: &YamlDoc, rows: &yaml_serde::Value) -> Result<Option<RowsFile>, Diagnostics> {
    if !rows.is_mapping() {
        return Ok(None);
    }
    let at = [Seg::Key("rows".into())];
    let mut errors = Diagnostics::default();
    doc.check_keys(
        rows,
        &at,
        &["file", "sheet", "range", "delimiter"],
        "`rows:`",
        &mut errors,
    );
    errors.into_result()?;
    let spec: RowsFile = yaml_serde::from_value(rows.clone()).map_err(|e| {
        doc.error_at(&at, format!("`rows:` {e}"))
            .with_help("write it as {file: trade.csv}, or {file: book.xlsx, sheet: \"2013\", range: \"A3:D40\"}")
    })?;
    let inside = Path::new(&spec.file)
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !inside || spec.file.is_empty() {
        return Err(doc
            .error_at(&[Seg::Key("rows".into()), Seg::Key("file".into())], format!("`{}` is not a file beside the dataset", spec.file))
            .with_help("give a file name in the data folder (or a folder below it), such as trade-2013.csv")
            .into());
    }
    Ok(Some(spec))
}

/// The rows of the file `spec` names, beside the dataset, and what they were
/// read from.
fn rows_from_file(
    doc: &YamlDoc,
    spec: &RowsFile,
    columns: &[Column],
    read: &dyn Fn(&Path) -> std::io::Result<Vec<u8>>,
) -> Result<(Rows, (PathBuf, u64)), Diagnostics> {
    let path = doc.file.parent().unwrap_or(Path::new("")).join(&spec.file);
    let bytes = read(&path).map_err(|e| {
        doc.error_at(
            &[Seg::Key("rows".into()), Seg::Key("file".into())],
            format!("cannot read {}: {e}", path.display()),
        )
        .with_help("the rows file goes beside the dataset's YAML, in the data folder")
    })?;
    let hash = crate::util::hash::fnv(&bytes);
    let table = table::read(&path, bytes, spec)?;
    let rows = table::cells(&path, &table, columns)?;
    Ok((rows, (path, hash)))
}

/// Rows written in the YAML, each checked against the columns.
fn inline_rows(
    doc: &YamlDoc,
    rows: &yaml_serde::Value,
    columns: &[Column],
    errors: &mut Diagnostics,
) -> Vec<Vec<Cell>> {
    let Some(list) = rows.as_sequence() else {
        if !rows.is_null() {
            errors.push(doc.error_at(&[Seg::Key("rows".into())], "`rows:` must be a list of rows, or {file: …}")
                .with_help("write rows as a list of {column: value}, or take them from a file: rows: {file: trade.csv}"));
        }
        return Vec::new();
    };
    (list.iter().enumerate())
        .map(|(i, row)| row_cells(doc, i, row, columns, errors))
        .collect()
}

/// At least one column; each name allowed and used once.
fn check_columns(doc: &YamlDoc, columns: &[Column]) -> Result<(), Diagnostics> {
    let mut errors = Diagnostics::default();
    let mut seen = std::collections::BTreeSet::new();
    for (i, c) in columns.iter().enumerate() {
        let at = [
            Seg::Key("columns".into()),
            Seg::Index(i),
            Seg::Key("name".into()),
        ];
        if !is_column_name(&c.name) {
            errors.push(
                doc.error_at(&at, format!("column name `{}` is not allowed", c.name))
                    .with_help("use lowercase letters, digits and `_`, starting with a letter"),
            );
        }
        if let Some(mark) = c.decimal.as_deref().filter(|m| !matches!(*m, "." | ",")) {
            let at = [
                Seg::Key("columns".into()),
                Seg::Index(i),
                Seg::Key("decimal".into()),
            ];
            errors.push(
                doc.error_at(&at, format!("`decimal: {mark}` is not a decimal mark"))
                    .with_help("write `decimal: \",\"` for a comma, or leave it out for a point"),
            );
        }
        if !seen.insert(c.name.as_str()) {
            errors.push(doc.error_at(&at, format!("column `{}` is defined twice", c.name)));
        }
    }
    if columns.is_empty() {
        errors.push(doc.error_at(
            &[Seg::Key("columns".into())],
            "a dataset needs at least one column",
        ));
    }
    errors.into_result()
}

/// Row `i`'s cells in column order; what is wrong with it goes to `errors`
/// (and its cell is left empty).
fn row_cells(
    doc: &YamlDoc,
    i: usize,
    row: &yaml_serde::Value,
    columns: &[Column],
    errors: &mut Diagnostics,
) -> Vec<Cell> {
    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    let row_path = [Seg::Key("rows".into()), Seg::Index(i)];
    let Some(map) = row.as_mapping() else {
        let shape: Vec<String> = names.iter().map(|n| format!("{n}: …")).collect();
        errors.push(
            doc.error_at(
                &row_path,
                format!("row {} is not a mapping of column: value", i + 1),
            )
            .with_help(format!("write it as {{{}}}", shape.join(", "))),
        );
        return Vec::new();
    };
    for key in map.keys() {
        let k = key
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| format!("{key:?}"));
        if !names.contains(&k.as_str()) {
            let mut p = row_path.to_vec();
            p.push(Seg::KeyName(k.clone()));
            let msg = format!(
                "row {} has a column `{k}` that the dataset does not define",
                i + 1
            );
            errors.push(doc.error_at(&p, msg).with_help(did_you_mean(&k, &names)));
        }
    }
    (columns.iter())
        .map(|col| cell(doc, i, map.get(col.name.as_str()), col, errors))
        .collect()
}

/// One cell of row `i`, converted to its column's type.
fn cell(
    doc: &YamlDoc,
    i: usize,
    value: Option<&yaml_serde::Value>,
    col: &Column,
    errors: &mut Diagnostics,
) -> Cell {
    let row_path = [Seg::Key("rows".into()), Seg::Index(i)];
    match value {
        None | Some(yaml_serde::Value::Null) if col.optional => Cell::Null,
        None | Some(yaml_serde::Value::Null) => {
            errors.push(
                doc.error_at(
                    &row_path,
                    format!("row {} has no value for column `{}`", i + 1, col.name),
                )
                .with_help(format!(
                    "add `{}: …`, or mark the column `optional: true`",
                    col.name
                )),
            );
            Cell::Null
        }
        Some(v) => convert(v, col.kind).unwrap_or_else(|msg| {
            let mut cell_path = row_path.to_vec();
            cell_path.push(Seg::Key(col.name.clone()));
            errors.push(doc.error_at(&cell_path, format!("column `{}`: {msg}", col.name)));
            Cell::Null
        }),
    }
}

/// `key:`'s columns, each one of the dataset's, once.
fn key_columns(
    doc: &YamlDoc,
    key: Option<KeyColumns>,
    columns: &[Column],
    errors: &mut Diagnostics,
) -> Vec<String> {
    let names = match key {
        None => return Vec::new(),
        Some(KeyColumns::One(k)) => vec![k],
        Some(KeyColumns::Many(k)) => k,
    };
    let all: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    for (i, k) in names.iter().enumerate() {
        let at = [Seg::Key("key".into()), Seg::Index(i)];
        let at = if names.len() == 1 { &at[..1] } else { &at[..] };
        if !all.contains(&k.as_str()) {
            let msg = format!("`key:` names a column `{k}` that the dataset does not define");
            errors.push(doc.error_at(at, msg).with_help(did_you_mean(k, &all)));
        } else if names[..i].contains(k) {
            errors.push(doc.error_at(at, format!("`key:` names `{k}` twice")));
        }
    }
    if names.is_empty() {
        let msg = "`key:` must name at least one column";
        errors.push(doc.error_at(&[Seg::Key("key".into())], msg));
    }
    names
}

/// A timeline needs a date or year column; a directory a text column.
fn check_view(doc: &YamlDoc, view: View, columns: &[Column], errors: &mut Diagnostics) {
    let has = |kinds: &[ColumnType]| columns.iter().any(|c| kinds.contains(&c.kind));
    let problem = match view {
        View::Timeline if !has(&[ColumnType::Date, ColumnType::Year]) => {
            "a timeline needs a date or year column"
        }
        View::Directory if !has(&[ColumnType::Text]) => {
            "a directory needs a text column to name each entry"
        }
        _ => return,
    };
    errors.push(
        doc.error_at(&[Seg::Key("view".into())], problem)
            .with_help("add one, or use `view: table`"),
    );
}

fn is_column_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn csv_field(s: &str) -> String {
    // A leading = + - @ (or a tab or carriage return before one) makes
    // spreadsheets run the cell as a formula; a quote in front keeps it text
    // (OWASP's advice for CSV exports). Negative numbers stay numbers.
    let s = if s.starts_with(['=', '+', '@', '\t', '\r'])
        || (s.starts_with('-') && s.parse::<f64>().is_err())
    {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        let mut q = String::with_capacity(s.len() + 2);
        q.push('"');
        for ch in s.chars() {
            if ch == '"' {
                q.push('"');
            }
            q.push(ch);
        }
        q.push('"');
        q
    } else {
        s
    }
}

fn describe(v: &yaml_serde::Value) -> String {
    match v {
        yaml_serde::Value::String(s) => format!("the text \"{s}\""),
        yaml_serde::Value::Number(n) => format!("the number {n}"),
        yaml_serde::Value::Bool(b) => format!("`{b}`"),
        yaml_serde::Value::Sequence(_) => "a list".into(),
        yaml_serde::Value::Mapping(_) => "a mapping".into(),
        _ => "an unsupported value".into(),
    }
}

fn convert(v: &yaml_serde::Value, kind: ColumnType) -> Result<Cell, String> {
    use yaml_serde::Value as V;
    let mut msg = String::new();
    match (kind, v) {
        (ColumnType::Integer, V::Number(n)) if n.is_i64() => {
            return Ok(Cell::Integer(n.as_i64().unwrap_or(0)));
        }
        (ColumnType::Number, V::Number(n)) => {
            if let Some(f) = n.as_f64().filter(|f| f.is_finite()) {
                return Ok(Cell::Number(f));
            }
        }
        (ColumnType::Year, V::Number(n)) => {
            if let Some(y) = n.as_i64().filter(|y| (1..=9999).contains(y)) {
                return Ok(Cell::Year(y as i32));
            }
        }
        (ColumnType::Date, V::String(s)) => return Date::parse(s).map(Cell::Date),
        (ColumnType::Date, V::Number(n)) => {
            if let Some(d) = n.as_i64().and_then(|y| Date::parse(&y.to_string()).ok()) {
                return Ok(Cell::Date(d));
            }
        }
        // Text columns take whatever YAML guessed (`1984` reads as a number) as text.
        (ColumnType::Text, V::String(s)) => return Ok(Cell::Text(s.clone())),
        (ColumnType::Text, V::Number(n)) => return Ok(Cell::Text(n.to_string())),
        (ColumnType::Text, V::Bool(b)) => return Ok(Cell::Text(b.to_string())),
        _ => {}
    }
    let expected = match kind {
        ColumnType::Integer => "a whole number",
        ColumnType::Number => "a number",
        ColumnType::Year => "a year such as 2013",
        ColumnType::Date => "a date (YYYY-MM-DD, YYYY-MM or YYYY)",
        ColumnType::Text => "text",
    };
    let _ = write!(msg, "expected {expected}, found {}", describe(v));
    if let (ColumnType::Number | ColumnType::Integer, V::String(s)) = (kind, v)
        && s.trim_start_matches(['~', '≈', '$'])
            .replace(',', "")
            .trim()
            .parse::<f64>()
            .is_ok()
    {
        msg.push_str(" (write the bare number; put `~` or units in a note or the column's unit)");
    }
    Err(msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Dataset, Diagnostics> {
        Dataset::load(Path::new("data/trade.yaml"), text.to_string())
    }

    const GOOD: &str = "title: Trade\nunit: US$ million\nsources: [memo-2016]\ncolumns:\n  - {name: year, type: year}\n  - {name: turnover, type: number, unit: US$ million, label: Turnover}\n  - {name: note, type: text, optional: true}\nrows:\n  - {year: 1988, turnover: 2350}\n  - {year: 2013, turnover: 112.4, note: \"exports, imports\"}\n";

    #[test]
    fn loads_the_documented_form() {
        let d = load(GOOD).unwrap();
        assert_eq!(d.name, "trade");
        assert_eq!(d.rows.len(), 2);
        assert_eq!(d.rows[0][0], Cell::Year(1988));
        assert_eq!(d.rows[1][1], Cell::Number(112.4));
        assert_eq!(d.rows[0][2], Cell::Null);
        assert_eq!(d.columns[1].heading(), "Turnover (US$ million)");
    }

    #[test]
    fn csv_and_json_carry_the_same_rows() {
        let d = load(GOOD).unwrap();
        assert_eq!(
            d.to_csv(),
            "year,turnover,note\r\n1988,2350,\r\n2013,112.4,\"exports, imports\"\r\n"
        );
        let j = d.to_json();
        assert_eq!(j["rows"][1]["turnover"], serde_json::json!(112.4));
        assert_eq!(j["rows"][0]["note"], serde_json::Value::Null);
    }

    #[test]
    fn cell_errors_are_all_reported_with_positions() {
        let bad = GOOD
            .replace("turnover: 2350}", "turnover: \"~2350\"}")
            .replace("{year: 2013,", "{yaer: 2013,");
        let e = load(&bad).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("data/trade.yaml:9:28"), "{text}");
        assert!(
            text.contains("expected a number, found the text \"~2350\""),
            "{text}"
        );
        assert!(text.contains("write the bare number"), "{text}");
        assert!(
            text.contains("column `yaer` that the dataset does not define"),
            "{text}"
        );
        assert!(text.contains("did you mean `year`?"), "{text}");
        assert!(text.contains("no value for column `year`"), "{text}");
        assert_eq!(e.len(), 3, "{text}");
    }

    #[test]
    fn schema_errors() {
        let e = load("title: T\ncolums: []\n").unwrap_err().to_string();
        assert!(e.contains("did you mean `columns`?"), "{e}");
        let e = load("title: T\ncolumns:\n  - {name: x, type: float}\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("data/trade.yaml:3:"), "{e}");
        assert!(e.contains("unknown variant `float`"), "{e}");
        let e = load("title: T\ncolumns:\n  - {name: Year, type: year}\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("not allowed"), "{e}");
    }

    #[test]
    fn key_names_the_columns_that_name_a_row() {
        assert_eq!(load(GOOD).unwrap().key_indexes(), [0]);
        let d = load(&format!("{GOOD}key: [note, year]\n")).unwrap();
        assert_eq!(d.key_indexes(), [2, 0]);
        let d = load(&format!("{GOOD}key: turnover\n")).unwrap();
        assert_eq!(d.key_indexes(), [1]);
        let e = load(&format!("{GOOD}key: [yaer]\n"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("column `yaer` that the dataset does not define"),
            "{e}"
        );
        assert!(e.contains("did you mean `year`?"), "{e}");
        let e = load(&format!("{GOOD}key: [year, year]\n"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("`key:` names `year` twice"), "{e}");
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_field("-12.5"), "-12.5");
        assert_eq!(csv_field("\t=1+1"), "'\t=1+1");
        assert_eq!(csv_field("@cmd"), "'@cmd");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
