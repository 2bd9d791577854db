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
    /// The file's text; only its front matter once the body is let go
    /// ([`BriefSource::without_body`]).
    pub text: String,
    /// A hash of the whole text as read: what the body read again is checked
    /// against ([`BriefSource::read_body`]).
    pub hash: u128,
    /// Whether `text` holds the body.
    body_kept: bool,
    /// Byte offset of the Markdown body within `text`.
    pub body_start: usize,
    pub front: FrontMatter,
    pub date: Date,
    pub updated: Option<Date>,
    /// Front matter keys tumen ignores (`layout: post`), said once per build.
    pub warnings: Vec<Diagnostic>,
}

impl BriefSource {
    /// The Markdown body; empty once let go ([`BriefSource::without_body`]),
    /// when [`BriefSource::read_body`] reads it again.
    pub fn body(&self) -> &str {
        self.text.get(self.body_start..).unwrap_or_default()
    }

    /// This source with its text cut to the front matter: what a build holds of
    /// a brief once it is resolved, reading the body again when it renders it
    /// ([`BriefSource::read_body`]), so that it never holds every brief's text.
    pub fn without_body(&self) -> BriefSource {
        BriefSource {
            file: self.file.clone(),
            stem: self.stem.clone(),
            text: self.text[..self.body_start.min(self.text.len())].to_string(),
            hash: self.hash,
            body_kept: false,
            body_start: self.body_start,
            front: self.front.clone(),
            date: self.date,
            updated: self.updated,
            warnings: self.warnings.clone(),
        }
    }

    /// Whether `self` and `other` have the same body: compared as text while
    /// both hold it, else by the hashes of their files' texts (which may tell
    /// apart two files of one body, never the other way round).
    pub fn same_body(&self, other: &BriefSource) -> bool {
        if self.body_kept && other.body_kept {
            self.body() == other.body()
        } else {
            self.hash == other.hash
        }
    }

    /// This source with its whole text: itself while it holds it, else one
    /// with the text read again from the file (checked as
    /// [`BriefSource::read_body`] checks it), for the resolve to read and to
    /// point its errors into.
    pub fn with_body(&self) -> Result<std::borrow::Cow<'_, BriefSource>, Diagnostic> {
        if self.body_kept {
            return Ok(std::borrow::Cow::Borrowed(self));
        }
        let body = self.read_body()?;
        let mut full = self.without_body();
        full.text.push_str(&body);
        full.body_kept = true;
        Ok(std::borrow::Cow::Owned(full))
    }

    /// The Markdown body: the one held, or, once let go, read again from the
    /// file, which must still hold the text it was loaded from (else what was
    /// checked is not what would be rendered, and the build stops).
    pub fn read_body(&self) -> Result<std::borrow::Cow<'_, str>, Diagnostic> {
        if self.body_kept {
            return Ok(std::borrow::Cow::Borrowed(self.body()));
        }
        let mut text = super::store::read(&self.file)?;
        if text_hash(&text) != self.hash {
            return Err(Diagnostic::file(
                &self.file,
                "this file changed while the site was being built",
            )
            .with_help("build again: the build checks each brief as it was when it started"));
        }
        Ok(std::borrow::Cow::Owned(text.split_off(self.body_start)))
    }
}

/// The hash a source's text is known by: what tells whether a file changed.
pub fn text_hash(text: &str) -> u128 {
    xxhash_rust::xxh3::xxh3_128(text.as_bytes())
}

#[derive(Debug, Clone, Deserialize)]
pub struct FrontMatter {
    pub title: String,
    /// Required, unless the file name starts with it as Jekyll's do
    /// (`2020-07-27-prerelease.md`).
    #[serde(default)]
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
    /// Other tools' names for tumen's keys, folded into them on load (see
    /// [`OTHER_TOOLS_KEYS`]), so that a blog moved from Hugo, Jekyll or Zola
    /// builds as it is.
    #[serde(default)]
    tags: OneOrMany,
    #[serde(default)]
    categories: OneOrMany,
    #[serde(default)]
    author: OneOrMany,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    lastmod: Option<String>,
}

/// A string or a list of strings: `tags: rust` as well as `tags: [rust, web]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn take(&mut self) -> Vec<String> {
        match std::mem::take(self) {
            OneOrMany::None => Vec::new(),
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

/// Keys of Hugo, Jekyll and Zola front matter read as tumen's: `tags` and
/// `categories` are topics, `author` adds to `authors`, `description` is the
/// summary when there is none, `lastmod` is `updated`.
const OTHER_TOOLS_KEYS: &[&str] = &["tags", "categories", "author", "description", "lastmod"];

impl FrontMatter {
    /// Fold the other tools' keys into tumen's.
    fn fold_other_tools_keys(&mut self) {
        for t in self.tags.take().into_iter().chain(self.categories.take()) {
            if !self.topics.contains(&t) {
                self.topics.push(t);
            }
        }
        for a in self.author.take() {
            if !self.authors.contains(&a) {
                self.authors.push(a);
            }
        }
        if let Some(d) = self.description.take()
            && self.summary.is_empty()
        {
            self.summary = d;
        }
        if let Some(m) = self.lastmod.take() {
            self.updated.get_or_insert(m);
        }
    }
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

/// The front matter's keys: a near miss of one of tumen's (`titel`) is an error,
/// with the key meant; any other key (`layout: post`, from another tool) is
/// ignored with a warning that says where to keep it.
fn check_front_keys(
    doc: &YamlDoc,
    raw: &yaml_serde::Value,
) -> Result<Vec<Diagnostic>, Diagnostics> {
    let (mut errors, mut warnings) = (Diagnostics::default(), Vec::new());
    let keys = raw.as_mapping().into_iter().flat_map(|m| m.keys());
    for k in keys.filter_map(|k| k.as_str()) {
        if KNOWN_KEYS.contains(&k) || OTHER_TOOLS_KEYS.contains(&k) {
            continue;
        }
        let at = doc.error_at(
            &[Seg::KeyName(k.to_string())],
            format!("unknown key `{k}` in the front matter"),
        );
        // A typo is a key or two away from one of tumen's; `comments` is no
        // `countries`, though a looser suggestion would say so.
        let typo_of = (KNOWN_KEYS.iter()).find(|known| strsim::damerau_levenshtein(k, known) <= 2);
        match typo_of {
            Some(meant) => errors.push(at.with_help(format!("did you mean `{meant}`?"))),
            None => warnings.push(Diagnostic {
                message: format!("`{k}` in the front matter is not a setting of tumen's: ignored"),
                ..at.with_help(
                    "to keep it for your templates, put it under `extra:`; else delete it",
                )
            }),
        }
    }
    errors.into_result()?;
    Ok(warnings)
}

/// What is wrong when no front matter was found: none, or one not closed.
fn no_front_matter(file: &Path, text: &str) -> Diagnostic {
    let opened = (text.trim_start_matches(|c: char| c == '\u{feff}' || c.is_whitespace()))
        .starts_with("---");
    let msg = if opened {
        "the front matter is not closed: no second `---` line"
    } else {
        "this brief has no front matter"
    };
    Diagnostic::at(file, text, 1, 1, msg).with_help(FRONT_MATTER_EXAMPLE)
}

/// The date a Jekyll post's file name starts with: `2020-07-27` of
/// `2020-07-27-1.45.1-prerelease`.
fn date_of_file_name(stem: &str) -> Option<String> {
    let day = stem.get(..10)?;
    let dated = stem[10..].starts_with('-') && Date::parse(day).is_ok_and(|d| d.is_full());
    dated.then(|| day.to_string())
}

/// Split `text` into (front matter YAML, its first line number, body start offset).
pub fn split_front_matter(text: &str) -> Option<(&str, usize, usize)> {
    let after_bom = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Blank lines before the opening fence are forgiven, as they are met in real
    // posts (the blog generators they came from skipped them).
    let fenced = after_bom.trim_start_matches(|c: char| c.is_whitespace());
    let fence_at = after_bom.len() - fenced.len();
    let fence_at = after_bom[..fence_at].rfind('\n').map_or(0, |i| i + 1);
    let skipped = after_bom[..fence_at].matches('\n').count();
    let opening = &after_bom[fence_at..];
    let first_end = opening.find('\n')?;
    if opening[..first_end].trim_end() != "---" {
        return None;
    }
    let bom = text.len() - after_bom.len() + fence_at;
    let yaml_start = bom + first_end + 1;
    let mut pos = yaml_start;
    // Closing fence: the first later line that is `---` (or YAML's `...`). A `---`
    // further down the body is a thematic break and stays Markdown.
    while pos <= text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let l = text[pos..end].trim_end();
        if l == "---" || l == "..." {
            let body = (end + 1).min(text.len());
            // The YAML starts on the line below the opening fence.
            return Some((&text[yaml_start..pos], skipped + 2, body));
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
            return Err(no_front_matter(file, &text).into());
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
        let warnings = check_front_keys(&doc, &raw)?;
        // From the value parsed already; the text is parsed again only to say
        // where a mistake is.
        let mut front: FrontMatter = match yaml_serde::from_value(raw) {
            Ok(front) => front,
            Err(_) => doc.parse()?,
        };
        front.fold_other_tools_keys();
        if front.date.is_empty() {
            front.date = date_of_file_name(&stem).ok_or_else(|| {
                Diagnostic::at(file, &text, first_line - 1, 1, "the front matter has no `date:`")
                    .with_help("add `date: YYYY-MM-DD` to it, or start the file name with the date, as Jekyll's do (2024-05-01-title.md)")
            })?;
        }
        let mut errors = Diagnostics::default();
        let date = match Date::parse_timestamp(&front.date) {
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
        let updated = match front.updated.as_deref().map(Date::parse_timestamp) {
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
        let date = errors.or_value(date)?;
        Ok(BriefSource {
            file: file.to_path_buf(),
            stem,
            hash: text_hash(&text),
            body_kept: true,
            body_start,
            front,
            date,
            updated,
            text,
            warnings,
        })
    }

    /// A diagnostic at the value of a front matter key (the front matter is re-read
    /// only here, when there is an error to place).
    pub fn front_error(&self, path: &[Seg], message: impl Into<String>) -> Diagnostic {
        let Some((yaml, first_line, _)) = split_front_matter(&self.text) else {
            return Diagnostic::file(&self.file, message);
        };
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
    fn a_body_let_go_is_read_again_and_a_file_changed_since_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("x.md");
        let text = "---\ntitle: T\ndate: 2024-05-01\n---\nBody {{ x }}\n";
        std::fs::write(&file, text).unwrap();
        let b = BriefSource::load(&file, text.to_string()).unwrap();
        let husk = b.without_body();
        assert_eq!(husk.text, "---\ntitle: T\ndate: 2024-05-01\n---\n");
        assert_eq!(husk.body(), "");
        assert_eq!(husk.front.title, "T");
        assert_eq!(husk.read_body().unwrap(), "Body {{ x }}\n");
        assert_eq!(b.read_body().unwrap(), b.body());

        std::fs::write(&file, text.replace("Body", "Edited")).unwrap();
        let e = husk.read_body().unwrap_err();
        assert!(
            e.message.contains("changed while the site was being built"),
            "{e:?}"
        );
        assert_eq!(
            b.read_body().unwrap(),
            "Body {{ x }}\n",
            "a body held is not read"
        );
        std::fs::remove_file(&file).unwrap();
        let e = husk.read_body().unwrap_err();
        assert!(e.message.contains("cannot read"), "{e:?}");
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
