//! tumen: Markdown briefs and YAML datasets into a static briefing site.
//!
//! The build is a pipeline, one module per stage, data flowing one way; a module
//! imports only from the stages before it and from the shared modules below
//! (ARCHITECTURE.md walks through it, and `tests/architecture.rs` holds it so):
//!
//! 1. [`load`]: read `site.yaml`, briefs, datasets and the theme; check each file.
//! 2. [`resolve`]: check across files (links, source keys, dataset lookups) and
//!    build the [`model::Site`].
//! 3. [`render`]: Markdown and templates to pages, in parallel, recording what each
//!    page used ([`deps`]).
//! 4. [`write`](mod@write): swap the new output in atomically.
//!
//! [`build`] runs them in order; [`check`] runs the first three and checks every
//! link of the result instead of writing it. [`serve`] is the live preview: it runs
//! the same stages, re-rendering only what an edit touched, and serves the result.
//! [`new`] writes a new brief; [`init`] a new site, from the starter built into
//! the binary.
//!
//! Shared by the stages, and importing none of them: [`util`] (diagnostics, paths,
//! number formats, hashing, dates, slugs, escaping), [`markdown`] (the one dialect
//! of briefs), [`model`] (the resolved site), [`output`] (the files made) and
//! [`deps`] (what each file was made from: the incremental contract).

// No panic on data from files: errors instead (issue 14). The few `expect`s left
// state an invariant of tumen's own code, each with `#[allow]` and why.
#![deny(clippy::unwrap_used, clippy::expect_used)]

// Shared modules.
pub mod deps;
pub mod markdown;
pub mod model;
pub mod output;
pub mod util;

// The stages: load → resolve → render → write.
pub mod load;
pub mod render;
pub mod resolve;
pub mod write;

// The commands.
pub mod build;
pub mod check;
pub mod init;
pub mod new;
pub mod serve;
