//! Charts as figures: every chart block of a brief and every dataset's default
//! chart becomes a figure (the SVG inline, its caption with sources and downloads,
//! the data as a table), laid out by the theme's `figure.html`, and a standalone
//! SVG beside its page.
//!
//! Figures come first in a render: a brief's Markdown is rendered around them. They
//! are drawn in parallel, and a figure is made again only when its plan or what
//! else it reads changed (the render cache keeps them, see [`RenderCache`]).

use std::collections::{BTreeMap, HashSet};
use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;
use serde_json::{Value as Json, json};
use tera::{Context, Value};

use super::cache::{FigureKey, Figures, RenderCache};
use super::charts;
use super::context::with_values;
use super::templates::Templates;
use crate::model::chart::ChartPlan;
use crate::model::{Brief, Site};
use crate::output::{Content, OutputFile};
use crate::util::diag::{Diagnostic, Diagnostics};

/// Where a brief's figure `number` (from 1) is written as a standalone SVG.
pub(super) fn svg_path(b: &Brief, number: usize) -> String {
    format!("{}figure-{number}.svg", b.path)
}

/// A figure's HTML and its standalone SVG.
pub(super) type Figure = (String, String);

/// Every figure of a render and its standalone SVG file.
pub(super) struct Drawn<'a> {
    /// Each brief's figures (HTML), in the order of its chart blocks.
    pub(super) briefs: Vec<Vec<String>>,
    /// Each brief's standalone SVGs, in the same order.
    pub(super) brief_files: Vec<Vec<OutputFile>>,
    /// The figure HTML of each dataset's default chart.
    pub(super) datasets: BTreeMap<&'a str, String>,
    /// The standalone SVG of each dataset's default chart, with the dataset's name.
    pub(super) dataset_files: Vec<(&'a str, OutputFile)>,
}

impl Drawn<'_> {
    /// How many standalone charts there are.
    pub(super) fn count(&self) -> usize {
        self.brief_files.iter().map(Vec::len).sum::<usize>() + self.dataset_files.len()
    }
}

/// The series colours: site.yaml's `palette`, else the default one.
fn palette(site: &Site) -> Vec<String> {
    if site.config.palette.is_empty() {
        charts::DEFAULT_PALETTE
            .iter()
            .map(|c| c.to_string())
            .collect()
    } else {
        site.config.palette.clone()
    }
}

/// Every figure of the site, from the cache where what it is made from is
/// unchanged. Fails with every chart that could not be drawn.
pub(super) fn draw_all<'a>(
    site: &'a Site,
    tpl: &Templates,
    cache: &mut RenderCache,
) -> Result<Drawn<'a>, Diagnostics> {
    let palette = palette(site);
    let drawer = Drawer {
        site,
        tpl,
        palette: &palette,
        known: cache.known_figures(site, &palette),
        used: Mutex::new(HashSet::new()),
        made: Mutex::new(Vec::new()),
    };
    let mut errors = Diagnostics::default();
    let (briefs, brief_files) = drawer.briefs(&mut errors);
    let (datasets, dataset_files) = drawer.datasets(&mut errors);
    let (used, made) = (drawer.used, drawer.made);
    cache.keep_figures(
        used.into_inner().unwrap_or_else(PoisonError::into_inner),
        made.into_inner().unwrap_or_else(PoisonError::into_inner),
    );
    errors.into_result()?;
    Ok(Drawn {
        briefs,
        brief_files,
        datasets,
        dataset_files,
    })
}

/// Makes figures in parallel, noting which known ones it used and which it made.
struct Drawer<'s, 'd> {
    site: &'s Site,
    tpl: &'d Templates,
    palette: &'d [String],
    known: &'d Figures,
    used: Mutex<HashSet<FigureKey>>,
    made: Mutex<Vec<(FigureKey, Figure)>>,
}

impl<'s> Drawer<'s, '_> {
    /// The figure of `plan`, the `number`th of its page, with ids starting `id`
    /// and its standalone SVG at `svg_path`: known, or made now.
    fn figure(
        &self,
        plan: &ChartPlan,
        number: usize,
        id: &str,
        svg_path: &str,
    ) -> Result<Figure, String> {
        let key = (plan.key(), number, id.to_string(), svg_path.to_string());
        if let Some(f) = self.known.get(&key) {
            self.used
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(key);
            return Ok(f.clone());
        }
        let f = self.draw(plan, number, id, svg_path)?;
        self.made
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((key, f.clone()));
        Ok(f)
    }

    /// One brief's figures and standalone SVGs, in block order.
    fn brief(&self, b: &Brief) -> Result<(Vec<String>, Vec<OutputFile>), Diagnostics> {
        let mut figures = Vec::with_capacity(b.charts.len());
        let mut files = Vec::with_capacity(b.charts.len());
        let mut errors = Diagnostics::default();
        for (k, plan) in b.charts.iter().enumerate() {
            let svg_path = svg_path(b, k + 1);
            match self.figure(plan, k + 1, &format!("figure-{}", k + 1), &svg_path) {
                Ok((html, svg)) => {
                    figures.push(html);
                    files.push(svg_file(svg_path, svg));
                }
                Err(e) => errors.push(Diagnostic::file(&b.src.file, e)),
            }
        }
        errors.into_result()?;
        Ok((figures, files))
    }

    /// Every brief's figures and standalone SVGs, in the briefs' order.
    fn briefs(&self, errors: &mut Diagnostics) -> (Vec<Vec<String>>, Vec<Vec<OutputFile>>) {
        let briefs = &self.site.briefs;
        // Only the briefs with charts go to the threads: at 10,000 briefs, handing
        // out every brief cost a live rebuild more than its one page.
        let with: Vec<usize> = (0..briefs.len())
            .filter(|&i| !briefs[i].charts.is_empty())
            .collect();
        let drawn: Vec<_> = (with.par_iter())
            .map(|&i| (i, self.brief(&briefs[i])))
            .collect();
        let mut figures = vec![Vec::new(); briefs.len()];
        let mut files = vec![Vec::new(); briefs.len()];
        for (i, d) in drawn {
            match d {
                Ok((f, svgs)) => {
                    figures[i] = f;
                    files[i] = svgs;
                }
                Err(e) => errors.extend(e),
            }
        }
        (figures, files)
    }

    /// Every dataset's default chart as a figure, and its standalone SVG.
    fn datasets(
        &self,
        errors: &mut Diagnostics,
    ) -> (BTreeMap<&'s str, String>, Vec<(&'s str, OutputFile)>) {
        let site = self.site;
        let drawn: Vec<_> = site
            .dataset_charts
            .par_iter()
            .map(|(name, plan)| {
                let svg_path = format!("data/{name}/chart.svg");
                let drawn = self.figure(plan, 0, "figure-data", &svg_path);
                (name.as_str(), svg_path, drawn)
            })
            .collect();
        let (mut figures, mut files) = (BTreeMap::new(), Vec::new());
        for (name, svg_path, drawn) in drawn {
            match drawn {
                Ok((html, svg)) => {
                    figures.insert(name, html);
                    files.push((name, svg_file(svg_path, svg)));
                }
                Err(e) => errors.push(Diagnostic::file(&site.datasets[name].file, e)),
            }
        }
        (figures, files)
    }

    /// A chart as a figure: the SVG inline (and a second one for small screens,
    /// which the theme shows instead there), laid out by the theme's
    /// `figure.html`; plus the standalone SVG.
    fn draw(
        &self,
        plan: &ChartPlan,
        number: usize,
        id: &str,
        svg_path: &str,
    ) -> Result<Figure, String> {
        let svg = self.known.svg(plan, self.palette)?;
        let narrow = match charts::narrow_plan(plan) {
            Some(n) => Some(self.known.svg(&n, self.palette)?),
            None => None,
        };
        let value = with_values(
            &figure_json(self.site, plan, number, id, svg_path),
            vec![
                ("svg", Value::safe_string(&charts::embed(&svg, id))),
                (
                    "svg_narrow",
                    Value::safe_string(&narrow.map_or(String::new(), |n| {
                        charts::embed(&n, &format!("{id}-narrow"))
                    })),
                ),
            ],
        );
        let mut ctx = Context::new();
        ctx.insert_value("figure", value);
        let html = self
            .tpl
            .render("figure.html", &ctx)
            .map_err(|d| d.message)?;
        Ok((html, svg.to_string()))
    }
}

fn svg_file(path: String, svg: String) -> OutputFile {
    OutputFile {
        path,
        content: Content::Bytes(svg.into_bytes()),
    }
}

/// What `figure.html` reads of a figure but its pictures: number, title, caption,
/// sources, downloads, and the data as a table for assistive technology and
/// curious readers.
fn figure_json(site: &Site, plan: &ChartPlan, number: usize, id: &str, svg_path: &str) -> Json {
    let sources: Vec<Json> = plan
        .sources
        .iter()
        .map(|k| {
            let title = site
                .sources
                .iter()
                .find(|s| &s.key == k)
                .and_then(|s| s.fields.get("title").cloned())
                .unwrap_or_else(|| k.clone());
            json!({"key": k, "title": title, "anchor": site.url(&super::paginate::source_anchor(site, k))})
        })
        .collect();
    let headers: Vec<String> = std::iter::once(plan.x_heading.clone())
        .chain(plan.series.iter().map(|s| s.name.clone()))
        .collect();
    let rows: Vec<Vec<String>> = plan
        .categories
        .iter()
        .enumerate()
        .map(|(i, cat)| {
            std::iter::once(cat.clone())
                .chain(
                    plan.series
                        .iter()
                        .map(|s| s.values[i].map_or(String::new(), |v| plan.fmt(v))),
                )
                .collect()
        })
        .collect();
    json!({
        "number": number,
        "id": id,
        "title": plan.spec.title,
        "caption": plan.spec.caption,
        "kind": plan.spec.kind,
        "unit": plan.unit,
        "sources": sources,
        "dataset": {"name": plan.dataset, "title": plan.dataset_title, "url": site.url(&format!("data/{}/", plan.dataset))},
        "svg_url": site.url(svg_path),
        "table": {"headers": headers, "rows": rows},
    })
}
