//! Charts to SVG with charts-rs, made right for briefings.
//!
//! charts-rs (pinned: it has had breaking releases) draws fast and
//! deterministically; around it this module makes the SVG accessible (`role`,
//! `<title>`, `<desc>`), keeps numbers lossless on the axes, names a font stack the
//! reader's browser can use, and measures CJK labels with a font that has their
//! glyphs. It keeps nothing between charts: the render cache keeps every picture
//! by a hash of its plan, so a rebuild draws only the charts whose spec or data
//! changed.
//!
//! Its defaults are made to look right with no option set:
//! - text of at least 12 px on screen, however far the theme scales the picture
//!   down (`axes::text_size`);
//! - whole-number ticks for years and whole-number data, a tick at every power of
//!   ten on a log axis. charts-rs takes fixed bounds and a number of splits for a
//!   value axis, which `axes` computes; it has no such control over a numeric x
//!   axis (it splits the range into about ten steps of 1, 2 or 5 × 10ⁿ: 2020.5),
//!   so that axis is drawn again with our ticks (`svg::redraw_x_axis`);
//! - log-axis labels in full (`10,000`; charts-rs writes `10k` whatever the
//!   format), rewritten in the SVG, with the room they need set beforehand;
//! - a legend with room under it for the top value label;
//! - the unit as axis title (chosen in the plan);
//! - a line broken where values are missing (charts-rs breaks a line at a slot
//!   with no x and no value, which `slots` puts in), or bridged by a dashed line
//!   (`gaps: dashed`, added to the SVG: charts-rs dashes a whole series or nothing).
//!
//! The changes to charts-rs' SVG live in `svg.rs`, which reads only the shape
//! charts-rs writes and leaves a picture alone when that shape is not there.

use std::sync::OnceLock;

use serde_json::{Value as Json, json};

use crate::model::chart::{ChartKind, ChartPlan, Gaps, YScale};
use crate::util::format::{format_number, parse_format};

mod axes;
mod svg;

/// Colours of the chart furniture. The inline charts are re-coloured by the theme's
/// CSS (attribute selectors on these exact values), so charts follow light and dark
/// mode; a downloaded SVG keeps them as they are.
pub const TEXT: &str = "#1d2329";
pub const MUTED: &str = "#56606b";
pub const GRID: &str = "#d9dde1";
pub const BACKGROUND: &str = "#fdfdfb";

/// Series colours when site.yaml sets no `palette`: distinguishable for the common
/// colour-vision deficiencies and legible on light and dark backgrounds.
pub const DEFAULT_PALETTE: &[&str] = &[
    "#2f6db5", "#d9822b", "#3a9e6f", "#c2477a", "#7a5cc2", "#8c8c3a", "#2a9fbc", "#b5523b",
];

/// The font the SVG asks for: the reader's own fonts, CJK ones included.
const FONT_STACK: &str = "Roboto, 'Helvetica Neue', Arial, 'Noto Sans', 'Noto Sans CJK KR', 'Noto Sans CJK JP', 'Apple SD Gothic Neo', 'Hiragino Sans', 'Malgun Gothic', 'Noto Sans SC', 'Droid Sans Fallback', sans-serif";

/// The font labels are measured with: Roboto plus a full-width box for every CJK
/// character (see assets/fonts/README.md). charts-rs' own Roboto has no CJK
/// glyphs and measured Korean or Japanese labels far too narrow.
static MEASURE_FONT: &[u8] = include_bytes!("../../assets/fonts/TumenMeasure.ttf");
const MEASURE_FAMILY: &str = "Tumen Measure";

/// The family to lay charts out with: ours once registered, else charts-rs' Roboto.
fn measure_family() -> &'static str {
    static FAMILY: OnceLock<&'static str> = OnceLock::new();
    FAMILY.get_or_init(|| match charts_rs::add_fonts(&[MEASURE_FONT]) {
        Ok(()) => MEASURE_FAMILY,
        Err(_) => "Roboto",
    })
}

/// The placeholder id prefix of a cached SVG; each embedding gets its own.
pub const ID_PLACEHOLDER: &str = "tumen-chart";

/// The chart as a standalone SVG document (ids prefixed `tumen-chart`), drawn now
/// (and counted in [`draws`]): the render cache keeps what was drawn.
pub fn svg(plan: &ChartPlan, palette: &[String]) -> Result<String, String> {
    let drawn = draw(plan, palette)?;
    DRAWS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Ok(drawn)
}

/// The width of a chart's narrow variant: what a phone shows (360–420 px screens)
/// at about its natural size, so 14 px labels stay 12–15 px on screen.
pub const NARROW_WIDTH: f64 = 400.0;

/// The plan of a chart's narrow variant, for small screens: the same chart drawn
/// [`NARROW_WIDTH`] wide, its labels at the same pixel size. `None` when the chart
/// is narrow enough as it is (its author asked for a small width). A plan of its
/// own, so the render cache keeps both pictures.
pub fn narrow_plan(plan: &ChartPlan) -> Option<ChartPlan> {
    if plan.spec.width.is_some_and(|w| w <= NARROW_WIDTH * 1.2) {
        return None;
    }
    let mut narrow = plan.clone();
    narrow.spec.width = Some(NARROW_WIDTH);
    Some(narrow)
}

static DRAWS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many charts this process has drawn (not taken from a render cache): how
/// the tests see the cache work. A count, not a cache: the pictures are kept by
/// the render cache that asked for them.
pub fn draws() -> usize {
    DRAWS.load(std::sync::atomic::Ordering::Relaxed)
}

/// An axis formatter for charts-rs from a number format: charts-rs knows only
/// `{c}` (the value) and `{t}` (thousands-grouped), so the spec's decimals are left
/// to the tick values, which are round numbers anyway, and a `%` spec's scaling is
/// not applied to ticks (they show the data as stored).
fn axis_formatter(format: Option<&str>) -> String {
    match format.map(parse_format) {
        Some(Ok(f)) => {
            let v = if f.comma { "{t}" } else { "{c}" };
            format!("{}{v}{}", f.prefix, f.suffix)
        }
        _ => "{t}".to_string(),
    }
}

/// The text a number format puts before and after the number.
fn affixes(format: Option<&str>) -> (&str, &str) {
    match format.map(parse_format) {
        Some(Ok(f)) => (f.prefix, f.suffix),
        _ => ("", ""),
    }
}

/// A value axis label written in full, with the format's text around it:
/// `US$10,000 m` where charts-rs writes `US$10k m`.
fn full_axis_label(format: Option<&str>, written: &str) -> Option<String> {
    let (prefix, suffix) = affixes(format);
    let bare = written.strip_prefix(prefix)?.strip_suffix(suffix)?;
    let v = svg::unsuffix(bare)?;
    let full = format_number(v, ",").ok()?;
    Some(format!("{prefix}{full}{suffix}"))
}

/// The log axis' labels written in full (charts-rs writes `10k`), in place: right
/// aligned as before beside a vertical axis, centred under a horizontal one, and
/// inside the picture.
fn full_log_labels(plan: &ChartPlan, look: &Look, drawn: &str) -> String {
    let format = plan.spec.format.as_deref();
    let horizontal = matches!(
        plan.spec.kind,
        ChartKind::HorizontalBar | ChartKind::StackedHorizontalBar
    );
    let measure = |l: &str| text_px(look.family, look.text, l);
    svg::rewrite_muted_labels(drawn, |tag, label| {
        let full = full_axis_label(format, label)?;
        let x: f64 = svg::attr(tag, "x")?.parse().ok()?;
        let (old, new) = (measure(label), measure(&full));
        let x = if horizontal {
            (x + (old - new) / 2.0).clamp(2.0, (look.width - new - 2.0).max(2.0))
        } else {
            x + old - new
        };
        Some((svg::with_attr(tag, "x", &svg::fmt(x)), full))
    })
}

/// The width of the widest label of a log axis written in full, with the gap
/// charts-rs leaves: the room its labels need beside the plot.
fn log_axis_width(plan: &ChartPlan, look: &Look, log: &axes::LogAxis) -> f64 {
    let (prefix, suffix) = affixes(plan.spec.format.as_deref());
    (log.exp_min..=log.exp_max)
        .filter_map(|e| format_number(10f64.powi(e), ",").ok())
        .map(|n| text_px(look.family, look.text, &format!("{prefix}{n}{suffix}")) + 5.0)
        .fold(0.0, f64::max)
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF | 0x2E80..=0x30FF | 0x3130..=0x318F | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF01..=0xFF60)
}

/// Rough width of a label in pixels at 14 px (for layout guesses only; charts-rs
/// measures exactly).
fn label_px(s: &str) -> f64 {
    s.chars().map(|c| if is_wide(c) { 14.0 } else { 6.8 }).sum()
}

/// Width of `text` in px as charts-rs lays it out.
fn text_px(family: &str, size: f64, text: &str) -> f64 {
    charts_rs::measure_text_width_family(family, size as f32, text)
        .map_or_else(|_| label_px(text) * size / 14.0, |b| b.width() as f64)
}

/// `text` cut with an ellipsis to `max` px at `size` px.
fn fit_label(family: &str, size: f64, text: &str, max: f64) -> String {
    if text_px(family, size, text) <= max {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut n = chars.len();
    while n > 1 {
        n -= 1;
        let cut: String = chars[..n].iter().collect::<String>().trim_end().to_string() + "…";
        if text_px(family, size, &cut) <= max {
            return cut;
        }
    }
    "…".to_string()
}

/// A title too wide for one line at `max` px, split at a space into two lines
/// (the second cut with an ellipsis if need be); `None` when it fits. charts-rs
/// writes one line only, and cuts the rest.
fn wrap_title(family: &str, size: f64, title: &str, max: f64) -> Option<(String, String)> {
    // Bold is wider than the regular face charts-rs measures.
    let fits = |t: &str| text_px(family, size, t) * 1.08 <= max;
    if fits(title) {
        return None;
    }
    let words: Vec<&str> = title.split(' ').collect();
    let k = (1..words.len())
        .rev()
        .find(|&k| fits(&words[..k].join(" ")))?;
    let first = words[..k].join(" ");
    let mut rest = words[k..].join(" ");
    while !fits(&rest) && rest.chars().count() > 1 {
        rest = rest.trim_end_matches('…').to_string();
        rest.pop();
        rest = rest.trim_end().to_string() + "…";
    }
    Some((first, rest))
}

/// Whether a chart is drawn for a small screen (its narrow variant, or an author's
/// small width): long labels are cut, a pie is labelled by a legend.
fn is_narrow(width: f64) -> bool {
    width < 480.0
}

/// How a chart is laid out: its size, and the size of its text.
struct Look {
    family: &'static str,
    width: f64,
    height: f64,
    narrow: bool,
    /// Labels, legend and axis titles, in SVG pixels.
    text: f64,
    title: f64,
    /// A title too long for one line, on two.
    title_lines: Option<(String, String)>,
}

impl Look {
    /// The look of a chart: its default size by kind, its text by its width.
    fn of(plan: &ChartPlan) -> Look {
        let spec = &plan.spec;
        let family = measure_family();
        let width = spec
            .width
            .unwrap_or(if spec.kind.is_pie() { 680.0 } else { 720.0 });
        // A chart wider than its narrow variant's threshold has one (see
        // `narrow_plan`), and is shown wide only on wider screens.
        let text = axes::text_size(width, width > NARROW_WIDTH * 1.2);
        let title = text + 3.0;
        let title_lines = spec
            .title
            .as_deref()
            .and_then(|t| wrap_title(family, title, t, width - 34.0));
        let height = match spec.kind {
            ChartKind::HorizontalBar | ChartKind::StackedHorizontalBar => {
                // A row for each bar, and room for what is drawn around them.
                let n = plan.categories.len() as f64;
                let legend = if plan.series.len() > 1 {
                    text * 2.6
                } else {
                    0.0
                };
                let title_line = if title_lines.is_some() {
                    title * 1.3
                } else {
                    0.0
                };
                let axis_title = if plan.y_title.is_some() {
                    text + 6.0
                } else {
                    0.0
                };
                (90.0 + 34.0 * n + legend + title_line + axis_title).max(220.0)
            }
            ChartKind::Pie | ChartKind::Donut => 400.0,
            _ => 380.0,
        };
        Look {
            family,
            width,
            height: spec.height.unwrap_or(height).round(),
            narrow: is_narrow(width),
            text,
            title,
            title_lines,
        }
    }

    /// Rough width of `s` at this chart's text size.
    fn rough_px(&self, s: &str) -> f64 {
        label_px(s) * self.text / 14.0
    }
}

/// Draw a chart: its kind's picture by charts-rs, then the changes every chart
/// gets (log labels in full, a two-line title, accessibility).
fn draw(plan: &ChartPlan, palette: &[String]) -> Result<String, String> {
    let look = Look::of(plan);
    let c = base_config(plan, palette, &look);
    let svg = match plan.spec.kind {
        ChartKind::Line | ChartKind::Area | ChartKind::Bar | ChartKind::StackedBar => {
            draw_columns(plan, &look, c)
        }
        ChartKind::HorizontalBar | ChartKind::StackedHorizontalBar => {
            draw_horizontal(plan, &look, c)
        }
        ChartKind::Pie | ChartKind::Donut => draw_pie(plan, &look, c),
        ChartKind::Scatter => draw_scatter(plan, &look, c),
    }
    .map_err(|e| format!("charts-rs could not draw this chart: {e}"))?;
    let svg = if plan.spec.y_scale == Some(YScale::Log) {
        full_log_labels(plan, &look, &svg)
    } else {
        svg
    };
    let svg = match &look.title_lines {
        Some((first, rest)) => two_line_title(&svg, look.title, first, rest),
        None => svg,
    };
    Ok(finish(&svg, plan, look.family))
}

/// What every chart shares: size, fonts, colours, title and legend.
fn base_config(plan: &ChartPlan, palette: &[String], look: &Look) -> Json {
    let spec = &plan.spec;
    let colors: Vec<String> = spec.colors.clone().unwrap_or_else(|| palette.to_vec());
    let text = look.text;
    let mut c = json!({
        "width": look.width,
        "height": look.height,
        "font_family": look.family,
        "margin": {"left": 10, "top": 10, "right": 24, "bottom": 10},
        "title_text": spec.title.clone().unwrap_or_default(),
        "title_font_color": TEXT,
        "title_font_size": look.title,
        "title_align": "left",
        "sub_title_text": spec.subtitle.clone().unwrap_or_default(),
        "sub_title_font_color": MUTED,
        "sub_title_font_size": text,
        "sub_title_height": text + 8.0,
        "sub_title_align": "left",
        "legend_font_color": TEXT,
        "legend_font_size": text,
        "legend_show": plan.series.len() > 1,
        "legend_align": "left",
        // Room under the legend for the top value label, which stands half its
        // height above the plot.
        "legend_margin": {"left": 0, "top": 0, "right": 0, "bottom": (text * 0.8).round()},
        "x_axis_font_color": MUTED,
        "x_axis_font_size": text,
        "x_axis_height": (text * 2.0 + 2.0).round(),
        "x_axis_stroke_color": MUTED,
        "x_axis_label_overflow": "rotate",
        "grid_stroke_color": GRID,
        "series_colors": colors,
        "series_label_font_color": TEXT,
        "series_label_font_size": text,
        // No hover tooltips: charts-rs prints their values from 32-bit floats to one
        // decimal (10.69 becomes 10.7); the figure's data table has them exactly.
        "tooltip_show": false,
    });
    if !matches!(
        spec.kind,
        ChartKind::Line | ChartKind::Area | ChartKind::Scatter
    ) {
        c["legend_category"] = json!("rect");
    }
    if spec.title.as_deref().unwrap_or("").is_empty() {
        c["title_height"] = json!(0);
    } else if let Some((first, _)) = &look.title_lines {
        // Room for two lines; the second is written in by `two_line_title`.
        c["title_text"] = json!(first);
        c["title_height"] = json!((look.title * 3.06).round());
    }
    c
}

/// Every value drawn, and for stacked bars the height of each stack.
fn axis_values(plan: &ChartPlan) -> Vec<f64> {
    let mut values: Vec<f64> = plan
        .series
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied())
        .collect();
    if matches!(
        plan.spec.kind,
        ChartKind::StackedBar | ChartKind::StackedHorizontalBar
    ) {
        values.extend((0..plan.categories.len()).map(|i| {
            plan.series
                .iter()
                .filter_map(|s| s.values[i])
                .filter(|v| *v > 0.0)
                .sum::<f64>()
        }));
    }
    values
}

/// The value axis: round bounds (whole steps for whole numbers), a log axis with a
/// tick at every power of ten, the format's affixes, the unit as its title.
fn value_axis(plan: &ChartPlan, look: &Look) -> Json {
    let spec = &plan.spec;
    let mut y_axis = json!({
        "axis_font_color": MUTED,
        "axis_font_size": look.text,
        "axis_formatter": axis_formatter(spec.format.as_deref()),
    });
    let values = axis_values(plan);
    let whole = axes::all_whole(values.iter().copied())
        && axes::all_whole([spec.y_min, spec.y_max].into_iter().flatten());
    let lo = values.iter().copied().fold(f64::MAX, f64::min);
    let hi = values.iter().copied().fold(f64::MIN, f64::max);
    if spec.y_scale == Some(YScale::Log) {
        y_axis["axis_scale"] = json!("log");
        if lo.is_finite() && lo > 0.0 {
            let log = axes::LogAxis::new(lo, hi, spec.y_min, spec.y_max, whole);
            y_axis["axis_min"] = json!(log.min);
            y_axis["axis_split_number"] = json!(log.splits());
            y_axis["axis_width"] = json!(log_axis_width(plan, look, &log).ceil());
        }
        if let Some(v) = spec.y_max {
            y_axis["axis_max"] = json!(v);
        }
    } else {
        let lo = spec.y_min.unwrap_or(lo.min(0.0));
        let hi = spec
            .y_max
            .unwrap_or(if values.is_empty() { 1.0 } else { hi });
        let (min, max, splits) = axes::nice_axis(lo, hi, whole);
        y_axis["axis_min"] = json!(spec.y_min.unwrap_or(min));
        y_axis["axis_max"] = json!(spec.y_max.unwrap_or(max));
        y_axis["axis_split_number"] = json!(splits);
    }
    y_axis
}

/// A series' values for charts-rs: `null` where there is none.
fn data(v: &[Option<f64>]) -> Json {
    Json::Array(
        v.iter()
            .map(|x| x.map_or(Json::Null, |x| json!(x)))
            .collect(),
    )
}

/// The series for charts-rs, stacked when the chart is.
fn series_json(
    plan: &ChartPlan,
    values: impl Fn(usize, &[Option<f64>]) -> Vec<Option<f64>>,
) -> Json {
    let stacked = matches!(
        plan.spec.kind,
        ChartKind::StackedBar | ChartKind::StackedHorizontalBar
    );
    Json::Array(
        plan.series
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut j = json!({"name": s.name, "data": data(&values(i, &s.values))});
                if stacked {
                    j["stack"] = json!("total");
                }
                j
            })
            .collect(),
    )
}

/// The points of a line or bar chart as charts-rs takes them: one slot per row,
/// and for a line a slot with neither x nor value before each break, where
/// charts-rs stops the line.
fn slots(plan: &ChartPlan) -> (Vec<Option<f64>>, Vec<Vec<Option<f64>>>) {
    let positions = plan.x_positions.clone().unwrap_or_default();
    let mut xs = Vec::new();
    let mut values = vec![Vec::new(); plan.series.len()];
    for i in 0..plan.categories.len() {
        if plan.x_breaks.contains(&i) {
            xs.push(None);
            values.iter_mut().for_each(|v| v.push(None));
        }
        xs.push(positions.get(i).copied());
        for (v, s) in values.iter_mut().zip(&plan.series) {
            v.push(s.values[i]);
        }
    }
    (xs, values)
}

/// How many unbroken stretches each series' line has.
fn stretches(values: &[Vec<Option<f64>>]) -> Vec<usize> {
    values
        .iter()
        .map(|v| {
            v.iter()
                .enumerate()
                .filter(|&(i, x)| x.is_some() && (i == 0 || v[i - 1].is_none()))
                .count()
        })
        .collect()
}

/// A series with a point that has no neighbour to join (a gap on both sides) gets
/// solid dots a little larger than charts-rs' rings, which are easily missed alone.
fn mark_lone_points(c: &mut Json, values: &[Vec<Option<f64>>]) {
    let colors: Vec<Json> = c["series_colors"].as_array().cloned().unwrap_or_default();
    for (i, v) in values.iter().enumerate() {
        let lone = (0..v.len()).any(|k| {
            v[k].is_some()
                && (k == 0 || v[k - 1].is_none())
                && v.get(k + 1).is_none_or(|n| n.is_none())
        });
        if lone && !colors.is_empty() {
            let color = colors[i % colors.len()].clone();
            c["series_list"][i]["symbol"] = json!({"type": "circle", "size": 3, "color": color});
        }
    }
}

/// Line, area, bar and stacked bar charts: x along the bottom.
fn draw_columns(plan: &ChartPlan, look: &Look, mut c: Json) -> charts_rs::Result<String> {
    let spec = &plan.spec;
    let (xs, values) = slots(plan);
    c["x_axis_data"] = json!(plan.categories);
    match (&plan.x_dates, &plan.x_positions) {
        (Some(dates), _) => c["x_axis_values"] = json!(dates),
        (None, Some(_)) => {
            let (lo, hi) = x_range(plan);
            c["x_axis_values"] = json!(xs);
            c["x_axis_min"] = json!(lo);
            c["x_axis_max"] = json!(hi);
        }
        (None, None) => category_labels(plan, look, &mut c),
    }
    if let Some(t) = &plan.x_title {
        c["x_axis_title"] = json!(t);
    }
    let mut y_axis = value_axis(plan, look);
    if let Some(t) = &plan.y_title {
        y_axis["axis_title"] = json!(t);
    }
    c["y_axis_configs"] = json!([y_axis]);
    c["series_list"] = series_json(plan, |i, _| values[i].clone());
    if spec.kind.has_lines() {
        mark_lone_points(&mut c, &values);
    }
    if spec.kind == ChartKind::Area {
        c["series_fill"] = json!(true);
    }
    let text = c.to_string();
    let svg = if spec.kind.has_lines() {
        charts_rs::LineChart::from_json(&text).and_then(|ch| ch.svg())?
    } else {
        charts_rs::BarChart::from_json(&text).and_then(|ch| ch.svg())?
    };
    let svg = if plan.x_positions.is_some() && plan.x_dates.is_none() {
        redraw_x_axis(plan, look, &svg)
    } else {
        svg
    };
    Ok(
        if spec.kind.has_lines() && spec.gaps == Some(Gaps::Dashed) {
            svg::dash_gaps(&svg, &stretches(&values), look.width)
        } else {
            svg
        },
    )
}

/// The range of a continuous x axis: the data's, and for bars half the smallest
/// step more at both ends (a lone bar gets a whole step), as charts-rs has it.
fn x_range(plan: &ChartPlan) -> (f64, f64) {
    let pos = plan.x_positions.as_deref().unwrap_or(&[]);
    let lo = pos.iter().copied().fold(f64::MAX, f64::min);
    let hi = pos.iter().copied().fold(f64::MIN, f64::max);
    if plan.spec.kind.has_lines() {
        return if hi > lo {
            (lo, hi)
        } else {
            (lo - 0.5, lo + 0.5)
        };
    }
    let mut sorted = pos.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.dedup();
    let gap = sorted
        .windows(2)
        .map(|w| w[1] - w[0])
        .fold(f64::INFINITY, f64::min);
    let pad = if gap.is_finite() { gap / 2.0 } else { 1.0 };
    (lo - pad, hi + pad)
}

/// The x axis of numbers drawn again with our ticks: whole numbers for years and
/// counts, as many as their labels leave room for (charts-rs would write 2020.5).
fn redraw_x_axis(plan: &ChartPlan, look: &Look, drawn: &str) -> String {
    let Some(axis) = svg::find_x_axis(drawn) else {
        return drawn.to_string();
    };
    let pos = plan.x_positions.as_deref().unwrap_or(&[]);
    let (lo, hi) = x_range(plan);
    let data = (
        pos.iter().copied().fold(f64::MAX, f64::min),
        pos.iter().copied().fold(f64::MIN, f64::max),
    );
    let label = |v: f64| {
        if plan.x_years {
            format!("{}", v.round() as i64)
        } else {
            format_number(v, ",").unwrap_or_else(|_| v.to_string())
        }
    };
    let measure = |l: &str| text_px(look.family, look.text, l);
    let px = axis.right - axis.left;
    let ticks: Vec<(f64, String)> = axes::x_ticks(
        (lo, hi),
        data,
        axes::all_whole(pos.iter().copied()),
        px,
        label,
        measure,
    )
    .into_iter()
    .map(|(v, l)| (axis.left + (v - lo) / (hi - lo) * px, l))
    .collect();
    svg::redraw_x_axis(drawn, &axis, &ticks, look.width, measure)
}

/// Category labels along the bottom: cut to their slot on a narrow chart, else
/// given the height they need turned.
fn category_labels(plan: &ChartPlan, look: &Look, c: &mut Json) {
    let n = plan.categories.len();
    let slot = (look.width - 80.0) / n.max(1) as f64;
    if look.narrow && n <= 4 {
        // A few long names on a narrow chart: charts-rs would turn them and leave
        // some out; cut them to their slot instead (the data table below the
        // chart has them whole).
        let cats: Vec<String> = plan
            .categories
            .iter()
            .map(|l| fit_label(look.family, look.text, l, (slot - 8.0).max(40.0)))
            .collect();
        c["x_axis_data"] = json!(cats);
    } else if plan.spec.height.is_none() {
        // Labels wider than their slot are rotated; give them the room.
        let widest = plan
            .categories
            .iter()
            .map(|l| look.rough_px(l))
            .fold(0.0, f64::max);
        if widest > slot {
            let h = look.height + (widest * 0.72).min(220.0);
            c["height"] = json!(h.round());
        }
    }
}

/// Horizontal bars: categories down the left, first row at the top, values along
/// the bottom.
fn draw_horizontal(plan: &ChartPlan, look: &Look, mut c: Json) -> charts_rs::Result<String> {
    // charts-rs draws the first category at the bottom; readers expect the first
    // row at the top.
    let mut cats = plan.categories.clone();
    if look.narrow {
        // Long names would leave the bars no room: cut them (the data table below
        // the chart has them whole).
        for l in &mut cats {
            *l = fit_label(look.family, look.text, l, (look.width * 0.42).round());
        }
    }
    cats.reverse();
    c["x_axis_data"] = json!(cats);
    c["series_list"] = series_json(plan, |_, v| v.iter().rev().copied().collect());
    let mut value_axis = value_axis(plan, look);
    // The value axis of a horizontal bar chart is the x axis, along the bottom;
    // the categories, the x column, run down the left.
    if let Some(t) = &plan.x_title {
        value_axis["axis_title"] = json!(t);
    }
    if let Some(t) = &plan.y_title {
        c["x_axis_title"] = json!(t);
    }
    c["y_axis_configs"] = json!([value_axis]);
    c["x_axis_formatter"] = json!(axis_formatter(plan.spec.format.as_deref()));
    charts_rs::HorizontalBarChart::from_json(&c.to_string()).and_then(|ch| ch.svg())
}

/// Pies and donuts: a slice per row, named beside it or in a legend.
fn draw_pie(plan: &ChartPlan, look: &Look, mut c: Json) -> charts_rs::Result<String> {
    let s = &plan.series[0];
    c["series_list"] = Json::Array(
        plan.categories
            .iter()
            .zip(&s.values)
            .filter_map(|(cat, v)| v.map(|v| json!({"name": cat, "data": [v]})))
            .collect(),
    );
    c["rose_type"] = json!(false);
    if look.narrow {
        // No room beside the slices: a legend above them, shares on them.
        c["legend_show"] = json!(true);
        c["legend_category"] = json!("rect");
        c["series_label_formatter"] = json!("{d}");
    } else if plan.categories.iter().any(|l| look.rough_px(l) > 130.0) {
        // Long names would run off the edge beside the slices: name the slices in a
        // legend, and give the slices their shares.
        c["legend_show"] = json!(true);
        c["legend_position"] = json!("right");
        c["legend_category"] = json!("rect");
        c["series_label_formatter"] = json!("{d}");
    } else {
        c["series_label_formatter"] = json!("{a}: {d}");
    }
    let radius = if look.narrow { 100 } else { 120 };
    c["radius"] = json!(radius);
    c["inner_radius"] = json!(if plan.spec.kind == ChartKind::Donut {
        radius * 31 / 60
    } else {
        0
    });
    charts_rs::PieChart::from_json(&c.to_string()).and_then(|ch| ch.svg())
}

/// Scatter plots: both axes numbers, each with round (and for whole numbers whole)
/// ticks and its unit as title.
fn draw_scatter(plan: &ChartPlan, look: &Look, mut c: Json) -> charts_rs::Result<String> {
    let xs = plan.x_positions.clone().unwrap_or_default();
    c["series_list"] = Json::Array(
        plan.series
            .iter()
            .map(|s| {
                let pts: Vec<Json> = xs
                    .iter()
                    .zip(&s.values)
                    .filter_map(|(x, y)| y.map(|y| [json!(x), json!(y)]))
                    .flatten()
                    .collect();
                json!({"name": s.name, "data": pts})
            })
            .collect(),
    );
    let mut y_axis = value_axis(plan, look);
    if let Some(t) = &plan.y_title {
        y_axis["axis_title"] = json!(t);
    }
    c["y_axis_configs"] = json!([y_axis]);
    let lo = xs.iter().copied().fold(f64::MAX, f64::min);
    let hi = xs.iter().copied().fold(f64::MIN, f64::max);
    let (min, max, splits) = axes::nice_axis(lo, hi, axes::all_whole(xs.iter().copied()));
    c["x_axis_config"] = json!({
        "axis_font_color": MUTED,
        "axis_font_size": look.text,
        "axis_formatter": "{c}",
        "axis_min": min,
        "axis_max": max,
        "axis_split_number": splits,
    });
    if let Some(t) = &plan.x_title {
        c["x_axis_title"] = json!(t);
    }
    charts_rs::ScatterChart::from_json(&c.to_string()).and_then(|ch| ch.svg())
}

/// Write a title charts-rs drew as its first line (in a box two lines high) on two
/// lines.
fn two_line_title(svg: &str, size: f64, first: &str, rest: &str) -> String {
    let Some(start) = svg.find(&format!("<text font-size=\"{size}\"")) else {
        return svg.to_string();
    };
    let Some(open_end) = svg[start..].find('>').map(|i| start + i + 1) else {
        return svg.to_string();
    };
    let Some(close) = svg[open_end..].find("</text>").map(|i| open_end + i) else {
        return svg.to_string();
    };
    let attr = |name: &str| svg::attr(&svg[start..open_end], name);
    let x = attr("x").unwrap_or("0");
    // The text is centred in its box (dy: half its height); the first line goes
    // half a line above the centre. The dy moves to the lines: browsers let a
    // tspan's dy replace the text's, librsvg adds the two.
    let dy_text = attr("dy").unwrap_or("26");
    let dy: f64 = dy_text.parse().unwrap_or(26.0);
    let (dy1, dy2) = ((dy - size * 0.65).round(), (size * 1.24).round());
    let open = svg[start..open_end].replacen(&format!(" dy=\"{dy_text}\""), "", 1);
    format!(
        "{}{open}\n<tspan x=\"{x}\" dy=\"{dy1}\">{}</tspan><tspan x=\"{x}\" dy=\"{dy2}\">{}</tspan>\n{}",
        &svg[..start],
        xml_escape(first),
        xml_escape(rest),
        &svg[close..]
    )
}

use crate::util::escape::xml as xml_escape;

/// Make the raw SVG accessible and readable anywhere: a title and a description
/// for assistive technology, the reader's fonts, no fixed background.
fn finish(svg: &str, plan: &ChartPlan, family: &str) -> String {
    let title = plan
        .spec
        .title
        .clone()
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| format!("{} of {}", plan.spec.kind.describe(), plan.dataset_title));
    let desc = plan.description();
    let mut out = svg.replacen(
        "<svg ",
        &format!(
            "<svg role=\"img\" aria-labelledby=\"{ID_PLACEHOLDER}-title {ID_PLACEHOLDER}-desc\" "
        ),
        1,
    );
    if let Some(end) = out.find('>') {
        out.insert_str(
            end + 1,
            &format!(
                "\n<title id=\"{ID_PLACEHOLDER}-title\">{}</title>\n<desc id=\"{ID_PLACEHOLDER}-desc\">{}</desc>",
                xml_escape(&title),
                xml_escape(&desc)
            ),
        );
    }
    let out = out.replace(
        &format!("font-family=\"{family}\""),
        &format!("font-family=\"{FONT_STACK}\""),
    );
    // The chart's background is the page's: the theme colours it (light or dark).
    out.replace("fill=\"#FFFFFF\"", &format!("fill=\"{BACKGROUND}\""))
}

/// The SVG as a PDF draws it: text in `family` (a PDF carries its own fonts and
/// knows none of the site's stack) on white paper.
pub fn for_print(svg: &str, family: &str) -> String {
    svg.replace(
        &format!("font-family=\"{FONT_STACK}\""),
        &format!("font-family=\"{family}\""),
    )
    .replace(&format!("fill=\"{BACKGROUND}\""), "fill=\"#FFFFFF\"")
}

/// The SVG for one place in a page: its ids made unique there.
pub fn embed(svg: &str, id: &str) -> String {
    // The XML declaration-free SVG can be inlined into HTML as it is.
    svg.replace(&format!("id=\"{ID_PLACEHOLDER}-"), &format!("id=\"{id}-"))
        .replace(
            &format!("{ID_PLACEHOLDER}-title {ID_PLACEHOLDER}-desc"),
            &format!("{id}-title {id}-desc"),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_formatters_keep_affixes() {
        assert_eq!(axis_formatter(Some("US$,.0f m")), "US${t} m");
        assert_eq!(axis_formatter(Some(".1f")), "{c}");
        assert_eq!(axis_formatter(Some(".0%")), "{c}");
        assert_eq!(axis_formatter(None), "{t}");
    }

    #[test]
    fn wide_characters_are_wider() {
        assert!(label_px("조선") > label_px("ab"));
        assert_eq!(label_px("日本"), 28.0);
    }
}
