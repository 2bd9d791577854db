//! Chart specs: the ```` ```chart ```` blocks of briefs and the `chart:` sections of
//! datasets, checked against their data and turned into plot-ready series.
//!
//! Everything that can be wrong with a chart is found here, in the resolve stage,
//! with the file and line of the block (or of the key inside it); the renderer only
//! draws plans that are known to be good.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::values::{no_dataset_help, parse_filter, select_rows};
use crate::load::Dataset;
use crate::load::dataset::{Cell, Column, ColumnType};
use crate::load::yaml::{Seg, YamlDoc};
use crate::model::chart::*;
use crate::util::date::Date;
use crate::util::diag::{Diagnostic, Diagnostics, did_you_mean, suggest};
use crate::util::format::format_number;

/// Where a chart spec came from, to place its errors.
pub struct SpecSource<'a> {
    pub doc: YamlDoc<'a>,
    /// Path of the spec inside the YAML (empty for a chart block, `chart` for a
    /// dataset's default chart).
    pub base: Vec<Seg>,
    /// The dataset when the spec sits in one (its `data:` may be left out).
    pub implicit_data: Option<&'a str>,
    /// Line of the block's opening fence, for errors about the block as a whole.
    pub fence_line: usize,
}

impl SpecSource<'_> {
    fn at(&self, key: &str, msg: impl Into<String>) -> Diagnostic {
        let mut p = self.base.clone();
        p.push(Seg::Key(key.into()));
        let d = self.doc.error_at(&p, msg);
        self.or_fence(d)
    }
    fn at_path(&self, path: &[Seg], msg: impl Into<String>) -> Diagnostic {
        let mut p = self.base.clone();
        p.extend_from_slice(path);
        let d = self.doc.error_at(&p, msg);
        self.or_fence(d)
    }
    fn or_fence(&self, mut d: Diagnostic) -> Diagnostic {
        if d.line == 0 && self.fence_line > 0 {
            d.line = self.fence_line;
        }
        d
    }
}

fn numeric(kind: ColumnType) -> bool {
    matches!(
        kind,
        ColumnType::Integer | ColumnType::Number | ColumnType::Year
    )
}

/// A date as a position on a continuous axis: years with a fraction.
fn date_position(d: &Date) -> f64 {
    let m = if d.month == 0 { 1 } else { d.month } as f64;
    let day = if d.day == 0 { 1 } else { d.day } as f64;
    d.year as f64 + (m - 1.0) / 12.0 + (day - 1.0) / 365.25
}

fn x_position(c: &Cell) -> Option<f64> {
    match c {
        Cell::Date(d) => Some(date_position(d)),
        other => other.as_f64(),
    }
}

fn bound(v: &yaml_serde::Value, kind: ColumnType) -> Result<f64, String> {
    match (kind, v) {
        (ColumnType::Date, yaml_serde::Value::String(s)) => {
            Date::parse(s).map(|d| date_position(&d))
        }
        (_, yaml_serde::Value::Number(n)) => n.as_f64().ok_or_else(|| "not a number".to_string()),
        (_, other) => Err(format!("`{other:?}` is not a value of the x column")),
    }
}

/// Check a spec against its data and build the plan; every problem is reported.
pub fn plan(
    raw: &yaml_serde::Value,
    src: &SpecSource,
    datasets: &BTreeMap<String, Dataset>,
) -> Result<ChartPlan, Diagnostics> {
    let spec = parse_spec(raw, src)?;
    let (name, d) = find_dataset(&spec, src, datasets)?;
    let cx = Ctx { src, name, d };
    let cols = cx.check_columns(&spec)?;
    let rows = cx.select_rows(&spec, cols.x)?;
    let placed = cx.place_x(&spec, cols.x, rows)?;
    let series = cx.build_series(&spec, &cols, &placed.rows);
    cx.check_values(&spec, &series)?;
    Ok(cx.assemble(spec, &cols, placed, series))
}

/// The spec as written, its keys checked and its values parsed.
fn parse_spec(raw: &yaml_serde::Value, src: &SpecSource) -> Result<ChartSpec, Diagnostics> {
    let mut errors = Diagnostics::default();
    if !raw.is_mapping() {
        return Err(src
            .or_fence(Diagnostic::at(
                src.doc.file,
                src.doc.file_text,
                src.fence_line,
                1,
                "a chart block must hold `key: value` lines",
            ))
            .with_help("for example:\ndata: trade-turnover\ntype: line\nx: year\ny: [turnover]")
            .into());
    }
    src.doc
        .check_keys(raw, &src.base, KNOWN_KEYS, "a chart", &mut errors);
    errors.into_result()?;
    // Parse the text again rather than the value: yaml_serde's errors then carry the
    // position of the offending value.
    #[derive(Deserialize)]
    struct InDataset {
        chart: ChartSpec,
    }
    let parsed = if src.base.is_empty() {
        src.doc.parse::<ChartSpec>()
    } else {
        src.doc.parse::<InDataset>().map(|w| w.chart)
    };
    parsed.map_err(|d| {
        let help = if d.message.contains("unknown variant") {
            Some(variant_help(&d.message))
        } else if d.message.contains("missing field") {
            Some("a chart needs at least `type`, `x` and `y` (and `data` in a brief)".to_string())
        } else {
            None
        };
        Diagnostics::from(src.or_fence(d).with_help_opt(help))
    })
}

/// Help for a value that is not one of a key's words (`type: lnie`, `gaps: dashd`):
/// the nearest word, and for `type` every chart type.
fn variant_help(message: &str) -> String {
    let ticked: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    let Some((bad, expected)) = ticked.split_first() else {
        return format!("`type` is one of: {}", ChartKind::NAMES.join(", "));
    };
    let hint = suggest(bad, expected.iter().copied()).map(|s| format!("did you mean `{s}`? "));
    let hint = hint.unwrap_or_default();
    if expected == ChartKind::NAMES {
        format!("{hint}`type` is one of: {}", ChartKind::NAMES.join(", "))
    } else {
        format!("{hint}expected one of: {}", expected.join(", "))
    }
}

/// The dataset a spec draws: its `data:`, or the dataset it sits in.
fn find_dataset<'a>(
    spec: &ChartSpec,
    src: &SpecSource,
    datasets: &'a BTreeMap<String, Dataset>,
) -> Result<(String, &'a Dataset), Diagnostics> {
    let name = match (&spec.data, src.implicit_data) {
        (Some(d), _) => d.clone(),
        (None, Some(d)) => d.to_string(),
        (None, None) => {
            return Err(src
                .at_path(&[], "a chart needs `data:`, the dataset it draws")
                .with_help("e.g. `data: trade-turnover`")
                .into());
        }
    };
    let Some(d) = datasets.get(&name) else {
        return Err(src
            .at("data", format!("no dataset `{name}`"))
            .with_help(no_dataset_help(&name, datasets))
            .into());
    };
    Ok((name, d))
}

/// A spec being checked against its dataset.
struct Ctx<'a, 'b> {
    src: &'a SpecSource<'b>,
    name: String,
    d: &'a Dataset,
}

/// The columns a chart draws, by index.
struct Columns {
    x: usize,
    ys: Vec<usize>,
    split: Option<usize>,
}

/// The rows drawn, in drawing order, and where they sit on a continuous x axis.
struct Placed {
    rows: Vec<usize>,
    positions: Option<Vec<f64>>,
}

impl Ctx<'_, '_> {
    /// The index of column `c`, or an error at `path` with the nearest name.
    fn column(&self, c: &str, path: &[Seg], errors: &mut Diagnostics) -> Option<usize> {
        let found = self.d.column_index(c);
        if found.is_none() {
            errors.push(
                self.src
                    .at_path(path, format!("no column `{c}` in {}", self.name))
                    .with_help(did_you_mean(c, &self.d.column_names())),
            );
        }
        found
    }

    /// The x, y and `series_by` columns, and every option that needs no rows.
    fn check_columns(&self, spec: &ChartSpec) -> Result<Columns, Diagnostics> {
        let mut errors = Diagnostics::default();
        let x = self.column(&spec.x, &[Seg::Key("x".into())], &mut errors);
        let ys = self.check_y(spec, &mut errors);
        let split = spec
            .series_by
            .as_ref()
            .and_then(|c| self.column(c, &[Seg::Key("series_by".into())], &mut errors));
        self.check_series_options(spec, &mut errors);
        self.check_looks(spec, &mut errors);
        let x = errors.or_value(x)?;
        Ok(Columns { x, ys, split })
    }

    /// The `y` columns: each must exist and hold numbers.
    fn check_y(&self, spec: &ChartSpec, errors: &mut Diagnostics) -> Vec<usize> {
        let (name, d) = (&self.name, self.d);
        let numeric_col = |c: &Column| matches!(c.kind, ColumnType::Integer | ColumnType::Number);
        let mut ys = Vec::new();
        for (j, y) in spec.y.to_vec().iter().enumerate() {
            let path: Vec<Seg> = match &spec.y {
                OneOrMany::One(_) => vec![Seg::Key("y".into())],
                OneOrMany::Many(_) => vec![Seg::Key("y".into()), Seg::Index(j)],
            };
            let Some(i) = self.column(y, &path, errors) else {
                continue;
            };
            if numeric_col(&d.columns[i]) {
                ys.push(i);
                continue;
            }
            let numeric: Vec<&str> = d
                .columns
                .iter()
                .filter(|c| numeric_col(c))
                .map(|c| c.name.as_str())
                .collect();
            errors.push(
                self.src
                    .at_path(
                        &path,
                        format!(
                            "column `{y}` of {name} holds {}, not numbers: it cannot be plotted",
                            kind_name(d.columns[i].kind)
                        ),
                    )
                    .with_help(format!("numeric columns of {name}: {}", numeric.join(", "))),
            );
        }
        ys
    }

    /// `y` and `labels`, `series_by` and pies: how many series there are.
    fn check_series_options(&self, spec: &ChartSpec, errors: &mut Diagnostics) {
        let src = self.src;
        let ycols = spec.y.to_vec().len();
        if ycols == 0 {
            errors.push(src.at("y", "`y` names no column"));
        }
        if let Some(labels) = &spec.labels
            && labels.len() != ycols
            && spec.series_by.is_none()
        {
            errors.push(
                src.at(
                    "labels",
                    format!("{} labels for {} series in `y`", labels.len(), ycols),
                )
                .with_help("give one label per column of `y`, in the same order"),
            );
        }
        if spec.series_by.is_some() && ycols != 1 {
            errors.push(
                src.at(
                    "series_by",
                    "`series_by` splits one `y` column: give `y` exactly one",
                )
                .with_help("e.g. `y: value` with `series_by: sector`"),
            );
        }
        if spec.series_by.is_some() && spec.kind.is_pie() {
            errors.push(
                src.at(
                    "series_by",
                    "a pie shows one series; `series_by` makes several",
                )
                .with_help("use `stacked-bar` or `stacked-horizontal-bar`"),
            );
        }
        if spec.kind.is_pie() && ycols > 1 {
            errors.push(
                src.at("y", "a pie shows one series: give `y` one column")
                    .with_help("use `stacked-bar` to compare several series"),
            );
        }
        if spec.gaps.is_some() && !spec.kind.has_lines() {
            errors.push(
                src.at("gaps", "`gaps` is for lines: a line or area chart")
                    .with_help("bars and points show a missing value as nothing already"),
            );
        }
    }

    /// Colours, format, size and the value axis.
    fn check_looks(&self, spec: &ChartSpec, errors: &mut Diagnostics) {
        let src = self.src;
        for (j, c) in spec.colors.iter().flatten().enumerate() {
            if !is_color(c) {
                errors.push(
                    src.at_path(
                        &[Seg::Key("colors".into()), Seg::Index(j)],
                        format!("`{c}` is not a colour"),
                    )
                    .with_help("write colours as #rgb or #rrggbb"),
                );
            }
        }
        if let Some(f) = &spec.format
            && let Err(msg) = format_number(1.0, f)
        {
            errors.push(src.at("format", msg));
        }
        for (key, v) in [("width", spec.width), ("height", spec.height)] {
            if let Some(v) = v
                && !(100.0..=4000.0).contains(&v)
            {
                errors.push(
                    src.at(key, format!("`{key}: {v}` is out of range"))
                        .with_help("use a size in pixels between 100 and 4000"),
                );
            }
        }
        if let (Some(a), Some(b)) = (spec.y_min, spec.y_max)
            && a >= b
        {
            errors.push(src.at("y_max", format!("y_max ({b}) must be above y_min ({a})")));
        }
        if spec.y_scale == Some(YScale::Log) && spec.y_min.is_some_and(|m| m <= 0.0) {
            errors.push(src.at("y_min", "a log scale starts above zero"));
        }
    }

    /// The rows the chart draws: `where`, `from`, `to` and `sort` applied.
    fn select_rows(&self, spec: &ChartSpec, xi: usize) -> Result<Vec<usize>, Diagnostics> {
        let (src, d) = (self.src, self.d);
        let mut errors = Diagnostics::default();
        let x_kind = d.columns[xi].kind;
        let mut rows: Vec<usize> = (0..d.rows.len()).collect();
        if let Some(f) = &spec.filter {
            match parse_filter(f).and_then(|c| select_rows(d, &c)) {
                Ok(r) => rows = r,
                Err(msg) => errors.push(src.at("where", msg)),
            }
        }
        for (key, b, keep_above) in [("from", &spec.from, true), ("to", &spec.to, false)] {
            let Some(b) = b else { continue };
            if !(numeric(x_kind) || x_kind == ColumnType::Date) {
                errors.push(
                    src.at(
                        key,
                        format!(
                            "`{key}` needs a numeric, year or date x column; `{}` holds text",
                            spec.x
                        ),
                    )
                    .with_help("filter text columns with `where`"),
                );
                continue;
            }
            match bound(b, x_kind) {
                Ok(limit) => rows.retain(|&r| {
                    x_position(&d.rows[r][xi])
                        .is_some_and(|x| if keep_above { x >= limit } else { x <= limit })
                }),
                Err(msg) => errors.push(src.at(key, msg)),
            }
        }
        if let Some(s) = &spec.sort {
            self.sort_rows(s, &mut rows, &mut errors);
        }
        errors.into_result()?;
        if rows.is_empty() {
            return Err(src
                .at_path(&[], format!("this chart selects no rows of {}", self.name))
                .with_help("check `where`, `from` and `to`")
                .into());
        }
        Ok(rows)
    }

    /// Order `rows` by `sort: column` (`-column` for descending).
    fn sort_rows(&self, s: &str, rows: &mut [usize], errors: &mut Diagnostics) {
        let d = self.d;
        let (desc, cname) = s.strip_prefix('-').map_or((false, s), |c| (true, c));
        let Some(c) = d.column_index(cname) else {
            errors.push(
                self.src
                    .at("sort", format!("no column `{cname}` in {}", self.name))
                    .with_help(did_you_mean(cname, &d.column_names())),
            );
            return;
        };
        rows.sort_by(|&a, &b| {
            let (ca, cb) = (&d.rows[a][c], &d.rows[b][c]);
            let o = match (x_position(ca), x_position(cb)) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                _ => ca.text().cmp(&cb.text()),
            };
            if desc { o.reverse() } else { o }
        });
    }

    /// Whether x is a continuous axis, and where each row sits on it (in x order).
    fn place_x(
        &self,
        spec: &ChartSpec,
        xi: usize,
        rows: Vec<usize>,
    ) -> Result<Placed, Diagnostics> {
        let (src, d) = (self.src, self.d);
        let x_kind = d.columns[xi].kind;
        let continuous = numeric(x_kind) || x_kind == ColumnType::Date;
        // A continuous x axis unless asked otherwise: gapped years are not even slots.
        let by_value = match spec.x_scale {
            Some(XScale::Category) => false,
            Some(XScale::Value) => {
                if !continuous || !spec.kind.can_scale_x() {
                    return Err(src.at("x_scale", "`x_scale: value` needs a numeric, year or date x column and a line, area, bar or scatter chart").into());
                }
                true
            }
            None => continuous && spec.kind.can_scale_x(),
        };
        if spec.kind == ChartKind::Scatter && !by_value {
            return Err(src
                .at(
                    "x",
                    format!(
                        "a scatter plot needs a numeric x column; `{}` holds {}",
                        spec.x,
                        kind_name(x_kind)
                    ),
                )
                .with_help("use `bar` for categories")
                .into());
        }
        let positions = self.positions(spec, xi, &rows, by_value)?;
        if !by_value || spec.kind == ChartKind::Scatter {
            return Ok(Placed {
                rows,
                positions: by_value.then_some(positions),
            });
        }
        // A continuous axis draws in x order whatever the rows' order.
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by(|&a, &b| positions[a].total_cmp(&positions[b]));
        Ok(Placed {
            rows: order.iter().map(|&i| rows[i]).collect(),
            positions: Some(order.iter().map(|&i| positions[i]).collect()),
        })
    }

    /// Every row's x position (empty on a category axis): each row needs an x, and
    /// but for a scatter plot each x appears once.
    fn positions(
        &self,
        spec: &ChartSpec,
        xi: usize,
        rows: &[usize],
        by_value: bool,
    ) -> Result<Vec<f64>, Diagnostics> {
        let (src, d, name) = (self.src, self.d, &self.name);
        let mut seen_x = BTreeSet::new();
        let mut positions = Vec::with_capacity(rows.len());
        for &r in rows {
            let cell = &d.rows[r][xi];
            if *cell == Cell::Null {
                return Err(src
                    .at(
                        "x",
                        format!(
                            "row {} of {name} has no `{}`: every point needs an x",
                            r + 1,
                            spec.x
                        ),
                    )
                    .with_help("filter it out with `where`")
                    .into());
            }
            if !by_value {
                continue;
            }
            let Some(p) = x_position(cell) else {
                continue;
            };
            if !seen_x.insert(p.to_bits()) && spec.kind != ChartKind::Scatter {
                return Err(src
                    .at(
                        "x",
                        format!(
                            "{} appears twice in `{}` among the rows drawn",
                            cell.text(),
                            spec.x
                        ),
                    )
                    .with_help(
                        "pick one row per x with `where` (e.g. `where: \"source=memo-2016\"`)",
                    )
                    .into());
            }
            positions.push(p);
        }
        Ok(positions)
    }

    /// The series: one per `y` column, or one per value of `series_by`.
    fn build_series(&self, spec: &ChartSpec, cols: &Columns, rows: &[usize]) -> Vec<Series> {
        let d = self.d;
        let label = |j: usize, default: String| {
            spec.labels
                .as_ref()
                .and_then(|l| l.get(j).cloned())
                .unwrap_or(default)
        };
        let (Some(sc), Some(&yc)) = (cols.split, cols.ys.first()) else {
            return cols
                .ys
                .iter()
                .enumerate()
                .map(|(j, &c)| Series {
                    name: label(j, column_label(&d.columns[c])),
                    column: d.columns[c].name.clone(),
                    values: rows.iter().map(|&r| d.rows[r][c].as_f64()).collect(),
                })
                .collect();
        };
        // One series per value of the split column, in order of first appearance;
        // a row contributes to its own series only.
        let mut keys: Vec<String> = Vec::new();
        for &r in rows {
            let k = d.rows[r][sc].text();
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
        keys.iter()
            .enumerate()
            .map(|(j, k)| Series {
                name: label(j, k.clone()),
                column: d.columns[yc].name.clone(),
                values: rows
                    .iter()
                    .map(|&r| {
                        (&d.rows[r][sc].text() == k)
                            .then(|| d.rows[r][yc].as_f64())
                            .flatten()
                    })
                    .collect(),
            })
            .collect()
    }

    /// Values a pie or a log axis cannot show.
    fn check_values(&self, spec: &ChartSpec, series: &[Series]) -> Result<(), Diagnostics> {
        let any = |bad: fn(f64) -> bool| {
            series
                .iter()
                .any(|s| s.values.iter().flatten().any(|v| bad(*v)))
        };
        if spec.kind.is_pie() && any(|v| v < 0.0) {
            return Err(self.src.at("y", "a pie cannot show negative values").into());
        }
        if spec.y_scale == Some(YScale::Log) && any(|v| v <= 0.0) {
            return Err(self
                .src
                .at("y_scale", "a log scale cannot show zero or negative values")
                .into());
        }
        Ok(())
    }

    /// The plan: the checked spec, its data, and what the reader is told about it.
    fn assemble(
        &self,
        spec: ChartSpec,
        cols: &Columns,
        placed: Placed,
        series: Vec<Series>,
    ) -> ChartPlan {
        let (d, xi, rows) = (self.d, cols.x, &placed.rows);
        let x_kind = d.columns[xi].kind;
        let mut sources: BTreeSet<String> = d.sources.iter().cloned().collect();
        if let Some(sc) = d.column_index("source") {
            sources.extend(
                rows.iter()
                    .map(|&r| d.rows[r][sc].text())
                    .filter(|k| !k.is_empty()),
            );
        }
        let unit = cols
            .ys
            .first()
            .and_then(|&c| d.columns[c].unit.clone())
            .or_else(|| d.unit.clone());
        let x_dates = (placed.positions.is_some() && x_kind == ColumnType::Date).then(|| {
            rows.iter()
                .map(|&r| match &d.rows[r][xi] {
                    Cell::Date(dt) => {
                        format!("{:04}-{:02}-{:02}", dt.year, dt.month.max(1), dt.day.max(1))
                    }
                    other => other.text(),
                })
                .collect()
        });
        let x_breaks = match &placed.positions {
            Some(p) if x_kind == ColumnType::Year && spec.kind.has_lines() => missing_years(p),
            _ => Vec::new(),
        };
        ChartPlan {
            x_heading: column_label(&d.columns[xi]),
            x_title: axis_title(&spec.x_title, || d.columns[xi].unit.clone()),
            y_title: axis_title(&spec.y_title, || self.values_unit(cols)),
            x_years: x_kind == ColumnType::Year,
            x_breaks,
            x_positions: placed.positions,
            x_dates,
            dataset: self.name.clone(),
            dataset_title: d.title.clone(),
            categories: rows.iter().map(|&r| category(&d.rows[r][xi])).collect(),
            series,
            sources: sources.into_iter().collect(),
            unit,
            spec,
        }
    }

    /// The unit the `y` columns share (each column's own, else the dataset's).
    fn values_unit(&self, cols: &Columns) -> Option<String> {
        let d = self.d;
        let units: BTreeSet<Option<&String>> = cols
            .ys
            .iter()
            .map(|&c| d.columns[c].unit.as_ref().or(d.unit.as_ref()))
            .collect();
        match units.into_iter().collect::<Vec<_>>().as_slice() {
            [Some(u)] => Some((*u).clone()),
            _ => None,
        }
    }
}

/// An axis title: the spec's (`""` for none), else the column's unit.
fn axis_title(given: &Option<String>, unit: impl FnOnce() -> Option<String>) -> Option<String> {
    match given {
        Some(t) => Some(t.clone()).filter(|t| !t.trim().is_empty()),
        None => unit().filter(|u| !u.trim().is_empty()),
    }
}

/// Where a line over years breaks: before each point further from the one before
/// than the chart's shortest step between two points (its years in between have no
/// row). Annual data with a missing year breaks there; data every ten years does not.
fn missing_years(positions: &[f64]) -> Vec<usize> {
    let step = positions
        .windows(2)
        .map(|w| w[1] - w[0])
        .fold(f64::INFINITY, f64::min);
    (1..positions.len())
        .filter(|&i| positions[i] - positions[i - 1] > step + 1e-9)
        .collect()
}

/// A column's name as readers see it: its label, else its name.
fn column_label(c: &Column) -> String {
    c.label.clone().unwrap_or_else(|| c.name.replace('_', " "))
}

/// The x label of a point, as a reader sees it.
fn category(c: &Cell) -> String {
    match c {
        Cell::Date(dt) => dt.human(),
        Cell::Year(y) => y.to_string(),
        c @ (Cell::Number(_) | Cell::Integer(_)) => {
            format_number(c.as_f64().unwrap_or(0.0), ",").unwrap_or_else(|_| c.text())
        }
        c => c.text(),
    }
}

fn kind_name(k: ColumnType) -> &'static str {
    match k {
        ColumnType::Integer => "whole numbers",
        ColumnType::Number => "numbers",
        ColumnType::Text => "text",
        ColumnType::Date => "dates",
        ColumnType::Year => "years",
    }
}

fn is_color(c: &str) -> bool {
    let Some(hex) = c.strip_prefix('#') else {
        return false;
    };
    matches!(hex.len(), 3 | 4 | 6 | 8) && hex.chars().all(|ch| ch.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn datasets() -> BTreeMap<String, Dataset> {
        let text = "title: Trade\nunit: US$ million\nsources: [memo-2016]\ncolumns:\n  - {name: year, type: year}\n  - {name: turnover, type: number, label: Turnover}\n  - {name: exports, type: number, optional: true}\n  - {name: note, type: text, optional: true}\n  - {name: source, type: text}\nrows:\n  - {year: 1988, turnover: 2350, source: memo-2016}\n  - {year: 1996, turnover: 85, source: memo-2016}\n  - {year: 2011, turnover: 110, exports: 100, source: iss-2014}\n  - {year: 2012, turnover: 110, source: memo-2016}\n  - {year: 2012, turnover: 75.6, source: iss-2014}\n";
        let d = Dataset::load(Path::new("data/trade.yaml"), text.into()).unwrap();
        BTreeMap::from([("trade".to_string(), d)])
    }

    fn run(block: &str) -> Result<ChartPlan, Diagnostics> {
        let file_text = format!("---\ntitle: x\n---\n\n```chart\n{block}```\n");
        let doc = YamlDoc {
            file: Path::new("briefs/b.md"),
            file_text: &file_text,
            yaml: block,
            line_offset: 5,
        };
        let raw: yaml_serde::Value = yaml_serde::from_str(block).unwrap();
        let src = SpecSource {
            doc,
            base: vec![],
            implicit_data: None,
            fence_line: 5,
        };
        plan(&raw, &src, &datasets())
    }

    #[test]
    fn gapped_years_are_placed_by_value() {
        let p = run("data: trade\ntype: line\nx: year\ny: turnover\nwhere: \"source=memo-2016\"\n")
            .unwrap();
        assert_eq!(p.x_positions, Some(vec![1988.0, 1996.0, 2012.0]));
        assert_eq!(p.categories, vec!["1988", "1996", "2012"]);
        assert_eq!(p.series[0].name, "Turnover");
        assert_eq!(p.sources, vec!["memo-2016"]);
        let c = run("data: trade\ntype: line\nx: year\ny: turnover\nwhere: \"source=memo-2016\"\nx_scale: category\n").unwrap();
        assert_eq!(c.x_positions, None);
    }

    #[test]
    fn misspelt_column_names_the_line_and_suggests() {
        let e = run("data: trade\ntype: line\nx: yaer\ny: [turnover]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("briefs/b.md:8:4"), "{e}");
        assert!(
            e.contains("no column `yaer` in trade; did you mean `year`?")
                || e.contains("did you mean `year`?"),
            "{e}"
        );
        let e = run("data: trade\ntype: line\nx: year\ny: [turnover, exprts]\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("briefs/b.md:9:") && e.contains("did you mean `exports`?"),
            "{e}"
        );
    }

    #[test]
    fn errors_name_what_is_wrong() {
        let e = run("data: trad\ntype: line\nx: year\ny: turnover\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("no dataset `trad`")
                && e.contains("did you mean `trade`?")
                && e.contains("b.md:6:7"),
            "{e}"
        );
        let e = run("data: trade\ntype: lines\nx: year\ny: turnover\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("unknown variant `lines`") && e.contains("b.md:7:"),
            "{e}"
        );
        let e = run("data: trade\ntype: bar\nx: year\ny: note\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("holds text, not numbers"), "{e}");
        let e = run("data: trade\ntype: bar\nx: year\ny: turnover\ncolour: red\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("unknown key `colour`")
                && e.contains("did you mean `colors`?")
                && e.contains("b.md:10:1"),
            "{e}"
        );
        let e = run("data: trade\ntype: line\nx: year\ny: turnover\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("2012 appears twice") && e.contains("where"),
            "{e}"
        );
    }

    #[test]
    fn series_by_splits_one_column_into_series() {
        let p = run("data: trade\ntype: stacked-bar\nx: year\ny: turnover\nseries_by: source\nx_scale: category\n").unwrap();
        assert_eq!(p.series.len(), 2);
        assert_eq!(p.series[0].name, "memo-2016");
        assert_eq!(
            p.series[0].values,
            vec![Some(2350.0), Some(85.0), None, Some(110.0), None]
        );
        assert_eq!(
            p.series[1].values,
            vec![None, None, Some(110.0), None, Some(75.6)]
        );
        let e = run("data: trade\ntype: pie\nx: year\ny: turnover\nseries_by: sorce\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("did you mean `source`?") && e.contains("a pie shows one series"),
            "{e}"
        );
    }

    #[test]
    fn filters_sort_and_describe() {
        let p = run("data: trade\ntype: horizontal-bar\nx: year\ny: turnover\nfrom: 1990\nto: 2011\nsort: -turnover\n").unwrap();
        assert_eq!(p.x_positions, None);
        assert_eq!(p.categories, vec!["2011", "1996"]);
        let desc = p.description();
        assert!(
            desc.starts_with("Horizontal bar chart of Turnover by year"),
            "{desc}"
        );
        assert!(
            desc.contains("highest 110 (2011), lowest 85 (1996)"),
            "{desc}"
        );
    }

    #[test]
    fn axis_titles_default_to_units() {
        let base = "data: trade\ntype: line\nx: year\ny: turnover\nwhere: \"source=memo-2016\"\n";
        let p = run(base).unwrap();
        // The column has no unit of its own: the dataset's.
        assert_eq!(p.y_title.as_deref(), Some("US$ million"));
        assert_eq!(p.x_title, None, "years have no unit");
        assert!(p.x_years);
        let p = run(&format!("{base}y_title: \"\"\nx_title: Year of record\n")).unwrap();
        assert_eq!(p.y_title, None, "an empty title is none");
        assert_eq!(p.x_title.as_deref(), Some("Year of record"));
    }

    #[test]
    fn lines_break_where_years_are_missing() {
        // 1988, 1996, 2012: the shortest step is 8 years, so 1996–2012 is a gap.
        let base = "data: trade\nx: year\ny: turnover\nwhere: \"source=memo-2016\"\n";
        let p = run(&format!("type: line\n{base}")).unwrap();
        assert_eq!(p.x_breaks, vec![2]);
        let p = run(&format!("type: area\n{base}gaps: dashed\n")).unwrap();
        assert_eq!(p.x_breaks, vec![2]);
        assert_eq!(p.spec.gaps, Some(Gaps::Dashed));
        // Bars are not joined; a category axis has no years between its slots.
        assert!(
            run(&format!("type: bar\n{base}"))
                .unwrap()
                .x_breaks
                .is_empty()
        );
        let p = run(&format!("type: line\n{base}x_scale: category\n")).unwrap();
        assert!(p.x_breaks.is_empty());
        assert_eq!(
            missing_years(&[2020.0, 2021.0, 2022.0, 2023.0]),
            Vec::<usize>::new()
        );
        assert_eq!(
            missing_years(&[1990.0, 2000.0, 2010.0]),
            Vec::<usize>::new()
        );
        assert_eq!(missing_years(&[2001.0, 2002.0, 2005.0, 2006.0]), vec![2]);
    }

    #[test]
    fn gaps_and_other_words_are_checked_with_a_suggestion() {
        let base = "data: trade\nx: year\ny: turnover\nwhere: \"source=memo-2016\"\n";
        let e = run(&format!("type: line\n{base}gaps: dashd\n"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("unknown variant `dashd`")
                && e.contains("did you mean `dashed`?")
                && e.contains("b.md:11:7"),
            "{e}"
        );
        let e = run(&format!("type: bar\n{base}gaps: dashed\n"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`gaps` is for lines") && e.contains("b.md:11:7"),
            "{e}"
        );
        let e = run(&format!("type: line\n{base}x_scale: vaule\n"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("did you mean `value`?"), "{e}");
        let e = run(&format!("type: lnie\n{base}")).unwrap_err().to_string();
        assert!(
            e.contains("did you mean `line`? `type` is one of: line, area"),
            "{e}"
        );
    }
}
