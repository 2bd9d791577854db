//! What a render keeps for the next ([`RenderCache`]): each brief's Markdown, card
//! (with its HTML, feed entry and sitemap line) and search terms, the related
//! briefs, the parsed templates, the `data` globals, the figures and the charts
//! drawn for them, each with what it was made from.
//!
//! The render stage keeps this one cache and nothing else between renders (no
//! process-wide state in the steps: `charts` draws, this keeps). The live preview
//! holds one between rebuilds; one-shot renders share one per process
//! ([`render`](super::render)). An entry is reused only when what it was made
//! from is the same, compared by pointer first (a resolve shares what it did not
//! change), so a cache changes how much a render makes, never what it makes.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ffi::{OsStr, OsString};
use std::sync::{Arc, Mutex, PoisonError};

use rayon::prelude::*;
use tera::Value;

use super::cards::Card;
use super::charts;
use super::context::{Ctx, related_briefs};
use super::figures::Figure;
use super::templates::Templates;
use crate::markdown::html as markdown;
use crate::model::chart::ChartPlan;
use crate::model::{Brief, Site};
use crate::util::diag::{Diagnostic, Diagnostics};
use crate::util::terms::Terms;

/// A figure by its plan's key, number, id and standalone SVG's path.
pub(super) type FigureKey = (u64, usize, String, String);

/// The figures made before, by key, and the charts drawn for them.
#[derive(Debug, Default)]
pub(super) struct Figures {
    made: HashMap<FigureKey, Figure>,
    /// What the figures were made from besides their plans: when it changes, they
    /// are all laid out again.
    basis: Option<FigureBasis>,
    /// Each chart drawn, as a standalone SVG, by its plan's key and the palette's
    /// hash: kept whatever else changed (a template edit lays every figure out
    /// again, but draws no chart again). Drawn in parallel, hence the lock.
    svgs: Mutex<HashMap<(u64, u64), Arc<String>>>,
}

impl Figures {
    /// The figure made before under `key`, if what else it read holds.
    pub(super) fn get(&self, key: &FigureKey) -> Option<&Figure> {
        self.made.get(key)
    }

    /// The chart of `plan` as a standalone SVG: drawn before with this palette,
    /// or drawn now.
    pub(super) fn svg(&self, plan: &ChartPlan, palette: &[String]) -> Result<Arc<String>, String> {
        let key = (
            plan.key(),
            crate::util::hash::fnv(palette.join(",").as_bytes()),
        );
        if let Some(s) = self
            .svgs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
        {
            return Ok(s.clone());
        }
        let drawn = Arc::new(charts::svg(plan, palette)?);
        self.svgs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, drawn.clone());
        Ok(drawn)
    }
}

/// What a figure is made from besides its plan: the templates (how many times
/// they were parsed), the base path, the palette and the sources' titles.
type FigureBasis = (u64, String, Vec<String>, Vec<(String, Option<String>)>);

/// What a render made that the next can reuse, so that an edit makes again only
/// what it changed: Markdown, cards, search terms, related briefs, the parsed
/// templates, the `data` globals, figures and charts. An entry is reused only when
/// its inputs are the same (compared by pointer first: a resolve shares what it
/// did not change).
#[derive(Debug, Default)]
pub struct RenderCache {
    // By file, as bytes: hashing a `Path` walks its components, and every brief
    // is looked up on every render.
    md: HashMap<OsString, CachedMarkdown>,
    cards: HashMap<OsString, Arc<Card>>,
    /// The last render's briefs with their Markdown and cards, in order: an edit
    /// shares every brief it did not change with the last resolve, and telling
    /// those by pointer is far quicker than looking each up by file.
    last: Option<LastRender>,
    /// Each brief's search terms, for the search index a partial render left for
    /// later.
    terms: HashMap<OsString, CachedTerms>,
    /// Each figure's HTML and standalone SVG, by its plan's key, number, id and
    /// file, while what else it was made from ([`FigureBasis`]) holds; and every
    /// chart drawn.
    figures: Figures,
    /// How many times the templates were parsed: a figure made with other ones
    /// is made again.
    templates_made: u64,
    /// What every card's HTML was made with: the settings and the card template.
    card_basis: Option<(crate::load::config::SiteConfig, Option<String>)>,
    data: Option<CachedData>,
    related: Option<CachedRelated>,
    templates: Option<CachedTemplates>,
    /// What each brief's PDF was made from, and its size.
    pdfs: super::pdf::PdfCache,
}

/// The theme parsed, and what it was parsed from: the base path and each
/// template's name, file and text.
#[derive(Debug)]
struct CachedTemplates {
    base_path: String,
    texts: Vec<(String, String, String)>,
    tpl: Templates,
}

fn template_texts(site: &Site) -> Vec<(String, String, String)> {
    site.theme
        .templates
        .iter()
        .map(|(n, t)| (n.clone(), t.origin.clone(), t.text.clone()))
        .collect()
}

/// Every brief's related briefs, and what they were picked from: each brief's
/// topics and each topic's briefs.
#[derive(Debug)]
struct CachedRelated {
    topics_of: Vec<Vec<String>>,
    topics: Vec<(String, Vec<usize>)>,
    related: Arc<Vec<Vec<usize>>>,
}

#[derive(Debug)]
struct CachedMarkdown {
    body: Arc<crate::model::Body>,
    links: Arc<BTreeMap<String, String>>,
    base_path: String,
    raw_html: bool,
    figures: Vec<String>,
    out: Arc<markdown::Rendered>,
}

/// `old` made the same as `new`, element by element where both are as long.
fn keep_in_place<T>(old: &mut Vec<Arc<T>>, new: &[Arc<T>]) {
    if old.len() != new.len() {
        *old = new.to_vec();
        return;
    }
    for (o, n) in old.iter_mut().zip(new) {
        if !Arc::ptr_eq(o, n) {
            *o = n.clone();
        }
    }
}

/// What the last render made of each brief, for the next to compare with.
#[derive(Debug)]
struct LastRender {
    base_path: String,
    raw_html: bool,
    briefs: Vec<Arc<Brief>>,
    figures: Vec<Vec<String>>,
    md: Vec<Arc<markdown::Rendered>>,
    cards: Vec<Arc<Card>>,
}

/// The `data` and `datasets` globals, and what they were made from: the base path
/// and each dataset's name and text.
#[derive(Debug)]
struct CachedData {
    base_path: String,
    texts: Vec<(String, String, u64)>,
    data: Value,
    datasets: Value,
}

impl RenderCache {
    /// What the briefs' PDFs were last made from.
    pub(super) fn pdfs(&mut self) -> &mut super::pdf::PdfCache {
        &mut self.pdfs
    }

    /// The Markdown last made of the brief in `file`.
    pub(super) fn markdown_of(&self, file: &std::path::Path) -> Option<Arc<markdown::Rendered>> {
        self.md.get(file.as_os_str()).map(|c| c.out.clone())
    }

    /// Keep this render's briefs, Markdown and cards in order for the next.
    pub(super) fn remember(
        &mut self,
        site: &Site,
        figures: &[Vec<String>],
        md: &[Arc<markdown::Rendered>],
        cards: &[Arc<Card>],
    ) {
        let last = self.last.get_or_insert_with(|| LastRender {
            base_path: String::new(),
            raw_html: false,
            briefs: Vec::new(),
            figures: Vec::new(),
            md: Vec::new(),
            cards: Vec::new(),
        });
        last.base_path.clone_from(&site.base_path);
        last.raw_html = site.config.markdown.unsafe_html;
        // In place: a rebuild of the live preview changes a few of 10,000 briefs,
        // and making the lists again (and dropping the old) cost a millisecond each.
        keep_in_place(&mut last.briefs, &site.briefs);
        if last.figures.as_slice() != figures {
            last.figures = figures.to_vec();
        }
        keep_in_place(&mut last.md, md);
        keep_in_place(&mut last.cards, cards);
    }

    /// Every brief's Markdown, from the cache where its inputs are unchanged;
    /// errors are those of reading a body again ([`crate::model::Body::text`]).
    #[allow(
        clippy::expect_used,
        reason = "each brief's HTML is filled in the loop above, from the cache or made"
    )]
    pub(super) fn markdown(
        &mut self,
        site: &Site,
        figures: &[Vec<String>],
    ) -> Result<Vec<Arc<markdown::Rendered>>, Diagnostics> {
        // Telling what is cached is quick and done in order; rendering the rest is
        // the work, done in parallel.
        let last = self.last.as_ref().filter(|l| {
            l.base_path == site.base_path
                && l.raw_html == site.config.markdown.unsafe_html
                && l.briefs.len() == site.briefs.len()
        });
        let mut md: Vec<Option<Arc<markdown::Rendered>>> = site
            .briefs
            .iter()
            .zip(figures)
            .enumerate()
            .map(|(i, (b, figs))| {
                if let Some(l) = last
                    && Arc::ptr_eq(&l.briefs[i], b)
                    && l.figures[i] == *figs
                {
                    return Some(l.md[i].clone());
                }
                let c = self.md.get_mut(b.src.file.as_os_str())?;
                let same = c.body == b.body
                    && c.links == b.links
                    && c.base_path == site.base_path
                    && c.raw_html == site.config.markdown.unsafe_html
                    && &c.figures == figs;
                if !same {
                    return None;
                }
                // Keep the resolve's pointers, so that the next compare is quick.
                if !Arc::ptr_eq(&c.body, &b.body) || !Arc::ptr_eq(&c.links, &b.links) {
                    c.body = b.body.clone();
                    c.links = b.links.clone();
                }
                Some(c.out.clone())
            })
            .collect();
        let missing: Vec<usize> = (0..md.len()).filter(|&i| md[i].is_none()).collect();
        let made: Vec<Result<(usize, Arc<markdown::Rendered>), Diagnostic>> = missing
            .into_par_iter()
            .map(|i| {
                let b = &site.briefs[i];
                let raw_html = site.config.markdown.unsafe_html;
                let body = b.body.text()?;
                let out = markdown::render(&body, &b.links, &site.base_path, &figures[i], raw_html);
                Ok((i, Arc::new(out)))
            })
            .collect();
        for (i, out) in Diagnostics::all_ok(made)? {
            let b = &site.briefs[i];
            let entry = CachedMarkdown {
                body: b.body.clone(),
                links: b.links.clone(),
                base_path: site.base_path.clone(),
                raw_html: site.config.markdown.unsafe_html,
                figures: figures[i].clone(),
                out: out.clone(),
            };
            self.md.insert(b.src.file.clone().into_os_string(), entry);
            md[i] = Some(out);
        }
        if self.md.len() > site.briefs.len() {
            let now: HashSet<&OsStr> = site.briefs.iter().map(|b| b.src.file.as_os_str()).collect();
            self.md.retain(|f, _| now.contains(f.as_os_str()));
        }
        Ok(md.into_iter().map(|m| m.expect("cached or made")).collect())
    }

    /// The theme's templates, parsed again only when one of them changed.
    pub(super) fn templates(&mut self, site: &Site) -> Result<Templates, Diagnostics> {
        match self.templates.take() {
            Some(c) if c.base_path == site.base_path && c.texts == template_texts(site) => {
                Ok(c.tpl)
            }
            _ => {
                self.templates_made += 1;
                Templates::new(&site.theme, &site.base_path)
            }
        }
    }

    /// The figures made before, forgotten when what they were made from besides
    /// their plans changed.
    pub(super) fn known_figures(&mut self, site: &Site, palette: &[String]) -> &Figures {
        let basis: FigureBasis = (
            self.templates_made,
            site.base_path.clone(),
            palette.to_vec(),
            site.sources
                .iter()
                .map(|s| (s.key.clone(), s.fields.get("title").cloned()))
                .collect(),
        );
        if self.figures.basis.as_ref() != Some(&basis) {
            self.figures.made.clear();
            self.figures.basis = Some(basis);
        }
        &self.figures
    }

    /// Keep the figures of this render: those `used` from before and those `made`.
    pub(super) fn keep_figures(
        &mut self,
        used: HashSet<FigureKey>,
        made: Vec<(FigureKey, Figure)>,
    ) {
        self.figures.made.retain(|k, _| used.contains(k));
        self.figures.made.extend(made);
    }

    /// Keep `tpl` for the next render.
    pub(super) fn keep_templates(&mut self, site: &Site, tpl: Templates) {
        self.templates = Some(CachedTemplates {
            base_path: site.base_path.clone(),
            texts: template_texts(site),
            tpl,
        });
    }

    /// Every brief's related briefs, from the cache while the topics hold the same
    /// briefs.
    pub(super) fn related(&mut self, site: &Site) -> Arc<Vec<Vec<usize>>> {
        if let Some(c) = &self.related
            && c.topics_of.len() == site.briefs.len()
            && c.topics.len() == site.topics.len()
            && c.topics_of.iter().zip(&site.briefs).all(|(a, b)| {
                a.len() == b.topics.len() && a.iter().zip(&b.topics).all(|(x, y)| *x == y.1)
            })
            && c.topics
                .iter()
                .zip(site.topics.iter())
                .all(|(a, t)| a.0 == t.slug && a.1 == t.briefs)
        {
            return c.related.clone();
        }
        let related = Arc::new(related_briefs(site, 3));
        self.related = Some(CachedRelated {
            topics_of: site
                .briefs
                .iter()
                .map(|b| b.topics.iter().map(|t| t.1.clone()).collect())
                .collect(),
            topics: site
                .topics
                .iter()
                .map(|t| (t.slug.clone(), t.briefs.clone()))
                .collect(),
            related: related.clone(),
        });
        related
    }

    /// Every brief's card, from the cache where what it is made from is unchanged.
    #[allow(
        clippy::expect_used,
        reason = "each card is filled in the loop above, from the cache or made"
    )]
    pub(super) fn cards(
        &mut self,
        ctx: &Ctx,
        tpl: &Templates,
    ) -> Result<Vec<Arc<Card>>, Diagnostics> {
        let site = ctx.site;
        let card_template = tpl.card_template().map(str::to_string);
        if self
            .card_basis
            .as_ref()
            .is_none_or(|(config, text)| *config != site.config || *text != card_template)
        {
            self.cards.clear();
            self.card_basis = Some((site.config.clone(), card_template.clone()));
        }
        let mut cards = self.known_cards(ctx);
        let missing: Vec<usize> = (0..cards.len()).filter(|&i| cards[i].is_none()).collect();
        let made: Vec<Result<(usize, Arc<Card>), Diagnostic>> = missing
            .into_par_iter()
            .map(|i| {
                Ok((
                    i,
                    Arc::new(Card::make(ctx, tpl, i, card_template.is_some())?),
                ))
            })
            .collect();
        let mut errors = Diagnostics::default();
        for m in made {
            match m {
                Ok((i, card)) => {
                    self.cards
                        .insert(card.file().as_os_str().to_owned(), card.clone());
                    cards[i] = Some(card);
                }
                // One broken card template breaks every card the same way.
                Err(e) if errors.is_empty() => errors.push(e),
                Err(_) => {}
            }
        }
        errors.into_result()?;
        if self.cards.len() > cards.len() {
            let now: HashSet<&OsStr> = site.briefs.iter().map(|b| b.src.file.as_os_str()).collect();
            self.cards.retain(|f, _| now.contains(f.as_os_str()));
        }
        Ok(cards
            .into_iter()
            .map(|c| c.expect("cached or made"))
            .collect())
    }

    /// Each brief's card where the one made before still holds: the last render's
    /// in the same place (the usual case, told by pointers), else the one made last
    /// of the same file.
    fn known_cards(&self, ctx: &Ctx) -> Vec<Option<Arc<Card>>> {
        let site = ctx.site;
        let last = self
            .last
            .as_ref()
            .filter(|l| {
                let n = site.briefs.len();
                (l.cards.len(), l.briefs.len(), l.md.len()) == (n, n, n) && !self.cards.is_empty()
            })
            // Every card of the last render was made, or kept, for its base path.
            .filter(|l| l.base_path == site.base_path);
        site.briefs
            .iter()
            .zip(ctx.md)
            .enumerate()
            .map(|(i, (b, md))| {
                // The last render's lists of briefs and Markdown are what its
                // cards were made from, side by side: compared there, a card
                // kept is not looked into.
                if let Some(l) = last
                    && Arc::ptr_eq(&l.briefs[i], b)
                    && Arc::ptr_eq(&l.md[i], md)
                {
                    return Some(l.cards[i].clone());
                }
                self.cards
                    .get(b.src.file.as_os_str())
                    .filter(|c| {
                        let (o, same_brief) = (&c.brief, Arc::ptr_eq(&c.brief, b));
                        Arc::ptr_eq(&c.md, md)
                            && c.base_path == site.base_path
                            && (same_brief
                                || (Arc::ptr_eq(&o.src, &b.src)
                                    && o.slug == b.slug
                                    && o.topics == b.topics
                                    && o.updated == b.updated))
                    })
                    .cloned()
            })
            .collect()
    }

    /// A brief's search terms as last made, if what they were made from holds.
    pub(super) fn terms_of(&self, b: &Brief, md: &Arc<markdown::Rendered>) -> Option<Arc<Terms>> {
        let c = self.terms.get(b.src.file.as_os_str())?;
        (Arc::ptr_eq(&c.src, &b.src)
            && Arc::ptr_eq(&c.body, &b.body)
            && Arc::ptr_eq(&c.md, md)
            && c.topics == b.topics)
            .then(|| c.terms.clone())
    }

    /// Keep every brief's search terms for the next search index.
    pub(super) fn keep_terms(
        &mut self,
        site: &Site,
        md: &[Arc<markdown::Rendered>],
        terms: &[Arc<Terms>],
    ) {
        self.terms.clear();
        self.terms
            .extend(site.briefs.iter().zip(md).zip(terms).map(|((b, m), t)| {
                (
                    b.src.file.clone().into_os_string(),
                    CachedTerms {
                        src: b.src.clone(),
                        body: b.body.clone(),
                        md: m.clone(),
                        topics: b.topics.clone(),
                        terms: t.clone(),
                    },
                )
            }));
    }

    /// The `data` and `datasets` globals, from the cache while the datasets are
    /// unchanged.
    pub(super) fn data(&mut self, ctx: &Ctx) -> (Value, Value) {
        let site = ctx.site;
        let texts: Vec<(String, String, u64)> = (site.datasets.values())
            .map(|d| {
                (
                    d.name.clone(),
                    d.text.clone(),
                    d.rows_from.as_ref().map_or(0, |r| r.1),
                )
            })
            .collect();
        if let Some(c) = &self.data
            && c.base_path == site.base_path
            && c.texts == texts
        {
            return (c.data.clone(), c.datasets.clone());
        }
        // Each dataset made into a template value once (in parallel: a large
        // one takes a while); the two globals share them.
        let values: Vec<(&String, Value)> = (site.datasets.par_iter())
            .map(|(name, d)| (name, ctx.dataset_value(d)))
            .collect();
        let mut data = tera::value::Map::new();
        for (name, v) in &values {
            // `data["trade-turnover"]` always works; `data.trade_turnover` reads better.
            if name.contains('-') {
                data.insert(name.replace('-', "_").into(), v.clone());
            }
            data.insert(name.to_string().into(), v.clone());
        }
        let data = Value::from(data);
        let datasets = Value::from(
            (values.into_iter())
                .filter(|(name, _)| name.as_str() != "sources")
                .map(|(_, v)| v)
                .collect::<Vec<_>>(),
        );
        self.data = Some(CachedData {
            base_path: site.base_path.clone(),
            texts,
            data: data.clone(),
            datasets: datasets.clone(),
        });
        (data, datasets)
    }
}

/// A brief's search terms, and what they were made from.
#[derive(Debug)]
struct CachedTerms {
    src: Arc<crate::load::BriefSource>,
    body: Arc<crate::model::Body>,
    md: Arc<markdown::Rendered>,
    topics: Vec<(String, String)>,
    terms: Arc<Terms>,
}
