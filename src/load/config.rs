//! `site.yaml`: the site's settings.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::yaml::{Seg, YamlDoc};
use crate::util::diag::{Diagnostic, Diagnostics};

/// The site's settings, as written in `site.yaml`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct SiteConfig {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Where the site will be published: `https://example.org/briefings/`, or a path
    /// (`/briefings/`) when the host is not known yet.
    #[serde(default = "default_base_url")]
    pub base_url: String,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default = "default_theme")]
    pub theme: String,
    #[serde(default)]
    pub authors: Vec<String>,
    #[serde(default)]
    pub menu: Vec<MenuItem>,
    /// Large figures on the home page, each read from a dataset cell.
    #[serde(default)]
    pub key_figures: Vec<KeyFigure>,
    /// Series colours of every chart, in order.
    #[serde(default)]
    pub palette: Vec<String>,
    /// How many briefs the home page lists.
    #[serde(default = "default_latest")]
    pub latest: usize,
    /// How many items a page of a long list shows (all briefs, a topic, a
    /// dataset's or a source's briefs, the sources); 0 puts each list on one page.
    #[serde(default = "default_paginate")]
    pub paginate: usize,
    /// How many of the newest briefs each Atom feed holds; 0 for all of them.
    #[serde(default = "default_feed_limit")]
    pub feed_limit: usize,
    /// Which commits count as the briefs' revisions (all of them unless set).
    #[serde(default)]
    pub history: HistoryConfig,
    /// How briefs' Markdown is rendered.
    #[serde(default)]
    pub markdown: MarkdownConfig,
    /// The licence of the site's data, as the Data Package states it
    /// (`data/datapackage.json`) and each spreadsheet's `about` sheet.
    #[serde(default)]
    pub license: Option<License>,
    /// A PDF of every brief (`pdf: true`, or `pdf: {paper: letter}`); `tumen build
    /// --pdf` turns it on for one build.
    #[serde(default)]
    pub pdf: PdfConfig,
    /// Anything else the templates want, handed to them as `site.extra`.
    #[serde(default)]
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// The text of `site.yaml` as read: what tells whether the settings changed
    /// (the live preview rebuilds everything when it does). Not a setting.
    #[serde(skip)]
    pub text: String,
}

/// `markdown:` in site.yaml.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MarkdownConfig {
    /// Raw HTML in briefs is kept, as Zola and Hugo keep it; `false` strips it,
    /// with links and images to `javascript:`, `vbscript:` and `data:` URLs, for
    /// sites whose briefs come from hands their editors do not trust.
    #[serde(default = "yes")]
    pub unsafe_html: bool,
}

impl Default for MarkdownConfig {
    fn default() -> Self {
        MarkdownConfig { unsafe_html: true }
    }
}

fn yes() -> bool {
    true
}

/// `history:` in site.yaml: which commits are the site's revisions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryConfig {
    /// A git trailer (`Revision` for `Revision: Figures for 2022 added`): when set,
    /// only commits carrying it are revisions, and its text is what the page shows
    /// of them instead of the commit's subject.
    #[serde(default)]
    pub trailer: Option<String>,
}

/// `pdf:` in site.yaml: whether each brief gets a PDF, and on what paper.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(from = "PdfForm")]
pub struct PdfConfig {
    pub enabled: bool,
    pub paper: Paper,
}

/// The paper sizes of the PDFs: A4 unless site.yaml says `letter`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Paper {
    #[default]
    A4,
    Letter,
}

/// The two ways site.yaml may write `pdf:`.
#[derive(Deserialize)]
#[serde(untagged)]
enum PdfForm {
    On(bool),
    Full {
        #[serde(default = "yes")]
        enabled: bool,
        #[serde(default)]
        paper: Paper,
    },
}

impl From<PdfForm> for PdfConfig {
    fn from(f: PdfForm) -> PdfConfig {
        match f {
            PdfForm::On(enabled) => PdfConfig {
                enabled,
                paper: Paper::A4,
            },
            PdfForm::Full { enabled, paper } => PdfConfig { enabled, paper },
        }
    }
}

/// `license:` in site.yaml, as a Data Package names a licence: an SPDX-style
/// `name` (`CC-BY-4.0`), the `path` (URL) of its text and a `title`. A plain
/// string is the name.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(from = "LicenseForm")]
pub struct License {
    pub name: Option<String>,
    pub path: Option<String>,
    pub title: Option<String>,
}

/// The two ways site.yaml may write a licence.
#[derive(Deserialize)]
#[serde(untagged)]
enum LicenseForm {
    Name(String),
    Full {
        name: Option<String>,
        path: Option<String>,
        title: Option<String>,
    },
}

impl From<LicenseForm> for License {
    fn from(f: LicenseForm) -> License {
        match f {
            LicenseForm::Name(name) => License {
                name: Some(name),
                path: None,
                title: None,
            },
            LicenseForm::Full { name, path, title } => License { name, path, title },
        }
    }
}

impl License {
    /// How a reader sees it: `Creative Commons Attribution 4.0 (CC-BY-4.0)`.
    pub fn text(&self) -> String {
        match (&self.title, &self.name) {
            (Some(t), Some(n)) if t != n => format!("{t} ({n})"),
            (Some(t), _) => t.clone(),
            (None, Some(n)) => n.clone(),
            (None, None) => self.path.clone().unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MenuItem {
    pub name: String,
    /// A site path (`/topics/`), resolved against the base URL, or an absolute URL.
    pub url: String,
}

/// One key figure: the cell of `data` picked by `where` and `column`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFigure {
    pub label: String,
    pub data: String,
    #[serde(rename = "where")]
    pub filter: String,
    pub column: String,
    #[serde(default)]
    pub format: Option<String>,
}

const KNOWN_KEYS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "language",
    "theme",
    "authors",
    "menu",
    "key_figures",
    "latest",
    "paginate",
    "feed_limit",
    "palette",
    "history",
    "markdown",
    "license",
    "pdf",
    "extra",
];

fn default_base_url() -> String {
    "/".into()
}
fn default_language() -> String {
    "en".into()
}
fn default_theme() -> String {
    "default".into()
}
fn default_latest() -> usize {
    10
}
fn default_paginate() -> usize {
    50
}
/// A feed reader fetches the whole feed on every poll: a feed of every brief of
/// a large site (6 MB at 10,000) costs readers and the build alike.
fn default_feed_limit() -> usize {
    100
}

impl SiteConfig {
    /// Read and check `site.yaml`; every problem found is reported, not just the first.
    pub fn load(file: &Path, text: &str) -> Result<SiteConfig, Diagnostics> {
        let doc = YamlDoc::whole(file, text);
        let raw: yaml_serde::Value = doc.parse()?;
        if !raw.is_mapping() {
            return Err(
                Diagnostic::file(file, "site.yaml must be a mapping of settings")
                    .with_help("start with `title: My briefings`")
                    .into(),
            );
        }
        let mut errors = Diagnostics::default();
        doc.check_keys(&raw, &[], KNOWN_KEYS, "site.yaml", &mut errors);
        if let Some(menu) = raw.get("menu").and_then(|m| m.as_sequence()) {
            for (i, item) in menu.iter().enumerate() {
                let path = [Seg::Key("menu".into()), Seg::Index(i)];
                doc.check_keys(item, &path, &["name", "url"], "a menu item", &mut errors);
            }
        }
        if let Some(md) = raw.get("markdown").filter(|m| m.is_mapping()) {
            let path = [Seg::Key("markdown".into())];
            doc.check_keys(md, &path, &["unsafe_html"], "markdown", &mut errors);
        }
        check_license(&doc, &raw, &mut errors);
        check_pdf(&doc, &raw, &mut errors);
        if let Some(history) = raw.get("history") {
            let path = [Seg::Key("history".into())];
            if history.is_mapping() {
                doc.check_keys(history, &path, &["trailer"], "history", &mut errors);
            } else if !history.is_null() {
                errors.push(
                    doc.error_at(&path, "`history` must be a mapping of settings")
                        .with_help("write it as `history: {trailer: Revision}`"),
                );
            }
        }
        errors.into_result()?;
        let mut config: SiteConfig = doc.parse()?;
        if let Err(msg) = validate_base_url(&config.base_url) {
            return Err(doc
                .error_at(&[Seg::Key("base_url".into())], msg)
                .with_help("write it as https://example.org/ or as a path such as /briefings/")
                .into());
        }
        for (i, c) in config.palette.iter().enumerate() {
            let hex = c.strip_prefix('#').unwrap_or("");
            if !(matches!(hex.len(), 3 | 6) && hex.chars().all(|ch| ch.is_ascii_hexdigit())) {
                errors.push(
                    doc.error_at(
                        &[Seg::Key("palette".into()), Seg::Index(i)],
                        format!("`{c}` is not a colour"),
                    )
                    .with_help("write colours as #rgb or #rrggbb, e.g. \"#2f6db5\""),
                );
            }
        }
        if let Some(t) = &config.history.trailer
            && let Err(msg) = validate_trailer(t)
        {
            errors.push(
                doc.error_at(
                    &[Seg::Key("history".into()), Seg::Key("trailer".into())],
                    msg,
                )
                .with_help("name the trailer as git writes it before the colon, e.g. `Revision`"),
            );
        }
        errors.into_result()?;
        if !config.base_url.ends_with('/') {
            config.base_url.push('/');
        }
        config.text = text.to_string();
        Ok(config)
    }

    /// The path part of the base URL, with a slash at both ends: `/briefings/`.
    /// Internal links start with it, so the site works under a subpath.
    pub fn base_path(&self) -> String {
        base_path(&self.base_url)
    }

    /// True when the base URL names a host, so absolute URLs can be made.
    pub fn has_host(&self) -> bool {
        self.base_url.contains("://")
    }
}

/// The path part of a base URL, with a slash at both ends: `/briefings/`.
pub fn base_path(base_url: &str) -> String {
    let rest = match base_url.split_once("://") {
        Some((_, after)) => after.find('/').map_or("/", |i| &after[i..]),
        None => base_url,
    };
    let trimmed = rest.trim_matches('/');
    if trimmed.is_empty() {
        "/".into()
    } else {
        format!("/{trimmed}/")
    }
}

fn validate_base_url(url: &str) -> Result<(), String> {
    if url.starts_with('/') && !url.starts_with("//") {
        return Ok(());
    }
    match url.split_once("://") {
        Some(("http" | "https", host)) if !host.is_empty() && !host.starts_with('/') => Ok(()),
        _ => Err(format!(
            "base_url `{url}` is neither an http(s) URL nor a path"
        )),
    }
}

/// `pdf:` is true or false, or a mapping of `enabled` and `paper` (a4, letter).
fn check_pdf(doc: &YamlDoc, raw: &yaml_serde::Value, errors: &mut Diagnostics) {
    let Some(p) = raw.get("pdf").filter(|p| !p.is_null()) else {
        return;
    };
    let path = [Seg::Key("pdf".into())];
    let help = "write it as `pdf: true`, or as `pdf: {paper: letter}` (a4 or letter)";
    if p.is_mapping() {
        doc.check_keys(p, &path, &["enabled", "paper"], "pdf", errors);
        let paper = p.get("paper");
        if paper.is_some_and(|v| !matches!(v.as_str(), Some("a4" | "letter"))) {
            let at = [Seg::Key("pdf".into()), Seg::Key("paper".into())];
            errors.push(
                doc.error_at(&at, "`paper` must be `a4` or `letter`")
                    .with_help(help),
            );
        }
        if p.get("enabled").is_some_and(|v| v.as_bool().is_none()) {
            let at = [Seg::Key("pdf".into()), Seg::Key("enabled".into())];
            errors.push(
                doc.error_at(&at, "`enabled` must be true or false")
                    .with_help(help),
            );
        }
    } else if p.as_bool().is_none() {
        errors.push(
            doc.error_at(&path, "`pdf` must be true, false or a mapping")
                .with_help(help),
        );
    }
}

/// `license:` is a name, or a mapping of `name`, `path` and `title` holding a
/// name or a path.
fn check_license(doc: &YamlDoc, raw: &yaml_serde::Value, errors: &mut Diagnostics) {
    let Some(l) = raw.get("license").filter(|l| !l.is_null()) else {
        return;
    };
    let path = [Seg::Key("license".into())];
    let help = "write it as `license: CC-BY-4.0`, or as `license: {name: CC-BY-4.0, path: https://creativecommons.org/licenses/by/4.0/, title: Creative Commons Attribution 4.0}`";
    if l.is_mapping() {
        let keys = ["name", "path", "title"];
        doc.check_keys(l, &path, &keys, "license", errors);
        let text = |k: &str| {
            l.get(k)
                .is_some_and(|v| v.as_str().is_some_and(|s| !s.trim().is_empty()))
        };
        if !text("name") && !text("path") {
            errors.push(
                doc.error_at(&path, "a licence needs a `name` or a `path`")
                    .with_help(help),
            );
        }
    } else if l.as_str().is_none_or(|s| s.trim().is_empty()) {
        errors.push(
            doc.error_at(&path, "`license` must be a licence name or a mapping")
                .with_help(help),
        );
    }
}

/// A trailer's key as git reads one: letters, digits and hyphens.
fn validate_trailer(key: &str) -> Result<(), String> {
    if key.is_empty() {
        return Err("the history trailer is empty".into());
    }
    if key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Ok(());
    }
    Err(format!(
        "history trailer `{key}` is not a trailer name (letters, digits and hyphens)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<SiteConfig, Diagnostics> {
        SiteConfig::load(Path::new("site.yaml"), text)
    }

    #[test]
    fn defaults_and_base_path() {
        let c = load("title: T\nbase_url: https://example.org/briefings\n").unwrap();
        assert_eq!(c.base_url, "https://example.org/briefings/");
        assert_eq!(c.base_path(), "/briefings/");
        assert_eq!(c.language, "en");
        assert_eq!(load("title: T\n").unwrap().base_path(), "/");
        assert_eq!(
            load("title: T\nbase_url: https://x.org\n")
                .unwrap()
                .base_path(),
            "/"
        );
    }

    #[test]
    fn unknown_keys_are_named_with_a_suggestion() {
        let err = load("title: T\ntheem: x\nmenu:\n  - {name: a, url: /, titel: b}\n").unwrap_err();
        assert_eq!(err.len(), 2);
        let text = err.to_string();
        assert!(text.contains("unknown key `theem`"), "{text}");
        assert!(text.contains("site.yaml:2:1"), "{text}");
        assert!(text.contains("did you mean `theme`?"), "{text}");
        assert!(
            text.contains("unknown key `titel` in a menu item"),
            "{text}"
        );
        assert!(text.contains("site.yaml:4:"), "{text}");
    }

    #[test]
    fn history_names_a_trailer_and_nothing_else() {
        let c = load("title: T\nhistory: {trailer: Revision}\n").unwrap();
        assert_eq!(c.history.trailer.as_deref(), Some("Revision"));
        assert_eq!(
            load("title: T\n").unwrap().history,
            HistoryConfig::default()
        );
        let err = load("title: T\nhistory:\n  trailr: Revision\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown key `trailr` in history"), "{err}");
        assert!(err.contains("site.yaml:3:3"), "{err}");
        assert!(err.contains("did you mean `trailer`?"), "{err}");
        let err = load("title: T\nhistory: Revision\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("`history` must be a mapping"), "{err}");
        assert!(err.contains("site.yaml:2:10"), "{err}");
        let err = load("title: T\nhistory:\n  trailer: \"Revised by\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("`Revised by` is not a trailer name"), "{err}");
        assert!(err.contains("site.yaml:3:12"), "{err}");
        let err = load("title: T\nhistory: {trailer: [a]}\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("site.yaml:2:"), "{err}");
    }

    #[test]
    fn a_license_is_a_name_or_a_mapping() {
        let c = load("title: T\nlicense: CC-BY-4.0\n").unwrap();
        let l = c.license.unwrap();
        assert_eq!(l.name.as_deref(), Some("CC-BY-4.0"));
        assert_eq!(l.text(), "CC-BY-4.0");
        let c = load("title: T\nlicense: {name: CC0-1.0, path: https://creativecommons.org/publicdomain/zero/1.0/, title: CC0 1.0}\n").unwrap();
        let l = c.license.unwrap();
        assert_eq!(
            l.path.as_deref(),
            Some("https://creativecommons.org/publicdomain/zero/1.0/")
        );
        assert_eq!(l.text(), "CC0 1.0 (CC0-1.0)");
        assert_eq!(load("title: T\n").unwrap().license, None);
        let err = load("title: T\nlicense: {nmae: x}\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown key `nmae` in license"), "{err}");
        assert!(err.contains("needs a `name` or a `path`"), "{err}");
        let err = load("title: T\nlicense: [a]\n").unwrap_err().to_string();
        assert!(err.contains("site.yaml:2:10"), "{err}");
    }

    #[test]
    fn type_errors_have_positions() {
        let err = load("title: T\nlatest: many\n").unwrap_err().to_string();
        assert!(err.contains("site.yaml:2:9"), "{err}");
        let err = load("title: T\nbase_url: ftp://x\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("neither an http(s) URL"), "{err}");
    }
}
