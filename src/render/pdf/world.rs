//! What Typst reads while it typesets one brief: its `World`. Everything comes
//! from memory: the generated source, the brief's chart SVGs, the fonts built
//! into the binary (`assets/fonts/`, and typst-assets' Libertinus Serif and
//! DejaVu Sans Mono). Nothing is read from the machine or the network, and
//! "today" is the brief's own date, so a PDF depends only on the site's sources.
//!
//! The fonts and the standard library are made once per process and shared by
//! every brief's world; a world is cheap, one per brief, and briefs are typeset
//! in parallel. File ids are interned by Typst for the whole process and never
//! freed, so every brief uses the same few paths (`/brief.typ`,
//! `/figure-N.svg`): a site of any size interns a bounded number of them.

use std::collections::HashMap;
use std::sync::LazyLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// Fonts beyond typst-assets': a sans for headings and charts, and Korean.
const FONTS: [&[u8]; 3] = [
    include_bytes!("../../../assets/fonts/DejaVuSans.ttf"),
    include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf"),
    include_bytes!("../../../assets/fonts/NanumMyeongjo.ttf"),
];

/// The fonts every PDF may use, parsed once.
struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static FONT_SET: LazyLock<Fonts> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts()
        .chain(FONTS)
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    Fonts {
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// The id of a file of a brief's world.
pub(super) fn file_id(path: &str) -> FileResult<FileId> {
    let vpath = VirtualPath::new(path).map_err(|_| FileError::AccessDenied)?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// One brief, as Typst reads it.
pub(super) struct BriefWorld {
    main: Source,
    files: HashMap<FileId, Bytes>,
    today: Option<Datetime>,
}

impl BriefWorld {
    /// A world of the source `main`, with `files` (path → bytes) beside it.
    pub(super) fn new(
        main: String,
        files: Vec<(String, Vec<u8>)>,
        today: Option<Datetime>,
    ) -> FileResult<Self> {
        let mut map = HashMap::with_capacity(files.len());
        for (path, bytes) in files {
            map.insert(file_id(&path)?, Bytes::new(bytes));
        }
        Ok(BriefWorld {
            main: Source::new(file_id("/brief.typ")?, main),
            files: map,
            today,
        })
    }

    /// The generated source, for placing a message in it.
    pub(super) fn source(&self) -> &Source {
        &self.main
    }
}

impl World for BriefWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONT_SET.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files.get(&id).cloned().ok_or(FileError::AccessDenied)
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONT_SET.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        self.today
    }
}
