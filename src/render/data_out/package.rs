//! Every dataset of the site as one Frictionless Data Package (v1),
//! `data/datapackage.json`: a tabular data resource per dataset, pointing at its
//! CSV beside it, with the schema of its columns (tumen's column types as Table
//! Schema types, the units as descriptions), its sources, and the licence of
//! site.yaml. `frictionless validate`, `frictionless::read_package` in R and
//! `frictionless.Package` in Python read the whole site's data from it.
//!
//! The types declare what the CSV holds (`Dataset::to_csv`): numbers, whole
//! numbers and years as digits, never defused (only text is); dates as written,
//! so a date column whose cells are all of one precision is a `date`, `yearmonth`
//! or `year`, and one that mixes them (a timeline: `1948`, `2011-08`,
//! `2014-01-06`) is a string held to the ISO pattern; an empty field is a
//! missing value.

use serde_json::{Map, Value as Json, json};

use super::{full_url, published, source_reference};
use crate::load::dataset::{Cell, Column, ColumnType, Dataset};
use crate::model::Site;
use crate::util::slug::slugify;

/// The Data Package's text: pretty-printed, in a fixed order, ending in a newline.
pub(in crate::render) fn datapackage(site: &Site) -> String {
    let cfg = &site.config;
    let mut p = Map::new();
    p.insert("profile".into(), json!("tabular-data-package"));
    p.insert("name".into(), json!(name(&cfg.title, "site")));
    p.insert("title".into(), json!(cfg.title));
    if !cfg.description.is_empty() {
        p.insert("description".into(), json!(cfg.description));
    }
    if cfg.has_host() {
        p.insert("homepage".into(), json!(full_url(site, "")));
    }
    if let Some(l) = &cfg.license {
        let mut lic = Map::new();
        for (k, v) in [("name", &l.name), ("path", &l.path), ("title", &l.title)] {
            if let Some(v) = v {
                lic.insert(k.into(), json!(v));
            }
        }
        p.insert("licenses".into(), json!([lic]));
    }
    if !cfg.authors.is_empty() {
        let who: Vec<Json> = cfg.authors.iter().map(|a| json!({"title": a})).collect();
        p.insert("contributors".into(), Json::Array(who));
    }
    let mut names = std::collections::BTreeSet::new();
    let resources: Vec<Json> = published(site)
        .map(|d| {
            let mut n = name(&d.name, "dataset");
            while !names.insert(n.clone()) {
                n.push('_');
            }
            resource(site, d, n)
        })
        .collect();
    p.insert("resources".into(), Json::Array(resources));
    let mut text = serde_json::to_string_pretty(&Json::Object(p)).unwrap_or_default();
    text.push('\n');
    text
}

/// A name as the spec allows one (lowercase letters, digits, `-`, `_`, `.`), made
/// from `text`; `fallback` when nothing of it is left.
fn name(text: &str, fallback: &str) -> String {
    let n: String = slugify(text)
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == &'-')
        .collect();
    let n = n.trim_matches('-').to_string();
    if n.is_empty() { fallback.into() } else { n }
}

/// One dataset as a tabular data resource: its CSV, schema and sources.
fn resource(site: &Site, d: &Dataset, name: String) -> Json {
    let mut r = Map::new();
    r.insert("profile".into(), json!("tabular-data-resource"));
    r.insert("name".into(), json!(name));
    r.insert("path".into(), json!(format!("{}.csv", d.name)));
    r.insert("title".into(), json!(d.title));
    if !d.description.is_empty() {
        r.insert("description".into(), json!(d.description));
    }
    r.insert(
        "homepage".into(),
        json!(full_url(site, &format!("data/{}/", d.name))),
    );
    r.insert("format".into(), json!("csv"));
    r.insert("mediatype".into(), json!("text/csv"));
    r.insert("encoding".into(), json!("utf-8"));
    let fields: Vec<Json> = (d.columns.iter().enumerate())
        .map(|(i, c)| field(d, i, c))
        .collect();
    r.insert(
        "schema".into(),
        json!({"fields": fields, "missingValues": [""]}),
    );
    if !d.sources.is_empty() {
        let sources: Vec<Json> = d.sources.iter().map(|k| source(site, k)).collect();
        r.insert("sources".into(), Json::Array(sources));
    }
    Json::Object(r)
}

/// A column as a Table Schema field: its name, type, label as title and unit as
/// description (a numeric column without a unit of its own takes the dataset's).
fn field(d: &Dataset, i: usize, c: &Column) -> Json {
    let mut f = Map::new();
    f.insert("name".into(), json!(c.name));
    let numeric = matches!(c.kind, ColumnType::Number | ColumnType::Integer);
    let unit = c.unit.as_ref().or(d.unit.as_ref().filter(|_| numeric));
    let (kind, pattern) = field_type(d, i, c.kind);
    f.insert("type".into(), json!(kind));
    if let Some(label) = &c.label {
        f.insert("title".into(), json!(label));
    }
    let mut about = unit.map(|u| format!("Unit: {u}."));
    if let Some(p) = pattern {
        f.insert("constraints".into(), json!({"pattern": p}));
        let note = "A date written as YYYY, YYYY-MM or YYYY-MM-DD, as precise as it is known.";
        about = Some(about.map_or(note.to_string(), |u| format!("{u} {note}")));
    }
    if let Some(a) = about {
        f.insert("description".into(), json!(a));
    }
    Json::Object(f)
}

/// The Table Schema type of column `i`, and the pattern of a string that holds
/// dates of mixed precision.
fn field_type(d: &Dataset, i: usize, kind: ColumnType) -> (&'static str, Option<&'static str>) {
    match kind {
        ColumnType::Integer => ("integer", None),
        ColumnType::Number => ("number", None),
        ColumnType::Year => ("year", None),
        ColumnType::Text => ("string", None),
        ColumnType::Date => {
            let mut precisions = (d.rows.iter()).filter_map(|row| match &row[i] {
                Cell::Date(x) => Some(usize::from(x.month != 0) + usize::from(x.day != 0)),
                _ => None,
            });
            let first = precisions.next().unwrap_or(2);
            if precisions.all(|p| p == first) {
                (["year", "yearmonth", "date"][first], None)
            } else {
                ("string", Some(r"\d{4}(-\d{2}(-\d{2})?)?"))
            }
        }
    }
}

/// A source as a Data Package names one: its full reference, and its URL.
fn source(site: &Site, key: &str) -> Json {
    let url = (site.sources.iter())
        .find(|s| s.key == key)
        .and_then(|s| s.fields.get("url"))
        .map(|u| u.trim())
        .filter(|u| !u.is_empty());
    match url {
        Some(u) => json!({"title": source_reference(site, key), "path": u}),
        None => json!({"title": source_reference(site, key)}),
    }
}
