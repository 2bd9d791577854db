//! `tumen new brief "Title"`: a new brief with its front matter filled in; and
//! `tumen new dataset FILE` ([`dataset`]).

pub mod dataset;

use std::path::{Path, PathBuf};

use crate::load::SiteConfig;
use crate::util::date::Date;
use crate::util::diag::Diagnostic;
use crate::util::paths::display_path;
use crate::util::slug::slugify;

/// Write `briefs/<slug>.md` in `site_dir`; the slug gets `-2`, `-3`… if taken.
pub fn new_brief(site_dir: &Path, title: &str, today: Date) -> Result<PathBuf, Diagnostic> {
    let title = title.trim();
    let base = slugify(title);
    if base.is_empty() {
        return Err(Diagnostic::file(
            Path::new("title"),
            format!("cannot make a file name from the title `{title}`"),
        )
        .with_help("give a title with at least one letter or digit"));
    }
    let config_file = site_dir.join("site.yaml");
    let text = std::fs::read_to_string(&config_file).map_err(|e| {
        Diagnostic::file(
            &display_path(&config_file),
            format!("cannot read site.yaml: {e}"),
        )
        .with_help(crate::load::NO_SITE_HELP)
    })?;
    let config = SiteConfig::load(&display_path(&config_file), &text).map_err(|d| {
        (d.0.into_iter().next())
            .unwrap_or_else(|| Diagnostic::file(&config_file, "cannot read the settings"))
    })?;
    let dir = site_dir.join("briefs");
    std::fs::create_dir_all(&dir).map_err(|e| {
        Diagnostic::file(
            &display_path(&dir),
            format!("cannot create the folder: {e}"),
        )
    })?;
    let mut n = 1;
    loop {
        let slug = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        let path = dir.join(format!("{slug}.md"));
        let body = format!(
            "---\ntitle: {}\ndate: {}\nsummary: \"\"\nauthors: {}\ntopics: []\ncountries: []\nsources: []\ndraft: true\n---\n\n{BODY}",
            yaml_string(title),
            today.iso(),
            yaml_list(&config.authors),
        );
        // create_new: never overwrite a brief, even one created a moment ago.
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut f) => {
                use std::io::Write;
                f.write_all(body.as_bytes()).map_err(|e| {
                    Diagnostic::file(&display_path(&path), format!("cannot write: {e}"))
                })?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => n += 1,
            Err(e) => {
                return Err(Diagnostic::file(
                    &display_path(&path),
                    format!("cannot create: {e}"),
                ));
            }
        }
    }
}

/// A new brief's body: where to start, and the three things a brief does, shown in
/// a comment that the page does not show (and whose examples tumen does not run).
const BODY: &str = r#"Write the brief here, in Markdown. It is a draft: `tumen serve --drafts` shows
it, and deleting the line `draft: true` above publishes it.

<!--
Cite a source with a footnote: a claim.[^1] and, at the end, a line
"[^1]: Author, "Title", date." List the sources' keys in `sources:` above
(the keys of data/sources.yaml).

Link another brief by its file name: [the overview](overview.md).

Put a figure from a dataset into the text, so that it stays right when the
data is corrected (here the `value` column of data/my-data.yaml, in the row
whose `year` is 2023):
{{ value(data="my-data", where="year=2023", column="value") }}
-->

## Summary
"#;

/// A YAML double-quoted string.
fn yaml_string(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

fn yaml_list(items: &[String]) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|s| yaml_string(s))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::BriefSource;

    #[test]
    fn writes_loadable_briefs_with_unique_slugs() {
        let dir = std::env::temp_dir().join(format!("tumen-new-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("site.yaml"), "title: T\nauthors: [A. Analyst]\n").unwrap();
        let today = Date::parse("2026-11-23").unwrap();
        let a = new_brief(&dir, "Coal: \"Rajin\" exports", today).unwrap();
        let b = new_brief(&dir, "Coal: \"Rajin\" exports", today).unwrap();
        assert!(a.ends_with("briefs/coal-rajin-exports.md"), "{a:?}");
        assert!(b.ends_with("briefs/coal-rajin-exports-2.md"), "{b:?}");
        let text = std::fs::read_to_string(&a).unwrap();
        let brief = BriefSource::load(&a, text).unwrap();
        assert_eq!(brief.front.title, "Coal: \"Rajin\" exports");
        assert_eq!(brief.front.authors, vec!["A. Analyst"]);
        assert!(brief.front.draft);
        assert_eq!(brief.date.iso(), "2026-11-23");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
