//! A brief's card: what every list of briefs shows of it (the index, topics,
//! datasets, sources, related briefs), with its entry in the feeds and its line in
//! the sitemap. Made once per render (and kept by the render cache while the brief
//! is unchanged), because lists are most of a large site's work: a title edit on a
//! site of a thousand briefs changes lists of a thousand cards.
//!
//! A card also says what it was made from, so that the render can tell which cards
//! changed since the last one ([`changed_cards`]): that is what the pages showing
//! them record as read ([`Dep::Card`]).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ffi::OsStr;
use std::sync::Arc;

use tera::{Context, Value};

use super::context::{Ctx, tv};
use super::publish;
use super::templates::Templates;
use crate::deps::Dep;
use crate::markdown::html as markdown;
use crate::model::{Brief, Site};
use crate::util::diag::Diagnostic;

/// The theme's template of one brief in a list, pasted into lists ready-made.
pub(super) const CARD_TEMPLATE: &str = "brief-card.html";

/// What lists show of a brief, as the template value they read, with what it was
/// made from: a card is made again only when one of those changed.
#[derive(Debug)]
pub struct Card {
    pub(super) brief: Arc<Brief>,
    pub(super) md: Arc<markdown::Rendered>,
    pub(super) base_path: String,
    /// A hash of what the card shows (its JSON): what tells whether it changed,
    /// without keeping the JSON beside its template value for every brief.
    shown: u128,
    pub(super) value: Value,
    /// The brief's entry in Atom feeds ([`Card::feed_entry`]), and its line in
    /// the sitemap.
    feed_entry: std::sync::OnceLock<String>,
    pub(super) sitemap_entry: String,
}

impl Card {
    pub(super) fn file(&self) -> &std::path::Path {
        &self.brief.src.file
    }

    /// The brief's entry in Atom feeds: made with the card, or in a build when
    /// a feed first shows it (brief `i` of `site`).
    pub(super) fn feed_entry(&self, site: &Site, i: usize) -> &str {
        self.feed_entry.get_or_init(|| publish::atom_entry(site, i))
    }

    /// The card of brief `i`; with `pasted`, its HTML made from the theme's card
    /// template, for lists to paste.
    pub(super) fn make(
        ctx: &Ctx,
        tpl: &Templates,
        i: usize,
        pasted: bool,
    ) -> Result<Card, Diagnostic> {
        let (site, b, json) = (ctx.site, &ctx.site.briefs[i], ctx.card(i));
        let mut value = tv(&json);
        if pasted {
            // Lists paste this instead of running the card template for every
            // brief on every page: a title edit on a large site redraws lists of
            // thousands of briefs.
            let mut c = Context::new();
            c.insert_value("b", value.clone());
            c.insert("hl", "h2");
            let html = tpl.render(CARD_TEMPLATE, &c)?;
            // The context let go first, the map is taken, not copied.
            drop(c);
            let mut m = value.into_map().unwrap_or_default();
            m.insert("card_html".into(), Value::safe_string(&html));
            value = Value::from(m);
        }
        Ok(Card {
            brief: b.clone(),
            md: ctx.md[i].clone(),
            base_path: site.base_path.clone(),
            value,
            // Only the live preview compares cards ([`changed_cards`]); a build's
            // are made once (`html_later`), and its JSON is not written out again.
            shown: match ctx.html_later {
                Some(_) => 0,
                None => xxhash_rust::xxh3::xxh3_128(json.to_string().as_bytes()),
            },
            // A build makes the entries of the briefs its feeds show, when they
            // are written: a feed shows the latest few of thousands.
            feed_entry: match ctx.html_later {
                Some(_) => std::sync::OnceLock::new(),
                None => publish::atom_entry(site, i).into(),
            },
            sitemap_entry: publish::sitemap_url(site, &b.path, Some(publish::last_changed(b))),
        })
    }
}

/// The cards that differ from the last good render's, as [`Dep`]s: `Card` for each
/// brief whose card changed (or appeared, or went), `Cards` when any did or their
/// order changed.
pub(super) fn changed_cards(old: &[Arc<Card>], new: &[Arc<Card>]) -> BTreeSet<Dep> {
    let same = |a: &Arc<Card>, b: &Arc<Card>| Arc::ptr_eq(a, b) || a.shown == b.shown;
    fn file(c: &Arc<Card>) -> &OsStr {
        c.file().as_os_str()
    }
    let mut changed = BTreeSet::new();
    let reordered = old.len() != new.len()
        || old
            .iter()
            .zip(new)
            .any(|(a, b)| !a.brief.same_file(&b.brief));
    if !reordered {
        // The usual edit: card by card.
        changed.extend(
            old.iter()
                .zip(new)
                .filter(|(a, b)| !same(a, b))
                .map(|(_, b)| Dep::Card(b.file().into())),
        );
    } else {
        let before: HashMap<&OsStr, &Arc<Card>> = old.iter().map(|c| (file(c), c)).collect();
        changed.extend(
            new.iter()
                .filter(|c| before.get(file(c)).is_none_or(|o| !same(o, c)))
                .map(|c| Dep::Card(c.file().into())),
        );
        let now: HashSet<&OsStr> = new.iter().map(file).collect();
        changed.extend(
            old.iter()
                .filter(|c| !now.contains(file(c)))
                .map(|c| Dep::Card(c.file().into())),
        );
    }
    if reordered {
        changed.insert(Dep::BriefOrder);
    }
    if reordered || !changed.is_empty() {
        changed.insert(Dep::Cards);
    }
    changed
}
