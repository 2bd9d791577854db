//! The datasets as readers take them away beyond CSV and JSON (which
//! `load::dataset` writes): each one as a spreadsheet ([`xlsx`]), and all of them
//! as one Frictionless Data Package ([`package`]), which pandas, R and the
//! `frictionless` tools load in one call.
//!
//! Both are made from the resolved site only, byte for byte the same for the same
//! sources (no clock, no machine in them), so `tumen serve` makes them again
//! exactly when what they read changes. What both say about a dataset beyond its
//! rows (the full reference of a source, the page's address) is made here once.

pub(super) mod package;
pub(super) mod xlsx;

use crate::load::dataset::Dataset;
use crate::model::Site;

/// The Data Package's path in the output.
pub(super) const DATAPACKAGE: &str = "data/datapackage.json";

/// The datasets a reader is offered: every one but `sources`, the list of
/// sources, which is no dataset page of its own but the site's bibliography.
pub(super) fn published(site: &Site) -> impl Iterator<Item = &Dataset> {
    site.datasets.values().filter(|d| d.name != "sources")
}

/// The address of a site path as a reader can use it outside the site: absolute
/// when the base URL names a host, else the path from the site's root.
pub(super) fn full_url(site: &Site, path: &str) -> String {
    if site.config.has_host() {
        format!("{}{}", site.config.base_url, path.trim_start_matches('/'))
    } else {
        site.url(path)
    }
}

/// A source's full reference as the dataset page lists it: `Title, Author,
/// Publisher (Date). URL`; its key alone when the sources do not hold it.
pub(super) fn source_reference(site: &Site, key: &str) -> String {
    let Some(s) = site.sources.iter().find(|s| s.key == key) else {
        return key.to_string();
    };
    let field = |k: &str| s.fields.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let mut out = field("title").unwrap_or(key).to_string();
    let (author, publisher) = (field("author"), field("publisher"));
    if let Some(a) = author {
        out.push_str(", ");
        out.push_str(a);
    }
    if let Some(p) = publisher.filter(|p| Some(*p) != author) {
        out.push_str(", ");
        out.push_str(p);
    }
    if let Some(d) = field("date") {
        out.push_str(&format!(" ({d})"));
    }
    out.push('.');
    if let Some(u) = field("url") {
        out.push(' ');
        out.push_str(u);
    }
    out
}
