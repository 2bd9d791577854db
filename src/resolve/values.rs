//! Dataset lookups: `{{ value(data="…", where="…", column="…", format="…") }}` in
//! briefs, and the key figures of `site.yaml`.
//!
//! A number in prose is read from the dataset that holds it, so that a corrected
//! dataset corrects every brief that quotes it, and a figure that no longer exists
//! fails the build instead of going stale.

use std::collections::BTreeMap;

use crate::load::Dataset;
use crate::load::dataset::Cell;
use crate::util::diag::{did_you_mean, suggest};
use crate::util::format::format_number;

/// A request for one cell.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Lookup {
    pub data: String,
    pub filter: String,
    pub column: String,
    pub format: Option<String>,
}

/// The cell found and its row, for captions (year, source).
#[derive(Debug, Clone)]
pub struct Found<'d> {
    pub dataset: &'d Dataset,
    pub row: usize,
    pub text: String,
}

/// Parse `col=value,col=value`.
pub fn parse_filter(filter: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for part in filter.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((k, v)) = part.split_once('=') else {
            return Err(format!(
                "`{part}` in where=\"{filter}\" is not `column=value`"
            ));
        };
        out.push((k.trim().to_string(), v.trim().to_string()));
    }
    Ok(out)
}

fn cell_matches(cell: &Cell, want: &str) -> bool {
    // Without making the cell's text where it can be helped: the change logs of
    // a long history look cells up many times.
    match cell {
        Cell::Text(s) => s.eq_ignore_ascii_case(want),
        Cell::Null => want.is_empty(),
        // 112 and 112.0 are the same number, however the author wrote it; a
        // number's text is a number, so no other text matches it.
        Cell::Integer(_) | Cell::Number(_) | Cell::Year(_) => {
            matches!((cell.as_f64(), want.parse::<f64>()), (Some(a), Ok(b)) if a == b)
        }
        Cell::Date(_) => cell.text().eq_ignore_ascii_case(want),
    }
}

/// The rows of `d` that pass `filter` (already parsed); an error names a bad column.
pub fn select_rows(d: &Dataset, conds: &[(String, String)]) -> Result<Vec<usize>, String> {
    let mut idx = Vec::with_capacity(conds.len());
    for (k, _) in conds {
        match d.column_index(k) {
            Some(i) => idx.push(i),
            None => {
                return Err(format!(
                    "no column `{k}` in {}; {}",
                    d.name,
                    did_you_mean(k, &d.column_names())
                ));
            }
        }
    }
    Ok((0..d.rows.len())
        .filter(|&r| {
            conds
                .iter()
                .zip(&idx)
                .all(|((_, v), &c)| cell_matches(&d.rows[r][c], v))
        })
        .collect())
}

/// How to pick one of the `rows` a filter selected: the column whose values tell
/// them apart best (one not in the filter already), with a filter that uses it.
/// The column asked for is not offered: its value is what the filter looks for.
fn tell_apart(d: &Dataset, rows: &[usize], l: &Lookup, conds: &[(String, String)]) -> String {
    let asked = d.column_index(&l.column);
    let best = (0..d.columns.len())
        .filter(|&c| Some(c) != asked && !conds.iter().any(|(k, _)| d.column_index(k) == Some(c)))
        .map(|c| {
            let vals: Vec<String> = rows.iter().map(|&r| d.rows[r][c].text()).collect();
            let distinct: std::collections::BTreeSet<&String> = vals.iter().collect();
            (distinct.len(), std::cmp::Reverse(c), vals)
        })
        .filter(|(n, _, _)| *n > 1)
        .max();
    let Some((_, std::cmp::Reverse(c), vals)) = best else {
        return "the rows are the same in every other column: remove the duplicates".to_string();
    };
    let name = &d.columns[c].name;
    let mut shown = vals.clone();
    shown.dedup();
    shown.truncate(12);
    format!(
        "`{name}` tells them apart ({}): e.g. where=\"{},{name}={}\"",
        shown.join(", "),
        l.filter.trim_end_matches(',').trim(),
        vals[0]
    )
}

/// What to say of a dataset name that names none: the nearest name, else the
/// datasets there are (a chart's `data:` and a lookup's `data=` say it alike).
pub fn no_dataset_help(name: &str, datasets: &BTreeMap<String, Dataset>) -> String {
    if let Some(s) = suggest(name, datasets.keys().map(String::as_str)) {
        return format!("did you mean `{s}`?");
    }
    if datasets.is_empty() {
        return "there are no datasets yet: a dataset is a YAML file in the site's data/ folder, named by its file name".to_string();
    }
    let names: Vec<&str> = datasets.keys().map(String::as_str).collect();
    format!(
        "the datasets are: {} (each named by its file in the site's data/ folder)",
        names.join(", ")
    )
}

/// Find and format the cell `l` asks for.
pub fn lookup<'d>(
    datasets: &'d BTreeMap<String, Dataset>,
    l: &Lookup,
) -> Result<Found<'d>, String> {
    let Some(d) = datasets.get(&l.data) else {
        return Err(format!(
            "no dataset `{}`; {}",
            l.data,
            no_dataset_help(&l.data, datasets)
        ));
    };
    lookup_in(d, l)
}

/// Find and format the cell `l` asks for in `d` (the dataset it names).
pub fn lookup_in<'d>(d: &'d Dataset, l: &Lookup) -> Result<Found<'d>, String> {
    let conds = parse_filter(&l.filter)?;
    let Some(col) = d.column_index(&l.column) else {
        return Err(format!(
            "no column `{}` in {}; {}",
            l.column,
            d.name,
            did_you_mean(&l.column, &d.column_names())
        ));
    };
    let rows = select_rows(d, &conds)?;
    let row = match rows.as_slice() {
        [r] => *r,
        [] => {
            let hint = conds.first().and_then(|(k, _)| {
                let c = d.column_index(k)?;
                let mut vals: Vec<String> = d.rows.iter().map(|r| r[c].text()).collect();
                vals.dedup();
                vals.truncate(12);
                Some(format!("; `{k}` has: {}", vals.join(", ")))
            });
            return Err(format!(
                "no row of {} matches where=\"{}\"{}",
                d.name,
                l.filter,
                hint.unwrap_or_default()
            ));
        }
        many => {
            return Err(format!(
                "where=\"{}\" selects {} rows of {}, not one; {}",
                l.filter,
                many.len(),
                d.name,
                tell_apart(d, many, l, &conds)
            ));
        }
    };
    let cell = &d.rows[row][col];
    if *cell == Cell::Null {
        return Err(format!(
            "{}: column `{}` is empty in the row selected",
            d.name, l.column
        ));
    }
    let text = match &l.format {
        Some(f) => {
            let Some(n) = cell.as_f64() else {
                return Err(format!(
                    "format=\"{f}\" needs a number, but `{}` holds `{}`",
                    l.column,
                    cell.text()
                ));
            };
            format_number(n, f)?
        }
        None => match cell {
            Cell::Number(_) | Cell::Integer(_) => format_number(cell.as_f64().unwrap_or(0.0), ",")?,
            Cell::Date(date) => date.human(),
            other => other.text(),
        },
    };
    Ok(Found {
        dataset: d,
        row,
        text,
    })
}

/// A `{{ name(arg="…", …) }}` call found in a brief.
#[derive(Debug, Clone, PartialEq)]
pub struct Shortcode {
    pub name: String,
    pub args: Vec<(String, String)>,
    /// Byte length of the whole `{{ … }}`.
    pub len: usize,
}

/// Parse a shortcode at the start of `s` (which starts with `{{`). `None` when this
/// is not a call at all (`{{ x }}` in prose stays prose); `Err` when it is a call
/// written wrong.
pub fn parse_shortcode(s: &str) -> Option<Result<Shortcode, String>> {
    let inner_start = 2;
    let close = s.find("}}")?;
    let inner = &s[inner_start..close];
    let trimmed = inner.trim_start();
    let name_len = trimmed
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(trimmed.len());
    let name = &trimmed[..name_len];
    let rest = trimmed[name_len..].trim_start();
    if name.is_empty() || !rest.starts_with('(') {
        return None;
    }
    let Some(args_src) = rest[1..].trim_end().strip_suffix(')') else {
        return Some(Err(format!(
            "`{name}(…)` is not closed with `)` before `}}}}`"
        )));
    };
    let mut args = Vec::new();
    let mut p = args_src.trim();
    while !p.is_empty() {
        let Some(eq) = p.find('=') else {
            return Some(Err(format!(
                "expected `name=\"value\"` in `{name}(…)`, found `{p}`"
            )));
        };
        let key = p[..eq].trim().to_string();
        let after = p[eq + 1..].trim_start();
        let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'');
        let Some(q) = quote else {
            return Some(Err(format!(
                "the value of `{key}` must be in quotes: {key}=\"…\""
            )));
        };
        let Some(end) = after[1..].find(q) else {
            return Some(Err(format!("the value of `{key}` has no closing quote")));
        };
        args.push((key, after[1..1 + end].to_string()));
        p = after[1 + end + 1..].trim_start();
        p = p.strip_prefix(',').unwrap_or(p).trim_start();
    }
    Some(Ok(Shortcode {
        name: name.to_string(),
        args,
        len: close + 2,
    }))
}

/// The `value` shortcode's arguments as a lookup.
pub fn lookup_from_args(args: &[(String, String)]) -> Result<Lookup, String> {
    const KNOWN: &[&str] = &["data", "where", "column", "format"];
    let mut get = BTreeMap::new();
    for (k, v) in args {
        if !KNOWN.contains(&k.as_str()) {
            return Err(format!(
                "value() has no argument `{k}`; {}",
                did_you_mean(k, KNOWN)
            ));
        }
        get.insert(k.as_str(), v.clone());
    }
    let need = |k: &str| {
        get.get(k)
            .cloned()
            .ok_or_else(|| format!("value() needs `{k}=\"…\"`"))
    };
    Ok(Lookup {
        data: need("data")?,
        filter: need("where")?,
        column: need("column")?,
        format: get.get("format").cloned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcodes() {
        let s = r#"{{ value(data="t", where="year=2013", column='v', format=",.0f") }} rest"#;
        let sc = parse_shortcode(s).unwrap().unwrap();
        assert_eq!(sc.name, "value");
        assert_eq!(sc.args.len(), 4);
        assert_eq!(&s[sc.len..], " rest");
        assert_eq!(parse_shortcode("{{ page.title }}"), None);
        assert_eq!(parse_shortcode("{{ no end"), None);
        assert!(parse_shortcode("{{ value(data=t) }}").unwrap().is_err());
        let l = lookup_from_args(&sc.args).unwrap();
        assert_eq!(l.filter, "year=2013");
        assert!(
            lookup_from_args(&[("dta".into(), "x".into())])
                .unwrap_err()
                .contains("did you mean `data`")
        );
    }
}
