//! Charts end to end: one chart of each type (tests/fixtures/charts) built by the real
//! binary, checked for structure and accessibility, and compared with reviewed
//! snapshots in tests/snapshots/charts/.
//!
//! After an intended change in how charts look: `UPDATE_SNAPSHOTS=1 cargo test --test
//! charts`, then `scripts/chart-snapshots` renders every snapshot to PNG in one
//! contact sheet — look at it before committing the new snapshots.

mod common;

use common::*;
use std::collections::BTreeMap;

fn build_charts() -> (tempfile::TempDir, BTreeMap<String, Vec<u8>>) {
    let (tmp, site) = copy_fixture("charts");
    let out = tmp.path().join("out");
    let o = build_ok(&site, &out, &[]);
    assert!(stdout(&o).contains("12 charts"), "{}", stdout(&o));
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
        page.find("<svg").unwrap() < page.find("class=\"data-table\"").unwrap(),
        "chart above the table"
    );
    assert!(files.contains_key("data/trade/chart.svg"));
}

#[test]
fn charts_match_reviewed_snapshots() {
    let (_tmp, files) = build_charts();
    let dir = repo().join("tests/snapshots/charts");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut checked = 0;
    for (path, bytes) in files
        .iter()
        .filter(|(p, _)| p.ends_with(".svg") && p.contains("/"))
    {
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
    assert_eq!(checked, 12);
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
