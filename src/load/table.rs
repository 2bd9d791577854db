//! A dataset's rows from a file beside it (`rows: {file: trade.csv}`): CSV
//! (RFC 4180, UTF-8, a header row) through the `csv` crate, spreadsheets (.xlsx,
//! .xlsm, .xls, .ods) through `calamine`, with a sheet and a range to read.
//!
//! This module only reads: it gives the header and the cells as the file holds
//! them ([`Raw`]), each with where it is, so that an error can name the cell
//! (`data/trade.csv:14:3`, line and field; `data/customs.xlsx` sheet `2013`
//! cell `C7`). What a cell means is its column's business ([`super::cells`]).

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Range, Reader, open_workbook_auto_from_rs};
use serde::Deserialize;

use super::cells::{Raw, convert};
use super::dataset::{Cell, Column};
use crate::util::date::Date;
use crate::util::diag::{Diagnostic, Diagnostics, did_you_mean, suggest};

/// `rows: {file: …, sheet: …, range: …, delimiter: …}` in a dataset.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RowsFile {
    /// Beside the dataset's YAML.
    pub file: String,
    /// A spreadsheet's sheet, by name; default: the first.
    #[serde(default)]
    pub sheet: Option<String>,
    /// A spreadsheet's cells, `A3:D40`, the header in its first row; default:
    /// every cell of the sheet that holds something.
    #[serde(default)]
    pub range: Option<String>,
    /// A CSV file's field separator; default `,` (`;` is common in Europe).
    #[serde(default)]
    pub delimiter: Option<char>,
}

/// Where a cell is, for messages.
#[derive(Debug, Clone)]
pub enum Place {
    /// Line and field of a CSV file (both from 1), and the line's text.
    Csv {
        line: usize,
        field: usize,
        text: String,
    },
    /// A spreadsheet's sheet and cell (`C7`).
    Sheet { sheet: String, cell: String },
}

/// A table as read: its header and rows, and where each cell is.
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<Raw>>,
    origin: Origin,
}

enum Origin {
    /// The file's bytes and each row's line and byte offset.
    Csv {
        bytes: Vec<u8>,
        rows: Vec<(usize, usize)>,
    },
    /// The sheet's name and the header's row and first column (from 0).
    Sheet { sheet: String, top: u32, left: u32 },
}

impl Table {
    /// Where cell `field` (from 0) of row `row` (from 0; `None` for the header) is.
    pub fn place(&self, row: Option<usize>, field: usize) -> Place {
        match &self.origin {
            Origin::Csv { bytes, rows } => {
                let (line, start) = match row {
                    Some(r) => rows.get(r).copied().unwrap_or((0, 0)),
                    None => (1, 0),
                };
                let text = line_at(bytes, start);
                Place::Csv {
                    line,
                    field: field + 1,
                    text,
                }
            }
            Origin::Sheet { sheet, top, left } => {
                let r = *top as usize + row.map_or(0, |r| r + 1);
                Place::Sheet {
                    sheet: sheet.clone(),
                    cell: format!("{}{}", column_letters(*left as usize + field), r + 1),
                }
            }
        }
    }
}

impl Table {
    /// A spreadsheet's sheet read, and the cells of the table (header
    /// included), as `rows: {sheet, range}` names them; `None` for CSV.
    pub fn sheet_and_range(&self) -> Option<(String, String)> {
        let Origin::Sheet { sheet, top, left } = &self.origin else {
            return None;
        };
        let width = self.header.len().max(1);
        let (top, left) = (*top as usize, *left as usize);
        let bottom = top + self.rows.len();
        let right = left + width - 1;
        let range = format!(
            "{}{}:{}{}",
            column_letters(left),
            top + 1,
            column_letters(right),
            bottom + 1
        );
        Some((sheet.clone(), range))
    }
}

/// The text of the line starting at byte `start`, BOM and line end left out.
fn line_at(bytes: &[u8], start: usize) -> String {
    let rest = bytes.get(start..).unwrap_or_default();
    let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
    let line = String::from_utf8_lossy(&rest[..end]);
    line.trim_start_matches('\u{feff}')
        .trim_end_matches('\r')
        .to_string()
}

/// `0` → `A`, `25` → `Z`, `26` → `AA`.
pub fn column_letters(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8_lossy(&s).into_owned()
}

/// Read the rows file `spec` names, whose bytes are `bytes`; `file` is its path
/// as shown in messages.
pub fn read(file: &Path, bytes: Vec<u8>, spec: &RowsFile) -> Result<Table, Diagnostic> {
    let ext = (file.extension())
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "csv" | "tsv" | "txt" => read_csv(file, bytes, spec),
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => read_sheet(file, bytes, spec),
        _ => Err(
            Diagnostic::file(file, format!("tumen cannot read rows from a `.{ext}` file"))
                .with_help("give a .csv file, or a spreadsheet (.xlsx, .xls, .ods)"),
        ),
    }
}

fn read_csv(file: &Path, bytes: Vec<u8>, spec: &RowsFile) -> Result<Table, Diagnostic> {
    if spec.sheet.is_some() || spec.range.is_some() {
        return Err(Diagnostic::file(file, "a CSV file has no sheets or ranges")
            .with_help("leave out `sheet:` and `range:`, which are for spreadsheets"));
    }
    let delimiter = spec.delimiter.unwrap_or(',');
    let Ok(delimiter) = u8::try_from(delimiter) else {
        return Err(
            Diagnostic::file(file, format!("`{delimiter}` cannot separate CSV fields"))
                .with_help("use one ASCII character, such as `,`, `;` or a tab"),
        );
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(Cursor::new(&bytes));
    let header = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_string()).collect(),
        Err(e) => return Err(csv_error(file, &bytes, &e)),
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(file, &bytes, &e))?;
        rows.push(record.iter().map(|s| Raw::Text(s.to_string())).collect());
    }
    // The csv crate's own positions miscount after a byte order mark.
    let places = record_starts(&bytes).into_iter().skip(1).collect();
    Ok(Table {
        header,
        rows,
        origin: Origin::Csv {
            bytes,
            rows: places,
        },
    })
}

/// The line (from 1) and byte offset where each record of a CSV file starts,
/// the header first: records end at a line end outside quotes; empty lines are
/// no records, as the csv crate skips them.
fn record_starts(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut starts = Vec::new();
    let (mut line, mut quoted, mut at_start) = (1, false, true);
    for (i, &b) in bytes.iter().enumerate() {
        if at_start && b != b'\n' && b != b'\r' {
            starts.push((line, i));
            at_start = false;
        }
        match b {
            b'"' => quoted = !quoted,
            b'\n' => {
                line += 1;
                at_start |= !quoted;
            }
            _ => {}
        }
    }
    starts
}

/// A CSV file that cannot be read as one: where, and what to do.
fn csv_error(file: &Path, bytes: &[u8], e: &csv::Error) -> Diagnostic {
    // By the record's number: the csv crate's line numbers miscount after a BOM.
    let line = (e.position())
        .and_then(|p| record_starts(bytes).get(p.record() as usize).copied())
        .map_or(0, |(line, _)| line);
    let (message, help) = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => (
            format!("this row has {len} fields, and the header {expected_len}"),
            "every row needs one field per column; quote fields that hold the separator (\"1,234\")",
        ),
        csv::ErrorKind::Utf8 { .. } => (
            "this row is not UTF-8".to_string(),
            "save the file as UTF-8 (in Excel: CSV UTF-8)",
        ),
        _ => (
            format!("cannot read this CSV file: {e}"),
            "check that it is CSV",
        ),
    };
    let mut d = Diagnostic::file(file, message).with_help(help);
    d.line = line;
    d
}

fn read_sheet(file: &Path, bytes: Vec<u8>, spec: &RowsFile) -> Result<Table, Diagnostic> {
    let cannot = |e: &dyn std::fmt::Display| {
        Diagnostic::file(file, format!("cannot read this spreadsheet: {e}"))
            .with_help("save it again as .xlsx, or export the sheet as CSV (UTF-8)")
    };
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| cannot(&e))?;
    let names = book.sheet_names();
    let sheet = match &spec.sheet {
        Some(s) if names.contains(s) => s.clone(),
        Some(s) => {
            return Err(
                Diagnostic::file(file, format!("no sheet `{s}` in this workbook")).with_help(
                    did_you_mean(s, &names.iter().map(String::as_str).collect::<Vec<_>>()),
                ),
            );
        }
        None => names
            .first()
            .cloned()
            .ok_or_else(|| cannot(&"it has no sheets"))?,
    };
    let range = book.worksheet_range(&sheet).map_err(|e| cannot(&e))?;
    let range = match &spec.range {
        Some(r) => sub_range(&range, r).ok_or_else(|| {
            Diagnostic::file(file, format!("`range: {r}` is not a range of cells"))
                .with_help("write it as the top-left and bottom-right cells, such as A3:D40")
        })?,
        None => range,
    };
    let (top, left) = range.start().unwrap_or((0, 0));
    let mut rows = range.rows().map(|r| r.iter().map(raw).collect::<Vec<_>>());
    let header = (rows.next().unwrap_or_default().into_iter())
        .map(|c| match c {
            Raw::Text(s) => s.trim().to_string(),
            Raw::Number(n) => n.to_string(),
            _ => String::new(),
        })
        .collect();
    // Rows left empty below the table are no rows.
    let mut rows: Vec<Vec<Raw>> = rows.collect();
    while rows
        .last()
        .is_some_and(|r| r.iter().all(|c| *c == Raw::Empty))
    {
        rows.pop();
    }
    Ok(Table {
        header,
        rows,
        origin: Origin::Sheet { sheet, top, left },
    })
}

/// `A3:D40` of `range`, in the sheet's own coordinates.
fn sub_range(range: &Range<Data>, r: &str) -> Option<Range<Data>> {
    let (a, b) = r.split_once(':')?;
    let (start, end) = (cell_ref(a)?, cell_ref(b)?);
    (start.0 <= end.0 && start.1 <= end.1).then(|| range.range(start, end))
}

/// `C7` → (row 6, column 2), from 0.
fn cell_ref(s: &str) -> Option<(u32, u32)> {
    let s = s.trim().replace('$', "");
    let letters = s.chars().take_while(char::is_ascii_alphabetic).count();
    let (col, row) = s.split_at(letters);
    if col.is_empty() || col.len() > 3 {
        return None;
    }
    let col =
        (col.to_ascii_uppercase().bytes()).fold(0u32, |n, b| n * 26 + u32::from(b - b'A') + 1);
    let row: u32 = row.parse().ok().filter(|&r| r > 0)?;
    Some((row - 1, col - 1))
}

/// A spreadsheet cell as [`Raw`].
fn raw(d: &Data) -> Raw {
    match d {
        Data::Empty => Raw::Empty,
        Data::String(s) => Raw::Text(s.clone()),
        Data::Int(i) => Raw::Number(*i as f64),
        Data::Float(f) => Raw::Number(*f),
        Data::Bool(b) => Raw::Bool(*b),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, day, ..) = dt.to_ymd_hms_milli();
            Date::parse(&format!("{y:04}-{m:02}-{day:02}"))
                .map_or_else(|_| Raw::Number(dt.as_f64()), Raw::Date)
        }
        Data::DateTime(dt) => Raw::Number(dt.as_f64()),
        Data::DateTimeIso(s) => {
            Date::parse_timestamp(s).map_or_else(|_| Raw::Text(s.clone()), Raw::Date)
        }
        Data::DurationIso(s) => Raw::Text(s.clone()),
        Data::Error(e) => Raw::Error(e.to_string()),
    }
}

/// The most cell errors reported for one file: a column of the wrong type in a
/// file of 100,000 rows is one mistake, not 100,000.
const MOST_CELL_ERRORS: usize = 20;

/// The table's rows as cells of `columns`: the header must name each column once
/// (in any order); every cell is read as its column says.
pub fn cells(
    file: &Path,
    table: &Table,
    columns: &[Column],
) -> Result<Vec<Vec<Cell>>, Diagnostics> {
    let order = header_order(file, table, columns)?;
    let mut errors = Diagnostics::default();
    let mut more = 0usize;
    let rows = (table.rows.iter().enumerate())
        .map(|(r, row)| {
            (columns.iter().zip(&order))
                .map(|(col, &field)| {
                    let raw = row.get(field).unwrap_or(&Raw::Empty);
                    convert(raw, col).unwrap_or_else(|msg| {
                        if errors.len() < MOST_CELL_ERRORS {
                            errors.push(at(
                                file,
                                table.place(Some(r), field),
                                format!("column `{}`: {msg}", col.name),
                            ));
                        } else {
                            more += 1;
                        }
                        Cell::Null
                    })
                })
                .collect()
        })
        .collect();
    if more > 0 {
        errors.push(Diagnostic::file(file, format!("and {more} more cells that cannot be read (only the first {MOST_CELL_ERRORS} are shown)")));
    }
    errors.into_result()?;
    Ok(rows)
}

/// For each column, the field of the table that holds it: the header field
/// that is its name, or else its label (an export's own heading, such as
/// `Exports (US$ m)`, kept as the label by `tumen new dataset`). One error per
/// mistake: a misspelt header field is named with the column meant, and that
/// column is then not reported missing as well.
fn header_order(file: &Path, table: &Table, columns: &[Column]) -> Result<Vec<usize>, Diagnostics> {
    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    let labels: Vec<&str> = columns.iter().filter_map(|c| c.label.as_deref()).collect();
    let mut errors = Diagnostics::default();
    let mut meant = Vec::new();
    for (i, h) in table.header.iter().enumerate() {
        let (msg, help) = if table.header[..i].contains(h) {
            (
                format!("the header names column `{h}` twice"),
                "name each column once".to_string(),
            )
        } else if names.contains(&h.as_str()) || labels.contains(&h.as_str()) {
            continue;
        } else if let Some(s) = suggest(h, names.iter().copied()) {
            meant.push(s.clone());
            (
                format!("the header names a column `{h}` that the dataset does not define"),
                format!("did you mean `{s}`?"),
            )
        } else {
            let msg = format!("the header names a column `{h}` that the dataset does not define");
            (
                msg,
                format!(
                    "add `{h}` to the dataset's `columns:`, or take it out of the file; the columns are {}",
                    names.join(", ")
                ),
            )
        };
        errors.push(at(file, table.place(None, i), msg).with_help(help));
    }
    let order: Vec<Option<usize>> = (columns.iter())
        .map(|c| {
            let by_label = |h: &String| c.label.as_deref() == Some(h.as_str());
            (table.header.iter().position(|h| *h == c.name))
                .or_else(|| table.header.iter().position(by_label))
        })
        .collect();
    for (n, found) in names.iter().zip(&order) {
        if found.is_none() && !meant.iter().any(|m| m == n) {
            let msg = format!(
                "the header has no column `{n}` (it has {})",
                table.header.join(", ")
            );
            errors.push(at(file, table.place(None, 0), msg).with_help(format!(
                "add a `{n}` column to the file, or take `{n}` out of the dataset's `columns:`"
            )));
        }
    }
    errors.into_result()?;
    Ok(order.into_iter().flatten().collect())
}

/// An error at a cell (or a header field).
fn at(file: &Path, place: Place, message: String) -> Diagnostic {
    match place {
        Place::Csv { line, field, text } => {
            let col = char_column(&text, field);
            let mut d = Diagnostic::at(file, &text, 1, col, message);
            (d.line, d.col, d.caret) = (line, field, u32::try_from(col).unwrap_or(0));
            d
        }
        Place::Sheet { sheet, cell } => {
            Diagnostic::file(file, format!("sheet `{sheet}`, cell {cell}: {message}"))
        }
    }
}

/// The character column (from 1) where field `field` (from 1) of a CSV line
/// starts: for the caret under it.
fn char_column(line: &str, field: usize) -> usize {
    let (mut n, mut quoted) = (1, false);
    for (i, c) in line.chars().enumerate() {
        if n == field {
            return i + 1;
        }
        match c {
            '"' => quoted = !quoted,
            ',' | ';' | '\t' if !quoted => n += 1,
            _ => {}
        }
    }
    line.chars().count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_and_cell_references() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
        assert_eq!(cell_ref("C7"), Some((6, 2)));
        assert_eq!(cell_ref("$AA$10"), Some((9, 26)));
        assert_eq!(cell_ref("7C"), None);
        assert_eq!(cell_ref("C0"), None);
    }

    #[test]
    fn csv_cells_know_their_line_and_field() {
        let spec = RowsFile {
            file: "t.csv".into(),
            sheet: None,
            range: None,
            delimiter: None,
        };
        let bytes =
            b"\xef\xbb\xbfyear,value\r\n2013,\"1,234\"\r\n2014,\"multi\nline\"\r\n2015,7\r\n"
                .to_vec();
        let t = read(Path::new("t.csv"), bytes, &spec).unwrap();
        assert_eq!(t.header, ["year", "value"]);
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[0][1], Raw::Text("1,234".into()));
        match t.place(Some(2), 1) {
            Place::Csv { line, field, text } => {
                assert_eq!((line, field, text.as_str()), (5, 2, "2015,7"));
            }
            p => panic!("{p:?}"),
        }
        let short = b"a,b\n1\n".to_vec();
        let e = read(Path::new("t.csv"), short, &spec).err().unwrap();
        assert_eq!(e.line, 2);
        assert!(
            e.message.contains("1 fields, and the header 2"),
            "{}",
            e.message
        );
    }
}
