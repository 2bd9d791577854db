//! `tumen check`: everything a build checks, with the Markdown lints as errors,
//! then every internal link and anchor of the rendered pages (`links`) and, when
//! asked, every external link (`external`), without writing a file.

mod external;
mod links;

use std::time::{Duration, Instant};

use crate::build::{BuildOptions, count, render_site};
use crate::util::diag::Diagnostics;

/// What `tumen check` found on a site without errors.
#[derive(Debug)]
pub struct CheckReport {
    pub briefs: usize,
    pub datasets: usize,
    pub pages: usize,
    pub elapsed: Duration,
}

impl CheckReport {
    pub fn summary(&self) -> String {
        format!(
            "Checked {}, {}, {} in {} ms: no problems",
            count(self.briefs, "brief"),
            count(self.datasets, "dataset"),
            count(self.pages, "page"),
            self.elapsed.as_millis()
        )
    }
}

/// Everything a build checks, with its warnings as errors, then every internal link
/// and anchor (and external links when asked), without writing anything.
pub fn check(opts: &BuildOptions, external: bool) -> Result<CheckReport, Diagnostics> {
    let start = Instant::now();
    let (site, rendered) = render_site(opts)?;
    let mut errors = Diagnostics::from(site.warnings());
    errors.extend(links::check_links(&site, &rendered));
    if external {
        errors.extend(external::check_external(&site, &rendered));
    }
    errors.into_result()?;
    Ok(CheckReport {
        briefs: site.briefs.len(),
        datasets: site.datasets.len(),
        pages: rendered.pages,
        elapsed: start.elapsed(),
    })
}
