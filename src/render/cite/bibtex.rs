//! BibTeX, in biblatex's dialect: UTF-8 as it is (Biber reads it; no `\"{o}`),
//! ISO dates in `date` and `urldate`, `@online` for a brief, `@misc` for a
//! source. Classic BibTeX reads the files too, but its styles know neither
//! `@online` nor `date`; writing `year` beside `date` for them would make Biber
//! warn on every entry.
//!
//! Text is escaped for LaTeX, not only for the file: `# $ % & _` get a
//! backslash; `{` and `}` become `\textbraceleft{}` and `\textbraceright{}`, since
//! BibTeX and Biber count every brace, escaped or not, to find a field's end, so a
//! lone `\{` ends the file's parse; `\`, `~`, `^`, `<`, `>` become the commands
//! that print them; `--` is kept from turning into a dash. A title, the site's
//! name and a publisher are wrapped in one more pair of braces: the title keeps its
//! capitals in styles that lower-case titles, and a name holding "and" stays one
//! organisation (biblatex splits list fields at " and "). An address is verbatim
//! (`url` is), with what URLs may not hold percent-encoded ([`super::safe_url`]).
//!
//! The sources: a source's key is its key in the site, made a valid BibTeX key
//! ([`key`]). An author or publisher that is a statement that there is none ("Not
//! named in the copy used", "Unknown") is no name: the field is left out, as
//! bibliographies leave out an unknown author, rather than cited as a person
//! ([`unnamed`]). The publisher is biblatex's `organization`, the field `@misc`
//! prints (`publisher` is not in its data model); one that repeats the author is
//! left out, as the sources page does. A date written as `YYYY`, `YYYY-MM` or
//! `YYYY-MM-DD` is `date`; any other is kept as written in `note`. The
//! description, the site's note on the source, is the `annotation`, which only
//! annotated bibliographies print.

use std::collections::BTreeSet;

use super::{Reference, clean, safe_url};
use crate::model::{Site, Source};
use crate::util::date::Date;

/// What opens a brief's file: BibTeX ignores text outside entries (with no `@`).
const BRIEF_HEADER: &str = "% How to cite this brief, for biblatex and Biber (UTF-8).\n";

/// What opens the sources' file.
const SOURCES_HEADER: &str = "% The sources this site draws on, for biblatex and Biber (UTF-8).\n\
% Each key is the source's key on the site's sources page.\n";

/// A brief's BibTeX file: one `@online` entry.
pub(super) fn brief(r: &Reference) -> String {
    let mut fields = Vec::new();
    if !r.authors.is_empty() {
        fields.push(("author", names(&r.authors)));
    }
    fields.push(("title", protected(&r.title)));
    fields.push(("date", r.issued.iso()));
    if let Some(u) = &r.url {
        fields.push(("url", u.clone()));
        fields.push(("urldate", r.accessed.iso()));
    }
    if !r.site.is_empty() {
        fields.push(("organization", protected(&r.site)));
    }
    if !r.keywords.is_empty() {
        fields.push(("keywords", latex(&r.keywords.join(", "))));
    }
    if let Some(s) = &r.summary {
        fields.push(("abstract", latex(s)));
    }
    format!("{BRIEF_HEADER}{}", entry("online", &r.key, &fields))
}

/// The sources' BibTeX file: a `@misc` entry per source, in the sources' order.
pub(super) fn sources(site: &Site) -> String {
    let mut taken = BTreeSet::new();
    let mut out = String::from(SOURCES_HEADER);
    for s in site.sources.iter() {
        let mut k = key(&s.key);
        let mut n = 1;
        while taken.contains(&k) {
            n += 1;
            k = format!("{}-{n}", key(&s.key));
        }
        out.push('\n');
        out.push_str(&entry("misc", &k, &source_fields(s)));
        taken.insert(k);
    }
    out
}

/// The fields of a source's entry.
fn source_fields(s: &Source) -> Vec<(&'static str, String)> {
    let field = |k: &str| s.fields.get(k).map(|v| clean(v)).filter(|v| !v.is_empty());
    let author = field("author").filter(|a| !unnamed(a));
    let publisher = field("publisher").filter(|p| !unnamed(p) && Some(p) != author.as_ref());
    let mut fields = Vec::new();
    if let Some(a) = &author {
        fields.push(("author", names(std::slice::from_ref(a))));
    }
    let title = field("title").unwrap_or_else(|| clean(&s.key));
    fields.push(("title", protected(&title)));
    let date = field("date");
    match date.as_deref().map(Date::parse) {
        Some(Ok(d)) => fields.push(("date", d.iso())),
        Some(Err(_)) => fields.extend(date.map(|d| ("note", latex(&d)))),
        None => {}
    }
    if let Some(p) = publisher {
        fields.push(("organization", protected(&p)));
    }
    if let Some(u) = field("url") {
        fields.push(("url", safe_url(&u)));
    }
    if let Some(d) = field("description") {
        fields.push(("annotation", latex(&d)));
    }
    fields
}

/// Whether an author or publisher says there is none: "Not named in the copy
/// used", "Unknown", "n/a"… ("Anonymous" is a name a work can be cited by.)
fn unnamed(s: &str) -> bool {
    let l = s.to_lowercase();
    [
        "not named",
        "not stated",
        "not given",
        "not known",
        "unnamed",
        "unknown",
    ]
    .iter()
    .any(|p| l.starts_with(p))
        || ["n/a", "none", "-", "–", "—", "?"].contains(&l.as_str())
}

/// One entry: `@type{key,`, a field a line (names aligned), `}`.
fn entry(kind: &str, key: &str, fields: &[(&str, String)]) -> String {
    let mut out = format!("@{kind}{{{key},\n");
    for (name, value) in fields {
        out.push_str(&format!("  {name:<12} = {{{value}}},\n"));
    }
    out.push_str("}\n");
    out
}

/// A citation key made of a site's key or slug: letters (of any script), digits
/// and `- _ : .`; each run of anything else one `-`. BibTeX keys end at a comma,
/// a brace or white space, and LaTeX's `\cite` chokes on `#`, `%` or `\`.
pub(super) fn key(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_alphanumeric() || matches!(c, '-' | '_' | ':' | '.') {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let k = out.trim_end_matches('-');
    if k.is_empty() {
        "source".to_string()
    } else {
        k.to_string()
    }
}

/// Names as a BibTeX name list, each braced so that it is cited as written
/// (never split into given and family names).
fn names(all: &[String]) -> String {
    all.iter()
        .map(|n| format!("{{{}}}", latex(n)))
        .collect::<Vec<_>>()
        .join(" and ")
}

/// Text in one more pair of braces: kept as written (capitals, " and ").
fn protected(s: &str) -> String {
    format!("{{{}}}", latex(s))
}

/// Text as LaTeX prints it: the characters LaTeX gives a meaning escaped or
/// written as the commands that print them; everything else, UTF-8 included, as
/// it is.
fn latex(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut prev = '\0';
    for c in s.chars() {
        match c {
            '#' | '$' | '%' | '&' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '{' => out.push_str("\\textbraceleft{}"),
            '}' => out.push_str("\\textbraceright{}"),
            '\\' => out.push_str("\\textbackslash{}"),
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '<' => out.push_str("\\textless{}"),
            '>' => out.push_str("\\textgreater{}"),
            // `--` and `---` are dashes in TeX: keep the hyphens apart.
            '-' if prev == '-' => out.push_str("{}-"),
            c => out.push(c),
        }
        prev = c;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latex_escapes_what_latex_reads() {
        assert_eq!(
            latex(r"50% & $1 #2 a_b {x} \n ~ ^ <i> 1988--2022 Россия 한국 «q»"),
            r"50\% \& \$1 \#2 a\_b \textbraceleft{}x\textbraceright{} \textbackslash{}n \textasciitilde{} \textasciicircum{} \textless{}i\textgreater{} 1988-{}-2022 Россия 한국 «q»"
        );
        assert_eq!(latex("a---b"), "a-{}-{}-b");
    }

    #[test]
    fn keys_are_valid_bibtex_keys() {
        assert_eq!(key("rb-2023"), "rb-2023");
        assert_eq!(key("a key, {with} #stuff%"), "a-key-with-stuff");
        assert_eq!(key("доклад-2019"), "доклад-2019");
        assert_eq!(key("{}"), "source");
    }

    #[test]
    fn statements_of_no_name_are_no_name() {
        assert!(unnamed("Not named in the copy used"));
        assert!(unnamed("Unknown author"));
        assert!(unnamed("n/a"));
        assert!(!unnamed("Anonymous"));
        assert!(!unnamed("N. Dorjsuren"));
        assert!(!unnamed("None Such Press"));
    }

    #[test]
    fn an_entry_aligns_its_fields() {
        let e = entry(
            "misc",
            "k",
            &[("title", "{T}".into()), ("organization", "{O}".into())],
        );
        assert_eq!(
            e,
            "@misc{k,\n  title        = {{T}},\n  organization = {{O}},\n}\n"
        );
    }
}
