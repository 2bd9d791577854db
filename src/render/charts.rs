//! Charts to SVG with charts-rs, made right for briefings.
//!
//! charts-rs (pinned: it has had breaking releases) draws fast and
//! deterministically; around it this module makes the SVG accessible (`role`,
//! `<title>`, `<desc>`), keeps numbers lossless on the axes, names a font stack the
//! reader's browser can use, measures CJK labels with a font that has their glyphs,
//! and caches every picture by a hash of its plan, so a rebuild draws only the
//! charts whose spec or data changed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Value as Json, json};

use crate::resolve::charts::{ChartKind, ChartPlan, YScale};
use crate::resolve::values::parse_format;

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

type Cache = Mutex<HashMap<(u64, u64), Arc<String>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The placeholder id prefix of a cached SVG; each embedding gets its own.
pub const ID_PLACEHOLDER: &str = "tumen-chart";

/// The chart as a standalone SVG document (ids prefixed `tumen-chart`), from the
/// cache when this plan was drawn before with this palette.
pub fn svg(plan: &ChartPlan, palette: &[String]) -> Result<Arc<String>, String> {
    let pkey = {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in palette.join(",").bytes() {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
        h
    };
    let key = (plan.key(), pkey);
    if let Some(s) = cache().lock().expect("cache lock").get(&key) {
        return Ok(s.clone());
    }
    let drawn = Arc::new(draw(plan, palette)?);
    DRAWS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    cache()
        .lock()
        .expect("cache lock")
        .insert(key, drawn.clone());
    Ok(drawn)
}

/// The width of a chart's narrow variant: what a phone shows (360–420 px screens)
/// at about its natural size, so 14 px labels stay 12–15 px on screen.
pub const NARROW_WIDTH: f64 = 400.0;

/// The plan of a chart's narrow variant, for small screens: the same chart drawn
/// [`NARROW_WIDTH`] wide, its labels at the same pixel size. `None` when the chart
/// is narrow enough as it is (its author asked for a small width). A plan of its
/// own, so the cache keeps both pictures.
pub fn narrow_plan(plan: &ChartPlan) -> Option<ChartPlan> {
    if plan.spec.width.is_some_and(|w| w <= NARROW_WIDTH * 1.2) {
        return None;
    }
    let mut narrow = plan.clone();
    narrow.spec.width = Some(NARROW_WIDTH);
    Some(narrow)
}

static DRAWS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many charts this process has drawn (not taken from the cache): what the
/// live preview reports, and how the tests see the cache work.
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

/// Round axis bounds: charts-rs splits the data's range evenly, which gives ticks
/// such as 8,400 or 170; readers expect 0, 10,000, 20,000… Returns (min, max,
/// number of intervals) for values from `lo` to `hi`.
fn nice_axis(lo: f64, hi: f64) -> (f64, f64, usize) {
    let lo = lo.min(0.0);
    let hi = if hi <= lo { lo + 1.0 } else { hi };
    let span = hi - lo;
    let raw = span / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| span / s <= 6.0)
        .unwrap_or(10.0 * mag);
    let min = (lo / step).floor() * step;
    let max = (hi / step).ceil() * step;
    (min, max, ((max - min) / step).round().max(1.0) as usize)
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

/// The title's font size, in px.
const TITLE_SIZE: f64 = 17.0;

/// Width of `text` in px as charts-rs lays it out.
fn text_px(family: &str, size: f64, text: &str) -> f64 {
    charts_rs::measure_text_width_family(family, size as f32, text)
        .map_or_else(|_| label_px(text) * size / 14.0, |b| b.width() as f64)
}

/// `text` cut with an ellipsis to `max` px at 14 px.
fn fit_label(family: &str, text: &str, max: f64) -> String {
    if text_px(family, 14.0, text) <= max {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut n = chars.len();
    while n > 1 {
        n -= 1;
        let cut: String = chars[..n].iter().collect::<String>().trim_end().to_string() + "…";
        if text_px(family, 14.0, &cut) <= max {
            return cut;
        }
    }
    "…".to_string()
}

/// A title too wide for one line at `max` px, split at a space into two lines
/// (the second cut with an ellipsis if need be); `None` when it fits. charts-rs
/// writes one line only, and cuts the rest.
fn wrap_title(family: &str, title: &str, max: f64) -> Option<(String, String)> {
    // Bold is wider than the regular face charts-rs measures.
    let fits = |t: &str| text_px(family, TITLE_SIZE, t) * 1.08 <= max;
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

fn draw(plan: &ChartPlan, palette: &[String]) -> Result<String, String> {
    let spec = &plan.spec;
    let family = measure_family();
    let colors: Vec<String> = spec.colors.clone().unwrap_or_else(|| palette.to_vec());
    let n = plan.categories.len();
    let (default_w, default_h) = match spec.kind {
        ChartKind::HorizontalBar | ChartKind::StackedHorizontalBar => {
            (720.0, (90.0 + 34.0 * n as f64).max(220.0))
        }
        ChartKind::Pie | ChartKind::Donut => (680.0, 400.0),
        _ => (720.0, 380.0),
    };
    let mut c = json!({
        "width": spec.width.unwrap_or(default_w),
        "height": spec.height.unwrap_or(default_h),
        "font_family": family,
        "margin": {"left": 10, "top": 10, "right": 24, "bottom": 10},
        "title_text": spec.title.clone().unwrap_or_default(),
        "title_font_color": TEXT,
        "title_font_size": 17,
        "title_align": "left",
        "sub_title_text": spec.subtitle.clone().unwrap_or_default(),
        "sub_title_font_color": MUTED,
        "sub_title_align": "left",
        "legend_font_color": TEXT,
        "legend_show": plan.series.len() > 1,
        "legend_align": "left",
        "x_axis_font_color": MUTED,
        "x_axis_stroke_color": MUTED,
        "x_axis_label_overflow": "rotate",
        "grid_stroke_color": GRID,
        "series_colors": colors,
        "series_label_font_color": TEXT,
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
    let width = c["width"].as_f64().unwrap_or(720.0);
    let narrow = is_narrow(width);
    let title_lines = spec
        .title
        .as_deref()
        .and_then(|t| wrap_title(family, t, width - 34.0));
    if spec.title.as_deref().unwrap_or("").is_empty() {
        c["title_height"] = json!(0);
    } else if let Some((first, _)) = &title_lines {
        // Room for two lines; the second is written in by `finish`.
        c["title_text"] = json!(first);
        c["title_height"] = json!(52);
    }
    if let Some(t) = &spec.x_title {
        c["x_axis_title"] = json!(t);
    }
    let mut y_axis = json!({
        "axis_font_color": MUTED,
        "axis_formatter": axis_formatter(spec.format.as_deref()),
    });
    if let Some(v) = spec.y_min {
        y_axis["axis_min"] = json!(v);
    }
    if let Some(v) = spec.y_max {
        y_axis["axis_max"] = json!(v);
    }
    if spec.y_scale == Some(YScale::Log) {
        y_axis["axis_scale"] = json!("log");
        // Start a decade below the smallest value when it sits just above a power
        // of ten, or its bar would be a sliver.
        let min = plan
            .series
            .iter()
            .flat_map(|s| s.values.iter().flatten().copied())
            .fold(f64::MAX, f64::min);
        if spec.y_min.is_none() && min.is_finite() && min > 0.0 {
            let floor = 10f64.powf(min.log10().floor());
            y_axis["axis_min"] = json!(if min / floor < 2.0 {
                floor / 10.0
            } else {
                floor
            });
        }
    } else if !spec.kind.is_pie() && spec.kind != ChartKind::Scatter {
        let stacked_sum = |i: usize| {
            plan.series
                .iter()
                .filter_map(|s| s.values[i])
                .filter(|v| *v > 0.0)
                .sum::<f64>()
        };
        let values = plan
            .series
            .iter()
            .flat_map(|s| s.values.iter().flatten().copied());
        let (mut lo, mut hi) = values.fold((0.0f64, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
        if matches!(
            spec.kind,
            ChartKind::StackedBar | ChartKind::StackedHorizontalBar
        ) {
            hi = (0..n).map(stacked_sum).fold(hi, f64::max);
        }
        lo = spec.y_min.unwrap_or(lo);
        hi = spec.y_max.unwrap_or(hi);
        let (min, max, splits) = nice_axis(lo, hi);
        y_axis["axis_min"] = json!(spec.y_min.unwrap_or(min));
        y_axis["axis_max"] = json!(spec.y_max.unwrap_or(max));
        y_axis["axis_split_number"] = json!(splits);
    }
    if let Some(t) = &spec.y_title {
        y_axis["axis_title"] = json!(t);
    }
    let data = |v: &[Option<f64>]| -> Json {
        Json::Array(
            v.iter()
                .map(|x| x.map_or(Json::Null, |x| json!(x)))
                .collect(),
        )
    };
    let stacked = matches!(
        spec.kind,
        ChartKind::StackedBar | ChartKind::StackedHorizontalBar
    );
    let series: Vec<Json> = plan
        .series
        .iter()
        .map(|s| {
            let mut j = json!({"name": s.name, "data": data(&s.values)});
            if stacked {
                j["stack"] = json!("total");
            }
            j
        })
        .collect();

    let svg = match spec.kind {
        ChartKind::Line | ChartKind::Area | ChartKind::Bar | ChartKind::StackedBar => {
            c["x_axis_data"] = json!(plan.categories);
            let slot = (width - 80.0) / n.max(1) as f64;
            if narrow && plan.x_positions.is_none() && n <= 4 {
                // A few long names on a narrow chart: charts-rs would turn them
                // and leave some out; cut them to their slot instead (the data
                // table below the chart has them whole).
                let cats: Vec<String> = plan
                    .categories
                    .iter()
                    .map(|l| fit_label(family, l, (slot - 8.0).max(40.0)))
                    .collect();
                c["x_axis_data"] = json!(cats);
            } else if plan.x_positions.is_none() && spec.height.is_none() {
                // Labels wider than their slot are rotated; give them the room.
                let widest = plan
                    .categories
                    .iter()
                    .map(|l| label_px(l))
                    .fold(0.0, f64::max);
                if widest > slot {
                    let h = c["height"].as_f64().unwrap_or(380.0) + (widest * 0.72).min(220.0);
                    c["height"] = json!(h.round());
                }
            }
            match (&plan.x_dates, &plan.x_positions) {
                (Some(dates), _) => c["x_axis_values"] = json!(dates),
                (None, Some(pos))
                    if narrow
                        && pos
                            .iter()
                            .all(|x| x.fract() == 0.0 && (1000.0..=9999.0).contains(x)) =>
                {
                    // Years, on a narrow axis: charts-rs would write ticks ten
                    // years apart as 1.99k, 2k…; as dates they stay years.
                    let dates: Vec<String> = pos.iter().map(|y| format!("{y}-01-01")).collect();
                    c["x_axis_values"] = json!(dates);
                    c["x_axis_formatter"] = json!("%Y");
                }
                (None, Some(pos)) => {
                    c["x_axis_values"] = json!(pos);
                    // Years and other plain numbers: no thousands separator on the x axis.
                    c["x_axis_formatter"] = json!("{c}");
                }
                _ => {}
            }
            c["y_axis_configs"] = json!([y_axis]);
            c["series_list"] = json!(series);
            if spec.kind == ChartKind::Area {
                c["series_fill"] = json!(true);
            }
            let text = c.to_string();
            if matches!(spec.kind, ChartKind::Line | ChartKind::Area) {
                charts_rs::LineChart::from_json(&text).and_then(|ch| ch.svg())
            } else {
                charts_rs::BarChart::from_json(&text).and_then(|ch| ch.svg())
            }
        }
        ChartKind::HorizontalBar | ChartKind::StackedHorizontalBar => {
            // charts-rs draws the first category at the bottom; readers expect the
            // first row at the top.
            let mut cats = plan.categories.clone();
            if narrow {
                // Long names would leave the bars no room: cut them (the data
                // table below the chart has them whole).
                for l in &mut cats {
                    *l = fit_label(family, l, (width * 0.42).round());
                }
            }
            cats.reverse();
            c["x_axis_data"] = json!(cats);
            c["series_list"] = Json::Array(
                plan.series
                    .iter()
                    .map(|s| {
                        let mut v = s.values.clone();
                        v.reverse();
                        let mut j = json!({"name": s.name, "data": data(&v)});
                        if stacked {
                            j["stack"] = json!("total");
                        }
                        j
                    })
                    .collect(),
            );
            c["y_axis_configs"] = json!([y_axis]);
            // The value axis of a horizontal bar chart is the x axis.
            c["x_axis_formatter"] = json!(axis_formatter(spec.format.as_deref()));
            charts_rs::HorizontalBarChart::from_json(&c.to_string()).and_then(|ch| ch.svg())
        }
        ChartKind::Pie | ChartKind::Donut => {
            let s = &plan.series[0];
            c["series_list"] = Json::Array(
                plan.categories
                    .iter()
                    .zip(&s.values)
                    .filter_map(|(cat, v)| v.map(|v| json!({"name": cat, "data": [v]})))
                    .collect(),
            );
            c["rose_type"] = json!(false);
            if narrow {
                // No room beside the slices: a legend above them, shares on them.
                c["legend_show"] = json!(true);
                c["legend_category"] = json!("rect");
                c["series_label_formatter"] = json!("{d}");
            } else if plan.categories.iter().any(|l| label_px(l) > 130.0) {
                // Long names would run off the edge beside the slices: name the
                // slices in a legend, and give the slices their shares.
                c["legend_show"] = json!(true);
                c["legend_position"] = json!("right");
                c["legend_category"] = json!("rect");
                c["series_label_formatter"] = json!("{d}");
            } else {
                c["series_label_formatter"] = json!("{a}: {d}");
            }
            let radius = if narrow { 100 } else { 120 };
            c["radius"] = json!(radius);
            c["inner_radius"] = json!(if spec.kind == ChartKind::Donut {
                radius * 31 / 60
            } else {
                0
            });
            charts_rs::PieChart::from_json(&c.to_string()).and_then(|ch| ch.svg())
        }
        ChartKind::Scatter => {
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
            c["y_axis_configs"] = json!([y_axis]);
            c["x_axis_config"] = json!({"axis_font_color": MUTED, "axis_formatter": "{c}"});
            charts_rs::ScatterChart::from_json(&c.to_string()).and_then(|ch| ch.svg())
        }
    }
    .map_err(|e| format!("charts-rs could not draw this chart: {e}"))?;
    let svg = match &title_lines {
        Some((first, rest)) => two_line_title(&svg, first, rest),
        None => svg,
    };
    Ok(finish(&svg, plan, family))
}

/// Write a title charts-rs drew as its first line (in a box two lines high) on two
/// lines.
fn two_line_title(svg: &str, first: &str, rest: &str) -> String {
    let Some(start) = svg.find(&format!("<text font-size=\"{TITLE_SIZE}\"")) else {
        return svg.to_string();
    };
    let Some(open_end) = svg[start..].find('>').map(|i| start + i + 1) else {
        return svg.to_string();
    };
    let Some(close) = svg[open_end..].find("</text>").map(|i| open_end + i) else {
        return svg.to_string();
    };
    let attr = |name: &str| {
        svg[start..open_end]
            .split(&format!(" {name}=\""))
            .nth(1)
            .and_then(|r| r.split('"').next())
    };
    let x = attr("x").unwrap_or("0");
    // The text is centred in its box (dy: half its height); a tspan's dy replaces
    // the text's, so the first line's is its own: half a line above the centre.
    let dy: f64 = attr("dy").and_then(|d| d.parse().ok()).unwrap_or(26.0);
    let (dy1, dy2) = (dy - 11.0, 21.0);
    format!(
        "{}\n<tspan x=\"{x}\" dy=\"{dy1}\">{}</tspan><tspan x=\"{x}\" dy=\"{dy2}\">{}</tspan>\n{}",
        &svg[..open_end],
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
    fn axes_get_round_ticks() {
        assert_eq!(nice_axis(0.0, 50_000.0), (0.0, 50_000.0, 5));
        assert_eq!(nice_axis(0.0, 1_000.0), (0.0, 1_000.0, 5));
        assert_eq!(nice_axis(0.0, 2_350.0), (0.0, 2_500.0, 5));
        assert_eq!(nice_axis(0.0, 10.69), (0.0, 12.0, 6));
        assert_eq!(nice_axis(-35.0, 80.0), (-40.0, 80.0, 6));
    }

    #[test]
    fn wide_characters_are_wider() {
        assert!(label_px("조선") > label_px("ab"));
        assert_eq!(label_px("日本"), 28.0);
    }
}
