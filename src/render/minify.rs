//! `--minify`: smaller HTML and CSS, same rendering.
//!
//! Hand-written and deliberately conservative: the minifier crates that do more
//! (minify-html) bring hundreds of dependencies, and what matters here is only what
//! is always safe: HTML comments go, runs of whitespace in text become one space
//! (nothing inside `pre`, `textarea`, `script`, `style` or a tag is touched), and
//! CSS loses comments and the whitespace around its punctuation. The result is as
//! deterministic as the input.

use crate::load::StaticFile;
use crate::output::{Content, OutputFile};

/// Elements whose text is kept exactly.
const RAW: &[&str] = &["pre", "textarea", "script", "style"];

fn tag_name(tag: &str) -> String {
    tag.trim_start_matches('<')
        .trim_start_matches('/')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Minify an HTML document.
pub fn html(input: &str) -> String {
    let b = input.as_bytes();
    let mut out = String::with_capacity(input.len());
    let mut i = 0;
    let mut in_space = false;
    while i < b.len() {
        if input[i..].starts_with("<!--") && !input[i..].starts_with("<!--[if") {
            // A comment: dropped (a space stands for it if text was on both sides).
            i = input[i..].find("-->").map_or(b.len(), |e| i + e + 3);
            continue;
        }
        if b[i] == b'<'
            && i + 1 < b.len()
            && (b[i + 1].is_ascii_alphabetic() || b[i + 1] == b'/' || b[i + 1] == b'!')
        {
            // A tag, copied as it is (quotes may hide a `>`).
            let start = i;
            let mut quote = None;
            while i < b.len() {
                match (quote, b[i]) {
                    (None, b'"' | b'\'') => quote = Some(b[i]),
                    (Some(q), c) if c == q => quote = None,
                    (None, b'>') => break,
                    _ => {}
                }
                i += 1;
            }
            i = (i + 1).min(b.len());
            let tag = &input[start..i];
            out.push_str(tag);
            in_space = false;
            let name = tag_name(tag);
            if !tag.starts_with("</") && RAW.contains(&name.as_str()) {
                let close = format!("</{name}");
                let end = input[i..]
                    .to_ascii_lowercase()
                    .find(&close)
                    .map_or(b.len(), |e| i + e);
                out.push_str(&input[i..end]);
                i = end;
            }
            continue;
        }
        let Some(c) = input[i..].chars().next() else {
            break;
        };
        if c.is_ascii_whitespace() {
            if !in_space {
                out.push(' ');
                in_space = true;
            }
        } else {
            out.push(c);
            in_space = false;
        }
        i += c.len_utf8();
    }
    out
}

/// Minify a stylesheet.
pub fn css(input: &str) -> String {
    let c: Vec<char> = input.chars().collect();
    let mut out = String::with_capacity(input.len());
    let mut pending_space = false;
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        match ch {
            '/' if c.get(i + 1) == Some(&'*') => {
                i += 2;
                while i < c.len() && !(c[i] == '*' && c.get(i + 1) == Some(&'/')) {
                    i += 1;
                }
                i += 2;
                pending_space = true;
                continue;
            }
            '"' | '\'' => {
                if pending_space && needs_space(out.chars().last()) {
                    out.push(' ');
                }
                pending_space = false;
                out.push(ch);
                i += 1;
                while i < c.len() {
                    out.push(c[i]);
                    i += 1;
                    if c[i - 1] == ch {
                        break;
                    }
                }
                continue;
            }
            ch if ch.is_whitespace() => pending_space = true,
            '{' | '}' | ';' | ',' | ':' | '>' => {
                if ch == '}' && out.ends_with(';') {
                    out.pop();
                }
                // A space before `:` matters in a selector (`a :hover` is not
                // `a:hover`), never in a declaration: look ahead for which it is.
                if ch == ':' && pending_space && needs_space(out.chars().last()) {
                    let selector =
                        c[i..].iter().find(|x| matches!(x, '{' | ';' | '}')) == Some(&'{');
                    if selector {
                        out.push(' ');
                    }
                }
                out.push(ch);
                pending_space = false;
                while i + 1 < c.len() && c[i + 1].is_whitespace() {
                    i += 1;
                }
            }
            ch => {
                if pending_space && needs_space(out.chars().last()) {
                    out.push(' ');
                }
                pending_space = false;
                out.push(ch);
            }
        }
        i += 1;
    }
    out.trim().to_string()
}

fn needs_space(prev: Option<char>) -> bool {
    !matches!(prev, None | Some('{' | '}' | ';' | ',' | ':' | '>' | '('))
}

/// Minify the HTML and CSS files of a rendered site in place.
pub fn files(files: &mut [OutputFile]) {
    for f in files.iter_mut() {
        let is_html = f.path.ends_with(".html");
        let is_css = f.path.ends_with(".css");
        if !is_html && !is_css {
            continue;
        }
        let text = match &f.content {
            Content::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
            Content::Copy(StaticFile::Embedded(b)) => String::from_utf8_lossy(b).into_owned(),
            Content::Copy(StaticFile::Disk(p)) => match std::fs::read_to_string(p) {
                Ok(t) => t,
                Err(_) => continue,
            },
        };
        let small = if is_html { html(&text) } else { css(&text) };
        f.content = Content::Bytes(small.into_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_keeps_tags_pre_and_scripts() {
        let src = "<!DOCTYPE html>\n<p class=\"a  b\">One\n   two  <!-- note -->three</p>\n<pre>  keep\n   this </pre>\n<script>if (a  <  b) {}</script>\n<a title='x > y'>z</a>";
        assert_eq!(
            html(src),
            "<!DOCTYPE html> <p class=\"a  b\">One two three</p> <pre>  keep\n   this </pre> <script>if (a  <  b) {}</script> <a title='x > y'>z</a>"
        );
    }

    #[test]
    fn css_loses_comments_and_spaces_but_not_meaning() {
        let src = "/* c */\n.a :hover , .b > .c {\n  color : red ;\n  margin: 0 auto;\n}\n.d::after { content: \" (\" attr(href) \")\"; }\n@media (min-width: 64rem) { .e { x: 1 } }";
        assert_eq!(
            css(src),
            ".a :hover,.b>.c{color:red;margin:0 auto}.d::after{content:\" (\" attr(href) \")\"}@media (min-width:64rem){.e{x:1}}"
        );
    }
}
