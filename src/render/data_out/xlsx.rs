//! A dataset as a spreadsheet, `data/<name>.xlsx` (rust_xlsxwriter): a sheet
//! `data` with the rows, each cell of its column's type (numbers as numbers,
//! dates as Excel dates shown at the precision they were written with, text as
//! text, a missing value as an empty cell), under a frozen header of the column
//! names; and a sheet `about` saying what they are: title, description, unit,
//! each column, the full references of the sources, the page, the site and the
//! licence.
//!
//! Deterministic: the zip entries carry a fixed time (the crate's), and the
//! document's creation date is `SOURCE_DATE_EPOCH` when set, else 1980-01-01,
//! the zip format's first day: never the clock. Text is written as text, so a
//! cell starting with `=` stays what it says and is never a formula.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::{full_url, source_reference};
use crate::load::dataset::{Cell, ColumnType, Dataset};
use crate::model::Site;
use crate::util::date::Date;
use crate::util::diag::Diagnostic;

/// The most data rows a sheet holds (Excel's 1,048,576 rows, less the header).
const MAX_ROWS: usize = 1_048_575;
/// The most characters a cell holds.
const MAX_TEXT: usize = 32_767;
/// How many rows the column widths are measured on.
const WIDTH_SAMPLE: usize = 1000;

/// The dataset `d` of `site` as the bytes of an .xlsx file.
pub(in crate::render) fn xlsx(site: &Site, d: &Dataset) -> Result<Vec<u8>, Diagnostic> {
    make(site, d).map_err(|e| {
        Diagnostic::file(
            &d.file,
            format!("could not make the spreadsheet data/{}.xlsx: {e}", d.name),
        )
    })
}

fn make(site: &Site, d: &Dataset) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(&properties(site, d)?);
    data_sheet(wb.add_worksheet(), d)?;
    about_sheet(wb.add_worksheet(), site, d)?;
    wb.save_to_buffer()
}

/// The document's title, author and a creation date that is not the clock's.
fn properties(site: &Site, d: &Dataset) -> Result<DocProperties, XlsxError> {
    let created = match std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
    {
        Some(secs) => ExcelDateTime::from_timestamp(secs)?,
        None => ExcelDateTime::from_ymd(1980, 1, 1)?,
    };
    Ok(DocProperties::new()
        .set_title(&d.title)
        .set_author(site.config.authors.join(", "))
        .set_company(&site.config.title)
        .set_comment(full_url(site, &format!("data/{}/", d.name)))
        .set_creation_datetime(&created))
}

/// The number formats of dates, by precision: a year, a month, a day.
struct DateFormats([Format; 3]);

impl DateFormats {
    fn new() -> Self {
        DateFormats(["yyyy", "yyyy-mm", "yyyy-mm-dd"].map(|f| Format::new().set_num_format(f)))
    }

    fn of(&self, d: &Date) -> &Format {
        &self.0[usize::from(d.month != 0) + usize::from(d.day != 0)]
    }
}

/// The rows under a frozen, filterable header of the column names.
fn data_sheet(ws: &mut Worksheet, d: &Dataset) -> Result<(), XlsxError> {
    ws.set_name("data")?;
    let bold = Format::new().set_bold();
    let dates = DateFormats::new();
    for (c, col) in (0u16..).zip(&d.columns) {
        ws.write_string_with_format(0, c, &col.name, &bold)?;
        ws.set_column_width(c, width(d, usize::from(c)))?;
    }
    for (r, row) in (1u32..).zip(d.rows.iter().take(MAX_ROWS)) {
        for (c, cell) in (0u16..).zip(row) {
            write_cell(ws, r, c, cell, &dates)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    let last_col = u16::try_from(d.columns.len().saturating_sub(1)).unwrap_or(u16::MAX);
    let last_row = u32::try_from(d.rows.len().min(MAX_ROWS)).unwrap_or(u32::MAX);
    ws.autofilter(0, 0, last_row.max(1), last_col)?;
    Ok(())
}

/// One cell as its type: a whole number beyond what a double holds exactly, and a
/// date before 1900 (which Excel cannot hold), as text.
fn write_cell(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    cell: &Cell,
    dates: &DateFormats,
) -> Result<(), XlsxError> {
    const EXACT: i64 = 1 << 53;
    match cell {
        Cell::Null => {}
        Cell::Integer(i) if (-EXACT..=EXACT).contains(i) => {
            ws.write_number(r, c, *i as f64)?;
        }
        Cell::Number(n) => {
            ws.write_number(r, c, *n)?;
        }
        Cell::Year(y) => {
            ws.write_number(r, c, f64::from(*y))?;
        }
        Cell::Date(date) if date.year >= 1900 => {
            let (m, day) = (date.month.max(1), date.day.max(1));
            let year = u16::try_from(date.year).unwrap_or(u16::MAX);
            let when = ExcelDateTime::from_ymd(year, m, day)?;
            ws.write_datetime_with_format(r, c, &when, dates.of(date))?;
        }
        Cell::Text(s) => {
            ws.write_string(r, c, clip(s))?;
        }
        other => {
            ws.write_string(r, c, other.text())?;
        }
    }
    Ok(())
}

/// At most the characters a cell holds.
fn clip(s: &str) -> &str {
    match s.char_indices().nth(MAX_TEXT) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// A column's width in characters: its widest value among the first rows, the
/// header included, within reason.
fn width(d: &Dataset, c: usize) -> f64 {
    let col = &d.columns[c];
    let widest = (d.rows.iter().take(WIDTH_SAMPLE))
        .map(|row| match (&row[c], col.kind) {
            (Cell::Date(_), _) | (_, ColumnType::Date) => 10,
            (cell, _) => cell.text().chars().count(),
        })
        .chain([col.name.chars().count() + 3])
        .max()
        .unwrap_or(8);
    (widest + 2).clamp(8, 60) as f64
}

/// What the rows are: the dataset's metadata, its columns, its sources, where it
/// comes from and under what licence.
fn about_sheet(ws: &mut Worksheet, site: &Site, d: &Dataset) -> Result<(), XlsxError> {
    ws.set_name("about")?;
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    ws.set_column_width(0, 16)?;
    ws.set_column_width(1, 90)?;
    ws.set_column_width(2, 16)?;
    ws.set_column_width(3, 30)?;
    let mut r = 0u32;
    for (key, value) in about_lines(site, d) {
        ws.write_string_with_format(r, 0, key, &bold)?;
        ws.write_string_with_format(r, 1, clip(&value), &wrap)?;
        r += 1;
    }
    r += 1;
    ws.write_string_with_format(r, 0, "Sources", &bold)?;
    for key in &d.sources {
        ws.write_string(r, 1, clip(&source_reference(site, key)))?;
        r += 1;
    }
    if d.sources.is_empty() {
        ws.write_string(r, 1, "None given.")?;
        r += 1;
    }
    r += 1;
    for (c, h) in (0u16..).zip(["Column", "Type", "Unit", "Label"]) {
        ws.write_string_with_format(r, c, h, &bold)?;
    }
    for col in &d.columns {
        r += 1;
        let kind = format!("{:?}", col.kind).to_lowercase();
        let cells = [Some(col.name.as_str()), Some(kind.as_str())];
        let cells = cells
            .into_iter()
            .chain([col.unit.as_deref(), col.label.as_deref()]);
        for (c, text) in (0u16..).zip(cells) {
            if let Some(t) = text {
                ws.write_string(r, c, clip(t))?;
            }
        }
    }
    Ok(())
}

/// The `about` sheet's first lines, name and value; the empty ones left out.
fn about_lines(site: &Site, d: &Dataset) -> Vec<(&'static str, String)> {
    let shown = d.rows.len().min(MAX_ROWS);
    let rows = if shown < d.rows.len() {
        format!(
            "{} (this sheet holds the first {shown}; the CSV holds them all)",
            d.rows.len()
        )
    } else {
        d.rows.len().to_string()
    };
    let license = site.config.license.as_ref().map(|l| match &l.path {
        Some(p) if l.name.is_some() || l.title.is_some() => format!("{}, {p}", l.text()),
        _ => l.text(),
    });
    let lines = [
        ("Title", Some(d.title.clone())),
        ("Description", Some(d.description.clone())),
        ("Unit", d.unit.clone()),
        ("Rows", Some(rows)),
        ("Page", Some(full_url(site, &format!("data/{}/", d.name)))),
        (
            "Site",
            Some(format!("{}, {}", site.config.title, full_url(site, ""))),
        ),
        ("Licence", license),
    ];
    lines
        .into_iter()
        .filter_map(|(k, v)| v.filter(|v| !v.trim().is_empty()).map(|v| (k, v)))
        .collect()
}
