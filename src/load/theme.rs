//! Themes: Tera templates and static assets.
//!
//! The default theme is compiled into the binary, so `tumen` works from any folder;
//! a `themes/default/` folder on disk overrides it file by file, and a site's own
//! theme (`theme:` in site.yaml) overrides both, again file by file, so a site can
//! replace one template and keep the rest.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::classify::{Kind, list_files};
use crate::util::diag::{Diagnostic, Diagnostics};
use crate::util::paths::display_path;

/// A file to copy into the output as it is.
#[derive(Debug, Clone)]
pub enum StaticFile {
    Disk(PathBuf),
    Embedded(&'static [u8]),
}

/// A template's text and where it came from (for error messages).
#[derive(Debug, Clone)]
pub struct TemplateSource {
    pub text: String,
    /// The file it was read from, or `(built-in)/name` for the embedded theme.
    pub origin: String,
}

#[derive(Debug, Clone, Default)]
pub struct Theme {
    /// Template name (`brief.html`) → source.
    pub templates: BTreeMap<String, TemplateSource>,
    /// Path in the output → file.
    pub static_files: BTreeMap<String, StaticFile>,
}

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../themes/default/templates/", $name)))),*]
    };
}

/// The default theme, as built into the binary.
const EMBEDDED_TEMPLATES: &[(&str, &str)] = embedded!(
    "base.html",
    "index.html",
    "brief.html",
    "brief-card.html",
    "briefs.html",
    "topics.html",
    "topic.html",
    "datasets.html",
    "dataset.html",
    "sources.html",
    "404.html",
    "alias.html",
    "brief-list.html",
    "figure.html",
    "search.html",
    "cite.html",
    "changes.html",
    "pager.html",
    "source.html",
    "dataset-briefs.html",
);

const EMBEDDED_STATIC: &[(&str, &[u8])] = &[
    (
        "style.css",
        include_bytes!("../../themes/default/static/style.css"),
    ),
    (
        "favicon.svg",
        include_bytes!("../../themes/default/static/favicon.svg"),
    ),
    (
        "search.js",
        include_bytes!("../../themes/default/static/search.js"),
    ),
];

impl Theme {
    /// The theme named `name` for the site in `root`, layered over the default.
    pub fn load(root: &Path, name: &str) -> Result<Theme, Diagnostics> {
        let mut theme = Theme::default();
        for (n, text) in EMBEDDED_TEMPLATES {
            theme.templates.insert(
                n.to_string(),
                TemplateSource {
                    text: text.to_string(),
                    origin: format!("(built-in theme)/{n}"),
                },
            );
        }
        for (n, bytes) in EMBEDDED_STATIC {
            theme
                .static_files
                .insert(n.to_string(), StaticFile::Embedded(bytes));
        }
        let candidates = |theme: &str| {
            [
                root.join("themes").join(theme),
                root.join("..").join("themes").join(theme),
            ]
        };
        if let Some(dir) = candidates("default").into_iter().find(|d| d.is_dir()) {
            theme.overlay(root, &dir)?;
        }
        if name != "default" {
            match candidates(name).into_iter().find(|d| d.is_dir()) {
                Some(dir) => theme.overlay(root, &dir)?,
                None => {
                    return Err(Diagnostic::file(
                        &display_path(&root.join("site.yaml")),
                        format!("theme `{name}` not found"),
                    )
                    .with_help(format!(
                        "create {} with your templates, or set `theme: default`",
                        display_path(&root.join("..").join("themes").join(name)).display()
                    ))
                    .into());
                }
            }
        }
        Ok(theme)
    }

    fn overlay(&mut self, root: &Path, dir: &Path) -> Result<(), Diagnostics> {
        let io = |e: std::io::Error| {
            Diagnostics::from(Diagnostic::file(
                &display_path(dir),
                format!("cannot read this theme: {e}"),
            ))
        };
        let tdir = dir.join("templates");
        for f in list_files(root, &tdir, Kind::Template)? {
            let rel = f
                .strip_prefix(&tdir)
                .unwrap_or(&f)
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&f).map_err(io)?;
            self.templates.insert(
                rel,
                TemplateSource {
                    text,
                    origin: display_path(&f).display().to_string(),
                },
            );
        }
        let sdir = dir.join("static");
        for f in list_files(root, &sdir, Kind::ThemeStatic)? {
            let rel = f
                .strip_prefix(&sdir)
                .unwrap_or(&f)
                .to_string_lossy()
                .replace('\\', "/");
            self.static_files.insert(rel, StaticFile::Disk(f));
        }
        Ok(())
    }
}
