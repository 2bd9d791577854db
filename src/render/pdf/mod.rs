//! Each brief as a PDF, typeset like a policy paper: `briefs/<slug>/<slug>.pdf`,
//! made when `pdf:` is on in site.yaml or `--pdf` is given.
//!
//! The engine is Typst, used as a library (docs/pdf-engine.md has the evidence
//! against printing the page with a browser): it puts each note at the foot of
//! the page where it is cited, draws running heads and page numbers, embeds the
//! fonts tumen carries, writes a tagged PDF with its outline and metadata, and
//! gives the same bytes for the same sources. Each brief becomes one Typst
//! source, [`source`]: a `brief` dictionary of what the title block, the
//! figures and the back matter say; the template `brief.typ`; the body from
//! `markdown::typst`; then the back matter. [`world`] is what Typst reads.
//!
//! Briefs are typeset in parallel. The live preview keeps, for each PDF, a hash
//! of what it was made from and its size ([`PdfCache`]): a page that shows the
//! size is rendered again without typesetting a PDF that did not change.

mod source;
mod world;

use std::collections::{BTreeSet, HashMap};

use rayon::prelude::*;
use typst::diag::SourceDiagnostic;
use typst::foundations::{Datetime, Smart};
use typst_layout::PagedDocument;
use typst_pdf::{PdfStandard, PdfStandards};

use super::context::Ctx;
use crate::deps::Dep;
use crate::model::Brief;
use crate::output::{Content, OutputFile};
use crate::util::diag::{Diagnostic, Diagnostics};
use crate::util::hash::fnv;

/// Where a brief's PDF is written: beside its page, named by its slug, so that a
/// downloaded file says what it is.
pub(super) fn path(b: &Brief) -> String {
    format!("{}{}.pdf", b.path, b.slug)
}

/// What a render needs of one brief's PDF.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Need {
    /// Nothing: neither the PDF nor the page that shows its size is made.
    Nothing,
    /// Its size, for its page; the file only if it changed.
    Size,
    /// The file.
    File,
}

/// One brief's PDF: its size, and its bytes unless it is as the last render made
/// it (then the preview keeps the file it has).
pub(super) struct Pdf {
    pub(super) path: String,
    pub(super) size: usize,
    pub(super) bytes: Option<Vec<u8>>,
    pub(super) deps: BTreeSet<Dep>,
    /// What it was made from: its source and its charts.
    hash: u64,
}

/// For each PDF path: the hash of what it was made from, and its size.
#[derive(Debug, Default)]
pub struct PdfCache(HashMap<String, (u64, usize)>);

/// The PDFs the render needs (`need`, by brief), made in parallel; `svgs` are
/// each brief's charts. The cache is brought up to date.
pub(super) fn make_all(
    ctx: &Ctx,
    svgs: &[Vec<OutputFile>],
    need: &[Need],
    cache: &mut PdfCache,
) -> (Vec<Option<Pdf>>, Diagnostics) {
    let known = &cache.0;
    let made: Vec<Result<Option<Pdf>, Diagnostic>> = (0..ctx.site.briefs.len())
        .into_par_iter()
        .map(|i| match need[i] {
            Need::Nothing => Ok(None),
            n => make(ctx, i, &svgs[i], n, known).map(Some),
        })
        .collect();
    // Typst memoises layouts for the next compile; keep only recent ones, so that
    // a long preview session does not grow.
    typst::comemo::evict(3);
    let mut errors = Diagnostics::default();
    let mut pdfs = Vec::with_capacity(made.len());
    for m in made {
        let pdf = m.unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        if let Some(p) = &pdf {
            cache.0.insert(p.path.clone(), (p.hash, p.size));
        }
        pdfs.push(pdf);
    }
    (pdfs, errors)
}

/// Brief `i`'s PDF: typeset now, or only its size when it is known and only the
/// size is needed, or its page is made again while the file stays.
fn make(
    ctx: &Ctx,
    i: usize,
    svgs: &[OutputFile],
    need: Need,
    known: &HashMap<String, (u64, usize)>,
) -> Result<Pdf, Diagnostic> {
    let b = &ctx.site.briefs[i];
    let path = path(b);
    let src = source::source(ctx, i)?;
    let mut files: Vec<(String, Vec<u8>)> = svgs
        .iter()
        .enumerate()
        .map(|(k, f)| (format!("/figure-{}.svg", k + 1), chart_svg(&f.content)))
        .collect();
    files.extend(src.files);
    let mut hash = fnv(src.text.as_bytes());
    for (k, (_, bytes)) in files.iter().enumerate() {
        hash ^= fnv(bytes).rotate_left(k as u32 + 1);
    }
    let mut deps = deps(ctx, i);
    deps.extend(src.statics.into_iter().map(Dep::Static));
    let src = src.text;
    match known.get(&path) {
        Some(&(h, size)) if h == hash && need == Need::Size => Ok(Pdf {
            path,
            size,
            bytes: None,
            deps,
            hash,
        }),
        _ => {
            let bytes = typeset(b, src, files)?;
            Ok(Pdf {
                path,
                size: bytes.len(),
                bytes: Some(bytes),
                deps,
                hash,
            })
        }
    }
}

/// What a brief's PDF is made from: the brief, the datasets it reads, the
/// sources it lists, the settings (the site's name, address, paper).
fn deps(ctx: &Ctx, i: usize) -> BTreeSet<Dep> {
    let b = &ctx.site.briefs[i];
    let mut deps = BTreeSet::from([Dep::Config, Dep::Brief(b.src.file.as_path().into())]);
    deps.extend(b.datasets.iter().map(|d| Dep::Dataset(d.clone())));
    if !b.src.front.sources.is_empty() || !b.charts.is_empty() {
        deps.insert(Dep::Dataset("sources".into()));
    }
    deps
}

/// A chart's SVG as the PDF draws it: in the fonts the PDF carries (Typst does
/// not resolve the site's font stack) and on white paper.
fn chart_svg(content: &Content) -> Vec<u8> {
    let Content::Bytes(svg) = content else {
        return Vec::new();
    };
    let svg = String::from_utf8_lossy(svg);
    let svg = super::charts::for_print(&svg, "DejaVu Sans, NanumMyeongjo");
    svg.into_bytes()
}

/// Typeset a brief's source into PDF bytes.
fn typeset(b: &Brief, src: String, files: Vec<(String, Vec<u8>)>) -> Result<Vec<u8>, Diagnostic> {
    let today = datetime(b.src.date.year, b.src.date.month, b.src.date.day);
    let world = world::BriefWorld::new(src, files, today)
        .map_err(|e| failed(b, &format!("cannot set up the typesetter: {e}")))?;
    let doc = typst::compile::<PagedDocument>(&world)
        .output
        .map_err(|e| failed(b, &messages(&e, &world)))?;
    let export = |standards| {
        typst_pdf::pdf(
            &doc,
            &typst_pdf::PdfOptions {
                ident: Smart::Custom(b.path.clone()),
                creator: Smart::Custom(Some("tumen".into())),
                standards,
                ..Default::default()
            },
        )
    };
    // PDF/UA-1 where the brief meets it (Typst checks: alt text, heading order,
    // language…), else a tagged PDF without the claim: what stops it (a skipped
    // heading level, an image without alt text) is already a warning of the build.
    let ua = PdfStandards::new(&[PdfStandard::Ua_1]).ok();
    match ua.map(export) {
        Some(Ok(bytes)) => Ok(bytes),
        _ => export(PdfStandards::default()).map_err(|e| failed(b, &messages(&e, &world))),
    }
}

/// Typst's messages, each with the line of the generated source it is about.
fn messages(diags: &[SourceDiagnostic], world: &world::BriefWorld) -> String {
    use typst::WorldExt;
    let lines: Vec<String> = diags
        .iter()
        .map(|d| {
            let at = world
                .range(d.span)
                .and_then(|r| world.source().lines().byte_to_line(r.start))
                .map_or(String::new(), |l| {
                    format!(" (line {} of the generated source)", l + 1)
                });
            format!("{}{at}", d.message)
        })
        .collect();
    lines.join("; ")
}

/// A failed PDF is tumen's fault, not the brief's (the source is generated and
/// every piece of the brief in it is escaped), unless an image of the brief could
/// not be read.
fn failed(b: &Brief, msg: &str) -> Diagnostic {
    if msg.contains("image") {
        return Diagnostic::file(&b.src.file, format!("cannot make this brief's PDF: {msg}"))
            .with_help("an image of this brief could not be drawn: check the file, or save it as PNG, JPEG, GIF, SVG or WebP");
    }
    Diagnostic::file(
        &b.src.file,
        format!("internal error: cannot make this brief's PDF: {msg}"),
    )
    .with_help("please report it, with the brief; build without --pdf (or `pdf: false`) meanwhile")
}

/// A brief's date as Typst's "today" (dates are checked when briefs are read).
fn datetime(year: i32, month: u8, day: u8) -> Option<Datetime> {
    Datetime::from_ymd(year, month.max(1), day.max(1))
}
