//! Pagination: a long list (all briefs, a topic's briefs, the briefs that use a
//! dataset or cite a source, the sources) is cut into pages of `paginate:` items
//! (site.yaml, 50 unless set; 0 keeps every list on one page). Page 1 is the
//! list's own address, page `n` is `page/n/` under it, as Hugo and Zola write
//! them, so a site moved from either keeps its URLs.
//!
//! [`Pager`] is the one place that knows how many pages a list has, which items
//! each shows and where each page is; the pages hand its [`Pager::value`] to the
//! theme as `pager` (the numbered links, `rel` prev/next), and `base.html` reads
//! it for `<link rel="prev">`/`<link rel="next">`.

use std::ops::Range;

use serde_json::{Value as Json, json};

/// One page of a list: its number (from 1), how many pages there are, and the
/// site path of the list's first page (`briefs/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Pager {
    pub(super) number: usize,
    pub(super) pages: usize,
    base: String,
    per_page: usize,
}

/// How many pages a list of `len` items takes: at least one, so that an empty
/// list still has its page.
pub(super) fn page_count(len: usize, per_page: usize) -> usize {
    if per_page == 0 {
        1
    } else {
        len.div_ceil(per_page).max(1)
    }
}

/// The site path of page `n` of the list whose first page is at `base`.
pub(super) fn page_path(base: &str, n: usize) -> String {
    if n <= 1 {
        base.to_string()
    } else {
        format!("{base}page/{n}/")
    }
}

/// How many numbered links the pager shows on each side of the current page,
/// besides the first and the last: 200 pages get a pager of at most 7 numbers.
const AROUND: usize = 2;

impl Pager {
    /// Page `number` of a list of `len` items whose first page is at `base`.
    pub(super) fn new(base: &str, number: usize, len: usize, per_page: usize) -> Pager {
        Pager {
            number,
            pages: page_count(len, per_page),
            base: base.to_string(),
            per_page,
        }
    }

    /// The items (their indexes in the whole list) this page shows.
    pub(super) fn range(&self, len: usize) -> Range<usize> {
        if self.per_page == 0 {
            return 0..len;
        }
        let start = ((self.number - 1) * self.per_page).min(len);
        start..(start + self.per_page).min(len)
    }

    /// The site path of this page.
    pub(super) fn path(&self) -> String {
        page_path(&self.base, self.number)
    }

    /// What the theme reads as `pager`: `number`, `pages`, `prev_url`, `next_url`
    /// (absent at either end) and `links`, the numbered links to show in order,
    /// each `{number, url, current}`, or `{gap: true}` where numbers are left out.
    /// `url` makes a site path into the address the pages link to.
    pub(super) fn value(&self, url: impl Fn(&str) -> String) -> Json {
        let at = |n: usize| url(&page_path(&self.base, n));
        let mut links = Vec::new();
        let mut last = 0;
        for n in 1..=self.pages {
            let shown = n == 1 || n == self.pages || n.abs_diff(self.number) <= AROUND;
            if !shown {
                continue;
            }
            if n > last + 1 {
                links.push(json!({"gap": true}));
            }
            links.push(json!({"number": n, "url": at(n), "current": n == self.number}));
            last = n;
        }
        let mut v = json!({"number": self.number, "pages": self.pages, "links": links});
        if self.number > 1 {
            v["prev_url"] = json!(at(self.number - 1));
        }
        if self.number < self.pages {
            v["next_url"] = json!(at(self.number + 1));
        }
        v
    }
}

/// Where a source is listed on the pages of sources, by key: `sources/#key` on
/// the first page, `sources/page/n/#key` further on (an unknown key: the first).
pub(super) fn source_anchor(site: &crate::model::Site, key: &str) -> String {
    let i = site.sources.iter().position(|s| s.key == key).unwrap_or(0);
    let n = match site.config.paginate {
        0 => 1,
        per => i / per + 1,
    };
    format!("{}#{key}", page_path("sources/", n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_ranges() {
        assert_eq!(page_count(0, 50), 1);
        assert_eq!(page_count(50, 50), 1);
        assert_eq!(page_count(51, 50), 2);
        assert_eq!(page_count(10_000, 0), 1);
        let p = Pager::new("briefs/", 3, 120, 50);
        assert_eq!(p.range(120), 100..120);
        assert_eq!(p.path(), "briefs/page/3/");
        assert_eq!(Pager::new("briefs/", 1, 120, 50).path(), "briefs/");
        assert_eq!(Pager::new("t/", 1, 7, 0).range(7), 0..7);
    }

    #[test]
    fn pager_links_leave_gaps() {
        let v = Pager::new("briefs/", 10, 10_000, 50).value(|p| format!("/{p}"));
        let numbers: Vec<String> = (v["links"].as_array().unwrap().iter())
            .map(|l| l["number"].as_u64().map_or("…".into(), |n| n.to_string()))
            .collect();
        assert_eq!(numbers, ["1", "…", "8", "9", "10", "11", "12", "…", "200"]);
        assert_eq!(v["prev_url"], "/briefs/page/9/");
        assert_eq!(v["next_url"], "/briefs/page/11/");
        let first = Pager::new("briefs/", 1, 60, 50).value(|p| format!("/{p}"));
        assert!(first.get("prev_url").is_none());
        assert_eq!(first["next_url"], "/briefs/page/2/");
        let only = Pager::new("briefs/", 1, 3, 50).value(|p| format!("/{p}"));
        assert_eq!(only["pages"], 1);
        assert!(only.get("next_url").is_none());
    }
}
