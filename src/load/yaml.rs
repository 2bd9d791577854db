//! YAML with positions: parse through `yaml_serde`, and turn every problem into a
//! diagnostic at the right file, line and column.
//!
//! `yaml_serde` reports positions for syntax and type errors, but its `Value` keeps
//! none, and our own checks (unknown keys, cell types, source keys) run after parsing.
//! Rather than carry a span on every value, we find a position only when there is an
//! error to report: [`YamlDoc::locate`] parses the text again with a visitor that walks
//! down the path and fails on purpose when it arrives, and yaml_serde stamps that
//! failure with the position of the value (or key) it was reading. The happy path pays
//! nothing for it.

use std::path::Path;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess};

use crate::util::diag::{Diagnostic, Diagnostics, did_you_mean};

/// One step of a path into a YAML document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// The value under this key of a mapping.
    Key(String),
    /// This item of a sequence.
    Index(usize),
    /// The key itself (for "unknown key" errors, which point at the key).
    KeyName(String),
}

/// A YAML text and where it sits in a file (front matter starts below line 1).
pub struct YamlDoc<'a> {
    pub file: &'a Path,
    /// The whole file, for snippets.
    pub file_text: &'a str,
    /// The YAML part of it.
    pub yaml: &'a str,
    /// Lines of the file before the YAML part.
    pub line_offset: usize,
}

impl<'a> YamlDoc<'a> {
    /// A whole file of YAML.
    pub fn whole(file: &'a Path, text: &'a str) -> Self {
        YamlDoc {
            file,
            file_text: text,
            yaml: text,
            line_offset: 0,
        }
    }

    /// Parse into `T`; syntax and type errors come back with their position.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, Diagnostic> {
        yaml_serde::from_str::<T>(self.yaml).map_err(|e| self.diag_from_yaml(&e))
    }

    fn diag_from_yaml(&self, e: &yaml_serde::Error) -> Diagnostic {
        let full = e.to_string();
        // The message repeats the position ("… at line 3 column 5"); we show it in the
        // location line instead.
        let message = full
            .split(" at line ")
            .next()
            .unwrap_or(&full)
            .trim()
            .to_string();
        let help = yaml_help(&message);
        match e.location() {
            Some(loc) => self
                .diag_at(loc.line(), loc.column(), message)
                .with_help_opt(help),
            None => Diagnostic::file(self.file, message).with_help_opt(help),
        }
    }

    fn diag_at(&self, line: usize, col: usize, message: String) -> Diagnostic {
        Diagnostic::at(
            self.file,
            self.file_text,
            line + self.line_offset,
            col,
            message,
        )
    }

    /// A diagnostic at the value (or key) that `path` names; at the top of the YAML if
    /// the path cannot be found (a value that is absent, say).
    pub fn error_at(&self, path: &[Seg], message: impl Into<String>) -> Diagnostic {
        let (line, col) = self.locate(path).unwrap_or((1, 1));
        self.diag_at(line, col, message.into())
    }

    /// Line and column (1-based, within the YAML part) of the node at `path`.
    pub fn locate(&self, path: &[Seg]) -> Option<(usize, usize)> {
        TARGET.with(|t| *t.borrow_mut() = path.to_vec());
        let err = match yaml_serde::from_str::<Found>(self.yaml) {
            Ok(_) => return None,
            Err(e) => e,
        };
        // Only our own sentinel error means we arrived; anything else (a path that
        // does not exist in this document) is no position at all.
        if !err.to_string().contains(SENTINEL) {
            return None;
        }
        err.location().map(|l| (l.line(), l.column()))
    }

    /// Report keys of the mapping at `path` that are not in `known`, each at its own
    /// position, with the nearest known key as a suggestion.
    pub fn check_keys(
        &self,
        value: &yaml_serde::Value,
        path: &[Seg],
        known: &[&str],
        what: &str,
        out: &mut Diagnostics,
    ) {
        let Some(map) = value.as_mapping() else {
            return;
        };
        for key in map.keys() {
            let Some(k) = key.as_str() else { continue };
            if !known.contains(&k) {
                let mut p = path.to_vec();
                p.push(Seg::KeyName(k.to_string()));
                out.push(
                    self.error_at(&p, format!("unknown key `{k}` in {what}"))
                        .with_help(did_you_mean(k, known)),
                );
            }
        }
    }
}

const SENTINEL: &str = "\u{1}tumen-located\u{1}";

thread_local! {
    // The path the locator walks. A thread-local because serde's `Deserialize` for
    // the top-level type takes no seed; the locator runs on one thread at a time.
    static TARGET: std::cell::RefCell<Vec<Seg>> = const { std::cell::RefCell::new(Vec::new()) };
}

struct Found;

impl<'de> de::Deserialize<'de> for Found {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let path = TARGET.with(|t| t.borrow().clone());
        Walk(&path).deserialize(d)?;
        Ok(Found)
    }
}

/// Walks down a path; fails with the sentinel where it ends.
///
/// The failure must happen *inside* the deserializer's call for the target node:
/// yaml_serde stamps an error with the position of the innermost node whose
/// deserialization it passed through, so an error raised after the node was read
/// would carry the position of its parent.
struct Walk<'p>(&'p [Seg]);

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

fn arrive<E: de::Error>(path: &[Seg]) -> Result<(), E> {
    if path.is_empty() {
        Err(E::custom(SENTINEL))
    } else {
        Err(E::custom("path not found"))
    }
}

impl<'de> de::Visitor<'de> for Walk<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a node on the path")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        if self.0.is_empty() {
            return arrive(self.0);
        }
        while let Some(key) = map.next_key_seed(KeySeed(self.0))? {
            if key {
                return map.next_value_seed(Walk(&self.0[1..]));
            }
            map.next_value::<IgnoredAny>()?;
        }
        Err(de::Error::custom("path not found"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let want = match self.0.first() {
            None => return arrive(self.0),
            Some(Seg::Index(i)) => *i,
            Some(_) => return Err(de::Error::custom("path not found")),
        };
        for _ in 0..want {
            if seq.next_element::<IgnoredAny>()?.is_none() {
                return Err(de::Error::custom("path not found"));
            }
        }
        seq.next_element_seed(Walk(&self.0[1..]))?;
        Err(de::Error::custom("path not found"))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        arrive(self.0)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        arrive(self.0)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        arrive(self.0)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        arrive(self.0)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        arrive(self.0)
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        arrive(self.0)
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        arrive(self.0)
    }
}

/// Reads a key; true when it is the one the path wants next. For a `KeyName` step
/// it fails with the sentinel while reading the key itself, so the position is the
/// key's.
struct KeySeed<'p>(&'p [Seg]);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = bool;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl KeySeed<'_> {
    fn check<E: de::Error>(&self, text: &str) -> Result<bool, E> {
        match self.0.first() {
            Some(Seg::Key(k)) => Ok(k == text),
            Some(Seg::KeyName(k)) if k == text => Err(E::custom(SENTINEL)),
            _ => Ok(false),
        }
    }
}

impl<'de> de::Visitor<'de> for KeySeed<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        self.check(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
        self.check(&v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
        self.check(&v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<bool, E> {
        self.check(&v.to_string())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        self.check(&v.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(false)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(false)
    }
}

#[cfg(test)]
fn locate_in(yaml: &str, path: &[Seg]) -> Option<(usize, usize)> {
    let doc = YamlDoc {
        file: Path::new(""),
        file_text: yaml,
        yaml,
        line_offset: 0,
    };
    doc.locate(path)
}

/// Help for the YAML mistakes people make most.
fn yaml_help(message: &str) -> Option<String> {
    if message.contains("mapping values are not allowed") {
        Some("a value containing `: ` must be quoted, e.g. title: \"Trade: an overview\"".into())
    } else if message.contains("did not find expected") || message.contains("found character") {
        Some("check the indentation and quoting on this line and the one above".into())
    } else if message.contains("found unknown escape character") {
        Some("use single quotes, or double the backslash".into())
    } else if message.contains("recursion limit exceeded") {
        Some("the YAML is nested too deeply (lists or mappings inside each other over a hundred times deep): flatten it".into())
    } else if message.contains("repetition limit exceeded") {
        Some("YAML aliases (`*name`) here repeat their anchors' values too many times over: write the values out, or use fewer aliases".into())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str =
        "title: x\nrows:\n  - {year: 1988, value: 1}\n  - year: 1996\n    value: abc\n";

    #[test]
    fn locates_values_and_keys() {
        assert_eq!(locate_in(DOC, &[Seg::Key("title".into())]), Some((1, 8)));
        let cell = [
            Seg::Key("rows".into()),
            Seg::Index(1),
            Seg::Key("value".into()),
        ];
        assert_eq!(locate_in(DOC, &cell), Some((5, 12)));
        let flow = [
            Seg::Key("rows".into()),
            Seg::Index(0),
            Seg::Key("value".into()),
        ];
        assert_eq!(locate_in(DOC, &flow), Some((3, 25)));
        let key = [
            Seg::Key("rows".into()),
            Seg::Index(1),
            Seg::KeyName("year".into()),
        ];
        assert_eq!(locate_in(DOC, &key), Some((4, 5)));
    }

    #[test]
    fn missing_path_has_no_position() {
        assert_eq!(locate_in(DOC, &[Seg::Key("nope".into())]), None);
        let past_end = [Seg::Key("rows".into()), Seg::Index(9)];
        assert_eq!(locate_in(DOC, &past_end), None);
    }
}
