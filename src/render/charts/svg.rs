//! Changes to the SVG charts-rs writes, where its options cannot say what a
//! briefing needs: the x axis of numbers drawn with our own ticks, log-axis labels
//! written out in full, and missing values of a line bridged by dashes.
//!
//! charts-rs writes one element per line in a fixed shape (`<g stroke="…"
//! stroke-width="1">` around an axis's lines, `<text …>\nlabel\n</text>`, a
//! `<path d="M x y L x y…" … fill="none" stroke="…"/>` per stretch of a line), and
//! this module reads only that shape. Every change checks what it finds and leaves
//! the picture as it was when the shape is not there; the snapshot tests in
//! tests/charts.rs show when a charts-rs upgrade changes it.

use super::MUTED;

/// The value of attribute `name` in the tag `tag`.
pub fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    tag[start..].split('"').next()
}

fn num(tag: &str, name: &str) -> Option<f64> {
    attr(tag, name)?.parse().ok()
}

/// Where charts-rs drew the x axis: the horizontal line under the plot, from
/// `left` to `right` at `y`, and the byte range of the group holding it, its ticks
/// and their labels.
#[derive(Debug, Clone, PartialEq)]
pub struct XAxisGroup {
    pub left: f64,
    pub right: f64,
    pub y: f64,
    range: std::ops::Range<usize>,
    /// The first label's tag, whose look the new labels copy.
    label_tag: Option<String>,
}

/// The x axis group of a chart drawn with a horizontal x axis.
pub fn find_x_axis(svg: &str) -> Option<XAxisGroup> {
    let open = format!(
        "<g>\n<g stroke=\"{}\" stroke-width=\"1\">\n",
        MUTED.to_uppercase()
    );
    let mut from = 0;
    while let Some(i) = svg[from..].find(&open).map(|i| i + from) {
        from = i + open.len();
        let line_end = svg[from..].find("/>")? + from;
        let line = &svg[from..line_end];
        let (Some(x1), Some(y1), Some(x2), Some(y2)) = (
            num(line, "x1"),
            num(line, "y1"),
            num(line, "x2"),
            num(line, "y2"),
        ) else {
            continue;
        };
        if y1 != y2 || x2 <= x1 {
            continue;
        }
        // The group: the lines' own group, then the labels, then `</g>`.
        let inner_end = svg[from..].find("</g>")? + from + 4;
        let end = svg[inner_end..].find("</g>")? + inner_end + 4;
        let label_tag = svg[inner_end..end]
            .find("<text ")
            .map(|t| t + inner_end)
            .and_then(|t| Some(svg[t..t + svg[t..].find('>')? + 1].to_string()));
        return Some(XAxisGroup {
            left: x1,
            right: x2,
            y: y1,
            range: i..end,
            label_tag,
        });
    }
    None
}

/// `svg` with the x axis `axis` drawn again: its line, and a tick and a centred
/// label at each of `ticks` (pixel x, label), kept inside `width`.
pub fn redraw_x_axis(
    svg: &str,
    axis: &XAxisGroup,
    ticks: &[(f64, String)],
    width: f64,
    label_px: impl Fn(&str) -> f64,
) -> String {
    let stroke = MUTED.to_uppercase();
    let mut out = format!(
        "<g>\n<g stroke=\"{stroke}\" stroke-width=\"1\">\n<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n",
        fmt(axis.left),
        fmt(axis.y),
        fmt(axis.right),
        fmt(axis.y)
    );
    for (x, _) in ticks {
        out.push_str(&format!(
            "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>\n",
            fmt(*x),
            fmt(axis.y),
            fmt(axis.y + 5.0)
        ));
    }
    out.push_str("</g>\n");
    let tag = axis.label_tag.clone().unwrap_or_default();
    for (x, label) in ticks {
        let half = label_px(label) / 2.0;
        let x = x.clamp(half + 2.0, (width - half - 2.0).max(half + 2.0));
        out.push_str(&format!(
            "{}\n{}\n</text>\n",
            with_attr(&with_attr(&tag, "x", &fmt(x)), "text-anchor", "middle"),
            crate::util::escape::xml(label)
        ));
    }
    out.push_str("</g>");
    format!(
        "{}{}{}",
        &svg[..axis.range.start],
        out,
        &svg[axis.range.end..]
    )
}

/// `tag` with attribute `name` set to `value` (added before the `>` if absent).
pub fn with_attr(tag: &str, name: &str, value: &str) -> String {
    let key = format!(" {name}=\"");
    match tag.find(&key) {
        Some(i) => {
            let start = i + key.len();
            let end = start + tag[start..].find('"').unwrap_or(0);
            format!("{}{}{}", &tag[..start], value, &tag[end..])
        }
        None => {
            let end = tag.rfind('>').unwrap_or(tag.len());
            format!("{}{key}{value}\"{}", &tag[..end], &tag[end..])
        }
    }
}

/// A coordinate as charts-rs writes them: at most one decimal.
pub fn fmt(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// `svg` with every label of muted text (the axes') that `rewrite` knows
/// replaced: `rewrite` gets the label's tag and text and returns new ones.
/// charts-rs writes log-axis ticks as `1k`, `10k` whatever the format.
pub fn rewrite_muted_labels(
    svg: &str,
    rewrite: impl Fn(&str, &str) -> Option<(String, String)>,
) -> String {
    let fill = format!("fill=\"{}\">\n", MUTED.to_uppercase());
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(i) = rest.find(&fill) {
        let start = i + fill.len();
        let Some(tag_start) = rest[..i].rfind('<') else {
            break;
        };
        let Some(end) = rest[start..].find("\n</text>").map(|e| e + start) else {
            break;
        };
        let (tag, label) = (&rest[tag_start..start - 1], &rest[start..end]);
        out.push_str(&rest[..tag_start]);
        match rewrite(tag, &unxml(label)) {
            Some((tag, label)) => {
                out.push_str(&tag);
                out.push('\n');
                out.push_str(&crate::util::escape::xml(&label));
            }
            None => out.push_str(&rest[tag_start..end]),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Text content as written in XML, unescaped.
fn unxml(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// A number charts-rs shortened with a unit suffix (`2.5k`, `10M`), in full.
pub fn unsuffix(label: &str) -> Option<f64> {
    let (digits, factor) = match label.chars().last()? {
        'k' => (&label[..label.len() - 1], 1e3),
        'M' => (&label[..label.len() - 1], 1e6),
        'G' => (&label[..label.len() - 1], 1e9),
        'T' => (&label[..label.len() - 1], 1e12),
        _ => (label, 1.0),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    digits.parse::<f64>().ok().map(|v| v * factor)
}

/// One line charts-rs drew: a `<path … fill="none" stroke="…">`, one per unbroken
/// stretch of a series.
struct LinePath {
    /// Where its tag starts in the SVG.
    at: usize,
    first: (f64, f64),
    last: (f64, f64),
    stroke: String,
}

/// The lines charts-rs drew for a line chart, in drawing order.
fn line_paths(svg: &str) -> Vec<LinePath> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = svg[from..].find("<path d=\"M").map(|i| i + from) {
        let Some(end) = svg[i..].find("/>").map(|e| e + i) else {
            break;
        };
        from = end;
        let tag = &svg[i..end];
        if attr(tag, "fill") != Some("none") || attr(tag, "stroke-dasharray").is_some() {
            continue;
        }
        let (Some(d), Some(stroke)) = (attr(tag, "d"), attr(tag, "stroke")) else {
            continue;
        };
        let nums: Vec<f64> = d
            .split(|c: char| c.is_ascii_alphabetic() || c.is_whitespace() || c == ',')
            .filter_map(|t| t.parse().ok())
            .collect();
        if nums.len() < 2 || !nums.len().is_multiple_of(2) {
            continue;
        }
        let first = (nums[0], nums[1]);
        let last = (nums[nums.len() - 2], nums[nums.len() - 1]);
        out.push(LinePath {
            at: i,
            first,
            last,
            stroke: stroke.to_string(),
        });
    }
    out
}

/// `svg` with the gaps of each series bridged by a dashed line, from the last point
/// before a gap to the first after it. `stretches` is how many unbroken stretches
/// each series has, in drawing order; nothing changes unless the SVG has exactly
/// that many lines.
pub fn dash_gaps(svg: &str, stretches: &[usize], width: f64) -> String {
    let paths = line_paths(svg);
    if paths.len() != stretches.iter().sum::<usize>() {
        return svg.to_string();
    }
    let mut inserts: Vec<(usize, String)> = Vec::new();
    let mut k = 0;
    for &n in stretches {
        for j in 1..n {
            let (to, from) = (&paths[k + j], &paths[k + j - 1]);
            let (start, end, stroke) = (to.first, from.last, &to.stroke);
            inserts.push((
                to.at,
                format!(
                    "<path d=\"M {} {} L {} {}\" stroke-width=\"{}\" fill=\"none\" stroke=\"{stroke}\" stroke-dasharray=\"4 4\" class=\"gap\"/>\n",
                    fmt(end.0),
                    fmt(end.1),
                    fmt(start.0),
                    fmt(start.1),
                    if width < 480.0 { 1.5 } else { 2.0 }
                ),
            ));
        }
        k += n;
    }
    let mut out = svg.to_string();
    for (at, path) in inserts.into_iter().rev() {
        out.insert_str(at, &path);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortened_numbers_are_read_in_full() {
        assert_eq!(unsuffix("10k"), Some(10_000.0));
        assert_eq!(unsuffix("2.5M"), Some(2_500_000.0));
        assert_eq!(unsuffix("100"), Some(100.0));
        assert_eq!(unsuffix("0.1"), Some(0.1));
        assert_eq!(unsuffix("k"), None);
        assert_eq!(unsuffix("Talk"), None);
    }

    #[test]
    fn attributes_are_read_and_set() {
        let tag = "<text font-size=\"15\" x=\"7\" y=\"55\" fill=\"#56606B\">";
        assert_eq!(attr(tag, "x"), Some("7"));
        assert_eq!(
            with_attr(tag, "x", "12.5"),
            "<text font-size=\"15\" x=\"12.5\" y=\"55\" fill=\"#56606B\">"
        );
        assert_eq!(
            with_attr(tag, "text-anchor", "middle"),
            "<text font-size=\"15\" x=\"7\" y=\"55\" fill=\"#56606B\" text-anchor=\"middle\">"
        );
        assert_eq!(fmt(12.34), "12.3");
        assert_eq!(fmt(12.0), "12");
    }

    #[test]
    fn gaps_are_dashed_between_stretches_of_a_series() {
        let svg = "<g>\n<path d=\"M 10 20 L 30 40\" stroke-width=\"2\" fill=\"none\" stroke=\"#2F6DB5\"/>\n<path d=\"M 60 50 L 70 45\" stroke-width=\"2\" fill=\"none\" stroke=\"#2F6DB5\"/>\n</g>";
        let out = dash_gaps(svg, &[2], 720.0);
        assert!(
            out.contains("<path d=\"M 30 40 L 60 50\" stroke-width=\"2\" fill=\"none\" stroke=\"#2F6DB5\" stroke-dasharray=\"4 4\""),
            "{out}"
        );
        assert_eq!(dash_gaps(svg, &[3], 720.0), svg, "a shape it does not know");
    }
}
