//! The resolved form of a chart: its spec as the author wrote it ([`ChartSpec`])
//! and the plan the renderer draws ([`ChartPlan`]): categories, positions and
//! series, checked against the data by `resolve::charts`. The renderer never
//! sees a dataset, only plans.

use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};

use crate::util::format::format_number;
use crate::util::hash::Fnv;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChartKind {
    Line,
    Area,
    Bar,
    StackedBar,
    HorizontalBar,
    StackedHorizontalBar,
    Pie,
    Donut,
    Scatter,
}

impl ChartKind {
    pub const NAMES: &'static [&'static str] = &[
        "line",
        "area",
        "bar",
        "stacked-bar",
        "horizontal-bar",
        "stacked-horizontal-bar",
        "pie",
        "donut",
        "scatter",
    ];

    pub fn describe(self) -> &'static str {
        match self {
            ChartKind::Line => "Line chart",
            ChartKind::Area => "Area chart",
            ChartKind::Bar => "Bar chart",
            ChartKind::StackedBar => "Stacked bar chart",
            ChartKind::HorizontalBar => "Horizontal bar chart",
            ChartKind::StackedHorizontalBar => "Stacked horizontal bar chart",
            ChartKind::Pie => "Pie chart",
            ChartKind::Donut => "Donut chart",
            ChartKind::Scatter => "Scatter plot",
        }
    }

    pub fn is_pie(self) -> bool {
        matches!(self, ChartKind::Pie | ChartKind::Donut)
    }

    /// Kinds drawn as lines, whose missing values are gaps in a line.
    pub fn has_lines(self) -> bool {
        matches!(self, ChartKind::Line | ChartKind::Area)
    }

    /// Kinds whose x axis can be continuous (points placed by their value).
    pub fn can_scale_x(self) -> bool {
        matches!(
            self,
            ChartKind::Line
                | ChartKind::Area
                | ChartKind::Bar
                | ChartKind::StackedBar
                | ChartKind::Scatter
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum XScale {
    /// Evenly spaced slots, one per row, in row order.
    Category,
    /// Points placed by their value (numbers, years, dates).
    Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum YScale {
    Linear,
    Log,
}

/// How a line shows where values are missing (an empty cell, or on a year axis
/// years without a row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Gaps {
    /// The line stops and starts again: nothing is drawn where nothing was measured.
    Break,
    /// A dashed line bridges the gap, marked as not measured.
    Dashed,
}

/// `y: turnover` or `y: [exports, imports]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

/// A chart as its author wrote it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct ChartSpec {
    #[serde(default)]
    pub data: Option<String>,
    #[serde(rename = "type")]
    pub kind: ChartKind,
    pub x: String,
    pub y: OneOrMany,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub subtitle: Option<String>,
    #[serde(default)]
    pub caption: Option<String>,
    /// Names of the series, in the order of `y`; default: the columns' labels.
    #[serde(default)]
    pub labels: Option<Vec<String>>,
    /// Colours of the series, overriding the site palette.
    #[serde(default)]
    pub colors: Option<Vec<String>>,
    /// Number format of values (`,.0f`, `US$,.1f m`…), as for inline values.
    #[serde(default)]
    pub format: Option<String>,
    #[serde(default)]
    pub y_min: Option<f64>,
    #[serde(default)]
    pub y_max: Option<f64>,
    #[serde(default)]
    pub width: Option<f64>,
    #[serde(default)]
    pub height: Option<f64>,
    /// Row filter, `column=value,…`, as for inline values.
    #[serde(default, rename = "where")]
    pub filter: Option<String>,
    /// Keep rows whose x is at least `from` / at most `to`.
    #[serde(default)]
    pub from: Option<yaml_serde::Value>,
    #[serde(default)]
    pub to: Option<yaml_serde::Value>,
    /// Order rows by a column; `-column` for descending.
    #[serde(default)]
    pub sort: Option<String>,
    #[serde(default)]
    pub x_scale: Option<XScale>,
    #[serde(default)]
    pub y_scale: Option<YScale>,
    /// Split the one `y` column into a series per value of this column (each
    /// project coloured by its sector, say).
    #[serde(default)]
    pub series_by: Option<String>,
    #[serde(default)]
    pub x_title: Option<String>,
    #[serde(default)]
    pub y_title: Option<String>,
    /// How a line shows missing values; `None` is [`Gaps::Break`].
    #[serde(default)]
    pub gaps: Option<Gaps>,
}

pub const KNOWN_KEYS: &[&str] = &[
    "data",
    "type",
    "x",
    "y",
    "title",
    "subtitle",
    "caption",
    "labels",
    "colors",
    "format",
    "y_min",
    "y_max",
    "width",
    "height",
    "where",
    "from",
    "to",
    "sort",
    "x_scale",
    "y_scale",
    "series_by",
    "x_title",
    "y_title",
    "gaps",
];

/// One series, ready to plot: a value (or a gap) per row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    pub name: String,
    pub column: String,
    pub values: Vec<Option<f64>>,
}

/// A checked chart with its data, ready to draw.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChartPlan {
    pub spec: ChartSpec,
    pub dataset: String,
    pub dataset_title: String,
    /// The x label of each point, as a reader sees it.
    pub categories: Vec<String>,
    /// Where each point sits on a continuous x axis; `None` for evenly spaced slots.
    pub x_positions: Option<Vec<f64>>,
    /// ISO dates of the points when x is a date column on a continuous axis.
    pub x_dates: Option<Vec<String>>,
    pub x_heading: String,
    /// The title of the x axis: the spec's `x_title`, else the x column's unit.
    pub x_title: Option<String>,
    /// The title of the value axis: the spec's `y_title`, else the unit of the
    /// `y` columns (when they share one).
    pub y_title: Option<String>,
    /// The x column holds years: its ticks are written without separators.
    pub x_years: bool,
    /// The points before which a line breaks because the years between them and the
    /// point before have no row (see `missing_years`); empty but for lines and
    /// areas over years.
    pub x_breaks: Vec<usize>,
    pub series: Vec<Series>,
    /// Source keys of the dataset and of the rows drawn.
    pub sources: Vec<String>,
    /// Unit for captions and the description.
    pub unit: Option<String>,
}

impl ChartPlan {
    /// A stable hash of everything that decides the picture: the renderer's cache
    /// key. FNV-1a rather than std's hasher, whose output may change between Rust
    /// versions.
    #[allow(
        clippy::expect_used,
        reason = "a plan is plain data: serde_json fails only on maps with non-string keys, of which it has none"
    )]
    pub fn key(&self) -> u64 {
        let json = serde_json::to_string(self).expect("plans serialise");
        let mut h = Fnv::default();
        json.hash(&mut h);
        h.finish()
    }

    /// Format a value as the chart's `format` says (thousands separators by default).
    pub fn fmt(&self, v: f64) -> String {
        let f = self.spec.format.as_deref().unwrap_or(",");
        format_number(v, f).unwrap_or_else(|_| v.to_string())
    }

    /// A plain-language summary of the data, for the SVG's `<desc>`.
    pub fn description(&self) -> String {
        let mut out = format!(
            "{} of {} by {}",
            self.spec.kind.describe(),
            self.series
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            self.x_heading
        );
        if let (Some(first), Some(last)) = (self.categories.first(), self.categories.last()) {
            if self.categories.len() > 1 {
                out.push_str(&format!(", {first} to {last}"));
            } else {
                out.push_str(&format!(", {first}"));
            }
        }
        out.push_str(&format!(" ({} points)", self.categories.len()));
        if let Some(u) = &self.unit {
            out.push_str(&format!("; values in {u}"));
        }
        out.push('.');
        for s in &self.series {
            let pts: Vec<(usize, f64)> = s
                .values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| (i, v)))
                .collect();
            let Some(&(imax, vmax)) = pts.iter().max_by(|a, b| a.1.total_cmp(&b.1)) else {
                continue;
            };
            let Some(&(imin, vmin)) = pts.iter().min_by(|a, b| a.1.total_cmp(&b.1)) else {
                continue;
            };
            if self.spec.kind.is_pie() {
                let total: f64 = pts.iter().map(|p| p.1).sum();
                let parts: Vec<String> = pts
                    .iter()
                    .map(|&(i, v)| {
                        format!(
                            "{} {} ({:.0}%)",
                            self.categories[i],
                            self.fmt(v),
                            if total > 0.0 { v / total * 100.0 } else { 0.0 }
                        )
                    })
                    .collect();
                out.push_str(&format!(" {}: {}.", s.name, parts.join("; ")));
            } else {
                out.push_str(&format!(
                    " {}: highest {} ({}), lowest {} ({}).",
                    s.name,
                    self.fmt(vmax),
                    self.categories[imax],
                    self.fmt(vmin),
                    self.categories[imin]
                ));
            }
        }
        out
    }
}
