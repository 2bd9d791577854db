//! The files of a built site, in memory: what `render` makes, `write` puts on
//! disk, `check` reads and the live preview serves before they are written.
//! A build hands them from one to the other a batch at a time ([`FileSink`]), so
//! that it never holds every page at once.

use crate::load::StaticFile;

/// What a file of the output holds.
#[derive(Debug, Clone)]
pub enum Content {
    Bytes(Vec<u8>),
    Copy(StaticFile),
}

#[derive(Debug, Clone)]
pub struct OutputFile {
    /// Relative to the output folder, with `/` separators.
    pub path: String,
    pub content: Content,
}

/// Where a streamed render hands its files, a batch at a time, as it makes them
/// (`tumen build`: the write stage's writer). An error stops the render.
pub type FileSink<'a> =
    dyn FnMut(Vec<OutputFile>) -> Result<(), crate::util::diag::Diagnostic> + Send + 'a;
