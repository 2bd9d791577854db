//! The build: load → resolve → render → write, timed, with a one-line summary.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::load::{Bodies, SiteSources};
use crate::model::Site;
use crate::render::{RenderedSite, render, render_streamed};
use crate::resolve::{ResolveOptions, resolve};
use crate::util::diag::{Diagnostics, Warnings};
use crate::write::{LastOutput, SiteWriter, check_output_dir};

#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The folder holding site.yaml.
    pub site_dir: PathBuf,
    pub output_dir: PathBuf,
    pub resolve: ResolveOptions,
    /// Say what each stage is doing (on a terminal, for long builds).
    pub progress: bool,
    /// Minify HTML and CSS (`--minify`).
    pub minify: bool,
}

#[derive(Debug)]
pub struct BuildReport {
    pub briefs: usize,
    pub datasets: usize,
    pub pages: usize,
    pub files: usize,
    pub charts: usize,
    /// PDFs of briefs made (`--pdf`).
    pub pdfs: usize,
    pub drafts_skipped: usize,
    pub elapsed: Duration,
    /// Mistakes that did not stop the build, to show before the summary.
    pub warnings: Warnings,
}

impl BuildReport {
    /// What a build of `site` made, in `elapsed`.
    pub fn of(site: &Site, rendered: &RenderedSite, elapsed: Duration) -> BuildReport {
        BuildReport {
            briefs: site.briefs.len(),
            datasets: site.datasets.len(),
            pages: rendered.pages,
            files: rendered.all_paths.len(),
            charts: rendered.charts,
            pdfs: (rendered.all_paths.iter())
                .filter(|f| f.starts_with("briefs/") && f.ends_with(".pdf"))
                .count(),
            drafts_skipped: site.drafts_skipped,
            elapsed,
            warnings: site.warnings(),
        }
    }

    pub fn summary(&self) -> String {
        let drafts = match self.drafts_skipped {
            0 => String::new(),
            n => format!(" ({} left out)", count(n, "draft")),
        };
        let pdfs = match self.pdfs {
            0 => String::new(),
            n => format!(", {n} PDF{}", if n == 1 { "" } else { "s" }),
        };
        format!(
            "Built {}, {}, {}, {}{pdfs} in {} ms{}{drafts}",
            count(self.briefs, "brief"),
            count(self.datasets, "dataset"),
            count(self.pages, "page"),
            count(self.charts, "chart"),
            self.elapsed.as_millis(),
            with_warnings(self.warnings.len()),
        )
    }
}

/// "1 brief", "2 briefs": a count with its noun, singular or plural (nouns that
/// take an -s, which are all the ones tumen counts).
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// ` with 2 warnings` for a summary line; nothing when there are none.
pub fn with_warnings(n: usize) -> String {
    match n {
        0 => String::new(),
        n => format!(" with {}", count(n, "warning")),
    }
}

struct Progress {
    on: bool,
    start: Instant,
}

impl Progress {
    fn stage(&self, what: &str) {
        if self.on {
            eprintln!("  {:>6} ms  {what}", self.start.elapsed().as_millis());
        }
    }
}

/// Load, check and render the site, without writing anything.
pub fn render_site(opts: &BuildOptions) -> Result<(Site, RenderedSite), Diagnostics> {
    let (site, p) = load_site(opts, Bodies::Kept)?;
    let rendered = render(&site)?;
    p.stage(&format!("writing {} files", rendered.files.len()));
    Ok((site, rendered))
}

/// Load and check the site: every content error is found here, before anything
/// is rendered or written. A build lets each brief's body go once its front
/// matter is read, and reads it again to resolve it and to render it, so that
/// it never holds every brief's text ([`Bodies`]).
fn load_site(opts: &BuildOptions, bodies: Bodies) -> Result<(Site, Progress), Diagnostics> {
    let p = Progress {
        on: opts.progress && std::io::stderr().is_terminal(),
        start: Instant::now(),
    };
    p.stage("loading");
    let mut clock = crate::util::trace::Clock::new("build");
    let sources = SiteSources::load_with(&opts.site_dir, bodies)?;
    clock.mark("load");
    p.stage(&format!(
        "resolving {} briefs, {} datasets",
        sources.briefs.len(),
        sources.datasets.len()
    ));
    // A build takes each brief's digest from the parse that scans it.
    let resolve_opts = ResolveOptions {
        digests: bodies == Bodies::LetGo,
        ..opts.resolve.clone()
    };
    let site = resolve(sources, &resolve_opts)?;
    clock.mark("resolve");
    p.stage(&format!("rendering {} briefs", site.briefs.len()));
    Ok((site, p))
}

/// Build the site into the output folder, the pages written as they are
/// rendered, a batch at a time (memory holds a batch, not the site). On any
/// error the output is left as it was: the writer, dropped unfinished, removes
/// what it wrote.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, Diagnostics> {
    let start = Instant::now();
    check_output_dir(&opts.output_dir, &opts.site_dir)?;
    let (loaded, last) = rayon::join(
        || load_site(opts, Bodies::LetGo),
        || LastOutput::read(&opts.output_dir),
    );
    let (mut site, p) = loaded?;
    let mut writer = SiteWriter::begin_with(&opts.output_dir, last)?;
    let minify = opts.minify;
    let digests = std::mem::take(&mut site.digests);
    let rendered = render_streamed(&site, digests, &mut |mut files| {
        if minify {
            crate::render::minify::files(&mut files);
        }
        writer.send(files)
    })?;
    p.stage(&format!(
        "putting {} files in place",
        rendered.all_paths.len()
    ));
    writer.finish()?;
    let report = BuildReport::of(&site, &rendered, start.elapsed());
    // Freeing the site's 10,000 briefs and cards takes a tenth of a second, for
    // nothing when the process is about to exit: it is done beside the caller.
    std::thread::spawn(move || drop((site, rendered)));
    Ok(report)
}
