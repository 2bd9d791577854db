//! URL slugs: made from titles and file names (lowercase words joined by
//! hyphens, stable across runs), or given in front matter and then kept as
//! written when they are a safe URL segment ([`unsafe_segment`]), so that a site
//! moved from Zola or Hugo keeps its URLs.

/// `"Russia–DPRK Trade: 1988 → 2022"` → `"russia-dprk-trade-1988-2022"`.
///
/// Letters outside ASCII are kept (lowercased) so that Cyrillic or Korean headings
/// still get meaningful anchors; browsers percent-encode them as needed.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.extend(c.to_lowercase());
        } else if c == '\'' || c == '’' {
            // "Russia's" → "russias", not "russia-s".
        } else {
            pending_dash = true;
        }
    }
    out
}

/// Why `slug`, as written in front matter, cannot be a URL segment; `None` when
/// it can. A safe segment holds letters of any script, digits, `-`, `_` and `.`,
/// and is not `.`, `..` or hidden (starting with `.`, which many hosts do not
/// serve).
pub fn unsafe_segment(slug: &str) -> Option<String> {
    if slug.is_empty() {
        return Some("it is empty".to_string());
    }
    if slug.starts_with('.') {
        return Some(if slug == "." || slug == ".." {
            format!("`{slug}` names a folder, not a page")
        } else {
            "a name starting with `.` is hidden, and many hosts do not serve it".to_string()
        });
    }
    let bad = slug
        .chars()
        .find(|&c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.')))?;
    Some(match bad {
        '/' | '\\' => format!("`{bad}` would put the page in a folder of its own"),
        ' ' => "it holds a space".to_string(),
        c if c.is_control() || c.is_whitespace() => {
            format!("it holds the character U+{:04X}", c as u32)
        }
        c => format!(
            "`{c}` has a meaning in URLs (only letters, digits, `-`, `_` and `.` are kept as written)"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_segments_are_kept_as_written() {
        for ok in [
            "1.45.1-prerelease",
            "using_rustc",
            "Trade-2024",
            "торговля",
            "무역",
        ] {
            assert_eq!(unsafe_segment(ok), None, "{ok}");
        }
        for bad in [
            "", ".", "..", ".hidden", "a/b", "a b", "a?b", "a#b", "a%20b", "a\u{7}b", "a\\b",
        ] {
            assert!(unsafe_segment(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn slugs() {
        assert_eq!(
            slugify("Russia–DPRK Trade: 1988 → 2022"),
            "russia-dprk-trade-1988-2022"
        );
        assert_eq!(slugify("  Russia's   debt  "), "russias-debt");
        assert_eq!(slugify("Торговля и КНДР"), "торговля-и-кндр");
        assert_eq!(slugify("---"), "");
    }
}
