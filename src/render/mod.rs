//! Stage 3, **render**: the resolved site to files, in memory. [`render_some`]
//! reads as the list of its steps; each step is a module:
//!
//! | module | makes |
//! |---|---|
//! | `figures` | each chart block and dataset chart as a figure, and its SVG (with [`charts`]) |
//! | `cache` | what a render keeps for the next: Markdown, cards, figures, templates… |
//! | `cards` | each brief's card: what lists show of it |
//! | `context` | what templates read: the site as JSON and Tera globals |
//! | `pages` | every page through its template, one function per kind of page |
//! | `paginate` | long lists cut into pages: which items each shows, where it is, its pager |
//! | `pdf` | each brief as a PDF (Typst), when the site asks for them |
//! | `publish` | feeds, sitemap, robots.txt |
//! | `search` | the search index |
//! | `data_out` | each dataset as a spreadsheet, and the Data Package of them all |
//! | `changes` | each brief's changes page, the datasets' change logs and earlier versions, corrections |
//! | `cite` | each brief's reference (the Cite box, BibTeX, RIS, CSL-JSON), the sources as BibTeX |
//! | `assemble` | the files gathered, with what each was made from |
//! | [`templates`], [`minify`] | the theme as Tera templates; `--minify` |
//!
//! Template contexts are small: data shared by all pages (the site, datasets, the
//! list of briefs) is built once as reference-counted Tera values and set as Tera's
//! global context, which every render reads without copying. Each page's context
//! holds only what is its own. Every file records what it was made from ([`Dep`]),
//! which is what the live preview needs to render again only the files an edit
//! touches ([`Since`]).

mod assemble;
mod cache;
mod cards;
mod changes;
pub mod charts;
mod cite;
mod context;
mod data_out;
mod figures;
pub mod minify;
mod pages;
mod paginate;
mod pdf;
mod publish;
mod search;
pub mod templates;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::deps::{Dep, DepGraph};
use crate::markdown::html::Rendered;
use crate::model::Site;
use crate::output::{FileSink, OutputFile, PathSet};
use crate::util::diag::{Diagnostic, Diagnostics};
use crate::util::terms::Terms;
use assemble::{Collected, Wanted};
pub use cache::RenderCache;
pub use cards::Card;
use context::Ctx;
use publish::SiteFile;
pub use search::search_index_file;

/// The rendered site (or the part of it that was asked for), in memory, sorted by path.
#[derive(Debug)]
pub struct RenderedSite {
    pub files: Vec<OutputFile>,
    /// Output path → what it was made from, for the files rendered.
    pub deps: HashMap<String, BTreeSet<Dep>>,
    /// Pages rendered.
    pub pages: usize,
    pub charts: usize,
    /// Every path of the site's output, rendered this time or not: what a partial
    /// render compares with the previous output to find pages that disappeared.
    pub all_paths: PathSet,
    /// Every brief's card, in the briefs' order, rendered this time or not: what
    /// the next partial render compares its cards with.
    pub cards: Vec<Arc<Card>>,
    /// The search index was due but left out, as the caller asked
    /// ([`Since::search_index_later`]): make it with [`search_index_file`].
    pub search_index_due: bool,
}

/// What a partial render is asked to bring up to date: the pages whose record of
/// what they were made from meets what changed since the last good render.
pub struct Since<'a> {
    /// What each output file was made from, as recorded by the last good render.
    pub deps: &'a DepGraph,
    /// The cards of the last good render.
    pub cards: &'a [Arc<Card>],
    /// What changed in the sources; the render adds the cards that changed, which
    /// only it can tell.
    pub changed: BTreeSet<Dep>,
    /// Every path of the last good render: each brief's list of paths is kept
    /// where it is the same, and then what it names was made before.
    pub paths: &'a PathSet,
    /// Leave the search index out even when it is due, for the caller to make
    /// later with [`search_index_file`]: it reads every brief's text and would
    /// take most of a rebuild's time (the live preview makes it after the reload).
    pub search_index_later: bool,
}

/// Render the whole site.
///
/// One-shot renders in a process share one [`RenderCache`], so that rendering a
/// site again (a library caller, the tests) makes again only what changed, as the
/// live preview does with a cache of its own; `tumen build` renders once. A render
/// while another thread holds the shared cache gets a cache of its own: a cache
/// changes how much is made again, never what is made.
pub fn render(site: &Site) -> Result<RenderedSite, Diagnostics> {
    render_some(site, &mut RenderCache::default(), None)
}

/// Render the files of the site, or with `since` only those that what changed
/// since the last good render touched; the rest are only listed in
/// [`RenderedSite::all_paths`]. Every check that spans the whole site (two pages on
/// one path) is made whatever is rendered, so a partial render fails exactly when
/// a full one would.
pub fn render_some(
    site: &Site,
    cache: &mut RenderCache,
    since: Option<Since>,
) -> Result<RenderedSite, Diagnostics> {
    render_into(site, cache, since, None)
}

/// Render the whole site, handing the files to `sink` a batch at a time as they
/// are made (`tumen build`): the result lists them ([`RenderedSite::all_paths`])
/// but holds none, and no record of what each was made from. A failed render
/// may have handed some files over already: the sink's owner discards them.
/// `digests` are the briefs' digests made by the resolve ([`Site::digests`]).
pub fn render_streamed(
    site: &Site,
    digests: Vec<(Rendered, Terms)>,
    sink: &mut FileSink,
) -> Result<RenderedSite, Diagnostics> {
    let lean = Lean { sink, digests };
    render_into(site, &mut RenderCache::default(), None, Some(lean))
}

/// What a build's render has that others have not: the sink it hands files to,
/// and the digests the resolve made.
struct Lean<'s> {
    sink: &'s mut FileSink<'s>,
    digests: Vec<(Rendered, Terms)>,
}

/// [`render_some`], the files gathered or handed to `sink`.
fn render_into<'s>(
    site: &Site,
    cache: &mut RenderCache,
    since: Option<Since>,
    lean: Option<Lean<'s>>,
) -> Result<RenderedSite, Diagnostics> {
    let mut clock = crate::util::trace::Clock::new("render");
    let search_index_later = since.as_ref().is_some_and(|s| s.search_index_later);
    let mut tpl = cache.templates(site)?;
    let drawn = figures::draw_all(site, &tpl, cache)?;
    let charts = drawn.count();
    clock.mark("charts");
    let (md, terms, sink) = match lean {
        Some(Lean { sink, digests: d }) => {
            let (md, terms) = digests(site, d)?;
            (md, Some(terms), Some(sink))
        }
        None => (cache.markdown(site, &drawn.briefs)?, None, None),
    };
    let lean = sink.is_some();
    let related = cache.related(site);
    context::set_site_global(&mut tpl, site);
    clock.mark("markdown");
    let mut ctx = Ctx {
        site,
        md: &md,
        html_later: lean.then_some(&drawn.briefs[..]),
        dataset_figures: drawn.datasets,
        cards: Vec::new(),
        related,
        pdfs: Vec::new(),
    };
    ctx.cards = cache.cards(&ctx, &tpl)?;
    cache.remember(site, &drawn.briefs, &md, &ctx.cards);
    clock.mark("cards");
    let wanted = Wanted::new(since, &ctx.cards);
    context::set_globals(&mut tpl, &ctx, cache.data(&ctx));
    let mut out = Collected::new(site, &wanted, sink);
    let mut errors = Diagnostics::default();
    make_pdfs(&mut ctx, &drawn.brief_files, &mut out, cache, &mut errors);
    clock.mark("pdfs");
    let pages = pages::plan(site, &mut out, &mut errors);
    let (site_files, search_index_due) =
        site_files(site, &md, terms, &ctx.cards, &mut out, search_index_later);
    clock.mark("globals and page list");
    let (pages, made) = rayon::join(
        || render_pages(&ctx, &tpl, &pages, &mut out, &mut errors),
        || make_site_files(site_files),
    );
    clock.mark(format_args!("{pages} pages, feeds and sitemap"));
    errors.into_result()?;
    out.add_charts(site, drawn.brief_files, drawn.dataset_files);
    out.add_dataset_files(site, &mut errors);
    out.add_cite_files(site);
    out.add_revision_files(site);
    clock.mark("dataset and citation files");
    out.add_site_files(made);
    out.add_static_files(site, &mut errors);
    clock.mark("static files");
    cache.keep_templates(site, tpl);
    errors.into_result()?;
    out.finish()?;
    Ok(RenderedSite {
        files: out.files.into_values().collect(),
        deps: out.deps,
        pages,
        charts,
        all_paths: out.all_paths,
        cards: ctx.cards,
        search_index_due,
    })
}

/// Every brief's Markdown as a digest (all but its HTML, which its page makes:
/// [`Ctx::html_later`]) and its search terms: what a build holds of every
/// brief while it renders, a few kilobytes of each. The resolve made them
/// (`made`, one a brief, without their text but with the terms of their
/// bodies: [`crate::resolve::ResolveOptions::digests`]); the terms of each
/// brief's title, summary and topics are added here, in parallel.
fn digests(site: &Site, made: Vec<(Rendered, Terms)>) -> Result<Digests, Diagnostics> {
    use rayon::prelude::*;
    if made.len() != site.briefs.len() {
        let msg = format!(
            "internal error: the resolve made {} digests for {} briefs; please report it",
            made.len(),
            site.briefs.len()
        );
        return Err(Diagnostic::file(&site.root, msg).into());
    }
    Ok((made.into_par_iter().zip(&site.briefs))
        .map(|((d, body), b)| (Arc::new(d), Arc::new(search::brief_terms_with(b, body))))
        .unzip())
}

/// Each brief's Markdown without its HTML, and its search terms.
type Digests = (Vec<Arc<Rendered>>, Vec<Arc<Terms>>);

/// Render `pages` a batch at a time (each in parallel) into `out`, which hands
/// each batch to its sink, if it has one, before the next is rendered: a build
/// holds a batch of pages, not the site. Returns how many were rendered.
fn render_pages(
    ctx: &Ctx,
    tpl: &templates::Templates,
    pages: &[(String, pages::Job)],
    out: &mut Collected,
    errors: &mut Diagnostics,
) -> usize {
    let mut count = 0;
    for batch in pages.chunks(assemble::BATCH) {
        if out.failed() {
            break;
        }
        count += out.add_pages(pages::render_all(ctx, tpl, batch), errors);
    }
    count
}

/// Each brief's PDF, when the site makes them: listed, made where this render
/// wants the PDF or the page that shows its size, and the sizes handed to the
/// pages.
fn make_pdfs(
    ctx: &mut Ctx,
    svgs: &[Vec<OutputFile>],
    out: &mut Collected,
    cache: &mut RenderCache,
    errors: &mut Diagnostics,
) {
    if !ctx.site.config.pdf.enabled {
        return;
    }
    let need: Vec<pdf::Need> = (0..ctx.site.briefs.len())
        .map(|i| {
            let paths = out.brief_paths(i);
            if paths.pdf.as_ref().is_some_and(|p| out.wants_brief(i, p)) {
                pdf::Need::File
            } else if out.wants_brief(i, &paths.page) {
                pdf::Need::Size
            } else {
                pdf::Need::Nothing
            }
        })
        .collect();
    let (made, failed) = pdf::make_all(ctx, svgs, &need, cache.pdfs());
    errors.extend(failed);
    ctx.pdfs = (made.iter())
        .map(|p| p.as_ref().map(|p| (ctx.url(&p.path), p.size)))
        .collect();
    out.add_pdfs(made);
}

/// The files made from the whole site that this render makes: feeds, sitemap,
/// robots.txt and the search index, unless it is left for later (then whether it
/// was due is returned). Every one's path is listed in `out`.
fn site_files<'a>(
    site: &'a Site,
    md: &'a [Arc<crate::markdown::html::Rendered>],
    terms: Option<Vec<Arc<Terms>>>,
    cards: &'a [Arc<Card>],
    out: &mut Collected,
    search_index_later: bool,
) -> (Vec<SiteFile<'a>>, bool) {
    let mut chosen = Vec::new();
    let mut due = false;
    for (path, deps, make) in publish::files(site, cards)
        .into_iter()
        .chain([search::file(site, md, terms)])
    {
        out.all_paths.insert(path.clone());
        if !out.wants(&path) {
            continue;
        }
        if search_index_later && path == search::SEARCH_INDEX {
            due = true;
            continue;
        }
        chosen.push((path, deps, make));
    }
    (chosen, due)
}

/// Make the chosen files made from the whole site, in parallel.
fn make_site_files(files: Vec<SiteFile>) -> Vec<(String, BTreeSet<Dep>, String)> {
    use rayon::prelude::*;
    files
        .into_par_iter()
        .map(|(path, deps, make)| (path, deps, make()))
        .collect()
}
