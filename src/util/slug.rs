//! URL slugs: lowercase ASCII words joined by hyphens, stable across runs.

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

#[cfg(test)]
mod tests {
    use super::*;

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
