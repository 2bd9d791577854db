//! tumen: Markdown briefs and YAML datasets into a static briefing site.
//!
//! The build is a pipeline, one module per stage, data flowing one way:
//!
//! 1. [`load`]: read `site.yaml`, briefs, datasets and the theme; check each file.
//! 2. [`resolve`]: check across files (links, source keys, dataset lookups) and
//!    build the [`model::Site`] model.
//! 3. [`render`]: Markdown and templates to pages, in parallel, recording what each
//!    page used.
//! 4. [`write`]: swap the new output in atomically.
//!
//! [`build`] runs them in order; [`check`] runs the first three and checks every
//! link of the result instead of writing it; [`util`] holds the leaf modules they
//! share ([`util::diag`], the error type, among them).
//! [`serve`] is the live preview: it runs the same stages, re-rendering only what an
//! edit touched, and serves the result.

pub mod build;
pub mod check;
pub mod deps;
pub mod load;
pub mod markdown;
pub mod model;
pub mod new;
pub mod output;
pub mod render;
pub mod resolve;
pub mod serve;
pub mod util;
pub mod write;
