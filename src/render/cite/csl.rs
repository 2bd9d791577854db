//! CSL-JSON, the input of every CSL processor (Pandoc's citeproc, Zotero,
//! citeproc-js): an array of one item, held to the CSL-JSON schema
//! (`csl-data.json`, which allows no property it does not name): `type`
//! `webpage`, the site's name as `container-title`, names as `literal`, dates as
//! `date-parts`. Pretty-printed, keys in a fixed order, a final newline.

use serde_json::{Map, Value as Json, json};

use super::Reference;
use crate::util::date::Date;

/// A brief's CSL-JSON file.
pub(super) fn brief(r: &Reference) -> String {
    let mut item = Map::new();
    let mut put = |k: &str, v: Json| {
        item.insert(k.to_string(), v);
    };
    put("id", json!(r.key));
    put("citation-key", json!(r.key));
    put("type", json!("webpage"));
    put("title", json!(r.title));
    if !r.authors.is_empty() {
        let names: Vec<Json> = r.authors.iter().map(|a| json!({"literal": a})).collect();
        put("author", Json::Array(names));
    }
    put("issued", date(&r.issued));
    if !r.site.is_empty() {
        put("container-title", json!(r.site));
    }
    if let Some(u) = &r.url {
        put("URL", json!(u));
        put("accessed", date(&r.accessed));
    }
    if let Some(s) = &r.summary {
        put("abstract", json!(s));
    }
    if !r.keywords.is_empty() {
        put("keyword", json!(r.keywords.join(", ")));
    }
    if !r.language.is_empty() {
        put("language", json!(r.language));
    }
    // Into bytes directly: through `format!("{:#}")` took twice as long.
    let mut text = serde_json::to_string_pretty(&[Json::Object(item)]).unwrap_or_default();
    text.push('\n');
    text
}

/// A date as CSL's `date-parts`: as precise as it is written.
fn date(d: &Date) -> Json {
    let mut parts = vec![json!(d.year)];
    if d.month != 0 {
        parts.push(json!(d.month));
        if d.day != 0 {
            parts.push(json!(d.day));
        }
    }
    json!({"date-parts": [parts]})
}
