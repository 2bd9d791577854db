//! The chart cache: a chart is drawn again only when its spec or its data changed.
//! The drawn charts are part of the render cache, which the live preview keeps
//! between renders; this test keeps one the same way. (Its own test binary: the
//! draw counter is per process.)

mod common;

use common::*;
use tumen::render::charts::draws;
use tumen::render::{RenderCache, RenderedSite, render_some};

/// Load, resolve and render the site of `opts` with `cache`, as a rebuild does.
fn render_site(
    opts: &tumen::build::BuildOptions,
    cache: &mut RenderCache,
) -> Result<RenderedSite, tumen::util::diag::Diagnostics> {
    let sources = tumen::load::SiteSources::load(&opts.site_dir)?;
    let site = tumen::resolve::resolve(sources, &opts.resolve)?;
    render_some(&site, cache, None)
}

#[test]
fn charts_are_redrawn_only_when_their_spec_or_data_changes() {
    let (tmp, site) = copy_fixture("charts");
    let opts = options(&site, &tmp.path().join("out"));
    let mut cache = RenderCache::default();
    let before = draws();
    let first = render_site(&opts, &mut cache).unwrap();
    assert_eq!(first.charts, 21);
    // Each chart is drawn twice: wide, and narrow for small screens.
    assert_eq!(
        draws() - before,
        42,
        "a cold build draws every chart, both sizes"
    );

    let again = render_site(&opts, &mut cache).unwrap();
    assert_eq!(draws() - before, 42, "an unchanged rebuild draws none");
    let svg = |r: &tumen::render::RenderedSite, p: &str| {
        r.files
            .iter()
            .find(|f| f.path == p)
            .map(|f| format!("{:?}", f.content))
            .unwrap()
    };
    assert_eq!(
        svg(&first, "briefs/all-charts/figure-1.svg"),
        svg(&again, "briefs/all-charts/figure-1.svg")
    );

    // One value of the events dataset changes: only its two charts are redrawn.
    let data = site.join("data/events.yaml");
    std::fs::write(&data, read(&data).replace("cost: 10.69", "cost: 11.5")).unwrap();
    let changed = render_site(&opts, &mut cache).unwrap();
    assert_eq!(
        draws() - before,
        46,
        "the two charts of the changed dataset (both sizes), and no other"
    );
    assert_ne!(
        svg(&first, "briefs/all-charts/figure-9.svg"),
        svg(&changed, "briefs/all-charts/figure-9.svg")
    );

    // A spec change redraws that chart alone.
    let brief = site.join("briefs/all-charts.md");
    std::fs::write(
        &brief,
        read(&brief).replace("title: Shares, as a donut", "title: Shares (donut)"),
    )
    .unwrap();
    render_site(&opts, &mut cache).unwrap();
    assert_eq!(draws() - before, 48);
}
