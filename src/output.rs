//! The files of a built site, in memory: what `render` makes, `write` puts on
//! disk, `check` reads and the live preview serves before they are written.

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
