//! The fuzz targets' bodies, one function per target, shared by the fuzz crate
//! (`fuzz/fuzz_targets/*.rs`, nightly, libFuzzer) and by `tests/fuzz_replay.rs`
//! (stable), which feeds them every input kept in `fuzz/corpus/` and
//! `fuzz/regressions/`. Each calls tumen's own code as a build does; an error is
//! a right answer, a panic, a hang or a blow-up of memory is a bug.
//!
//! The datasets and settings the inputs are checked against are those of the
//! default site (`content/`) and the chart fixtures' (`tests/fixtures/charts/`,
//! which cite the default site's sources), read into memory once.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use tumen::load::brief::split_front_matter;
use tumen::load::history::History;
use tumen::load::yaml::{Seg, YamlDoc};
use tumen::load::{BriefSource, Dataset, SiteConfig, SiteSources, Theme};
use tumen::resolve::charts::{SpecSource, plan};
use tumen::resolve::values::{lookup, lookup_from_args, parse_filter, parse_shortcode};
use tumen::resolve::{ResolveOptions, resolve};

/// A fuzz target's body: any input, no panic.
pub type Target = fn(&[u8]);

/// The fuzz targets by name, as `fuzz/fuzz_targets/` and `fuzz/corpus/` name them.
pub const TARGETS: &[(&str, Target)] = &[
    ("front_matter", front_matter),
    ("chart_spec", chart_spec),
    ("inline_value", inline_value),
    ("dataset", dataset),
    ("build_site", build_site),
];

const FIXTURE_DATA: &[(&str, &str)] = &[
    (
        "data/china-russia-trade.yaml",
        include_str!("../content/data/china-russia-trade.yaml"),
    ),
    (
        "data/forums.yaml",
        include_str!("../content/data/forums.yaml"),
    ),
    (
        "data/investment-projects.yaml",
        include_str!("../content/data/investment-projects.yaml"),
    ),
    (
        "data/key-facts.yaml",
        include_str!("../content/data/key-facts.yaml"),
    ),
    (
        "data/labour.yaml",
        include_str!("../content/data/labour.yaml"),
    ),
    (
        "data/sources.yaml",
        include_str!("../content/data/sources.yaml"),
    ),
    (
        "data/timeline.yaml",
        include_str!("../content/data/timeline.yaml"),
    ),
    (
        "data/trade-2013-direction.yaml",
        include_str!("../content/data/trade-2013-direction.yaml"),
    ),
    (
        "data/trade-targets.yaml",
        include_str!("../content/data/trade-targets.yaml"),
    ),
    (
        "data/trade-turnover.yaml",
        include_str!("../content/data/trade-turnover.yaml"),
    ),
    (
        "data/events.yaml",
        include_str!("../tests/fixtures/charts/data/events.yaml"),
    ),
    (
        "data/gappy.yaml",
        include_str!("../tests/fixtures/charts/data/gappy.yaml"),
    ),
    (
        "data/labels.yaml",
        include_str!("../tests/fixtures/charts/data/labels.yaml"),
    ),
    (
        "data/recent.yaml",
        include_str!("../tests/fixtures/charts/data/recent.yaml"),
    ),
    (
        "data/trade.yaml",
        include_str!("../tests/fixtures/charts/data/trade.yaml"),
    ),
];

const FIXTURE_CONFIG: &str = include_str!("../content/site.yaml");

/// The rows files the fixture datasets read (`rows: {file: …}`).
const FIXTURE_ROWS: &[(&str, &[u8])] = &[(
    "data/trade-2013-direction.csv",
    include_bytes!("../content/data/trade-2013-direction.csv"),
)];

/// A dataset loaded as the build loads it, its rows file (if any) read from
/// [`FIXTURE_ROWS`], never from the disk.
fn load_dataset(file: &str, text: &str) -> Result<Dataset, tumen::util::diag::Diagnostics> {
    let read = |p: &Path| {
        (FIXTURE_ROWS.iter())
            .find(|(f, _)| Path::new(f) == p)
            .map(|(_, b)| b.to_vec())
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
    };
    Dataset::load_reading(Path::new(file), text.to_string(), &read)
}

/// The fixture datasets, by name.
fn datasets() -> &'static BTreeMap<String, Dataset> {
    static DATA: OnceLock<BTreeMap<String, Dataset>> = OnceLock::new();
    DATA.get_or_init(|| {
        (FIXTURE_DATA.iter())
            .map(|(file, text)| {
                let d = load_dataset(file, text).expect("fixture loads");
                (d.name.clone(), d)
            })
            .collect()
    })
}

/// The built-in theme (the site folder does not exist, so nothing overlays it).
fn theme() -> &'static Theme {
    static THEME: OnceLock<Theme> = OnceLock::new();
    THEME.get_or_init(|| Theme::load(Path::new("/nonexistent-fuzz-site"), "default").unwrap())
}

fn palette() -> Vec<String> {
    let p = tumen::render::charts::DEFAULT_PALETTE;
    p.iter().map(|c| c.to_string()).collect()
}

/// Front matter: the splitter, then the whole brief loader, then an error placed
/// at a key of what it loaded.
pub fn front_matter(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some((yaml, line, body)) = split_front_matter(text) {
        assert!(line >= 1 && body <= text.len() && yaml.len() <= text.len());
        assert!(text.is_char_boundary(body));
    }
    if let Ok(b) = BriefSource::load(Path::new("briefs/fuzz.md"), text.to_string()) {
        let _ = b.body();
        let _ = b.front_error(&[Seg::Key("title".into())], "fuzz");
    }
}

/// A chart block's YAML: parsed, checked against the fixture datasets and
/// planned, as the resolver does, then drawn wide and narrow, as the renderer does.
pub fn chart_spec(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = Path::new("briefs/fuzz.md");
    let file_text = format!("---\ntitle: T\ndate: 2024-05-01\n---\n```chart\n{text}\n```\n");
    let doc = YamlDoc {
        file,
        file_text: &file_text,
        yaml: text,
        line_offset: 5,
    };
    let Ok(raw) = doc.parse::<yaml_serde::Value>() else {
        return;
    };
    let src = SpecSource {
        doc,
        base: Vec::new(),
        implicit_data: None,
        fence_line: 5,
    };
    let Ok(p) = plan(&raw, &src, datasets()) else {
        return;
    };
    let palette = palette();
    let _ = p.description();
    let _ = tumen::render::charts::svg(&p, &palette);
    if let Some(n) = tumen::render::charts::narrow_plan(&p) {
        let _ = tumen::render::charts::svg(&n, &palette);
    }
}

/// An inline value: `{{` and the input parsed as a shortcode, its arguments as a
/// lookup, its filter, and the lookup in the fixture datasets (its format included).
pub fn inline_value(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_filter(text);
    let call = format!("{{{{{text}");
    let Some(Ok(sc)) = parse_shortcode(&call) else {
        return;
    };
    assert!(sc.len <= call.len() && call.is_char_boundary(sc.len));
    let Ok(l) = lookup_from_args(&sc.args) else {
        return;
    };
    let _ = parse_filter(&l.filter);
    let _ = lookup(datasets(), &l);
}

/// A dataset file: loaded, written out as CSV and JSON, and its own chart planned
/// (with the fixture datasets beside it). After a NUL byte comes the rows file
/// it may name (`rows: {file: …}`), whatever its name: CSV or spreadsheet bytes.
pub fn dataset(data: &[u8]) {
    let (yaml, rows) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let Ok(text) = std::str::from_utf8(yaml) else {
        return;
    };
    let loaded = match rows {
        Some(rows) => {
            let read = |_: &Path| Ok(rows.to_vec());
            Dataset::load_reading(Path::new("data/fuzz.yaml"), text.to_string(), &read)
        }
        None => load_dataset("data/fuzz.yaml", text),
    };
    let Ok(d) = loaded else {
        return;
    };
    let _ = d.to_csv();
    let _ = d.to_json();
    let _ = d.rows_json();
    let Some(raw) = &d.chart else {
        return;
    };
    let mut all = datasets().clone();
    all.insert(d.name.clone(), d.clone());
    let src = SpecSource {
        doc: YamlDoc::whole(&d.file, &d.text),
        base: vec![Seg::Key("chart".into())],
        implicit_data: Some(&d.name),
        fence_line: 0,
    };
    if let Ok(p) = plan(raw, &src, &all) {
        let _ = tumen::render::charts::svg(&p, &palette());
    }
}

/// A one-brief site, in memory: the input is the brief (front matter and body),
/// and after a NUL byte, if there is one, a dataset `data/fuzz.yaml` beside the
/// fixture datasets. Loaded, resolved and rendered as `tumen build` does, short
/// of writing the files.
pub fn build_site(data: &[u8]) {
    let (brief, data_file) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let Ok(brief) = std::str::from_utf8(brief) else {
        return;
    };
    let Ok(brief) = BriefSource::load(Path::new("briefs/fuzz.md"), brief.to_string()) else {
        return;
    };
    let mut datasets = datasets().clone();
    if let Some(text) = data_file.and_then(|d| std::str::from_utf8(d).ok()) {
        match load_dataset("data/fuzz.yaml", text) {
            Ok(d) => datasets.insert(d.name.clone(), d),
            Err(_) => return,
        };
    }
    let config = SiteConfig::load(Path::new("site.yaml"), FIXTURE_CONFIG).unwrap();
    let sources = SiteSources {
        root: PathBuf::from("/nonexistent-fuzz-site"),
        config,
        briefs: vec![Arc::new(brief)],
        datasets,
        static_files: theme().static_files.clone(),
        theme: theme().clone(),
        history: Arc::new(History::default()),
        blobs: Arc::default(),
    };
    let Ok(site) = resolve(sources, &ResolveOptions::default()) else {
        return;
    };
    let _ = tumen::render::render(&site);
}
