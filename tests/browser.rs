//! `tumen serve` in a real browser: headless Chromium, driven over the DevTools
//! protocol, keeps a brief open while the test edits its sources. The page must
//! change by itself (no navigation from the test), keep its scroll position, show
//! the error overlay (opaque) while the site is broken and drop it once fixed, and
//! swap a changed stylesheet without reloading.
//!
//! Chromium must be installed (scripts/test installs Debian's `chromium`); the
//! test fails, not skips, without it. The browser helpers are in
//! tests/common/browser.rs.

mod common;

use serde_json::json;

use common::browser::Chromium;
use common::server::{Server, edit};
use common::*;

#[test]
fn an_open_page_follows_edits_keeps_its_place_and_shows_errors() {
    let (_tmp, site) = copy_fixture("basic");
    let server = Server::start(&site, &site.parent().unwrap().join("out"), &[]);
    let chrome = Chromium::launch();
    let mut tab = chrome.tab();
    // A small window, so that the brief is taller than it and can be scrolled.
    tab.call(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 420, "height": 320, "deviceScaleFactor": 1, "mobile": false}),
    );
    tab.call(
        "Page.navigate",
        json!({"url": format!("{}briefs/trade/", server.url)}),
    );
    tab.wait(
        "document.readyState === 'complete' && document.querySelector('h1').textContent === 'Trade: collapse & <recovery>' && window.__tumenLive === true",
        "the brief loads and listens for changes",
    );
    tab.eval("window.scrollTo(0, 200); window.__marker = 'not reloaded'; window.scrollY");
    assert_eq!(
        tab.eval("window.scrollY"),
        json!(200),
        "the page is tall enough to scroll"
    );

    // An edit shows without any navigation by the test, at the same place.
    edit(
        &site.join("briefs/trade.md"),
        "title: \"Trade: collapse & <recovery>\"",
        "title: \"Trade, live in the browser\"",
    );
    tab.wait(
        "document.readyState === 'complete' && document.querySelector('h1').textContent === 'Trade, live in the browser'",
        "the open page shows the new title",
    );
    assert_eq!(
        tab.eval("window.__marker === undefined"),
        json!(true),
        "the page reloaded itself"
    );
    tab.wait("window.scrollY === 200", "the scroll position is kept");

    // A broken dataset: the overlay names the file and line; the page stays.
    let data = site.join("data/trade.yaml");
    let good = std::fs::read_to_string(&data).unwrap();
    edit(&data, "turnover: 85,", "turnover: lots,");
    tab.wait(
        "!!document.getElementById('tumen-overlay') && document.getElementById('tumen-overlay').textContent.includes('trade.yaml:12:')",
        "the overlay shows the error",
    );
    assert_eq!(
        tab.eval("document.querySelector('h1').textContent"),
        json!("Trade, live in the browser"),
        "the last good page stays under the overlay"
    );
    assert_overlay_is_opaque(&mut tab);

    // Fixed: the overlay goes.
    std::fs::write(&data, good).unwrap();
    tab.wait(
        "document.readyState === 'complete' && !document.getElementById('tumen-overlay') && window.__tumenLive === true",
        "the overlay goes with the next good build",
    );

    // A stylesheet change is swapped in, without a reload.
    tab.eval("window.__marker = 'still here'");
    let static_dir = site.join("themes/default/static");
    std::fs::create_dir_all(&static_dir).unwrap();
    let css = read(&repo().join("themes/default/static/style.css"));
    std::fs::write(
        static_dir.join("style.css"),
        format!("{css}\nh1 {{ color: rgb(255, 0, 0) }}\n"),
    )
    .unwrap();
    tab.wait(
        "getComputedStyle(document.querySelector('h1')).color === 'rgb(255, 0, 0)'",
        "the new stylesheet applies",
    );
    assert_eq!(
        tab.eval("window.__marker"),
        json!("still here"),
        "no reload for CSS"
    );
    drop(server);
}

/// The error overlay hides the page whole: an opaque background over the whole
/// window, so that the page does not show through the errors' text.
fn assert_overlay_is_opaque(tab: &mut common::browser::Cdp) {
    let overlay = tab.eval(
        "(() => { const o = document.getElementById('tumen-overlay'), s = getComputedStyle(o), r = o.getBoundingClientRect();
           const c = s.backgroundColor.match(/[\\d.]+/g).map(Number);
           return {alpha: c.length > 3 ? c[3] : 1, opacity: s.opacity, color: s.backgroundColor,
             covers: r.left <= 0 && r.top <= 0 && r.right >= innerWidth && r.bottom >= innerHeight}; })()",
    );
    assert_eq!(overlay["alpha"], json!(1), "an opaque overlay: {overlay}");
    assert_eq!(overlay["opacity"], json!("1"), "{overlay}");
    assert_eq!(overlay["covers"], json!(true), "{overlay}");
}

#[test]
fn search_finds_briefs_as_the_reader_types() {
    let (_tmp, site) = copy_fixture("basic");
    let server = Server::start(&site, &site.parent().unwrap().join("out"), &[]);
    let chrome = Chromium::launch();
    let mut tab = chrome.tab();
    tab.call(
        "Page.navigate",
        json!({"url": format!("{}search/?q=soviet", server.url)}),
    );
    tab.wait(
        "document.querySelectorAll('#search-results li').length === 1 && document.querySelector('#search-results a').textContent === 'Soviet-era debt'",
        "a query in the address finds the debt brief",
    );
    // Typing: each keystroke searches again, words match by their beginning, and
    // every word must match.
    tab.eval("const q = document.getElementById('q'); q.value = 'coll'; q.dispatchEvent(new Event('input')); true");
    tab.wait(
        "document.querySelector('#search-results a') && document.querySelector('#search-results a').textContent === 'Trade: collapse & <recovery>'",
        "a prefix finds the trade brief, its title shown as text, not markup",
    );
    tab.eval("q.value = 'turnover 1988'; q.dispatchEvent(new Event('input')); true");
    tab.wait(
        "Array.from(document.querySelectorAll('#search-results a')).map(a => a.textContent).includes('Russia–DPRK trade turnover')",
        "datasets are searched too",
    );
    tab.eval("q.value = 'zzzz'; q.dispatchEvent(new Event('input')); true");
    tab.wait(
        "document.querySelectorAll('#search-results li').length === 0 && document.getElementById('search-status').textContent.startsWith('No results')",
        "no match says so",
    );
}
