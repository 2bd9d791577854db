//! Issue 16 prototype: one brief of the default site typeset to PDF with Typst
//! used as a library. Everything the compiler reads comes from memory (the
//! generated source, the chart SVGs, the fonts), so nothing is looked up or
//! downloaded at run time, and the date is the brief's.
//!
//! Usage: typst-pdf-prototype BRIEF.md SVG_DIR OUT.pdf [RUNS] [--letter] [--page-dedup] [--ua] [--dump]

mod convert;

use std::collections::HashMap;
use std::time::Instant;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;

/// Fonts beyond typst-assets' (Libertinus Serif, New Computer Modern, DejaVu
/// Sans Mono): a sans for the charts' text and a Korean face. tumen would
/// embed a fixed set in its binary; the prototype reads Debian's.
const EXTRA_FONTS: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/nanum/NanumMyeongjo.ttf",
    "/usr/share/fonts/truetype/nanum/NanumMyeongjoBold.ttf",
    "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
];

/// The template: page, running head, title block, how notes and charts look.
const TEMPLATE: &str = include_str!("brief.typ");

struct BriefWorld {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: Source,
    files: HashMap<FileId, Bytes>,
    date: Datetime,
}

fn file_id(path: &str) -> FileId {
    RootedPath::new(VirtualRoot::Project, VirtualPath::new(path).unwrap()).intern()
}

impl World for BriefWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }
    fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }
    fn main(&self) -> FileId {
        self.main.id()
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files
            .get(&id)
            .cloned()
            .ok_or_else(|| FileError::NotFound(id.vpath().get_without_slash().into()))
    }
    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get(index).cloned()
    }
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.date)
    }
}

fn load_fonts() -> Vec<Font> {
    let mut fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    for path in EXTRA_FONTS {
        let data = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        fonts.extend(Font::iter(Bytes::new(data)));
    }
    fonts
}

/// The Typst source of one brief: settings from its front matter, the
/// template, then the body converted from Markdown.
fn typst_source(md: &str, letter: bool, dedup: bool) -> (String, Datetime) {
    let (front, body) = convert::front_matter(md);
    let (y, m, d) = front.date;
    let list = |v: &[String]| {
        v.iter()
            .map(|s| convert::string(s) + ",")
            .collect::<String>()
    };
    let mut src = format!(
        "#let brief = (title: {}, summary: {}, authors: ({}), topics: ({}), date: datetime(year: {y}, month: {m}, day: {d}), paper: {}, page-dedup: {})\n",
        convert::string(&front.title),
        convert::string(&front.summary),
        list(&front.authors),
        list(&front.topics),
        convert::string(if letter { "us-letter" } else { "a4" }),
        dedup,
    );
    src.push_str(TEMPLATE);
    src.push_str(&convert::body(body, "https://briefings.example.org/"));
    let date = Datetime::from_ymd(y, m, d).unwrap();
    (src, date)
}

fn report(what: &str, diags: &[SourceDiagnostic], world: &BriefWorld) {
    for d in diags {
        let line = world
            .main
            .lines()
            .byte_to_line(world.range(d.span).map(|r| r.start).unwrap_or(0));
        eprintln!(
            "{what}: {:?} at line {:?}: {} {:?}",
            d.severity,
            line.map(|l| l + 1),
            d.message,
            d.hints
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (md_path, svg_dir, out) = (&args[1], &args[2], &args[3]);
    let runs: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(1);
    let letter = args.iter().any(|a| a == "--letter");

    let t0 = Instant::now();
    let fonts = load_fonts();
    let book = FontBook::from_fonts(&fonts);
    let t_fonts = t0.elapsed();

    let md = std::fs::read_to_string(md_path).unwrap();
    let (src, date) = typst_source(&md, letter, args.iter().any(|a| a == "--page-dedup"));
    if args.iter().any(|a| a == "--dump") {
        std::fs::write(format!("{out}.typ"), &src).unwrap();
    }
    let mut files = HashMap::new();
    for n in 1..=9 {
        let p = format!("{svg_dir}/figure-{n}.svg");
        if let Ok(data) = std::fs::read(&p) {
            files.insert(file_id(&format!("/figure-{n}.svg")), Bytes::new(data));
        }
    }
    let world = BriefWorld {
        library: LazyHash::new(Library::default()),
        book: LazyHash::new(book),
        fonts,
        main: Source::new(file_id("/brief.typ"), src),
        files,
        date,
    };

    let mut pdf = Vec::new();
    for run in 0..runs {
        let t = Instant::now();
        // Each run after the first is what a rebuild costs with comemo's cache warm;
        // evicting it makes every run a cold compile (as a first `tumen build` is).
        typst::comemo::evict(0);
        let result = typst::compile::<PagedDocument>(&world);
        report("warning", &result.warnings, &world);
        let doc = match result.output {
            Ok(doc) => doc,
            Err(errors) => {
                report("error", &errors, &world);
                std::process::exit(1);
            }
        };
        let t_layout = t.elapsed();
        let options = typst_pdf::PdfOptions {
            ident: Smart::Custom("briefs/trade-turnover-1988-2022".into()),
            creator: Smart::Custom(Some("tumen".into())),
            // PDF/UA-1: typst-pdf checks the document (alt text, language, heading order…).
            standards: if args.iter().any(|a| a == "--ua") {
                typst_pdf::PdfStandards::new(&[typst_pdf::PdfStandard::Ua_1]).unwrap()
            } else {
                Default::default()
            },
            ..Default::default()
        };
        pdf = typst_pdf::pdf(&doc, &options).unwrap_or_else(|e| {
            report("error", &e, &world);
            std::process::exit(1)
        });
        eprintln!(
            "run {run}: {} pages, compile {:.0} ms, pdf {:.0} ms, {} bytes",
            doc.pages().len(),
            t_layout.as_secs_f64() * 1e3,
            (t.elapsed() - t_layout).as_secs_f64() * 1e3,
            pdf.len()
        );
    }
    std::fs::write(out, &pdf).unwrap();
    eprintln!(
        "fonts loaded in {:.0} ms; total {:.0} ms",
        t_fonts.as_secs_f64() * 1e3,
        t0.elapsed().as_secs_f64() * 1e3
    );
}
