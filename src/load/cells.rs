//! A cell of a CSV file or a spreadsheet, read as its column says: numbers as
//! spreadsheets write them, missing values, dates.
//!
//! Nothing is guessed silently. A number column reads `1,234.5`, `1 234.5` and
//! `1.2E+05`; with `decimal: ","` it reads `1 234,5` and `1.234,5`; a `,` that
//! could be either (`1,23`) is an error that names the setting. A trailing `%` is
//! taken only in a column whose unit is `%`. An empty cell (or one of the column's
//! `missing:` markers, such as `NA` or `..`) is a missing value where the column
//! allows it (`optional: true` or `missing:`), an error elsewhere. Dates are
//! `YYYY-MM-DD` (or `YYYY-MM`, `YYYY`) or a spreadsheet's own dates; `03/04/2013`
//! is refused rather than read as March or April.
//!
//! Written here rather than taken from a crate: the rules are the column's
//! settings, and the messages say which setting to change; no crate reads numbers
//! by a stated decimal mark and refuses the ambiguous ones.

use super::dataset::{Cell, Column, ColumnType};
use crate::util::date::Date;

/// A cell as the file holds it, before its column's type is applied.
#[derive(Debug, Clone, PartialEq)]
pub enum Raw {
    Empty,
    Text(String),
    /// A spreadsheet's number.
    Number(f64),
    Bool(bool),
    /// A spreadsheet's date (the day of a date-time).
    Date(Date),
    /// A spreadsheet's error value (`#N/A`, `#DIV/0!`).
    Error(String),
}

/// `raw` as a cell of `col`, or what is wrong with it.
pub fn convert(raw: &Raw, col: &Column) -> Result<Cell, String> {
    let text = match raw {
        Raw::Empty => return missing(col, "the cell is empty"),
        Raw::Text(s) if s.trim().is_empty() => return missing(col, "the cell is empty"),
        Raw::Text(s) if col.missing.iter().any(|m| m == s.trim()) => return Ok(Cell::Null),
        Raw::Text(s) => s,
        Raw::Number(n) => return from_number(*n, col),
        Raw::Bool(b) if col.kind == ColumnType::Text => return Ok(Cell::Text(b.to_string())),
        Raw::Bool(b) => return Err(format!("expected {}, found `{b}`", expected(col.kind))),
        Raw::Date(d) if col.kind == ColumnType::Date => return Ok(Cell::Date(*d)),
        Raw::Date(d) if col.kind == ColumnType::Text => return Ok(Cell::Text(d.iso())),
        Raw::Date(d) => {
            return Err(format!(
                "expected {}, found the date {}",
                expected(col.kind),
                d.iso()
            ));
        }
        Raw::Error(e) => {
            return Err(format!(
                "the cell holds the spreadsheet error `{e}`; fix the formula, or leave the cell empty"
            ));
        }
    };
    from_text(text, col)
}

fn missing(col: &Column, what: &str) -> Result<Cell, String> {
    if col.optional || !col.missing.is_empty() {
        return Ok(Cell::Null);
    }
    Err(format!(
        "{what}, and column `{}` needs a value; mark it `optional: true` if values may be missing",
        col.name
    ))
}

fn expected(kind: ColumnType) -> &'static str {
    match kind {
        ColumnType::Integer => "a whole number",
        ColumnType::Number => "a number",
        ColumnType::Year => "a year such as 2013",
        ColumnType::Date => "a date (YYYY-MM-DD, YYYY-MM or YYYY)",
        ColumnType::Text => "text",
    }
}

/// A spreadsheet's number as a cell of `col`.
fn from_number(n: f64, col: &Column) -> Result<Cell, String> {
    let whole = (n.fract() == 0.0 && n.abs() < 9.0e15).then_some(n as i64);
    match (col.kind, whole) {
        (ColumnType::Number, _) if n.is_finite() => Ok(Cell::Number(n)),
        (ColumnType::Integer, Some(i)) => Ok(Cell::Integer(i)),
        (ColumnType::Year, Some(y)) if (1..=9999).contains(&y) => Ok(Cell::Year(y as i32)),
        (ColumnType::Date, Some(y)) if (1..=9999).contains(&y) => {
            Date::parse(&format!("{y:04}")).map(Cell::Date)
        }
        (ColumnType::Text, _) => Ok(Cell::Text(shortest(n))),
        (kind, _) => Err(format!(
            "expected {}, found the number {}",
            expected(kind),
            shortest(n)
        )),
    }
}

/// A number as text, the shortest that reads back the same (`12`, not `12.0`).
fn shortest(n: f64) -> String {
    let s = n.to_string();
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// A cell's text as a cell of `col`.
fn from_text(s: &str, col: &Column) -> Result<Cell, String> {
    let t = s.trim();
    match col.kind {
        ColumnType::Text => Ok(Cell::Text(s.to_string())),
        ColumnType::Number => number(t, col).map(Cell::Number),
        ColumnType::Integer => {
            let n = number(t, col)?;
            from_number(n, col).map_err(|_| format!("expected a whole number, found `{t}`"))
        }
        ColumnType::Year => match t.parse::<i32>() {
            Ok(y) if (1..=9999).contains(&y) && t.len() == 4 => Ok(Cell::Year(y)),
            _ => Err(format!("expected a year such as 2013, found `{t}`")),
        },
        ColumnType::Date => Date::parse(t).map(Cell::Date).map_err(|_| {
            format!("expected a date written YYYY-MM-DD (or YYYY-MM, or YYYY), found `{t}`; other forms are not read, as 03/04/2013 could be March or April")
        }),
    }
}

/// A number written as spreadsheets write it, by the column's decimal mark.
fn number(t: &str, col: &Column) -> Result<f64, String> {
    let decimal = if col.decimal.as_deref() == Some(",") {
        ','
    } else {
        '.'
    };
    let (body, percent) = match t.strip_suffix('%') {
        Some(b) => (b.trim_end(), true),
        None => (t, false),
    };
    if percent && !is_percent_unit(col) {
        return Err(format!(
            "`{t}` is a percentage, and column `{}` is not in per cent; give it `unit: \"%\"` to read percentages",
            col.name
        ));
    }
    let bad = |why: &str| format!("expected a number, found `{t}`{why}");
    let plain = strip_grouping(body, decimal).ok_or_else(|| {
        if decimal == '.' && looks_like_decimal_comma(body) {
            bad(&format!(
                "; if `,` is the decimal mark here, give column `{}` `decimal: \",\"`",
                col.name
            ))
        } else {
            bad("")
        }
    })?;
    match plain.parse::<f64>() {
        Ok(n) if n.is_finite() && !plain.contains(['i', 'I', 'n', 'N']) => Ok(n),
        _ => Err(bad(if body.starts_with(['$', '€', '£', '¥', '₩', '₽']) {
            "; write the bare number and put the currency in the column's unit"
        } else {
            ""
        })),
    }
}

fn is_percent_unit(col: &Column) -> bool {
    matches!(
        col.unit.as_deref().map(str::trim),
        Some("%" | "per cent" | "percent")
    )
}

/// `1,234,567.5` → `1234567.5` (by `decimal`, the other marks as thousands
/// separators in groups of three), or `None` when the grouping is not regular.
fn strip_grouping(s: &str, decimal: char) -> Option<String> {
    let (sign, rest) = match s.strip_prefix(['-', '+', '−']) {
        Some(r) => (if s.starts_with('+') { "" } else { "-" }, r),
        None => ("", s),
    };
    let (int, frac) = match rest.split_once(decimal) {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let separators: &[char] = if decimal == ',' {
        &['.', ' ', '\u{a0}', '\u{202f}', '\'']
    } else {
        &[',', ' ', '\u{a0}', '\u{202f}', '\'']
    };
    let groups: Vec<&str> = int.split(separators).collect();
    let grouped_ok = groups.len() == 1
        || (!groups[0].is_empty()
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3));
    if !grouped_ok {
        return None;
    }
    let mut out = format!("{sign}{}", groups.concat());
    if let Some(f) = frac {
        if f.contains(separators) || f.contains(decimal) {
            return None;
        }
        out.push('.');
        out.push_str(f);
    }
    Some(out)
}

/// `1,23` or `12,5`: a comma where a decimal point would be.
fn looks_like_decimal_comma(s: &str) -> bool {
    s.split_once(',')
        .is_some_and(|(i, f)| !f.contains(',') && f.len() != 3 && i.parse::<f64>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(kind: ColumnType, extra: &str) -> Column {
        let yaml = format!("{{name: v, type: {}, {extra}}}", kind_name(kind));
        yaml_serde::from_str(&yaml).unwrap()
    }

    fn kind_name(k: ColumnType) -> &'static str {
        match k {
            ColumnType::Integer => "integer",
            ColumnType::Number => "number",
            ColumnType::Text => "text",
            ColumnType::Date => "date",
            ColumnType::Year => "year",
        }
    }

    fn text(s: &str, c: &Column) -> Result<Cell, String> {
        convert(&Raw::Text(s.into()), c)
    }

    #[test]
    fn numbers_as_spreadsheets_write_them() {
        let c = col(ColumnType::Number, "");
        for (s, n) in [
            ("1,234.5", 1234.5),
            ("1 234.5", 1234.5),
            ("1\u{a0}234", 1234.0),
            ("-1,234,567", -1234567.0),
            ("1.2E+05", 120000.0),
            (" 12 ", 12.0),
            ("0.5", 0.5),
        ] {
            assert_eq!(text(s, &c), Ok(Cell::Number(n)), "{s}");
        }
        for s in [
            "1,23", "12,5", "1,2345", "abc", "1.2.3", "NaN", "inf", "$12", "1,,234",
        ] {
            assert!(text(s, &c).is_err(), "{s}");
        }
        assert!(text("1,23", &c).unwrap_err().contains("decimal: \",\""));
        assert!(text("$12", &c).unwrap_err().contains("currency"));
    }

    #[test]
    fn a_decimal_comma_is_read_where_the_column_says_so() {
        let c = col(ColumnType::Number, "decimal: \",\"");
        for (s, n) in [
            ("1 234,5", 1234.5),
            ("1.234,5", 1234.5),
            ("12,5", 12.5),
            ("7", 7.0),
        ] {
            assert_eq!(text(s, &c), Ok(Cell::Number(n)), "{s}");
        }
        assert!(text("1,234.5", &c).is_err());
    }

    #[test]
    fn percentages_only_in_a_column_of_per_cent() {
        let pc = col(ColumnType::Number, "unit: \"%\"");
        assert_eq!(text("12.5%", &pc), Ok(Cell::Number(12.5)));
        let plain = col(ColumnType::Number, "");
        let err = text("12.5%", &plain).unwrap_err();
        assert!(err.contains("give it `unit: \"%\"`"), "{err}");
    }

    #[test]
    fn missing_values_where_the_column_allows_them() {
        let strict = col(ColumnType::Number, "");
        assert!(text("", &strict).unwrap_err().contains("optional: true"));
        assert!(convert(&Raw::Empty, &strict).is_err());
        let optional = col(ColumnType::Number, "optional: true");
        assert_eq!(text("  ", &optional), Ok(Cell::Null));
        let flagged = col(ColumnType::Number, "missing: true");
        assert_eq!(text("", &flagged), Ok(Cell::Null));
        assert!(text("NA", &flagged).is_err());
        let marked = col(ColumnType::Number, "missing: [NA, \"..\"]");
        assert_eq!(text("NA", &marked), Ok(Cell::Null));
        assert_eq!(text("..", &marked), Ok(Cell::Null));
        assert!(text("n/a", &marked).is_err());
    }

    #[test]
    fn integers_years_dates_and_spreadsheet_values() {
        let int = col(ColumnType::Integer, "");
        assert_eq!(text("1,234", &int), Ok(Cell::Integer(1234)));
        assert!(text("12.5", &int).is_err());
        assert_eq!(convert(&Raw::Number(12.0), &int), Ok(Cell::Integer(12)));
        let year = col(ColumnType::Year, "");
        assert_eq!(text("2013", &year), Ok(Cell::Year(2013)));
        assert_eq!(convert(&Raw::Number(2013.0), &year), Ok(Cell::Year(2013)));
        assert!(text("13", &year).is_err());
        let date = col(ColumnType::Date, "");
        assert_eq!(
            text("2013-04-03", &date).map(|c| c.text()),
            Ok("2013-04-03".into())
        );
        assert!(
            text("03/04/2013", &date)
                .unwrap_err()
                .contains("March or April")
        );
        let t = col(ColumnType::Text, "");
        assert_eq!(convert(&Raw::Number(12.0), &t), Ok(Cell::Text("12".into())));
        assert!(convert(&Raw::Error("#N/A".into()), &t).is_err());
    }
}
