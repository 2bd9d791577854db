//! Briefs: `content/briefs/*.md`, YAML front matter between two `---` lines, then
//! Markdown.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::yaml::{Seg, YamlDoc};
use crate::util::date::Date;
use crate::util::diag::{Diagnostic, Diagnostics};

/// A brief as read from disk: checked front matter and the untouched Markdown body.
#[derive(Debug, Clone)]
pub struct BriefSource {
    pub file: PathBuf,
    /// File name without `.md`: what relative links between briefs name.
    pub stem: String,
    pub text: String,
    /// Byte offset of the Markdown body within `text`.
    pub body_start: usize,
    pub front: FrontMatter,
    pub date: Date,
    pub updated: Option<Date>,
}

impl BriefSource {
    pub fn body(&self) -> &str {
        &self.text[self.body_start..]
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct FrontMatter {
    pub title: String,
    pub date: String,
    #[serde(default)]
    pub updated: Option<String>,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub authors: Vec<String>,
    #[serde(default)]
    pub topics: Vec<String>,
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub weight: i64,
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

const KNOWN_KEYS: &[&str] = &[
    "title",
    "date",
    "updated",
    "summary",
    "authors",
    "topics",
    "countries",
    "sources",
    "draft",
    "weight",
    "slug",
    "aliases",
    "extra",
];

const FRONT_MATTER_EXAMPLE: &str =
    "start the file with front matter:\n---\ntitle: \"My brief\"\ndate: 2024-05-01\n---";

/// Split `text` into (front matter YAML, its first line number, body start offset).
pub fn split_front_matter(text: &str) -> Option<(&str, usize, usize)> {
    let after_bom = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bom = text.len() - after_bom.len();
    let first_end = after_bom.find('\n')?;
    if after_bom[..first_end].trim_end() != "---" {
        return None;
    }
    let yaml_start = bom + first_end + 1;
    let mut pos = yaml_start;
    // Closing fence: the first later line that is `---` (or YAML's `...`). A `---`
    // further down the body is a thematic break and stays Markdown.
    while pos <= text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let l = text[pos..end].trim_end();
        if l == "---" || l == "..." {
            let body = (end + 1).min(text.len());
            // The YAML starts on line 2, below the opening fence.
            return Some((&text[yaml_start..pos], 2, body));
        }
        if end == text.len() {
            break;
        }
        pos = end + 1;
    }
    None
}

impl BriefSource {
    pub fn load(file: &Path, text: String) -> Result<BriefSource, Diagnostics> {
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some((yaml, first_line, body_start)) = split_front_matter(&text) else {
            let opened = text.trim_start_matches('\u{feff}').starts_with("---");
            let msg = if opened {
                "the front matter is not closed: no second `---` line"
            } else {
                "this brief has no front matter"
            };
            return Err(Diagnostic::at(file, &text, 1, 1, msg)
                .with_help(FRONT_MATTER_EXAMPLE)
                .into());
        };
        let doc = YamlDoc {
            file,
            file_text: &text,
            yaml,
            line_offset: first_line - 1,
        };
        let raw: yaml_serde::Value = if yaml.trim().is_empty() {
            yaml_serde::Value::Null
        } else {
            doc.parse()?
        };
        if !raw.is_mapping() {
            return Err(
                Diagnostic::at(file, &text, 1, 1, "the front matter is not a mapping")
                    .with_help(FRONT_MATTER_EXAMPLE)
                    .into(),
            );
        }
        let mut errors = Diagnostics::default();
        doc.check_keys(&raw, &[], KNOWN_KEYS, "the front matter", &mut errors);
        errors.into_result()?;
        let front: FrontMatter = doc.parse()?;
        let mut errors = Diagnostics::default();
        let date = match Date::parse(&front.date) {
            Ok(d) if d.is_full() => Some(d),
            Ok(_) => {
                errors.push(doc.error_at(
                    &[Seg::Key("date".into())],
                    format!("`date: {}` needs a day: write YYYY-MM-DD", front.date),
                ));
                None
            }
            Err(msg) => {
                errors.push(doc.error_at(&[Seg::Key("date".into())], msg));
                None
            }
        };
        let updated = match front.updated.as_deref().map(Date::parse) {
            Some(Ok(d)) => Some(d),
            Some(Err(msg)) => {
                errors.push(doc.error_at(&[Seg::Key("updated".into())], msg));
                None
            }
            None => None,
        };
        if front.title.trim().is_empty() {
            errors.push(doc.error_at(&[Seg::Key("title".into())], "the title is empty"));
        }
        errors.into_result()?;
        Ok(BriefSource {
            file: file.to_path_buf(),
            stem,
            body_start,
            front,
            date: date.expect("checked above"),
            updated,
            text,
        })
    }

    /// A diagnostic at the value of a front matter key (the front matter is re-read
    /// only here, when there is an error to place).
    pub fn front_error(&self, path: &[Seg], message: impl Into<String>) -> Diagnostic {
        let (yaml, first_line, _) =
            split_front_matter(&self.text).expect("a loaded brief has front matter");
        YamlDoc {
            file: &self.file,
            file_text: &self.text,
            yaml,
            line_offset: first_line - 1,
        }
        .error_at(path, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<BriefSource, Diagnostics> {
        BriefSource::load(Path::new("briefs/x.md"), text.to_string())
    }

    #[test]
    fn splits_front_matter_and_keeps_later_rules_in_the_body() {
        let b =
            load("---\ntitle: T\ndate: 2024-05-01\n---\nBody\n\n---\n\nMore {{ x }}\n").unwrap();
        assert_eq!(b.front.title, "T");
        assert_eq!(b.body(), "Body\n\n---\n\nMore {{ x }}\n");
        assert_eq!(b.stem, "x");
        assert_eq!(b.date.iso(), "2024-05-01");
    }

    #[test]
    fn handles_crlf_and_bom() {
        let b = load("\u{feff}---\r\ntitle: T\r\ndate: 2024-05-01\r\n---\r\nBody\r\n").unwrap();
        assert_eq!(b.body(), "Body\r\n");
    }

    #[test]
    fn errors_point_into_the_file() {
        let e = load("---\ntitle: T\ndate: 2024-5-1\n---\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("briefs/x.md:3:7"), "{e}");
        let e = load("---\ntitle: T\ndate: 2024-05-01\ntopic: [a]\n---\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("unknown key `topic`") && e.contains("did you mean `topics`?"),
            "{e}"
        );
        assert!(e.contains("briefs/x.md:4:1"), "{e}");
        let e = load("---\ntitle: T: x\ndate: 2024-05-01\n---\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("briefs/x.md:2:"), "{e}");
        assert!(e.contains("must be quoted"), "{e}");
        let e = load("# Just markdown\n").unwrap_err().to_string();
        assert!(e.contains("no front matter"), "{e}");
        let e = load("---\ntitle: T\n").unwrap_err().to_string();
        assert!(e.contains("not closed"), "{e}");
    }
}
