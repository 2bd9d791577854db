//! Charts end to end: one chart of each type (tests/fixtures/charts) built by the real
//! binary, checked for structure and accessibility, and compared with reviewed
//! snapshots in tests/snapshots/charts/.
//!
//! tests/fixtures/charts/briefs/defaults.md holds the charts a new user writes first
//! (four years, a 0/1 count, missing years, a log axis), checked on the geometry
//! of their SVG: whole-number ticks, legends clear of the plot and labels, numbers
//! in full, units as axis titles, gaps as gaps, text of 12 px on screen.
//!
//! After an intended change in how charts look: `UPDATE_SNAPSHOTS=1 cargo test --test
//! charts`, then `scripts/chart-snapshots` renders every snapshot (wide, and narrow
//! for phones) to PNG in one contact sheet — look at it before committing the new
//! snapshots.

mod common;

use common::*;
use std::collections::BTreeMap;

fn build_charts() -> (tempfile::TempDir, BTreeMap<String, Vec<u8>>) {
    let (tmp, site) = copy_fixture("charts");
    let out = tmp.path().join("out");
    let o = build_ok(&site, &out, &[]);
    assert!(stdout(&o).contains("21 charts"), "{}", stdout(&o));
    let files = tree(&out);
    (tmp, files)
}

fn text(files: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8(
        files
            .get(path)
            .unwrap_or_else(|| panic!("no {path}"))
            .clone(),
    )
    .unwrap()
}

/// The inline `<svg>…</svg>` elements of a page.
fn inline_svgs(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<svg ") {
        let end = rest[start..].find("</svg>").expect("closed svg") + start + 6;
        out.push(rest[start..end].to_string());
        rest = &rest[end..];
    }
    out
}

#[test]
fn every_chart_type_is_inline_accessible_svg() {
    let (_tmp, files) = build_charts();
    let page = text(&files, "briefs/all-charts/index.html");
    let all = inline_svgs(&page);
    assert_eq!(
        all.len(),
        22,
        "two inline SVGs per chart block: wide and narrow"
    );
    // Each figure: its wide picture, then its narrow one for small screens.
    let svgs: Vec<String> = all.iter().step_by(2).cloned().collect();
    let narrow: Vec<String> = all.iter().skip(1).step_by(2).cloned().collect();
    for (i, svg) in narrow.iter().enumerate() {
        let n = i + 1;
        let doc = roxmltree::Document::parse(svg)
            .unwrap_or_else(|e| panic!("narrow figure {n}: not well-formed XML: {e}"));
        let root = doc.root_element();
        assert_eq!(root.attribute("width"), Some("400"), "narrow figure {n}");
        assert_eq!(
            root.attribute("aria-labelledby"),
            Some(format!("figure-{n}-narrow-title figure-{n}-narrow-desc").as_str())
        );
        let title = root.children().find(|c| c.has_tag_name("title")).unwrap();
        assert_eq!(
            title.attribute("id"),
            Some(format!("figure-{n}-narrow-title").as_str())
        );
    }
    // No id twice in the page.
    let mut ids = std::collections::BTreeSet::new();
    for id in page.split(" id=\"").skip(1) {
        let id = &id[..id.find('"').unwrap()];
        assert!(ids.insert(id.to_string()), "id {id} twice in the page");
    }
    for (i, svg) in svgs.iter().enumerate() {
        let n = i + 1;
        let doc = roxmltree::Document::parse(svg)
            .unwrap_or_else(|e| panic!("figure {n}: not well-formed XML: {e}"));
        let root = doc.root_element();
        assert_eq!(root.attribute("role"), Some("img"), "figure {n}");
        assert_eq!(
            root.attribute("aria-labelledby"),
            Some(format!("figure-{n}-title figure-{n}-desc").as_str())
        );
        let title = root
            .children()
            .find(|c| c.has_tag_name("title"))
            .expect("a <title>");
        let desc = root
            .children()
            .find(|c| c.has_tag_name("desc"))
            .expect("a <desc>");
        assert_eq!(
            title.attribute("id"),
            Some(format!("figure-{n}-title").as_str())
        );
        assert!(
            desc.text().unwrap_or("").len() > 40,
            "figure {n}: desc summarises the data"
        );
        assert!(!svg.contains("<script"), "no chart JavaScript");
        // The standalone download is the same picture.
        let file = text(&files, &format!("briefs/all-charts/figure-{n}.svg"));
        roxmltree::Document::parse(&file).expect("standalone SVG is well-formed");
        assert!(page.contains(&format!(
            "href=\"/briefs/all-charts/figure-{n}.svg\" download"
        )));
    }
    // Every figure has a data table and a caption naming its sources.
    assert_eq!(page.matches("<details class=\"chart-data\">").count(), 11);
    assert!(
        page.contains("Source: <a href=\"/sources/#memo-2016\">Policy memo</a>"),
        "{page}"
    );
    assert!(page.contains("<a href=\"/sources/#iss-2014\">Economic cooperation &lt;ISS&gt;</a>"));
    assert!(page.contains("<span class=\"figure-number\">Figure 1.</span> US$ million."));
    // The data table has the values exactly, formatted as the chart says.
    assert!(
        page.contains("<th scope=\"row\">1988</th><td class=\"num\">US$2,350 m</td>"),
        "{page}"
    );
    assert!(page.contains("<td class=\"num\">10.69</td>"), "{page}");
    // Kinds: a pie and a donut are arcs, bars are rects, a line is a path.
    let desc = |n: usize| {
        let d = roxmltree::Document::parse(&svgs[n - 1]).unwrap();
        d.descendants()
            .find(|c| c.has_tag_name("desc"))
            .unwrap()
            .text()
            .unwrap()
            .to_string()
    };
    for (n, kind) in [
        (1, "Line chart"),
        (2, "Area chart"),
        (3, "Bar chart"),
        (4, "Stacked bar chart"),
        (5, "Horizontal bar chart"),
        (6, "Stacked horizontal bar chart"),
        (7, "Pie chart"),
        (8, "Donut chart"),
        (9, "Scatter plot"),
    ] {
        assert!(desc(n).starts_with(kind), "figure {n}: {}", desc(n));
    }
    assert!(desc(7).contains("Хасан–Раджин 40 (40%)"), "{}", desc(7));
}

#[test]
fn cyrillic_and_korean_labels_are_in_the_svg_text() {
    let (_tmp, files) = build_charts();
    let svg = text(&files, "briefs/all-charts/figure-5.svg");
    for label in [
        "Хасан–Раджин",
        "라선 경제특구",
        "日本海の港湾ターミナル",
        "Проекты и 프로젝트",
    ] {
        assert!(svg.contains(label), "{label} missing");
    }
    // The browser gets a font stack that has CJK fonts in it.
    assert!(
        svg.contains("font-family=\"Roboto, 'Helvetica Neue'"),
        "{svg}"
    );
    assert!(
        !svg.contains("Tumen Measure"),
        "the measuring font is never named to readers"
    );
    // Labels are measured at their real width: the plot starts right of the widest
    // label (11 full-width characters at 14px is over 150px).
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let bar_x: f64 = doc
        .descendants()
        .filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some("#2f6db5"))
        .map(|n| n.attribute("x").unwrap().parse::<f64>().unwrap())
        .fold(f64::MAX, f64::min);
    assert!(
        bar_x > 155.0,
        "bars start at x={bar_x}: the CJK label was measured too narrow"
    );
}

#[test]
fn gapped_years_are_spaced_in_proportion() {
    let (_tmp, files) = build_charts();
    let svg = text(&files, "briefs/all-charts/figure-1.svg");
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let xs: Vec<f64> = doc
        .descendants()
        .filter(|n| n.has_tag_name("circle"))
        .map(|n| n.attribute("cx").unwrap().parse().unwrap())
        .collect();
    let years = [
        1988.0, 1996.0, 2006.0, 2009.0, 2011.0, 2013.0, 2014.0, 2015.0,
    ];
    assert_eq!(xs.len(), years.len(), "one point per row: {xs:?}");
    let per_year = (xs[7] - xs[0]) / (years[7] - years[0]);
    for i in 1..years.len() {
        let expected = xs[0] + (years[i] - years[0]) * per_year;
        assert!(
            (xs[i] - expected).abs() < 1.0,
            "point {i} at {} not {expected}",
            xs[i]
        );
    }
    // Ticks are round values, and lossless: no "2.4k".
    assert!(svg.contains("US$2,500 m"), "{svg}");
    assert!(!svg.contains("k\n</text>"));
}

#[test]
fn dataset_pages_show_their_default_chart() {
    let (_tmp, files) = build_charts();
    let page = text(&files, "data/trade/index.html");
    let svgs = inline_svgs(&page);
    assert_eq!(svgs.len(), 2, "the chart, wide and narrow");
    assert!(svgs[1].contains("figure-data-narrow-title"));
    assert!(svgs[0].contains("Turnover by year"));
    assert!(
        page.find("<svg").unwrap() < page.find("class=\"data-table").unwrap(),
        "chart above the table"
    );
    assert!(files.contains_key("data/trade/chart.svg"));
}

/// The narrow (phone) picture of every figure of the briefs, named as a snapshot:
/// `briefs/<slug>/figure-N-narrow.svg`. They are inline only, so they are taken from
/// the pages, their ids as there.
fn narrow_pictures(files: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for slug in ["all-charts", "defaults"] {
        let page = text(files, &format!("briefs/{slug}/index.html"));
        for (i, svg) in inline_svgs(&page).iter().enumerate().skip(1).step_by(2) {
            let path = format!("briefs/{slug}/figure-{}-narrow.svg", i / 2 + 1);
            out.insert(path, format!("{svg}\n").into_bytes());
        }
    }
    out
}

#[test]
fn charts_match_reviewed_snapshots() {
    let (_tmp, files) = build_charts();
    let dir = repo().join("tests/snapshots/charts");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut checked = 0;
    let narrow = narrow_pictures(&files);
    let pictures = files
        .iter()
        .filter(|(p, _)| p.ends_with(".svg") && p.contains("/"))
        .chain(&narrow);
    for (path, bytes) in pictures {
        let name = path.replace('/', "_");
        let snap = dir.join(&name);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&snap, bytes).unwrap();
        } else {
            let want = std::fs::read(&snap).unwrap_or_else(|_| {
                panic!(
                    "no snapshot {name}: run UPDATE_SNAPSHOTS=1 cargo test --test charts and review"
                )
            });
            assert!(
                &want == bytes,
                "{path} differs from tests/snapshots/charts/{name}; if intended, UPDATE_SNAPSHOTS=1 cargo test --test charts, then look at scripts/chart-snapshots' sheet"
            );
        }
        checked += 1;
    }
    assert_eq!(
        checked,
        21 + 20,
        "every picture, the 20 narrow ones included"
    );
}

#[test]
fn chart_errors_name_the_block_line_and_suggest() {
    let (tmp, site) = copy_fixture("charts");
    let brief = site.join("briefs/all-charts.md");
    let text = read(&brief).replacen(
        "x: year\ny: turnover\ntitle: Turnover, gapped years",
        "x: yaer\ny: turnover\ntitle: Turnover, gapped years",
        1,
    );
    std::fs::write(&brief, &text).unwrap();
    let line = text.lines().position(|l| l == "x: yaer").unwrap() + 1;
    let o = build_err(&site, &tmp.path().join("out"));
    let err = stderr(&o);
    assert!(err.contains(&format!("all-charts.md:{line}:4")), "{err}");
    assert!(err.contains("no column `yaer` in trade"), "{err}");
    assert!(err.contains("did you mean `year`?"), "{err}");

    let text = read(&brief)
        .replacen("x: yaer", "x: year", 1)
        .replacen("type: area", "type: areas", 1)
        .replacen("title: Stacked\n", "title: Stacked\nlegend: no\n", 1)
        .replacen(
            "y: [exports, imports]\nwhere",
            "y: [exports, note]\nwhere",
            1,
        );
    std::fs::write(&brief, &text).unwrap();
    let o = build_err(&site, &tmp.path().join("out"));
    let err = stderr(&o);
    assert!(
        err.contains("unknown variant `areas`") && err.contains("`type` is one of: line, area"),
        "{err}"
    );
    assert!(err.contains("unknown key `legend` in a chart"), "{err}");
    assert!(err.contains("no column `note` in trade"), "{err}");
    assert!(err.contains("build failed with 3 errors"), "{err}");

    // A dataset's default chart is checked too, at its line in the dataset.
    let (tmp, site) = copy_fixture("charts");
    let data = site.join("data/trade.yaml");
    std::fs::write(
        &data,
        read(&data).replace(
            "  y: turnover\n  title: Turnover by year",
            "  y: turnovr\n  title: Turnover by year",
        ),
    )
    .unwrap();
    let o = build_err(&site, &tmp.path().join("out"));
    let err = stderr(&o);
    assert!(
        err.contains("data/trade.yaml:22:6") && err.contains("did you mean `turnover`?"),
        "{err}"
    );
}

#[test]
fn a_chart_of_text_values_or_a_missing_dataset_fails() {
    let (tmp, site) = copy_fixture("charts");
    let brief = site.join("briefs/all-charts.md");
    let text = read(&brief)
        .replacen("data: labels\ntype: pie", "data: label\ntype: pie", 1)
        .replacen(
            "data: events\ntype: scatter\nx: visitors\ny: cost",
            "data: events\ntype: scatter\nx: visitors\ny: date",
            1,
        );
    std::fs::write(&brief, &text).unwrap();
    let o = build_err(&site, &tmp.path().join("out"));
    let err = stderr(&o);
    assert!(
        err.contains("no dataset `label`") && err.contains("did you mean `labels`?"),
        "{err}"
    );
    assert!(
        err.contains("column `date` of events holds dates, not numbers"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------
// Defaults that look right (tests/fixtures/charts/briefs/defaults.md): whole-number
// ticks for years and counts, legends clear of everything, log axes in full, units
// as axis titles, gaps as gaps, text readable on screen. Each check reads the
// geometry of the SVG the real binary wrote, wide and narrow.

/// Text, boxes and the plot of one chart, read from its SVG.
mod geometry {
    /// A rectangle: left, top, right, bottom.
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub struct Rect(pub f64, pub f64, pub f64, pub f64);

    impl Rect {
        pub fn intersects(&self, o: &Rect) -> bool {
            self.0 < o.2 && o.0 < self.2 && self.1 < o.3 && o.1 < self.3
        }
        fn union(&self, o: &Rect) -> Rect {
            Rect(
                self.0.min(o.0),
                self.1.min(o.1),
                self.2.max(o.2),
                self.3.max(o.3),
            )
        }
    }

    #[derive(Debug, Clone)]
    pub struct Text {
        pub text: String,
        pub size: f64,
        pub fill: String,
        pub bold: bool,
        /// Turned a quarter: an axis title beside a vertical axis.
        pub turned: bool,
        pub bbox: Rect,
    }

    #[derive(Debug)]
    pub struct Chart {
        pub width: f64,
        pub texts: Vec<Text>,
        /// One box per legend entry (marker and name).
        pub legend: Vec<Rect>,
        /// The plot area of a chart with axes.
        pub plot: Option<Rect>,
        /// Every `font-size` in the picture.
        pub font_sizes: Vec<f64>,
    }

    pub const MUTED: &str = "#56606B";

    fn f(n: roxmltree::Node, a: &str) -> f64 {
        n.attribute(a)
            .unwrap_or_else(|| panic!("no {a} on {n:?}"))
            .parse()
            .unwrap()
    }

    /// A generous guess at a text's width: 0.6 em a character, 1 em for CJK.
    pub fn text_width(s: &str, size: f64) -> f64 {
        s.chars()
            .map(|c| {
                if (c as u32) > 0x2E80 {
                    size
                } else {
                    0.6 * size
                }
            })
            .sum()
    }

    fn text(n: roxmltree::Node) -> Text {
        let s: String = n
            .descendants()
            .filter(|d| d.is_text())
            .map(|d| d.text().unwrap())
            .collect::<String>()
            .trim()
            .to_string();
        let size = f(n, "font-size");
        let w = text_width(&s, size);
        let transform = n.attribute("transform");
        let bbox = if let Some(t) = transform {
            // translate(x,y) rotate(±90), centred on (x, y).
            let xy: Vec<f64> = t["translate(".len()..t.find(')').unwrap()]
                .split(',')
                .map(|v| v.parse().unwrap())
                .collect();
            Rect(
                xy[0] - 0.8 * size,
                xy[1] - w / 2.0,
                xy[0] + 0.25 * size,
                xy[1] + w / 2.0,
            )
        } else {
            let (x, mut y) = (f(n, "x"), f(n, "y"));
            let middle = n.attribute("dominant-baseline") == Some("middle");
            if let Some(dy) = n.attribute("dy") {
                y += dy.parse::<f64>().unwrap();
            }
            let (top, bottom) = if middle {
                (y - 0.5 * size, y + 0.5 * size)
            } else {
                (y - 0.8 * size, y + 0.25 * size)
            };
            let left = match n.attribute("text-anchor") {
                Some("middle") => x - w / 2.0,
                Some("end") => x - w,
                _ => x,
            };
            Rect(left, top, left + w, bottom)
        };
        Text {
            text: s,
            size,
            fill: n.attribute("fill").unwrap_or("").to_uppercase(),
            bold: n.attribute("font-weight") == Some("bold"),
            turned: transform.is_some(),
            bbox,
        }
    }

    /// A legend entry: a group of a marker (a rect, or a line and a ring) and a name.
    fn legend_entry(g: roxmltree::Node) -> Option<Rect> {
        let kids: Vec<roxmltree::Node> = g.children().filter(|c| c.is_element()).collect();
        let names: Vec<&str> = kids.iter().map(|k| k.tag_name().name()).collect();
        if names != ["rect", "text"] && names != ["line", "circle", "text"] {
            return None;
        }
        let name = text(*kids.last().unwrap()).bbox;
        let marker = match names[0] {
            "rect" => Rect(
                f(kids[0], "x"),
                f(kids[0], "y"),
                f(kids[0], "x") + f(kids[0], "width"),
                f(kids[0], "y") + f(kids[0], "height"),
            ),
            _ => {
                let (cx, cy, r) = (f(kids[1], "cx"), f(kids[1], "cy"), f(kids[1], "r"));
                Rect(f(kids[0], "x1"), cy - r, f(kids[0], "x2"), cy + r).union(&Rect(
                    cx - r,
                    cy - r,
                    cx + r,
                    cy + r,
                ))
            }
        };
        Some(marker.union(&name))
    }

    /// The plot: from the x axis line (a horizontal line in the axis colour) up to
    /// the top grid line; for horizontal bars, right of the category axis (a
    /// vertical line) up to the furthest grid line.
    fn plot(doc: &roxmltree::Document) -> Option<Rect> {
        let lines: Vec<roxmltree::Node> = doc
            .descendants()
            .filter(|n| n.has_tag_name("line"))
            .filter(|n| {
                n.parent()
                    .and_then(|p| p.attribute("stroke"))
                    .is_some_and(|s| s == MUTED || s == "#D9DDE1")
            })
            .collect();
        let axis = |horizontal: bool| {
            lines.iter().copied().find(|l| {
                let (dx, dy) = (f(*l, "x2") - f(*l, "x1"), f(*l, "y2") - f(*l, "y1"));
                l.parent().unwrap().attribute("stroke") == Some(MUTED)
                    && if horizontal {
                        dy == 0.0 && dx > 50.0
                    } else {
                        dx == 0.0 && dy > 50.0
                    }
            })
        };
        let all = |a: &'static str, b: &'static str| -> Vec<f64> {
            lines.iter().flat_map(|l| [f(*l, a), f(*l, b)]).collect()
        };
        if let Some(x) = axis(true) {
            let top = all("y1", "y2").into_iter().fold(f(x, "y1"), f64::min);
            return Some(Rect(f(x, "x1"), top, f(x, "x2"), f(x, "y1")));
        }
        let y = axis(false)?;
        let right = all("x1", "x2").into_iter().fold(f(y, "x1"), f64::max);
        Some(Rect(f(y, "x1"), f(y, "y1"), right, f(y, "y2")))
    }

    pub fn read(svg: &str) -> Chart {
        let doc = roxmltree::Document::parse(svg).expect("well-formed SVG");
        let root = doc.root_element();
        let mut legend_texts = Vec::new();
        let mut legend = Vec::new();
        for g in doc.descendants().filter(|n| n.has_tag_name("g")) {
            if let Some(r) = legend_entry(g) {
                legend.push(r);
                legend_texts.push(g.children().find(|c| c.has_tag_name("text")).unwrap().id());
            }
        }
        let texts = doc
            .descendants()
            .filter(|n| n.has_tag_name("text") && !legend_texts.contains(&n.id()))
            .map(text)
            .collect();
        Chart {
            width: f(root, "width"),
            texts,
            legend,
            plot: plot(&doc),
            font_sizes: doc
                .descendants()
                .filter_map(|n| n.attribute("font-size"))
                .map(|s| s.parse().unwrap())
                .collect(),
        }
    }

    impl Chart {
        /// The tick labels under the plot.
        pub fn x_labels(&self) -> Vec<String> {
            let plot = self.plot.expect("a plot");
            self.axis_texts()
                .filter(|t| t.bbox.1 > plot.3 && !t.turned)
                .filter(|t| t.bbox.1 < plot.3 + 2.0 * t.size)
                .map(|t| t.text.clone())
                .collect()
        }
        /// The tick labels left of the plot.
        pub fn y_labels(&self) -> Vec<String> {
            let plot = self.plot.expect("a plot");
            self.axis_texts()
                .filter(|t| t.bbox.0 < plot.0 && !t.turned && t.bbox.3 <= plot.3 + t.size)
                .map(|t| t.text.clone())
                .collect()
        }
        /// Axis labels and titles: the muted texts.
        pub fn axis_texts(&self) -> impl Iterator<Item = &Text> {
            self.texts.iter().filter(|t| t.fill == MUTED)
        }
        /// The axis titles: a turned text beside the plot, or one under its labels.
        pub fn axis_titles(&self) -> Vec<String> {
            let plot = self.plot.expect("a plot");
            self.axis_texts()
                .filter(|t| t.turned || t.bbox.1 > plot.3 + 2.0 * t.size)
                .map(|t| t.text.clone())
                .collect()
        }
    }
}

use geometry::Chart;

/// Every chart of a brief page, wide and narrow: (name, picture).
fn page_charts(files: &BTreeMap<String, Vec<u8>>, slug: &str) -> Vec<(String, Chart)> {
    let page = text(files, &format!("briefs/{slug}/index.html"));
    inline_svgs(&page)
        .iter()
        .enumerate()
        .map(|(i, svg)| {
            let which = if i % 2 == 0 { "wide" } else { "narrow" };
            (
                format!("{slug} figure {} ({which})", i / 2 + 1),
                geometry::read(svg),
            )
        })
        .collect()
}

/// The wide and narrow picture of figure `n` of the defaults brief.
fn figure(charts: &[(String, Chart)], n: usize) -> [&(String, Chart); 2] {
    [&charts[2 * (n - 1)], &charts[2 * (n - 1) + 1]]
}

fn is_whole(label: &str) -> bool {
    let digits = label.replace(',', "");
    let digits = digits.strip_prefix('-').unwrap_or(&digits);
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}

#[test]
fn years_and_counts_get_whole_number_ticks() {
    let (_tmp, files) = build_charts();
    let charts = page_charts(&files, "defaults");
    assert_eq!(charts.len(), 18, "nine figures, wide and narrow");
    // Years 2020–2023 as a line and as bars: one tick a year, at the year.
    for n in [1, 2, 5] {
        for (name, c) in figure(&charts, n) {
            assert_eq!(c.x_labels(), ["2020", "2021", "2022", "2023"], "{name}");
        }
    }
    for (name, c) in figure(&charts, 4) {
        assert_eq!(c.x_labels(), ["2021", "2022"], "{name}: a short range");
    }
    // A 0/1 count: ticks 0 and 1, nothing between.
    for (name, c) in figure(&charts, 3) {
        assert_eq!(c.y_labels(), ["1", "0"], "{name}");
    }
    // Every tick of every chart over years or counts is a whole number, both axes
    // of the scatter plot of counts included.
    for n in 1..=9 {
        for (name, c) in figure(&charts, n) {
            let ticks: Vec<String> = c.x_labels().into_iter().chain(c.y_labels()).collect();
            assert!(ticks.len() >= 4, "{name}: {ticks:?}");
            for t in ticks {
                assert!(is_whole(&t), "{name}: tick `{t}` is not a whole number");
            }
        }
    }
}

#[test]
fn log_axes_write_numbers_in_full() {
    let (_tmp, files) = build_charts();
    let defaults = page_charts(&files, "defaults");
    let all = page_charts(&files, "all-charts");
    for (name, c) in figure(&defaults, 9) {
        assert_eq!(
            c.y_labels(),
            ["1,000,000", "100,000", "10,000", "1,000", "100"],
            "{name}"
        );
    }
    for (name, c) in figure(&all, 11) {
        assert_eq!(c.y_labels(), ["10,000", "1,000", "100", "10"], "{name}");
    }
    for (name, c) in figure(&defaults, 9).into_iter().chain(figure(&all, 11)) {
        let plot = c.plot.unwrap();
        for t in c.axis_texts() {
            assert!(
                !t.text.ends_with(['k', 'M', 'G']),
                "{name}: `{}` is shortened",
                t.text
            );
            assert!(t.bbox.0 >= 0.0, "{name}: `{}` runs off the left", t.text);
            if !t.turned && t.bbox.0 < plot.0 {
                // Labels beside the axis stay clear of the plot (charts-rs made
                // room for `10k`, not for `10,000`).
                let w = geometry::text_width(&t.text, t.size) * 0.8;
                assert!(
                    t.bbox.0 + w <= plot.0,
                    "{name}: `{}` runs into the plot",
                    t.text
                );
            }
        }
    }
}

#[test]
fn legends_never_overlap_axes_labels_or_data() {
    let (_tmp, files) = build_charts();
    let mut legends = 0;
    for slug in ["defaults", "all-charts"] {
        for (name, c) in page_charts(&files, slug) {
            for entry in &c.legend {
                legends += 1;
                if let Some(plot) = c.plot {
                    assert!(
                        !entry.intersects(&plot),
                        "{name}: legend {entry:?} on the plot {plot:?}"
                    );
                }
                for t in c.texts.iter().filter(|t| !t.bold) {
                    assert!(
                        !entry.intersects(&t.bbox),
                        "{name}: legend {entry:?} on `{}` {:?}",
                        t.text,
                        t.bbox
                    );
                }
                assert!(
                    entry.0 >= 0.0 && entry.2 <= c.width,
                    "{name}: legend off the edge"
                );
            }
        }
    }
    assert!(
        legends >= 20,
        "the fixtures have legends to check: {legends}"
    );
}

#[test]
fn units_are_axis_titles_by_default() {
    let (_tmp, files) = build_charts();
    let defaults = page_charts(&files, "defaults");
    let all = page_charts(&files, "all-charts");
    let titles = |charts: &[(String, Chart)], n: usize| -> Vec<Vec<String>> {
        figure(charts, n)
            .iter()
            .map(|(_, c)| c.axis_titles())
            .collect()
    };
    // The y columns' unit beside the value axis.
    assert_eq!(titles(&defaults, 1), [["US$ million"], ["US$ million"]]);
    assert_eq!(titles(&defaults, 5), [["visits"], ["visits"]]);
    assert_eq!(
        titles(&defaults, 9),
        [["thousand tonnes"], ["thousand tonnes"]]
    );
    // The dataset's unit when the column has none.
    assert_eq!(titles(&all, 3), [["US$ million"], ["US$ million"]]);
    // A column without a unit: no title.
    assert_eq!(titles(&defaults, 3), [[""; 0], [""; 0]]);
    // Horizontal bars: the values run along the bottom, and so does their unit.
    for (name, c) in figure(&all, 6) {
        let plot = c.plot.unwrap();
        let t = c
            .axis_texts()
            .find(|t| t.text == "US$ million")
            .expect(name);
        assert!(!t.turned && t.bbox.1 > plot.3, "{name}: {t:?}");
    }

    // `y_title: ""` takes the title away; `x_title` names the x axis.
    let (tmp, site) = copy_fixture("charts");
    let brief = site.join("briefs/defaults.md");
    let text = read(&brief).replacen(
        "y: [exports, imports]\ntitle: Exports and imports, 2020–2023",
        "y: [exports, imports]\ny_title: \"\"\nx_title: Calendar year\ntitle: Exports and imports, 2020–2023",
        1,
    );
    std::fs::write(&brief, text).unwrap();
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    let charts = page_charts(&tree(&out), "defaults");
    for (name, c) in figure(&charts, 1) {
        assert_eq!(c.axis_titles(), ["Calendar year"], "{name}");
    }
}

/// The points of a line.
type Line = Vec<(f64, f64)>;

/// The points of each solid line and of each dashed one in a chart's SVG.
fn line_paths(svg: &str) -> (Vec<Line>, Vec<Line>) {
    let doc = roxmltree::Document::parse(svg).unwrap();
    let (mut solid, mut dashed) = (Vec::new(), Vec::new());
    for p in doc
        .descendants()
        .filter(|n| n.has_tag_name("path") && n.attribute("fill") == Some("none"))
    {
        let nums: Vec<f64> = p
            .attribute("d")
            .unwrap()
            .split_whitespace()
            .filter_map(|t| t.parse().ok())
            .collect();
        let pts: Vec<(f64, f64)> = nums.chunks(2).map(|c| (c[0], c[1])).collect();
        if p.attribute("stroke-dasharray").is_some() {
            dashed.push(pts);
        } else {
            solid.push(pts);
        }
    }
    (solid, dashed)
}

#[test]
fn missing_years_are_gaps_or_dashed() {
    let (_tmp, files) = build_charts();
    let page = text(&files, "briefs/defaults/index.html");
    let svgs = inline_svgs(&page);
    // Passengers: 1988, 1996, (2006 empty), 2007, 2008, 2011–2015.
    for svg in &svgs[12..14] {
        let doc = roxmltree::Document::parse(svg).unwrap();
        let xs: Vec<f64> = doc
            .descendants()
            .filter(|n| n.has_tag_name("circle"))
            .map(|n| n.attribute("cx").unwrap().parse().unwrap())
            .collect();
        assert_eq!(xs.len(), 9, "a dot for every value, alone or not");
        let per_year = (xs[8] - xs[0]) / 27.0;
        let (solid, dashed) = line_paths(svg);
        assert!(dashed.is_empty());
        let joined: Vec<usize> = solid.iter().map(Vec::len).filter(|n| *n > 1).collect();
        assert_eq!(joined, [2, 5], "lines 2007–2008 and 2011–2015 only");
        for line in &solid {
            for w in line.windows(2) {
                assert!(
                    w[1].0 - w[0].0 <= per_year * 1.01,
                    "a line joins points {} years apart",
                    (w[1].0 - w[0].0) / per_year
                );
            }
        }
    }
    // `gaps: dashed`: the same lines, and a dash across each gap, from the last
    // point before it to the first after it.
    for svg in &svgs[14..16] {
        let (solid, dashed) = line_paths(svg);
        let joined: Vec<&Vec<(f64, f64)>> = solid.iter().filter(|l| l.len() > 1).collect();
        assert_eq!(joined.len(), 2);
        assert_eq!(dashed.len(), 3, "1988–1996, 1996–2007, 2008–2011");
        let starts: Vec<(f64, f64)> = solid.iter().map(|l| l[0]).collect();
        let ends: Vec<(f64, f64)> = solid.iter().map(|l| *l.last().unwrap()).collect();
        for d in &dashed {
            assert_eq!(d.len(), 2);
            assert!(ends.contains(&d[0]) && starts.contains(&d[1]), "{d:?}");
        }
    }
}

/// The narrowest screen the theme shows a chart's wide picture on: its
/// `max-width` switch to the narrow one, in px.
fn wide_shown_from() -> f64 {
    let css = read(&repo().join("themes/default/static/style.css"));
    let rule = css
        .lines()
        .find(|l| l.contains(".chart-wide { display: none; }"))
        .expect("the theme switches charts");
    let rem: f64 = rule
        .split("max-width: ")
        .nth(1)
        .unwrap()
        .split("rem")
        .next()
        .unwrap()
        .parse()
        .unwrap();
    rem * 16.0
}

#[test]
fn text_is_at_least_12px_on_screen() {
    let (_tmp, files) = build_charts();
    let wide_from = wide_shown_from();
    assert_eq!(wide_from, 576.0);
    for slug in ["defaults", "all-charts"] {
        for (name, c) in page_charts(&files, slug) {
            // Each picture is scaled to its column: the wide one from the theme's
            // switch up, the narrow one (400 px) on phones from 360 px up.
            let shown = if name.ends_with("(wide)") {
                wide_from
            } else {
                360.0
            };
            let scale = shown.min(c.width) / c.width;
            assert!(!c.font_sizes.is_empty());
            for size in &c.font_sizes {
                assert!(
                    size * scale >= 12.0,
                    "{name}: text of {size} px is {:.1} px on a {shown} px screen",
                    size * scale
                );
            }
        }
    }
}

#[test]
fn a_misspelt_gaps_option_names_its_line_and_suggests() {
    let (tmp, site) = copy_fixture("charts");
    let brief = site.join("briefs/defaults.md");
    let text = read(&brief).replacen("gaps: dashed", "gaps: dashd", 1);
    std::fs::write(&brief, &text).unwrap();
    let line = text.lines().position(|l| l == "gaps: dashd").unwrap() + 1;
    let o = build_err(&site, &tmp.path().join("out"));
    let err = stderr(&o);
    assert!(err.contains(&format!("defaults.md:{line}:7")), "{err}");
    assert!(
        err.contains("unknown variant `dashd`") && err.contains("did you mean `dashed`?"),
        "{err}"
    );
}
