//! What changed, as pages show it: a brief's changes page (each commit's word
//! diff of the prose and its figure changes), the change log on a dataset's
//! page, each earlier version of a dataset as CSV and JSON, and the correction
//! notes of a brief's page and feed entry.
//!
//! The word diff compares the prose as a reader reads it
//! ([`markdown::text`](crate::markdown::text)), block by block (a paragraph, a
//! list item, a heading), then word by word within the blocks that changed,
//! with `similar`: what was taken out is `<del>`, what was put in `<ins>`, and
//! the heading of the section it is in goes before it. Unchanged blocks are left
//! out; a long diff is folded in a `<details>`.

use std::collections::BTreeSet;

use serde_json::{Value as Json, json};
use similar::{Algorithm, DiffOp, capture_diff_slices};

use super::context::Ctx;
use crate::deps::Dep;
use crate::load::Dataset;
use crate::load::history::Revision;
use crate::markdown::text::Block;
#[cfg(test)]
use crate::markdown::text::blocks;
use crate::model::changes::{BriefChange, ChangeKind, DatasetRevision, FigureChange};
use crate::model::{Brief, Site};
use crate::util::escape::xml as esc;

/// A diff is folded when it has more blocks than this, or more characters.
const FOLD_BLOCKS: usize = 4;
const FOLD_CHARS: usize = 2_000;
/// The most rows a change log lists for one commit, per kind (added, removed,
/// changed): a commit that rewrote a large dataset is said in numbers past it.
const LOG_ROWS: usize = 50;

/// Where a brief's changes page is written.
pub(super) fn page_path(b: &Brief) -> String {
    format!("{}changes/index.html", b.path)
}

/// Whether brief `i` has a changes page: the site is in git and a commit of its
/// history is there to show.
pub(super) fn has_page(site: &Site, i: usize) -> bool {
    site.changes.briefs.get(i).is_some_and(|l| !l.is_empty())
}

/// The HTML of a word diff of two bodies, and how many blocks changed; `None`
/// when the prose is the same.
#[cfg(test)]
fn prose_diff(before: &str, after: &str) -> Option<(String, usize)> {
    blocks_diff(&blocks(before), &blocks(after))
}

/// The word diff of two bodies made blocks ([`blocks`]), and how many blocks
/// changed; `None` when the prose is the same.
fn blocks_diff(old: &[Block], new: &[Block]) -> Option<(String, usize)> {
    let ops = capture_diff_slices(Algorithm::Patience, old, new);
    let mut out = String::new();
    let (mut changed, mut section): (usize, Option<&Block>) = (0, None);
    let mut shown_section = false;
    for op in ops {
        match op {
            DiffOp::Equal { new_index, len, .. } => {
                if let Some(h) = new[new_index..new_index + len]
                    .iter()
                    .rfind(|b| b.heading > 0)
                {
                    (section, shown_section) = (Some(h), false);
                }
            }
            _ => {
                if !std::mem::replace(&mut shown_section, true)
                    && let Some(h) = section
                {
                    out.push_str(&heading(h, &esc(&h.text)));
                }
                changed += changed_blocks(op, old, new, &mut out);
            }
        }
    }
    (changed > 0).then_some((out, changed))
}

/// A block as its kind of element: a heading one level below the page's, or a
/// paragraph.
fn heading(b: &Block, inner: &str) -> String {
    if b.heading == 0 {
        return format!("<p>{inner}</p>\n");
    }
    let level = (b.heading + 1).min(6);
    format!("<h{level} class=\"diff-heading\">{inner}</h{level}>\n")
}

/// The blocks an op removed, added or replaced, into `out`; how many.
fn changed_blocks(op: DiffOp, old: &[Block], new: &[Block], out: &mut String) -> usize {
    let (o, n) = (op.old_range(), op.new_range());
    let (old, new) = (&old[o], &new[n]);
    let pairs = old.len().min(new.len());
    for (a, b) in old.iter().zip(new) {
        let inner = if a.heading == b.heading {
            words(&a.text, &b.text)
        } else {
            format!("<del>{}</del> <ins>{}</ins>", esc(&a.text), esc(&b.text))
        };
        out.push_str(&heading(b, &inner));
    }
    for a in &old[pairs..] {
        out.push_str(&heading(a, &format!("<del>{}</del>", esc(&a.text))));
    }
    for b in &new[pairs..] {
        out.push_str(&heading(b, &format!("<ins>{}</ins>", esc(&b.text))));
    }
    old.len().max(new.len())
}

/// Two texts word by word: the words taken out in `<del>`, those put in `<ins>`.
fn words(a: &str, b: &str) -> String {
    let (wa, wb): (Vec<&str>, Vec<&str>) = (a.split(' ').collect(), b.split(' ').collect());
    let mut parts = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, &wa, &wb) {
        let (o, n) = (op.old_range(), op.new_range());
        let del = || format!("<del>{}</del>", esc(&wa[o.clone()].join(" ")));
        let ins = || format!("<ins>{}</ins>", esc(&wb[n.clone()].join(" ")));
        match op {
            DiffOp::Equal { .. } => parts.push(esc(&wb[n.clone()].join(" "))),
            DiffOp::Delete { .. } => parts.push(del()),
            DiffOp::Insert { .. } => parts.push(ins()),
            DiffOp::Replace { .. } => parts.extend([del(), ins()]),
        }
    }
    parts.join(" ")
}

/// A commit as every list of changes shows it.
fn commit(r: &Revision) -> Json {
    json!({
        "hash": r.hash, "short": r.short, "date": r.date.iso(), "date_human": r.date.human(),
        "time": r.time, "author": r.author, "subject": r.subject, "correction": r.correction,
    })
}

/// What a kind of change says, where it says something.
fn kind_note(kind: &ChangeKind, what: &str) -> Option<String> {
    match kind {
        ChangeKind::Added => Some(format!("This commit added the {what}.")),
        ChangeKind::HistoryStarts => Some(format!(
            "History shortened: this copy of the repository is a shallow clone, and its history of the {what} starts with this commit."
        )),
        ChangeKind::Unreadable(e) => Some(format!("This version could not be read: {e}.")),
        ChangeKind::Changed => None,
    }
}

fn figure(ctx: &Ctx, f: &FigureChange) -> Json {
    json!({
        "label": f.label, "before": f.before, "after": f.after, "unit": f.unit,
        "dataset": f.dataset, "dataset_title": f.dataset_title,
        "dataset_url": ctx.url(&format!("data/{}/", f.dataset)),
        "row": f.row, "column": f.column, "shown": f.shown,
    })
}

/// One commit of a brief's changes page.
fn brief_entry(ctx: &Ctx, c: &BriefChange) -> Json {
    let diff = match (&c.before, &c.after) {
        (Some(b), Some(a)) if c.kind == ChangeKind::Changed => blocks_diff(b, a),
        _ => None,
    };
    let (html, count) = diff.unwrap_or_default();
    let fold = count > FOLD_BLOCKS || html.len() > FOLD_CHARS;
    json!({
        "commit": commit(&c.rev),
        "note": kind_note(&c.kind, "brief"),
        "diff": html, "diff_blocks": count, "fold": fold,
        "figures": c.figures.iter().map(|f| figure(ctx, f)).collect::<Vec<_>>(),
    })
}

/// The changes page of brief `i`: its commits, newest first.
pub(super) fn page(
    ctx: &Ctx,
    i: usize,
    c: &mut tera::Context,
    deps: &mut BTreeSet<Dep>,
) -> &'static str {
    let site = ctx.site;
    let b = &site.briefs[i];
    let log = &site.changes.briefs[i];
    // Commits that changed nothing the page shows (most often a value of a
    // dataset it reads, but not one it quotes) are listed apart, in one line each.
    let quiet = |c: &&BriefChange| {
        c.kind == ChangeKind::Changed && c.after.is_none() && c.figures.is_empty()
    };
    let entries: Vec<Json> = (log.iter().filter(|c| !quiet(c)))
        .map(|ch| brief_entry(ctx, ch))
        .collect();
    let quiet: Vec<Json> = (log.iter().filter(quiet))
        .map(|c| {
            let r = &c.rev;
            json!({"hash": r.hash, "short": r.short, "date": r.date.iso(), "date_human": r.date.human(), "subject": r.subject})
        })
        .collect();
    let note = match site.repo {
        crate::load::history::RepoState::Shallow => {
            Some("History shortened: this copy of the repository is a shallow clone.")
        }
        _ => None,
    };
    let page = json!({
        "title": b.src.front.title, "url": ctx.url(&b.path), "entries": entries, "note": note,
        "quiet": quiet,
    });
    c.insert_value("page", super::context::tv(&page));
    deps.insert(Dep::Brief(b.src.file.as_path().into()));
    deps.extend(b.datasets.iter().map(|d| Dep::Dataset(d.clone())));
    "changes.html"
}

/// The change log of a dataset's page, newest first (empty without one).
pub(super) fn dataset_log(ctx: &Ctx, d: &Dataset) -> Json {
    let Some(log) = ctx.site.changes.datasets.get(&d.name) else {
        return Json::Array(Vec::new());
    };
    Json::Array(log.iter().map(|r| dataset_entry(ctx, &d.name, r)).collect())
}

fn dataset_entry(ctx: &Ctx, name: &str, r: &DatasetRevision) -> Json {
    let rows = &r.rows;
    let cut = |n: usize| n.saturating_sub(LOG_ROWS);
    let cells = |c: &[(String, String)]| {
        (c.iter())
            .map(|(h, v)| format!("{h}: {v}"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    json!({
        "commit": commit(&r.rev),
        "id": r.id,
        "note": kind_note(&r.kind, "dataset"),
        "csv_url": r.data.is_ok().then(|| ctx.url(&revision_path(name, &r.id, "csv"))),
        "json_url": r.data.is_ok().then(|| ctx.url(&revision_path(name, &r.id, "json"))),
        "rows_after": rows.rows_after,
        "key": rows.key.join(", "),
        "added": rows.added.iter().take(LOG_ROWS).map(|x| json!({"key": x.key, "cells": cells(&x.cells)})).collect::<Vec<_>>(),
        "added_more": cut(rows.added.len()),
        "removed": rows.removed.iter().take(LOG_ROWS).map(|x| json!({"key": x.key, "cells": cells(&x.cells)})).collect::<Vec<_>>(),
        "removed_more": cut(rows.removed.len()),
        "changed": rows.changed.iter().take(LOG_ROWS).map(|x| json!({"key": x.key,
            "cells": x.cells.iter().map(|(h, a, b)| json!({"column": h, "before": a, "after": b})).collect::<Vec<_>>()})).collect::<Vec<_>>(),
        "changed_more": cut(rows.changed.len()),
        "columns_added": rows.columns_added, "columns_removed": rows.columns_removed,
    })
}

/// Where an earlier version of a dataset is written.
pub(super) fn revision_path(name: &str, id: &str, ext: &str) -> String {
    format!("data/{name}/{id}.{ext}")
}

/// Each version of each dataset that a commit left and that loads: where its
/// CSV and JSON go, and what they are made from (the dataset's change log).
pub(super) fn revisions(site: &Site) -> impl Iterator<Item = ([String; 2], Dep, &Dataset)> {
    (site.changes.datasets.iter()).flat_map(|(name, log)| {
        log.iter().filter_map(move |r| {
            let d = r.data.as_ref().ok()?;
            let paths = ["csv", "json"].map(|ext| revision_path(name, &r.id, ext));
            Some((paths, Dep::DatasetLog(name.clone()), &**d))
        })
    })
}

/// A version's CSV and JSON, as the current version's are made.
pub(super) fn revision_bytes(d: &Dataset) -> [Vec<u8>; 2] {
    let mut json_text = format!("{:#}", d.to_json());
    json_text.push('\n');
    [d.to_csv().into_bytes(), json_text.into_bytes()]
}

/// The commits of brief `i`'s history with a `Correction:` trailer that changed
/// what it shows (its text, or a figure), newest first.
fn corrected(site: &Site, i: usize) -> impl Iterator<Item = (&Revision, &String)> {
    (site
        .changes
        .briefs
        .get(i)
        .into_iter()
        .flat_map(|l| l.iter()))
    .filter(|c| {
        let text = match (&c.before, &c.after) {
            (Some(b), Some(a)) => !std::sync::Arc::ptr_eq(b, a) && b != a,
            _ => true,
        };
        text || !c.figures.is_empty()
    })
    .filter_map(|c| Some((&c.rev, c.rev.correction.as_ref()?)))
}

/// Brief `i`'s corrections, newest first: the text of each `Correction:`
/// trailer of a commit that changed what it shows, with the commit's date.
pub(super) fn corrections(site: &Site, i: usize) -> Vec<Json> {
    corrected(site, i)
        .map(|(r, text)| json!({"date": r.date.iso(), "date_human": r.date.human(), "text": text, "short": r.short}))
        .collect()
}

/// Brief `i`'s corrections as the content of its feed entry (escaped for the
/// XML around it), or nothing when it has none.
pub(super) fn feed_content(site: &Site, i: usize) -> String {
    let notes: Vec<String> = corrected(site, i)
        .map(|(r, text)| {
            let date = r.date.human();
            format!("<p><strong>Correction, {date}:</strong> {}</p>", esc(text))
        })
        .collect();
    if notes.is_empty() {
        return String::new();
    }
    format!(
        "<content type=\"html\">{}</content>\n",
        esc(&notes.join(""))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_prose_is_no_diff() {
        let body = "## A\n\nOne *two* three.\n";
        assert_eq!(prose_diff(body, "## A\n\nOne _two_ three.\n"), None);
    }

    #[test]
    fn words_changed_are_marked_under_their_sections_heading() {
        let before = "## First\n\nKept.\n\n## Second\n\nTrade was 120 <b> & more.\n\nKept too.\n";
        let after = "## First\n\nKept.\n\n## Second\n\nTrade was 125 <b> & more.\n\nKept too.\n\nA new paragraph.\n";
        let (html, n) = prose_diff(before, after).unwrap();
        assert_eq!(
            html,
            "<h3 class=\"diff-heading\">Second</h3>\n<p>Trade was <del>120</del> <ins>125</ins> &amp; more.</p>\n<p><ins>A new paragraph.</ins></p>\n"
        );
        assert_eq!(n, 2);
    }

    #[test]
    fn a_heading_renamed_is_a_heading_with_its_words_marked() {
        let (html, _) = prose_diff("## Old name\n\nText.\n", "## New name\n\nText.\n").unwrap();
        assert_eq!(
            html,
            "<h3 class=\"diff-heading\"><del>Old</del> <ins>New</ins> name</h3>\n"
        );
    }
}
