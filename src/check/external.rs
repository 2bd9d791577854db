//! `tumen check --external`: every external link, asked once each, in parallel,
//! with a timeout. Apart from the rest of the check because it alone needs the
//! network and takes seconds.

use std::collections::BTreeMap;

use super::links::{brief_pages, links, locate, unescape};
use crate::model::Site;
use crate::output::Content;
use crate::render::RenderedSite;
use crate::util::diag::Diagnostics;

/// Check every external (http/https) link: each once, in parallel, with a timeout.
/// Only on request (`--external`): it needs the network and takes time.
pub fn check_external(site: &Site, rendered: &RenderedSite) -> Diagnostics {
    use rayon::prelude::*;
    let brief_of = brief_pages(site);
    let mut first_use: BTreeMap<String, (String, String)> = BTreeMap::new();
    for f in &rendered.files {
        let Content::Bytes(b) = &f.content else {
            continue;
        };
        if !f.path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(b);
        for (_, raw) in links(&html) {
            let link = unescape(raw);
            if (link.starts_with("http://") || link.starts_with("https://"))
                && !link.starts_with(&site.config.base_url)
            {
                first_use
                    .entry(link)
                    .or_insert_with(|| (f.path.clone(), raw.to_string()));
            }
        }
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(15)))
        .http_status_as_error(false)
        .build()
        .into();
    let failures: Vec<(String, String, String, String)> = first_use
        .par_iter()
        .filter_map(|(url, (page, raw))| {
            let status = match agent.head(url).call() {
                Ok(r) if r.status().as_u16() == 405 || r.status().as_u16() == 403 => {
                    agent.get(url).call().map(|r| r.status().as_u16())
                }
                other => other.map(|r| r.status().as_u16()),
            };
            match status {
                Ok(s) if s < 400 => None,
                Ok(s) => Some((
                    url.clone(),
                    page.clone(),
                    raw.clone(),
                    format!("external link `{url}` answers HTTP {s}"),
                )),
                Err(e) => Some((
                    url.clone(),
                    page.clone(),
                    raw.clone(),
                    format!("external link `{url}` cannot be reached: {e}"),
                )),
            }
        })
        .collect();
    let mut errors = Diagnostics::default();
    for (url, page, raw, problem) in failures {
        errors.push(locate(
            site, rendered, &brief_of, &page, &raw, &url, problem,
        ));
    }
    errors
}
