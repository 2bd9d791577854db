//! RIS, the tagged format Zotero, EndNote and Mendeley import: a line per field,
//! `TY  - ` first and `ER  - ` last, each line ending in CR LF as the format's
//! readers expect, UTF-8 without a byte-order mark.
//!
//! A value is one line ([`super::clean`]), so no value can end its line early and
//! start a tag of its own. The type is `ELEC` (a web page); the site's name is
//! `T2`, the secondary title Zotero reads as a website's; `DA` and `Y2` (the
//! date of access) are written `YYYY/MM/DD/`, with empty parts for a date known
//! to the month or year only.

use super::Reference;
use crate::util::date::Date;

/// A brief's RIS file: one record.
pub(super) fn brief(r: &Reference) -> String {
    let mut lines: Vec<(&str, String)> = vec![("TY", "ELEC".into())];
    lines.extend(r.authors.iter().map(|a| ("AU", a.clone())));
    lines.push(("TI", r.title.clone()));
    lines.push(("T2", r.site.clone()));
    lines.push(("PY", format!("{:04}", r.issued.year)));
    lines.push(("DA", date(&r.issued)));
    if let Some(u) = &r.url {
        lines.push(("UR", u.clone()));
        lines.push(("Y2", date(&r.accessed)));
    }
    lines.extend(r.summary.iter().map(|s| ("AB", s.clone())));
    lines.extend(r.keywords.iter().map(|k| ("KW", k.clone())));
    lines.push(("LA", r.language.clone()));
    lines.push(("ID", r.key.clone()));
    let mut out = String::with_capacity(lines.iter().map(|(_, v)| v.len() + 8).sum::<usize>() + 8);
    for (tag, value) in lines.into_iter().filter(|(_, v)| !v.is_empty()) {
        for part in [tag, "  - ", &value, "\r\n"] {
            out.push_str(part);
        }
    }
    out.push_str("ER  - \r\n");
    out
}

/// A date as RIS writes it: `2024/05/20/`, `2024/05//`, `2024///`.
fn date(d: &Date) -> String {
    let part = |n: u8| {
        if n == 0 {
            String::new()
        } else {
            format!("{n:02}")
        }
    };
    format!("{:04}/{}/{}/", d.year, part(d.month), part(d.day))
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_keep_their_precision() {
        let d = |s| super::date(&crate::util::date::Date::parse(s).unwrap());
        assert_eq!(d("2024-05-20"), "2024/05/20/");
        assert_eq!(d("2024-05"), "2024/05//");
        assert_eq!(d("2024"), "2024///");
    }
}
