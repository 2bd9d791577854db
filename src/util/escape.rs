//! Escaping text for HTML and XML, for the files written without a template
//! engine (feeds, SVG titles, the preview's error overlay).

/// `s` as XML (and HTML) text or attribute value. Characters XML 1.0 forbids,
/// which text pasted from elsewhere can carry, are dropped.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_and_drops_forbidden_characters() {
        assert_eq!(
            super::xml("a<b & \"c\" 'd' \u{1}"),
            "a&lt;b &amp; &quot;c&quot; &#39;d&#39; "
        );
    }
}
