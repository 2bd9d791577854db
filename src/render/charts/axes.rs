//! The numbers on a chart's axes: which values get a tick, and how big the text is.
//!
//! charts-rs picks ticks by splitting a range into about ten round steps of 1, 2 or
//! 5 × 10ⁿ, with no notion of whole-number data: four years get `2020, 2020.5,
//! 2021…`, bars over them `2019.5 … 2023.5`, and a 0/1 count `0.2, 0.4…`. Here the
//! steps of data that are whole numbers (years, counts) are whole numbers too, and
//! the x ticks are chosen for the room their labels need; the caller hands the
//! value axis to charts-rs as fixed bounds and a number of splits, and draws the x
//! ticks itself (see `svg.rs`).

/// The smallest size, in CSS pixels, of any text of a chart as the reader sees it.
pub const MIN_TEXT_PX: f64 = 12.0;

/// The narrowest a chart with a narrow variant is shown wide: the theme switches to
/// the wide picture at 36rem (576 px) and scales it to the column from there up.
pub const WIDE_SHOWN_FROM: f64 = 576.0;

/// The narrowest phone screen a narrow variant (or a chart its author drew small,
/// which has none) is designed for.
pub const PHONE_WIDTH: f64 = 360.0;

/// The size of a chart's labels in SVG pixels, so that they are at least
/// [`MIN_TEXT_PX`] on screen however far the theme scales the picture down: 15 px
/// at the default 720 px (shown down to 576 px), 14 px at 400 px (on a 360 px
/// phone 12.6 px).
pub fn text_size(width: f64, has_narrow_variant: bool) -> f64 {
    let shown_from = if has_narrow_variant {
        WIDE_SHOWN_FROM
    } else {
        PHONE_WIDTH
    };
    (MIN_TEXT_PX * width / shown_from).ceil().max(14.0)
}

/// Whether every value is a whole number: then the ticks are too.
pub fn all_whole(values: impl IntoIterator<Item = f64>) -> bool {
    values.into_iter().all(|v| v.fract() == 0.0)
}

/// Round axis bounds: charts-rs splits the data's range evenly, which gives ticks
/// such as 8,400 or 170; readers expect 0, 10,000, 20,000… Returns (min, max,
/// number of intervals) for values from `lo` to `hi`; with `whole`, the step is a
/// whole number (a count of 0 or 1 gets 0 and 1, not 0.2, 0.4…).
pub fn nice_axis(lo: f64, hi: f64, whole: bool) -> (f64, f64, usize) {
    let lo = lo.min(0.0);
    let hi = if hi <= lo { lo + 1.0 } else { hi };
    let span = hi - lo;
    let raw = span / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .filter(|s| !whole || (*s >= 1.0 && s.fract() == 0.0))
        .find(|s| span / s <= 6.0)
        .unwrap_or(if whole {
            (10.0 * mag).max(1.0)
        } else {
            10.0 * mag
        });
    let min = (lo / step).floor() * step;
    let max = (hi / step).ceil() * step;
    (min, max, ((max - min) / step).round().max(1.0) as usize)
}

/// A log axis as charts-rs draws it: from 10^`exp_min` to 10^`exp_max`, a tick at
/// every power of ten between.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogAxis {
    /// The lower bound to hand charts-rs.
    pub min: f64,
    pub exp_min: i32,
    pub exp_max: i32,
}

impl LogAxis {
    /// The axis for values from `lo` to `hi` (both above zero), with the author's
    /// bounds if any. It starts a decade below the smallest value when that sits
    /// just above a power of ten (its bar would be a sliver), but not below 1 for
    /// whole numbers.
    pub fn new(lo: f64, hi: f64, y_min: Option<f64>, y_max: Option<f64>, whole: bool) -> Self {
        let min = y_min.unwrap_or_else(|| {
            let floor = 10f64.powf(lo.log10().floor());
            let below = if lo / floor < 2.0 {
                floor / 10.0
            } else {
                floor
            };
            if whole && lo >= 1.0 {
                below.max(1.0)
            } else {
                below
            }
        });
        // charts-rs takes a bound only beyond the data, and finds the decades in
        // 32-bit floats: do the same, so the ticks are the ones it draws.
        let lowest = if min > 0.0 && min < lo { min } else { lo } as f32;
        let highest = match y_max {
            Some(m) if m > hi => m,
            _ => hi,
        } as f32;
        LogAxis {
            min,
            exp_min: lowest.log(10.0).floor() as i32,
            exp_max: highest.log(10.0).ceil() as i32,
        }
    }

    /// Intervals between ticks: one per decade (charts-rs draws as many grid lines
    /// as it is told, so they fall on the ticks only when this is their number).
    pub fn splits(&self) -> usize {
        (self.exp_max - self.exp_min).max(1) as usize
    }
}

/// The ticks of a numeric x axis running from `lo` to `hi` over `px` pixels: round
/// values as close together as their labels allow (`label_px` says how wide a
/// label is), whole numbers when `whole`, and none outside the data
/// (`data_lo`..`data_hi`), which bars leave room around.
pub fn x_ticks(
    axis: (f64, f64),
    data: (f64, f64),
    whole: bool,
    px: f64,
    label: impl Fn(f64) -> String,
    label_px: impl Fn(&str) -> f64,
) -> Vec<(f64, String)> {
    let ((lo, hi), (data_lo, data_hi)) = (axis, data);
    let per_unit = px / (hi - lo).max(f64::MIN_POSITIVE);
    let span = (data_hi - data_lo).max(f64::MIN_POSITIVE);
    let mut step = first_step(span / 12.0, whole);
    loop {
        let ticks = ticks_between(data_lo, data_hi, step, &label);
        let widest = ticks.iter().map(|(_, l)| label_px(l)).fold(0.0, f64::max);
        // A gap of most of a label's height between two labels.
        if ticks.len() <= 2 || step * per_unit >= widest + 12.0 {
            if ticks.is_empty() {
                return vec![(data_lo, label(data_lo))];
            }
            return ticks;
        }
        step = next_step(step);
    }
}

/// The smallest of 1, 2, 5 × 10ⁿ at least `raw` (and at least 1 when `whole`).
fn first_step(raw: f64, whole: bool) -> f64 {
    let raw = if whole { raw.max(1.0) } else { raw };
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * mag)
}

/// The next of 1, 2, 5, 10, 20, 50… after `step`.
fn next_step(step: f64) -> f64 {
    let mag = 10f64.powf(step.log10().floor());
    match (step / mag).round() as i64 {
        1 => 2.0 * mag,
        2 => 5.0 * mag,
        _ => 10.0 * mag,
    }
}

/// The multiples of `step` from `lo` to `hi`, labelled.
fn ticks_between(lo: f64, hi: f64, step: f64, label: impl Fn(f64) -> String) -> Vec<(f64, String)> {
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first..=last)
        .take(1000)
        .map(|k| {
            // Whole multiples, so no error accumulates (and -0 is 0).
            let v = k as f64 * step + 0.0;
            (v, label(v))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_get_round_ticks() {
        assert_eq!(nice_axis(0.0, 50_000.0, true), (0.0, 50_000.0, 5));
        assert_eq!(nice_axis(0.0, 1_000.0, true), (0.0, 1_000.0, 5));
        assert_eq!(nice_axis(0.0, 2_350.0, false), (0.0, 2_500.0, 5));
        assert_eq!(nice_axis(0.0, 10.69, false), (0.0, 12.0, 6));
        assert_eq!(nice_axis(-35.0, 80.0, true), (-40.0, 80.0, 6));
    }

    #[test]
    fn counts_get_whole_ticks() {
        assert_eq!(nice_axis(0.0, 1.0, true), (0.0, 1.0, 1));
        assert_eq!(nice_axis(0.0, 1.0, false), (0.0, 1.0, 5));
        assert_eq!(nice_axis(0.0, 3.0, true), (0.0, 3.0, 3));
        assert_eq!(nice_axis(0.0, 7.0, true), (0.0, 8.0, 4));
        assert_eq!(nice_axis(0.0, 0.0, true), (0.0, 1.0, 1));
    }

    fn years(lo: f64, hi: f64, px: f64) -> Vec<String> {
        let ticks = x_ticks(
            (lo, hi),
            (lo.ceil(), hi.floor()),
            true,
            px,
            |v| format!("{v}"),
            |l| l.len() as f64 * 8.5,
        );
        ticks.into_iter().map(|t| t.1).collect()
    }

    #[test]
    fn years_get_whole_ticks_at_any_range() {
        assert_eq!(
            years(2020.0, 2023.0, 600.0),
            ["2020", "2021", "2022", "2023"]
        );
        assert_eq!(
            years(2019.5, 2023.5, 600.0),
            ["2020", "2021", "2022", "2023"]
        );
        assert_eq!(years(2021.0, 2022.0, 300.0), ["2021", "2022"]);
        assert_eq!(years(2020.5, 2021.5, 300.0), ["2021"]);
        assert_eq!(
            years(1988.0, 2015.0, 600.0),
            ["1990", "1995", "2000", "2005", "2010", "2015"]
        );
        assert_eq!(
            years(1988.0, 2022.0, 300.0),
            ["1990", "2000", "2010", "2020"]
        );
        assert_eq!(
            years(2000.0, 2011.0, 300.0),
            ["2000", "2002", "2004", "2006", "2008", "2010"]
        );
    }

    #[test]
    fn log_axes_tick_every_decade() {
        let a = LogAxis::new(85.0, 120_000.0, None, None, true);
        assert_eq!((a.min, a.exp_min, a.exp_max, a.splits()), (10.0, 1, 6, 5));
        let a = LogAxis::new(1.0, 50.0, None, None, true);
        assert_eq!((a.min, a.exp_min, a.exp_max), (1.0, 0, 2));
        let a = LogAxis::new(0.5, 50.0, None, None, false);
        assert_eq!((a.min, a.exp_min, a.exp_max), (0.1, -1, 2));
    }

    #[test]
    fn text_is_twelve_pixels_on_screen() {
        assert_eq!(text_size(720.0, true), 15.0);
        assert_eq!(text_size(400.0, false), 14.0);
        assert!(text_size(720.0, true) * WIDE_SHOWN_FROM / 720.0 >= MIN_TEXT_PX);
        assert!(text_size(400.0, false) * PHONE_WIDTH / 400.0 >= MIN_TEXT_PX);
        assert_eq!(text_size(1200.0, true), 25.0);
    }
}
