//! "Cite this brief": a brief's reference as its page shows it (the Cite box,
//! [`page_value`]) and as reference managers import it, beside the page:
//! `briefs/<slug>/cite.bib` (BibTeX for biblatex, [`bibtex`]), `cite.ris` (RIS,
//! [`ris`]) and `cite.json` (CSL-JSON, [`csl`]); and the site's sources as one
//! BibTeX file, [`SOURCES_BIB`].
//!
//! One [`Reference`] is made from a brief and every format writes it, so the box
//! and the three files say the same thing. Its text is made one line first
//! ([`clean`]): a title from a YAML block scalar holds newlines, text pasted from
//! elsewhere control characters, and RIS has no way to write either.
//!
//! The choices every format shares:
//! - **A web page.** A brief is a page revised in place (an updated date, a
//!   revision history) at a stable address, cited with its site's name and a date
//!   of access, with no report number or institution: CSL's `webpage`, biblatex's
//!   `@online`, RIS's `ELEC`; the site's name is CSL's `container-title`.
//! - **Names as written.** The brief's `authors:` (else the site's), each kept
//!   whole (CSL `literal`, a braced BibTeX name): tumen cannot tell a person from a
//!   team ("Tumen briefing team"), nor a family name written first (Korean names)
//!   from one written last, and a wrong split is worse than none.
//! - **Dates from the sources, never the clock.** Issued is the brief's `date:`;
//!   accessed is when it last changed (`updated:`, else its last revision, else its
//!   date), so the same sources give the same bytes on every build, and `tumen
//!   serve` makes the files again exactly when their brief or the settings change.
//! - **The address** only when the base URL names a host: a bare path is no
//!   address a reader's library can open.
//!
//! Written by hand, as `publish` writes the feeds: the `biblatex` crate (Typst's)
//! reads BibTeX well but writes `\` as `\\` (a line break in LaTeX) and `~`, `^` as
//! accent commands, and no kept crate writes RIS; CSL-JSON is serde_json's.

mod bibtex;
mod csl;
mod ris;

use tera::Value;

use super::data_out::full_url;
use super::publish::last_changed;
use crate::model::{Brief, Site};
use crate::util::date::Date;
use crate::util::escape::xml;

/// The path of the sources' BibTeX file, beside the sources page.
pub(super) const SOURCES_BIB: &str = "sources/sources.bib";

/// A brief's citation files, by extension, in its folder.
const FILES: [&str; 3] = ["bib", "ris", "json"];

/// What a brief's citation says, in every format: each text one clean line.
struct Reference {
    /// `<slug>-<year>`: stable while the brief keeps its slug and date.
    key: String,
    title: String,
    authors: Vec<String>,
    issued: Date,
    /// The brief's updated date, when it has one: what the box says.
    updated: Option<Date>,
    /// When it last changed: what the files give as the date of access.
    accessed: Date,
    /// The site's name.
    site: String,
    /// Its page's absolute address, when the base URL names a host.
    url: Option<String>,
    /// Its `summary:`, when written.
    summary: Option<String>,
    /// Its topics' names.
    keywords: Vec<String>,
    language: String,
}

impl Reference {
    fn of(site: &Site, b: &Brief) -> Reference {
        let front = &b.src.front;
        let authors = if front.authors.is_empty() {
            &site.config.authors
        } else {
            &front.authors
        };
        Reference {
            key: format!("{}-{}", bibtex::key(&b.slug), b.src.date.year),
            title: clean(&front.title),
            authors: authors
                .iter()
                .map(|a| clean(a))
                .filter(|a| !a.is_empty())
                .collect(),
            issued: b.src.date,
            updated: b.updated,
            accessed: last_changed(b),
            site: clean(&site.config.title),
            url: (site.config.has_host()).then(|| safe_url(&full_url(site, &b.path))),
            summary: Some(clean(&front.summary)).filter(|s| !s.is_empty()),
            keywords: b.topics.iter().map(|(name, _)| clean(name)).collect(),
            language: clean(&site.config.language),
        }
    }

    /// The reference as the Cite box shows it, as text and as HTML (the title a
    /// `<cite>`, the address a link): `Authors (2024). Title. Site.
    /// https://…/briefs/slug/ (updated 15 January 2024).`; the title first when
    /// there is no author, as author–date styles do.
    fn formatted(&self) -> (String, String) {
        let mut out = Both::default();
        let year = format!("({})", self.issued.year);
        let title = format!("<cite>{}</cite>", xml(&self.title));
        if self.authors.is_empty() {
            out.html(&self.title, title);
            out.text(&format!("{} {year}.", stop(&self.title)));
        } else {
            out.text(&format!("{} {year}. ", names(&self.authors)));
            out.html(&self.title, title);
            out.text(stop(&self.title));
        }
        // The site's name and its full stop: none when the site has no name.
        let site_stop = if self.site.is_empty() {
            ""
        } else {
            out.text(&format!(" {}", self.site));
            stop(&self.site)
        };
        let updated = self.updated.map(|d| format!(" (updated {}).", d.human()));
        match &self.url {
            Some(u) => {
                out.text(&format!("{site_stop} "));
                out.html(u, format!("<a class=\"url\" href=\"{0}\">{0}</a>", xml(u)));
                out.text(updated.as_deref().unwrap_or(""));
            }
            None => out.text(updated.as_deref().unwrap_or(site_stop)),
        }
        (out.text.trim().to_string(), out.html.trim().to_string())
    }
}

/// A text and its HTML, made together.
#[derive(Default)]
struct Both {
    text: String,
    html: String,
}

impl Both {
    fn text(&mut self, s: &str) {
        self.text.push_str(s);
        self.html.push_str(&xml(s));
    }

    fn html(&mut self, text: &str, html: String) {
        self.text.push_str(text);
        self.html.push_str(&html);
    }
}

/// The full stop after `s`, unless it ends with one (or `?`, `!`).
fn stop(s: &str) -> &'static str {
    if s.ends_with(['.', '?', '!']) {
        ""
    } else {
        "."
    }
}

/// `A`, `A and B`, `A, B and C`.
fn names(all: &[String]) -> String {
    match all {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// `s` as one line: every run of white space (newlines, tabs, line and paragraph
/// separators) one space, other control characters dropped, trimmed.
fn clean(s: &str) -> String {
    // Most values are one line of printable ASCII, single-spaced already.
    let b = s.as_bytes();
    let printable = |c: &u8| (b' '..=b'~').contains(c);
    if b.iter().all(printable)
        && b.first() != Some(&b' ')
        && b.last() != Some(&b' ')
        && !s.contains("  ")
    {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_whitespace() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else if !c.is_control() {
            out.push(c);
        }
    }
    out.truncate(out.trim_end().len());
    out
}

/// An address with the characters URLs may not hold as they are (RFC 3986:
/// space, `"`, `<`, `>`, `\`, `^`, `` ` ``, `{`, `|`, `}`) percent-encoded, so
/// that it is the same address in BibTeX's braces, RIS, JSON and HTML.
fn safe_url(u: &str) -> String {
    let mut out = String::with_capacity(u.len());
    for c in clean(u).chars() {
        match c {
            ' ' | '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}' => {
                out.push_str(&format!("%{:02X}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

/// The paths of a brief's citation files: `briefs/<slug>/cite.bib`, `.ris`,
/// `.json`.
pub(super) fn paths(b: &Brief) -> [String; 3] {
    FILES.map(|ext| format!("{}cite.{ext}", b.path))
}

/// A brief's citation files: its paths ([`paths`]) with their bytes.
pub(super) fn brief_files(site: &Site, b: &Brief) -> [(String, Vec<u8>); 3] {
    let r = Reference::of(site, b);
    let [bib, ris, json] = paths(b);
    [
        (bib, bibtex::brief(&r).into_bytes()),
        (ris, ris::brief(&r).into_bytes()),
        (json, csl::brief(&r).into_bytes()),
    ]
}

/// The sources as one BibTeX file (written when there are sources).
pub(super) fn sources_bib(site: &Site) -> String {
    bibtex::sources(site)
}

/// What the Cite box of a brief's page reads (`page.cite`): the reference as
/// text and HTML (`html`, safe), its key, and each file's link and the name a
/// download gets (`<slug>.bib`: every brief's file is `cite.bib`).
pub(super) fn page_value(site: &Site, b: &Brief) -> Value {
    let r = Reference::of(site, b);
    let (text, html) = r.formatted();
    let link = |ext: &str| site.url(&format!("{}cite.{ext}", b.path));
    let name = |ext: &str| format!("{}.{ext}", b.slug);
    // Made as template values directly: by way of JSON, each key was hashed
    // twice over, for 10,000 pages.
    let mut m = tera::value::Map::with_capacity(10);
    for (k, v) in [
        ("key", r.key),
        ("text", text),
        ("bib", link("bib")),
        ("bib_name", name("bib")),
        ("ris", link("ris")),
        ("ris_name", name("ris")),
        ("json", link("json")),
        ("json_name", name("json")),
    ] {
        m.insert(k.into(), Value::from(v));
    }
    m.insert("html".into(), Value::safe_string(&html));
    Value::from(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_makes_one_line() {
        assert_eq!(
            clean("  A\ntitle\r\n\u{2028}with\u{7}\t tabs\u{85} "),
            "A title with tabs"
        );
        assert_eq!(clean("\u{1b}[31m"), "[31m");
        for (s, cleaned) in [("a  b", "a b"), (" a", "a"), ("a ", "a"), ("A b~", "A b~")] {
            assert_eq!(clean(s), cleaned);
        }
        assert_eq!(clean("Россия 한국"), "Россия 한국");
    }

    #[test]
    fn unsafe_url_characters_are_encoded() {
        assert_eq!(
            safe_url("https://x.org/a b/{c}|\"<d>\"?q=1&r=%20#f"),
            "https://x.org/a%20b/%7Bc%7D%7C%22%3Cd%3E%22?q=1&r=%20#f"
        );
    }

    #[test]
    fn names_and_stops() {
        let n = |v: &[&str]| names(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(n(&["A"]), "A");
        assert_eq!(n(&["A", "B"]), "A and B");
        assert_eq!(n(&["A", "B", "C"]), "A, B and C");
        assert_eq!(stop("Why?"), "");
        assert_eq!(stop("Trade"), ".");
    }

    fn reference(authors: &[&str], url: bool, updated: bool) -> Reference {
        let date = |s| Date::parse(s).unwrap();
        Reference {
            key: "trade-2024".into(),
            title: "Trade & <aid>".into(),
            authors: authors.iter().map(|s| s.to_string()).collect(),
            issued: date("2024-01-02"),
            updated: updated.then(|| date("2024-01-15")),
            accessed: date("2024-01-15"),
            site: "Briefings".into(),
            url: url.then(|| "https://x.org/briefs/trade/".to_string()),
            summary: None,
            keywords: Vec::new(),
            language: "en".into(),
        }
    }

    #[test]
    fn the_formatted_reference() {
        let (text, html) = reference(&["A. Analyst", "Team"], true, true).formatted();
        assert_eq!(
            text,
            "A. Analyst and Team (2024). Trade & <aid>. Briefings. https://x.org/briefs/trade/ (updated 15 January 2024)."
        );
        assert_eq!(
            html,
            "A. Analyst and Team (2024). <cite>Trade &amp; &lt;aid&gt;</cite>. Briefings. \
             <a class=\"url\" href=\"https://x.org/briefs/trade/\">https://x.org/briefs/trade/</a> (updated 15 January 2024)."
        );
        let (text, _) = reference(&[], false, false).formatted();
        assert_eq!(text, "Trade & <aid>. (2024). Briefings.");
        let (text, _) = reference(&["A"], false, true).formatted();
        assert_eq!(
            text,
            "A (2024). Trade & <aid>. Briefings (updated 15 January 2024)."
        );
        let (text, _) = reference(&["A"], true, false).formatted();
        assert_eq!(
            text,
            "A (2024). Trade & <aid>. Briefings. https://x.org/briefs/trade/"
        );
    }
}
