//! The shape of the code, held by tests (ARCHITECTURE.md explains it): stages
//! import only from the stages before them and from the shared leaf modules; no
//! function in `src/` is over 80 lines; each helper is defined once; every file
//! says first what it owns.
//!
//! Read from the source text, without a Rust parser: function bodies are measured
//! by matching braces outside strings, characters and comments, which is exact for
//! rustfmt-formatted code.

mod common;

use common::*;
use std::path::Path;

fn sources() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![repo().join("src")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p.strip_prefix(repo()).unwrap().display().to_string();
                out.push((rel, read(&p)));
            }
        }
    }
    out.sort();
    out
}

/// The text with string and character literals and comments blanked out (same
/// length, newlines kept), so braces and `use` lines in them do not count.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let blank = |c: u8| if c == b'\n' { b'\n' } else { b' ' };
    while i < b.len() {
        let rest = &text[i..];
        let (skip, keep) = if rest.starts_with("//") {
            (rest.find('\n').unwrap_or(rest.len()), false)
        } else if rest.starts_with("/*") {
            (rest.find("*/").map_or(rest.len(), |e| e + 2), false)
        } else if let Some(len) = raw_string_len(rest) {
            (len, false)
        } else if rest.starts_with('"') {
            (string_len(rest), false)
        } else if rest.starts_with('\'') && char_literal_len(rest).is_some() {
            (char_literal_len(rest).unwrap(), false)
        } else {
            (1, true)
        };
        for &c in &b[i..i + skip] {
            out.push(if keep { c } else { blank(c) });
        }
        i += skip;
    }
    String::from_utf8(out).unwrap_or_default()
}

fn string_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

fn raw_string_len(s: &str) -> Option<usize> {
    let rest = s.strip_prefix('r').or_else(|| s.strip_prefix("br"))?;
    let hashes = rest.len() - rest.trim_start_matches('#').len();
    let body = rest[hashes..].strip_prefix('"')?;
    let close = format!("\"{}", "#".repeat(hashes));
    let end = body.find(&close)?;
    Some(s.len() - body.len() + end + close.len())
}

/// `'x'`, `'\n'`, `'\u{1F600}'`; not a lifetime (`'a`).
fn char_literal_len(s: &str) -> Option<usize> {
    let mut chars = s.char_indices().skip(1);
    let (_, c) = chars.next()?;
    if c == '\\' {
        return s[2..].find('\'').map(|e| e + 3);
    }
    match chars.next() {
        Some((i, '\'')) => Some(i + 1),
        _ => None,
    }
}

/// (name, first line, length in lines) of every function outside test modules.
fn functions(code: &str) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut out = Vec::new();
    let test_mod = lines
        .iter()
        .position(|l| l.trim_start().starts_with("mod tests"))
        .unwrap_or(lines.len());
    for (i, line) in lines.iter().enumerate().take(test_mod) {
        let t = line.trim_start();
        let Some(at) = t.find("fn ") else { continue };
        let before = &t[..at];
        let is_fn = before
            .split_whitespace()
            .all(|w| w.starts_with("pub") || ["const", "async", "unsafe"].contains(&w));
        if !is_fn {
            continue;
        }
        let name: String = t[at + 3..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let (mut depth, mut opened) = (0i32, false);
        for (j, l) in lines.iter().enumerate().skip(i) {
            for c in l.chars() {
                match c {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            if !opened && l.trim_end().ends_with(';') {
                break;
            }
            if opened && depth == 0 {
                out.push((name.clone(), i + 1, j - i + 1));
                break;
            }
        }
    }
    out
}

#[test]
fn no_function_is_over_80_lines() {
    let mut long = Vec::new();
    for (file, text) in sources() {
        for (name, line, len) in functions(&code_only(&text)) {
            if len > 80 {
                long.push(format!("{file}:{line} {name}: {len} lines"));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over 80 lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_measure_counts_braces_in_code_only() {
    let code = code_only(
        "fn a() {\n    let s = \"}\";\n    let c = '{';\n    // }\n}\nfn b<'x>(v: &'x str) {}\n",
    );
    let f = functions(&code);
    assert_eq!(f, vec![("a".into(), 1, 5), ("b".into(), 6, 1)]);
}

/// The stage of a source file: its first folder or file name under `src/`.
fn stage(file: &str) -> String {
    let rel = Path::new(file).strip_prefix("src").unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// The crate modules a file uses (`use crate::x…` and `crate::x::` paths).
fn uses(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in code.match_indices("crate::") {
        let name: String = code[i + 7..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.push(name);
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn stages_import_only_from_earlier_stages_and_leaves() {
    // Pipeline order; a stage may use those before it.
    let order = [
        "load", "resolve", "render", "write", "build", "check", "serve",
    ];
    let mut wrong = Vec::new();
    for (file, text) in sources() {
        let here = stage(&file);
        let Some(pos) = order.iter().position(|s| *s == here) else {
            continue;
        };
        for used in uses(&code_only(&text)) {
            if let Some(u) = order.iter().position(|s| *s == used)
                && u > pos
            {
                wrong.push(format!("{file} uses crate::{used}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn shared_modules_import_no_stage_after_load() {
    // util and markdown import nothing of the crate but themselves and util; the
    // model, the output files and the dependency record may read what load made.
    let allowed: &[(&str, &[&str])] = &[
        ("util", &["util"]),
        ("markdown", &["markdown", "util"]),
        ("model", &["model", "load", "markdown", "util"]),
        ("output", &["load", "util"]),
        ("deps", &["deps", "model", "load", "util"]),
    ];
    let mut wrong = Vec::new();
    for (file, text) in sources() {
        let here = stage(&file);
        let Some((_, ok)) = allowed.iter().find(|(m, _)| *m == here) else {
            continue;
        };
        for used in uses(&code_only(&text)) {
            if !ok.contains(&used.as_str()) {
                wrong.push(format!("{file} uses crate::{used}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn each_file_says_first_what_it_owns() {
    let missing: Vec<String> = sources()
        .into_iter()
        .filter(|(_, text)| !text.trim_start().starts_with("//!"))
        .map(|(file, _)| file)
        .collect();
    assert!(missing.is_empty(), "no module doc: {missing:?}");
    assert!(repo().join("ARCHITECTURE.md").is_file());
}

#[test]
fn each_helper_is_defined_once() {
    for needle in [
        "fn percent_decode(",
        "fn display_path(",
        "0xcbf2_9ce4_8422_2325",
        "fn slugify(",
        "fn absolute(",
    ] {
        let places: Vec<String> = sources()
            .into_iter()
            .filter(|(_, text)| code_only(text).contains(needle))
            .map(|(file, _)| file)
            .collect();
        assert!(places.len() <= 1, "{needle} in {places:?}");
    }
}
