//! Diagnostics: every user-facing error carries a file, a line and column, what is
//! wrong and, where we can tell, how to fix it.
//!
//! Stages collect diagnostics instead of stopping at the first one, so that a user
//! fixes all the errors of a kind in one pass instead of one per build.
//!
//! Most diagnostics are errors: the build stops. A few are [`Warnings`] (a mistake
//! in a brief's Markdown that still renders, see `crate::resolve::lint`):
//! `tumen build` prints them and goes on, `tumen check` counts them as errors.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in the user's sources.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The file, as the user would type it (relative to where tumen runs when possible).
    pub file: PathBuf,
    /// 1-based; 0 when the problem is about the file as a whole.
    pub line: usize,
    /// 1-based; 0 when unknown.
    pub col: usize,
    pub message: String,
    /// The offending source line, shown under the message.
    pub snippet: Option<Box<str>>,
    pub help: Option<String>,
    /// Further places of the same problem (`file:line:col`), listed under it.
    /// Boxed: rare, and errors stay small (they travel in every `Result`).
    pub also: Option<Box<Vec<String>>>,
    /// Where the caret goes under the snippet when not at `col` (0: at `col`):
    /// a CSV error is at line:field, its caret under the field's first
    /// character. A `u32`, so that errors stay small.
    pub caret: u32,
}

impl Diagnostic {
    /// A problem with a file as a whole (missing, unreadable).
    pub fn file(file: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_path_buf(),
            line: 0,
            col: 0,
            message: message.into(),
            snippet: None,
            help: None,
            also: None,
            caret: 0,
        }
    }

    /// A problem at `line:col` of `source` (the whole text of `file`).
    pub fn at(
        file: &Path,
        source: &str,
        line: usize,
        col: usize,
        message: impl Into<String>,
    ) -> Self {
        let snippet = if line > 0 {
            source
                .lines()
                .nth(line - 1)
                .map(|l| l.trim_end_matches('\r').into())
        } else {
            None
        };
        Diagnostic {
            file: file.to_path_buf(),
            line,
            col,
            message: message.into(),
            snippet,
            help: None,
            also: None,
            caret: 0,
        }
    }

    /// A problem at a byte offset of `source`.
    pub fn at_offset(file: &Path, source: &str, offset: usize, message: impl Into<String>) -> Self {
        let (line, col) = line_col(source, offset);
        Self::at(file, source, line, col, message)
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// Where it is, as `file:line:col` (as much of it as is known).
    pub fn location(&self) -> String {
        let file = self.file.display();
        match (self.line, self.col) {
            (0, _) => file.to_string(),
            (l, 0) => format!("{file}:{l}"),
            (l, c) => format!("{file}:{l}:{c}"),
        }
    }

    /// One report for one problem met in several places: the first place's
    /// diagnostic, with the other places listed under it. `None` for no places.
    pub fn one_report(mut places: Vec<Diagnostic>) -> Option<Diagnostic> {
        places.sort();
        places.dedup();
        let mut rest = places.into_iter();
        let mut first = rest.next()?;
        let also: Vec<String> = rest.map(|d| d.location()).collect();
        first.also = (!also.is_empty()).then(|| Box::new(also));
        Some(first)
    }

    /// Shown under `label` (`error`, `warning`): what is wrong, where, the line
    /// with a caret under the place, other places, and how to fix it.
    fn show(&self, f: &mut fmt::Formatter<'_>, label: &str) -> fmt::Result {
        writeln!(f, "{label}: {}", self.message)?;
        let gutter = " ".repeat(self.line.to_string().len());
        writeln!(f, "{gutter}--> {}", self.location())?;
        if let Some(snippet) = &self.snippet {
            let (shown, col) = window(
                snippet,
                if self.caret > 0 {
                    self.caret as usize
                } else {
                    self.col
                },
            );
            writeln!(f, "{gutter} |")?;
            writeln!(f, "{} | {}", self.line, shown)?;
            if col > 0 {
                // Keep tabs so the caret lines up under the same tab stops.
                let pad: String = shown
                    .chars()
                    .take(col - 1)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                writeln!(f, "{gutter} | {pad}^")?;
            }
        }
        match self.also.as_deref().map_or(&[][..], Vec::as_slice) {
            [] => {}
            [one] => writeln!(f, "{gutter} = also at {one}")?,
            more => writeln!(
                f,
                "{gutter} = also at {} other places: {}",
                more.len(),
                more.join(", ")
            )?,
        }
        if let Some(help) = &self.help {
            writeln!(f, "{gutter} = help: {help}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.show(f, "error")
    }
}

/// At most [`WIDTH`] characters of a long line, around column `col` (1-based; 0
/// for none), with `…` where it was cut; and the column within what is shown.
fn window(line: &str, col: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= WIDTH {
        return (line.to_string(), col);
    }
    let start = col.saturating_sub(WIDTH / 2).min(chars.len() - WIDTH);
    let end = start + WIDTH;
    let mut shown: String = chars[start..end].iter().collect();
    let mut col = col.saturating_sub(start);
    if start > 0 {
        shown.insert(0, '…');
        col += usize::from(col > 0);
    }
    if end < chars.len() {
        shown.push('…');
    }
    (shown, col)
}

/// The widest source line a message shows.
const WIDTH: usize = 120;

/// A batch of diagnostics: the error type of every stage.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Sorted by file and place, one report per problem: the order they are shown in.
    pub fn sorted(self) -> Self {
        Self(one_report_each(self.0))
    }

    /// Ok when empty; otherwise the errors, sorted so output is stable whatever order
    /// parallel stages found them in.
    /// Takes the diagnostics out, leaving this collection empty for the next batch.
    /// The same problem met in several places (the same message and help) is one
    /// report that lists the other places.
    /// The errors recorded, or else `value`: for a value missing only when an
    /// error was recorded (what `expect("checked above")` would say), without a
    /// panic should that ever fail to hold.
    pub fn or_value<T>(&mut self, value: Option<T>) -> Result<T, Diagnostics> {
        self.into_result()?;
        value.ok_or_else(|| {
            Diagnostic::file(
                Path::new("tumen"),
                "internal error: a value is missing with no error to say why; please report it",
            )
            .into()
        })
    }

    /// Every value of `results`, or every error among them.
    pub fn all_ok<T>(
        results: impl IntoIterator<Item = Result<T, Diagnostic>>,
    ) -> Result<Vec<T>, Diagnostics> {
        let mut errors = Diagnostics::default();
        let values = (results.into_iter())
            .filter_map(|r| r.map_err(|e| errors.push(e)).ok())
            .collect();
        errors.into_result()?;
        Ok(values)
    }

    pub fn into_result(&mut self) -> Result<(), Diagnostics> {
        if self.0.is_empty() {
            return Ok(());
        }
        Err(std::mem::take(self).sorted())
    }
}

/// The same problem met in several places (the same message and help) as one
/// report that lists the other places; sorted by file and place.
fn one_report_each(all: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut groups: Vec<Vec<Diagnostic>> = Vec::new();
    let mut index: std::collections::HashMap<(String, Option<String>), usize> =
        std::collections::HashMap::new();
    for d in all {
        let key = (d.message.clone(), d.help.clone());
        let i = *index.entry(key).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[i].push(d);
    }
    let mut out: Vec<Diagnostic> = groups
        .into_iter()
        .filter_map(Diagnostic::one_report)
        .collect();
    out.sort();
    out
}

impl From<Vec<Diagnostic>> for Diagnostics {
    fn from(v: Vec<Diagnostic>) -> Self {
        Diagnostics(v)
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// Problems that do not stop a build: shown as `warning:`, in the format of an
/// error, by `build` and `serve`, which go on; errors of `tumen check`.
/// A list of their own rather than a mark on each [`Diagnostic`], which stays
/// small: errors travel in every `Result`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Warnings(pub Vec<Diagnostic>);

impl Warnings {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Sorted by file and place, one report per problem: the order they are shown in.
    pub fn sorted(self) -> Self {
        Self(one_report_each(self.0))
    }
}

impl fmt::Display for Warnings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            d.show(f, "warning")?;
            writeln!(f)?;
        }
        Ok(())
    }
}

/// Warnings taken as errors, as `tumen check` takes them.
impl From<Warnings> for Diagnostics {
    fn from(w: Warnings) -> Self {
        Diagnostics(w.0)
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = source[line_start..offset].chars().count() + 1;
    (line, col)
}

/// The nearest known word to `word`, for "did you mean …?" hints.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let lower = word.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&lower, &c.to_lowercase());
        if score > best.map_or(0.0, |b| b.0) {
            best = Some((score, c));
        }
    }
    // Below ~0.8 the "nearest" word is usually unrelated and the hint misleads.
    best.filter(|(s, _)| *s >= 0.8).map(|(_, c)| c.to_string())
}

/// "did you mean `x`?" or a list of what is allowed when nothing is close.
pub fn did_you_mean(word: &str, candidates: &[&str]) -> String {
    match suggest(word, candidates.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!(
            "expected one of: {}",
            candidates
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let s = "ab\nкд x\n";
        assert_eq!(line_col(s, 0), (1, 1));
        assert_eq!(line_col(s, 3), (2, 1));
        // "кд " is 5 bytes; x is the 4th character of line 2.
        assert_eq!(line_col(s, 8), (2, 4));
    }

    #[test]
    fn suggestion_finds_near_misses_only() {
        assert_eq!(
            suggest("titel", ["title", "theme", "extra"]).as_deref(),
            Some("title")
        );
        assert_eq!(suggest("zzzz", ["title", "theme"]), None);
    }

    #[test]
    fn display_shows_location_snippet_and_caret() {
        let src = "a: 1\nyaer: 2\n";
        let d = Diagnostic::at(Path::new("x.yaml"), src, 2, 1, "unknown key `yaer`")
            .with_help("did you mean `year`?");
        let text = d.to_string();
        assert!(text.contains("--> x.yaml:2:1"), "{text}");
        assert!(text.contains("2 | yaer: 2"), "{text}");
        assert!(text.contains("  | ^"), "{text}");
        assert!(text.contains("help: did you mean `year`?"), "{text}");
        assert!(text.starts_with("error: unknown key"), "{text}");
        let w = Warnings(vec![d]).to_string();
        assert!(w.starts_with("warning: unknown key `yaer`\n"), "{w}");
        assert!(w.contains("--> x.yaml:2:1"), "{w}");
    }

    #[test]
    fn long_lines_are_shown_around_the_column() {
        let line = format!("x: {}", "[".repeat(5000));
        let d = Diagnostic::at(Path::new("s.yaml"), &line, 1, 2000, "too deep");
        let text = d.to_string();
        let shown = text.lines().find(|l| l.starts_with("1 | ")).unwrap();
        assert!(
            shown.chars().count() < 130 && shown.contains('…'),
            "{shown}"
        );
        let caret = text.lines().find(|l| l.trim_end().ends_with('^')).unwrap();
        // The caret stands under column 2000's character, in the middle of the
        // window: after `1 | `, the `…` and the 59 characters before it.
        assert_eq!(caret.find('^'), Some(4 + 1 + 59), "{caret}");
        assert_eq!(window("short", 3), ("short".to_string(), 3));
    }

    #[test]
    fn one_report_lists_the_other_places() {
        let at = |line| Diagnostic::at(Path::new("d.yaml"), "a\nb\nc\n", line, 3, "unknown key");
        let d = Diagnostic::one_report(vec![at(3), at(1), at(2), at(1)]).unwrap();
        assert_eq!(d.line, 1);
        assert_eq!(*d.also.clone().unwrap(), ["d.yaml:2:3", "d.yaml:3:3"]);
        let text = d.to_string();
        assert!(
            text.contains("also at 2 other places: d.yaml:2:3, d.yaml:3:3"),
            "{text}"
        );
        assert!(Diagnostic::one_report(Vec::new()).is_none());
    }
}
