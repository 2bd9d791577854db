//! Shared leaf modules: what every stage may use and nothing of a stage uses in
//! turn. Each is small and has no knowledge of sites, briefs or pages, so any
//! stage can import it without pulling the pipeline's order out of shape.
//!
//! | module | owns |
//! |---|---|
//! | [`diag`] | `Diagnostic`, `Diagnostics`, `Warnings`: every message to the user |
//! | [`paths`] | showing, normalising and decoding paths (one copy of each helper) |
//! | [`date`] | calendar dates as briefs and datasets write them |
//! | [`slug`] | URL segments made from titles and file names |
//! | [`escape`] | HTML and XML escaping |
//! | [`format`](mod@format) | number formats (`US$,.0f m`) |
//! | [`hash`] | FNV-1a, for stable cache keys |
//! | [`panic`](mod@panic) | a panic reported as an internal error naming the file at hand |
//! | [`terms`] | the search terms of a text, scored |
//! | [`trace`] | `TUMEN_TRACE` stage timings |

pub mod date;
pub mod diag;
pub mod escape;
pub mod format;
pub mod hash;
pub mod panic;
pub mod paths;
pub mod slug;
pub mod terms;
pub mod trace;
