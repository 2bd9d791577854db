//! The default theme in a real browser (issue 7). The default site is built into a
//! temporary folder and served as built by a plain static file server (not
//! `tumen serve`, which adds its reload script); headless Chromium opens every
//! page type in light and dark mode and:
//!
//! - runs axe-core (tests/tools/node_modules/axe-core) with the WCAG 2.0/2.1/2.2
//!   A and AA rules and axe's best practices: no violation may be found;
//! - fails on any console error, uncaught exception, browser log error, failed
//!   request, HTTP error, or request to a host other than 127.0.0.1;
//! - checks that no page scrolls sideways at 360 px;
//! - checks the keyboard: the first Tab focuses a visible skip link, which moves
//!   the focus to the content, and every focused element has a visible outline;
//! - checks the print stylesheet: no navigation, link URLs printed, figures kept
//!   whole.
//!
//! The theme's CSS and JS must weigh under 30 KB together (no browser needed).
//!
//! `scripts/screenshots` runs the ignored test `screenshots` to take the pictures
//! the issue asks to look at (TUMEN_SCREENSHOTS names their folder).

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64_lite::decode;
use serde_json::json;

use common::browser::{Cdp, Chromium};
use common::*;

/// One of each page type of the default site.
const PAGES: &[(&str, &str)] = &[
    ("home", ""),
    ("briefs list", "briefs/"),
    ("brief with charts", "briefs/trade-turnover-1988-2022/"),
    ("brief without charts", "briefs/russia-dprk-overview/"),
    ("topics", "topics/"),
    ("topic", "topics/trade/"),
    ("data list", "data/"),
    ("dataset with a chart", "data/trade-turnover/"),
    ("dataset as a table", "data/key-facts/"),
    ("timeline", "data/timeline/"),
    ("forums", "data/forums/"),
    ("sources", "sources/"),
    ("a page of sources", "sources/page/2/"),
    ("a source", "sources/memo-2016/"),
    ("a page of a list", "briefs/page/2/"),
    (
        "a page of a dataset's briefs",
        "data/trade-turnover/page/2/",
    ),
    ("search", "search/?q=trade"),
    ("404", "404.html"),
];

/// A static file server for `root` on a free port of 127.0.0.1, as a plain host
/// would serve the built site: `dir/` serves `dir/index.html`, anything missing the
/// 404 page with status 404. Runs until the test process ends.
fn serve_static(root: &Path) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let root = root.to_path_buf();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || answer(&root, stream));
        }
    });
    format!("http://127.0.0.1:{port}/")
}

fn answer(root: &Path, stream: TcpStream) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(&stream);
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line.trim().is_empty() => break,
            Ok(_) => {}
        }
    }
    let target = request.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let mut file: PathBuf = root.to_path_buf();
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        if seg == ".." {
            file = root.join("-");
            break;
        }
        file.push(seg);
    }
    if path.ends_with('/') {
        file.push("index.html");
    }
    let (status, file) = if file.is_file() {
        ("200 OK", file)
    } else {
        ("404 Not Found", root.join("404.html"))
    };
    let body = std::fs::read(&file).unwrap_or_default();
    let kind = match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        Some("csv") => "text/csv; charset=utf-8",
        _ => "application/octet-stream",
    };
    let mut out = &stream;
    let _ = write!(
        out,
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = out.write_all(&body);
}

/// The default site (content/) with a history (its changes pages) and lists of
/// three briefs a page (pagers), built into a temporary folder and served.
fn default_site() -> (tempfile::TempDir, String) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let site = site_with_history(&tmp.path().join("repo"));
    let yaml = read(&site.join("site.yaml"));
    std::fs::write(site.join("site.yaml"), format!("{yaml}paginate: 3\n")).unwrap();
    // With the PDFs, so that axe and the print stylesheet meet their links too.
    build_ok(&site, &out, &["--pdf"]);
    let url = serve_static(&out);
    (tmp, url)
}

fn axe_source() -> String {
    let p = std::env::var_os("AXE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("tests/tools/node_modules/axe-core/axe.min.js"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| {
        panic!(
            "axe-core is not installed at {} ({e}): run scripts/test (or `npm ci` in tests/tools), or set AXE_JS",
            p.display()
        )
    })
}

/// A tab listening to the page's console, log and network, at a width and mode.
fn open_tab(chrome: &Chromium) -> Cdp {
    let mut tab = chrome.tab();
    for domain in ["Page", "Runtime", "Log", "Network"] {
        tab.call(&format!("{domain}.enable"), json!({}));
    }
    // No cache: every page load asks the server for every file again.
    tab.call("Network.setCacheDisabled", json!({"cacheDisabled": true}));
    tab
}

fn set_view(tab: &mut Cdp, width: u32, scheme: &str, media: &str) {
    tab.call(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600}),
    );
    tab.call(
        "Emulation.setEmulatedMedia",
        json!({"media": media, "features": [{"name": "prefers-color-scheme", "value": scheme}]}),
    );
}

/// What went wrong in the events since `since`: console errors, exceptions, log
/// errors, failed requests, HTTP errors and requests leaving 127.0.0.1.
fn problems(tab: &Cdp, since: usize) -> Vec<String> {
    let mut out = Vec::new();
    for e in &tab.events[since..] {
        let p = &e["params"];
        match e["method"].as_str().unwrap_or("") {
            "Runtime.consoleAPICalled"
                if matches!(p["type"].as_str(), Some("error" | "assert")) =>
            {
                out.push(format!("console.{}: {}", p["type"], p["args"]))
            }
            "Runtime.exceptionThrown" => out.push(format!(
                "uncaught exception: {}",
                p["exceptionDetails"]["exception"]["description"]
                    .as_str()
                    .unwrap_or(&p["exceptionDetails"]["text"].to_string())
            )),
            "Log.entryAdded" if p["entry"]["level"] == "error" => out.push(format!(
                "log error: {} {}",
                p["entry"]["text"], p["entry"]["url"]
            )),
            "Network.loadingFailed" => out.push(format!(
                "request failed: {} ({})",
                p["errorText"], p["requestId"]
            )),
            "Network.responseReceived" if p["response"]["status"].as_u64() >= Some(400) => out
                .push(format!(
                    "HTTP {} for {}",
                    p["response"]["status"], p["response"]["url"]
                )),
            "Network.requestWillBeSent" => {
                let url = p["request"]["url"].as_str().unwrap_or("");
                let local = url.starts_with("http://127.0.0.1:")
                    || url.starts_with("data:")
                    || url.starts_with("about:");
                if !local {
                    out.push(format!("request to another host: {url}"));
                }
            }
            _ => {}
        }
    }
    out
}

/// axe-core's violations on the open page, one line per rule and element.
fn axe_violations(tab: &mut Cdp, axe: &str) -> Vec<String> {
    if tab.eval("typeof axe") != json!("object") {
        tab.eval(axe);
    }
    let r = tab.eval(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}, resultTypes: ['violations']})
           .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\\s+/g, ' '))})))",
    );
    let mut out = Vec::new();
    for v in r.as_array().expect("axe results") {
        for n in v["nodes"].as_array().unwrap() {
            out.push(format!(
                "{} ({}): {} at {}",
                v["id"].as_str().unwrap(),
                v["impact"].as_str().unwrap_or("?"),
                v["help"].as_str().unwrap(),
                n.as_str().unwrap()
            ));
        }
    }
    out
}

/// axe-core does not check the colours inside SVG, so the charts' are checked
/// here as drawn (after the theme's CSS re-coloured them): text against the page at
/// 4.5:1 (3:1 when large), lines, bars and points at 3:1 (WCAG 1.4.11).
fn chart_contrast(tab: &mut Cdp) -> Vec<String> {
    let r = tab.eval(
        "(() => {
           const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
           const lum = c => { const [r, g, b] = rgb(c).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
                              return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
           const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
           const bg = getComputedStyle(document.body).backgroundColor;
           const out = [];
           for (const svg of document.querySelectorAll('.chart-svg svg')) {
             const fig = svg.closest('figure').id;
             for (const t of svg.querySelectorAll('text')) {
               const s = getComputedStyle(t), size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight) >= 700;
               const need = size >= 24 || (size >= 18.66 && bold) ? 3 : 4.5, r = ratio(s.fill, bg);
               if (t.textContent.trim() && r < need) out.push(`${fig}: text '${t.textContent.trim()}' ${s.fill} on ${bg} is ${r.toFixed(2)}:1, under ${need}:1`);
             }
             for (const m of svg.querySelectorAll('rect, path, circle, line, polyline')) {
               const s = getComputedStyle(m);
               for (const [attr, c] of [['fill', s.fill], ['stroke', s.stroke]]) {
                 const own = (m.getAttribute(attr) || m.parentNode.getAttribute && m.parentNode.getAttribute(attr) || '').toLowerCase();
                 if (!own.startsWith('#') || ['#fdfdfb', '#d9dde1'].includes(own) || !c.startsWith('rgb')) continue;
                 const r = ratio(c, bg);
                 if (r < 3) out.push(`${fig}: ${m.tagName} ${attr} ${own} drawn as ${c} on ${bg} is ${r.toFixed(2)}:1, under 3:1`);
               }
             }
           }
           return [...new Set(out)];
         })()",
    );
    r.as_array()
        .expect("a list")
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_page_type_passes_axe_with_no_console_error_and_no_outside_request() {
    let axe = axe_source();
    let (tmp, base) = default_site();
    // Every other page of the site too, without axe (one of each type is enough
    // for it): console, network and chart colours.
    let others: Vec<String> = tree(&tmp.path().join("out"))
        .into_keys()
        .filter(|p| p.ends_with(".html"))
        .map(|p| p.trim_end_matches("index.html").to_string())
        .filter(|p| PAGES.iter().all(|(_, q)| q != p))
        .collect();
    assert!(others.len() > 15, "{others:?}");
    let pages: Vec<(&str, &str, bool)> = PAGES
        .iter()
        .map(|&(n, p)| (n, p, true))
        .chain(others.iter().map(|p| ("page", p.as_str(), false)))
        .collect();
    let chrome = Chromium::launch();
    let mut tab = open_tab(&chrome);
    let mut report = Vec::new();
    for scheme in ["light", "dark"] {
        set_view(&mut tab, 1280, scheme, "screen");
        for &(name, path, with_axe) in &pages {
            let since = tab.events.len();
            tab.navigate(&format!("{base}{path}"));
            tab.settle(Duration::from_millis(100));
            for p in problems(&tab, since) {
                report.push(format!("{name} (/{path}, {scheme}): {p}"));
            }
            if with_axe {
                for v in axe_violations(&mut tab, &axe) {
                    report.push(format!("{name} (/{path}, {scheme}): axe {v}"));
                }
            }
            for v in chart_contrast(&mut tab) {
                report.push(format!("{name} (/{path}, {scheme}): chart {v}"));
            }
        }
    }
    assert!(
        report.is_empty(),
        "{} problems:\n{}",
        report.len(),
        report.join("\n")
    );
    // The harness sees what it should: faults put into a page are reported.
    set_view(&mut tab, 1280, "light", "screen");
    tab.eval(
        "document.querySelector('main').insertAdjacentHTML('beforeend',
           '<p style=\"color:#999;background:#fff\">faint</p><img src=\"data:image/gif;base64,R0lGODlhAQABAAAAACw=\">');
         console.error('planted'); fetch('http://127.0.0.2:9/x').catch(() => {}); 1",
    );
    tab.settle(Duration::from_millis(300));
    let found = axe_violations(&mut tab, &axe).join("\n");
    assert!(
        found.contains("color-contrast") && found.contains("image-alt"),
        "axe reports planted faults: {found}"
    );
    tab.eval(
        "document.querySelector('main').insertAdjacentHTML('beforeend',
           '<figure id=\"planted\"><div class=\"chart-svg\"><svg viewBox=\"0 0 50 20\"><text fill=\"#eeeeee\" x=\"1\" y=\"10\">faint</text><rect fill=\"#f0f0f0\" width=\"5\" height=\"5\"/></svg></div></figure>'); 1",
    );
    let charts = chart_contrast(&mut tab).join("\n");
    assert!(
        charts.contains("text 'faint'") && charts.contains("rect fill #f0f0f0"),
        "faint chart colours are reported: {charts}"
    );
    let seen = problems(&tab, 0).join("\n");
    assert!(
        seen.contains("planted") && seen.contains("127.0.0.2"),
        "planted console error and outside request are seen: {seen}"
    );
}

#[test]
fn pages_fit_a_360_px_screen_and_the_keyboard_shows_where_it_is() {
    let axe = axe_source();
    let (_tmp, base) = default_site();
    let chrome = Chromium::launch();
    let mut tab = open_tab(&chrome);
    let mut report = Vec::new();

    // Nothing scrolls sideways on a small phone, in either mode.
    for scheme in ["light", "dark"] {
        set_view(&mut tab, 360, scheme, "screen");
        for (name, path) in PAGES {
            tab.navigate(&format!("{base}{path}"));
            let over = tab.eval(
                "[...document.querySelectorAll('body *')].filter(e => {
                    if (e.closest('.table-wrap, details:not([open])')) return false;
                    const r = e.getBoundingClientRect();
                    return r.width > 0 && r.right > document.documentElement.clientWidth + 1;
                 }).slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')).concat(
                 document.documentElement.scrollWidth > document.documentElement.clientWidth ? ['page ' + document.documentElement.scrollWidth + 'px wide'] : [])",
            );
            if over != json!([]) {
                report.push(format!(
                    "{name} (/{path}, {scheme}) is wider than 360 px: {over}"
                ));
            }
            // The small layout passes axe too (once: colours are checked above).
            if scheme == "light" {
                for v in axe_violations(&mut tab, &axe) {
                    report.push(format!("{name} (/{path}, 360 px): axe {v}"));
                }
            }
        }
    }

    // The keyboard: a skip link first, visible when focused, that leads into the
    // content; a visible focus ring on everything reached by Tab.
    set_view(&mut tab, 1280, "light", "screen");
    for scheme in ["light", "dark"] {
        for (name, path) in [PAGES[0], PAGES[2], PAGES[7]] {
            set_view(&mut tab, 1280, scheme, "screen");
            tab.navigate(&format!("{base}{path}"));
            tab.key("Tab", false);
            let skip = tab.eval(
                "(() => { const a = document.activeElement, r = a.getBoundingClientRect(), s = getComputedStyle(a);
                   return {cls: a.className, href: a.getAttribute('href'), text: a.textContent.trim(),
                     visible: r.width > 20 && r.height > 10 && r.left >= 0 && r.top >= 0 && r.bottom <= innerHeight && s.visibility === 'visible' && s.opacity === '1',
                     outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2}; })()",
            );
            assert_eq!(
                skip["cls"], "skip-link",
                "{name} ({scheme}): the first Tab focuses the skip link: {skip}"
            );
            assert_eq!(skip["href"], "#main", "{name}: {skip}");
            assert_eq!(
                skip["visible"], true,
                "{name} ({scheme}): the focused skip link is visible: {skip}"
            );
            assert_eq!(
                skip["outline"], true,
                "{name} ({scheme}): the skip link shows its focus: {skip}"
            );
            tab.key("Enter", false);
            tab.wait(
                "location.hash === '#main'",
                "the skip link leads to the content",
            );
            tab.key("Tab", false);
            assert_eq!(
                tab.eval("!!document.activeElement.closest('main')"),
                json!(true),
                "{name} ({scheme}): after the skip link, Tab goes on inside the content"
            );
            // Every stop of the tab order from the top shows a focus ring.
            tab.navigate(&format!("{base}{path}"));
            for i in 0..40 {
                tab.key("Tab", false);
                let f = tab.eval(
                    "(() => { const a = document.activeElement; if (a === document.body) return null;
                       const s = getComputedStyle(a), r = a.getBoundingClientRect();
                       return {what: a.tagName.toLowerCase() + ' ' + (a.getAttribute('href') || a.textContent.trim().slice(0, 30)),
                         ring: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none',
                         seen: r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight}; })()",
                );
                if f.is_null() {
                    break;
                }
                if f["ring"] != json!(true) || f["seen"] != json!(true) {
                    report.push(format!(
                        "{name} ({scheme}): tab stop {i} shows no visible focus: {f}"
                    ));
                }
            }
        }
    }
    assert!(
        report.is_empty(),
        "{} problems:\n{}",
        report.len(),
        report.join("\n")
    );
}

#[test]
fn the_print_stylesheet_drops_navigation_prints_urls_and_keeps_figures_whole() {
    let (_tmp, base) = default_site();
    let chrome = Chromium::launch();
    let mut tab = open_tab(&chrome);
    set_view(&mut tab, 1280, "light", "print");
    tab.navigate(&format!("{base}briefs/trade-turnover-1988-2022/"));
    // The default site cites no web address, so one is put into the text.
    tab.eval(
        "document.querySelector('.prose p').insertAdjacentHTML('beforeend', ' <a id=\"ext\" href=\"https://example.org/report\">a report</a>'); 1",
    );
    let r = tab.eval(
        "(() => { const hidden = sel => [...document.querySelectorAll(sel)].every(e => getComputedStyle(e).display === 'none');
           const after = a => getComputedStyle(a, '::after').content;
           const internal = document.querySelector('.prose a[href^=\"/briefs/\"]');
           return {
             nav: hidden('.site-nav') && hidden('.skip-link') && hidden('.site-footer') && hidden('.toc'),
             figures: [...document.querySelectorAll('figure')].every(f => getComputedStyle(f).breakInside === 'avoid'),
             charts: document.querySelectorAll('figure svg').length,
             url: after(document.getElementById('ext')),
             internal: after(internal) + ' for ' + internal.getAttribute('href'),
             notes: [...document.querySelectorAll('.footnote-ref a')].every(a => after(a) === 'none'),
             bg: getComputedStyle(document.body).backgroundColor,
             cite: hidden('.cite .downloads') && getComputedStyle(document.querySelector('.cite .reference')).display === 'block',
           }; })()",
    );
    assert_eq!(r["nav"], true, "no navigation in print: {r}");
    assert_eq!(r["figures"], true, "figures are not split: {r}");
    assert!(r["charts"].as_u64() >= Some(1), "charts are printed: {r}");
    assert!(
        r["url"]
            .as_str()
            .unwrap_or("")
            .contains("https://example.org/report"),
        "link URLs are printed: {r}"
    );
    assert!(
        r["internal"].as_str().unwrap_or("").contains("/briefs/"),
        "links between briefs print their address: {r}"
    );
    assert_eq!(r["notes"], true, "footnote marks print no address: {r}");
    assert_eq!(r["bg"], "rgb(255, 255, 255)", "white paper: {r}");
    assert_eq!(
        r["cite"], true,
        "the reference to cite is printed, its download links are not: {r}"
    );
    // Even a reader in dark mode prints black on white.
    set_view(&mut tab, 1280, "dark", "print");
    assert_eq!(
        tab.eval("getComputedStyle(document.body).color + ' on ' + getComputedStyle(document.body).backgroundColor"),
        json!("rgb(0, 0, 0) on rgb(255, 255, 255)")
    );
    // An A4 PDF: charts stay vectors (a PDF of a page with an inline SVG chart has
    // no image of it), and it has more than one page.
    let pdf = tab.call(
        "Page.printToPDF",
        json!({"paperWidth": 8.27, "paperHeight": 11.69, "preferCSSPageSize": true, "printBackground": true}),
    );
    let bytes = decode(pdf["data"].as_str().unwrap());
    assert!(bytes.starts_with(b"%PDF"), "a PDF");
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        !text.contains("/Subtype /Image") && !text.contains("/Subtype/Image"),
        "the printed charts are vectors, not images"
    );
    let pages = text.matches("/Type /Page\n").count()
        + text.matches("/Type /Page\r").count()
        + text.matches("/Type /Page ").count()
        + text.matches("/Type /Page/").count()
        + text.matches("/Type /Page>").count();
    assert!(pages > 1, "a brief prints on several pages: {pages}");
    assert!(
        text.contains("/MediaBox [0 0 594.95996 841.91998]") || text.contains("/MediaBox [0 0 595"),
        "A4 paper: {}",
        text.find("/MediaBox")
            .map_or("no MediaBox", |i| &text[i..i + 40])
    );
    if let Some(dir) = std::env::var_os("TUMEN_PRINT_PDF") {
        std::fs::write(PathBuf::from(dir).join("brief.pdf"), &bytes).unwrap();
    }
}

/// Charts read on a phone: at 390 px every figure shows its narrow copy, whose
/// smallest label is drawn at 10 px or more on screen (the wide chart, scaled down
/// to the screen, would write its 14 px labels at about 7 px); at 1280 px the
/// wide chart is the one shown.
#[test]
fn charts_on_a_phone_show_their_narrow_copy_with_readable_labels() {
    let (_tmp, base) = default_site();
    let chrome = Chromium::launch();
    let mut tab = open_tab(&chrome);
    let shown = "[...document.querySelectorAll('figure.chart')].map(f => {
         const svgs = [...f.querySelectorAll('.chart-svg svg')].filter(s => s.getBoundingClientRect().width > 0);
         const texts = svgs.flatMap(s => [...s.querySelectorAll('text')].filter(t => t.textContent.trim()));
         // On-screen size: the font size times the SVG's scale.
         const px = Math.min(...texts.map(t => { const s = t.ownerSVGElement;
           return parseFloat(getComputedStyle(t).fontSize) * s.getBoundingClientRect().width / s.viewBox.baseVal.width; }));
         return {figure: f.id, shown: svgs.map(s => s.getAttribute('aria-labelledby').split(' ')[0]), px: Math.round(px * 10) / 10};
       })";
    for path in [
        "briefs/trade-turnover-1988-2022/",
        "briefs/regional-forums/",
        "briefs/soviet-debt-write-off/",
        "data/trade-turnover/",
    ] {
        set_view(&mut tab, 390, "light", "screen");
        tab.navigate(&format!("{base}{path}"));
        let figs = tab.eval(shown);
        assert!(!figs.as_array().unwrap().is_empty(), "{path}: figures");
        for f in figs.as_array().unwrap() {
            let id = f["figure"].as_str().unwrap();
            assert_eq!(
                f["shown"],
                json!([format!("{id}-narrow-title")]),
                "{path} at 390 px: the narrow chart alone is shown: {f}"
            );
            assert!(
                f["px"].as_f64().unwrap() >= 10.0,
                "{path} at 390 px: chart labels at 10 px or more: {f}"
            );
        }
        set_view(&mut tab, 1280, "light", "screen");
        tab.navigate(&format!("{base}{path}"));
        for f in tab.eval(shown).as_array().unwrap() {
            let id = f["figure"].as_str().unwrap();
            assert_eq!(
                f["shown"],
                json!([format!("{id}-title")]),
                "{path} at 1280 px: the wide chart alone is shown: {f}"
            );
        }
    }
    // Paper gets the wide chart, even from a narrow window.
    set_view(&mut tab, 390, "light", "print");
    tab.navigate(&format!("{base}briefs/trade-turnover-1988-2022/"));
    for f in tab.eval(shown).as_array().unwrap() {
        let id = f["figure"].as_str().unwrap();
        assert_eq!(f["shown"], json!([format!("{id}-title")]), "print: {f}");
    }
}

/// What a page's tables look like as laid out: for each table, whether its rows
/// are stacked (its header row hidden), the cells whose text is cut, the headings
/// not shown beside a stacked cell, the tallest row of short cells (as a table) or
/// field of a short value (stacked), the narrowest room given to a long text, and
/// whether a table box that scrolls sideways shows the scroll cue.
const TABLES: &str = "[...document.querySelectorAll('.table-wrap')].map(w => {
     const t = w.querySelector('table'), head = t.tHead;
     const stacked = head.getBoundingClientRect().width <= 1;
     const shown = e => e.getBoundingClientRect().width > 1;
     const short = e => e.textContent.trim().length <= 30;
     const cells = [...t.querySelectorAll(stacked ? 'tbody td' : 'th, td')].filter(shown);
     const s = getComputedStyle(w), box = w.getBoundingClientRect();
     const cue = s.backgroundImage.split('gradient').length === 5 && s.backgroundAttachment.includes('local');
     // Cut: wider than its own box, or past the table box's edge with no cue to scroll.
     const cut = cells.filter(c => c.scrollWidth > c.clientWidth + 1 || !cue && c.getBoundingClientRect().right > box.right + 1)
       .map(c => c.textContent.trim().slice(0, 30));
     const headings = [...head.querySelectorAll('th')].map(h => h.textContent.trim());
     const unlabelled = stacked ? cells.filter(c => c.dataset.label !== headings[c.cellIndex]
         || getComputedStyle(c, '::before').content === 'none').map(c => c.textContent.trim().slice(0, 30)) : [];
     const tall = stacked ? cells.filter(short) : [...t.rows].filter(r => [...r.cells].every(short));
     // Long text squeezed into a narrow column makes rows of a word a line.
     const long = cells.filter(c => !short(c)).map(c => c.getBoundingClientRect().width - (stacked ? parseFloat(getComputedStyle(c).gridTemplateColumns) : 0));
     return {table: t.className || (t.closest('figure') || {}).id || 'table', stacked, cut, unlabelled,
       tallest: Math.max(0, ...tall.map(e => Math.round(e.getBoundingClientRect().height))),
       narrowest: Math.round(Math.min(9999, ...long)), overflows: w.scrollWidth > w.clientWidth, cue};
   })";

/// Dataset tables read on a 360 px phone: rows stacked, each cell beside its
/// heading, no text cut, short values on short lines, long ones given room; the
/// charts' data tables stay tables with unclipped headings and compact rows. A
/// table box too wide for the screen shows a shadow on the side it scrolls to.
#[test]
fn tables_read_on_a_360_px_phone() {
    let (_tmp, base) = default_site();
    let chrome = Chromium::launch();
    let mut tab = open_tab(&chrome);
    let mut report = Vec::new();
    let mut stacked = 0;
    for scheme in ["light", "dark"] {
        set_view(&mut tab, 360, scheme, "screen");
        for path in [
            "data/investment-projects/",
            "data/trade-turnover/",
            "data/key-facts/",
            "data/timeline/",
            "briefs/investment-and-infrastructure/",
            "briefs/trade-turnover-1988-2022/",
        ] {
            tab.navigate(&format!("{base}{path}"));
            tab.eval("document.querySelectorAll('details').forEach(d => d.open = true); 1");
            for t in tab.eval(TABLES).as_array().unwrap() {
                let what = format!("{path} ({scheme}) {}", t["table"]);
                stacked += (t["stacked"] == true) as usize;
                if t["table"] == "data-table stacked" && t["stacked"] != true {
                    report.push(format!("{what}: rows not stacked on a phone: {t}"));
                }
                if t["table"] == "data-table" && t["stacked"] == true {
                    report.push(format!("{what}: two columns stacked on a phone: {t}"));
                }
                if t["cut"] != json!([]) || t["unlabelled"] != json!([]) {
                    report.push(format!("{what}: text cut or a heading missing: {t}"));
                }
                if t["narrowest"].as_f64().unwrap() < 150.0 {
                    report.push(format!("{what}: long text in a column under 150 px: {t}"));
                }
                if t["tallest"].as_u64().unwrap() >= 60 {
                    report.push(format!(
                        "{what}: a short row or field is 60 px or taller: {t}"
                    ));
                }
                if t["overflows"] == true && t["cue"] != true {
                    report.push(format!("{what}: scrolls sideways with no cue: {t}"));
                }
            }
        }
    }
    // A table too wide even so (made so here): it scrolls, and the cue shows.
    tab.eval("document.querySelector('.table-wrap table').style.minWidth = '1200px'; 1");
    let wide = &tab.eval(TABLES)[0];
    if wide["overflows"] != true || wide["cue"] != true {
        report.push(format!(
            "a table wider than the screen shows no cue: {wide}"
        ));
    }
    assert!(
        report.is_empty(),
        "{} problems:\n{}",
        report.len(),
        report.join("\n")
    );
    assert!(stacked >= 8, "the dataset tables were measured: {stacked}");
    // Stacked by CSS, still a table to assistive technology.
    tab.navigate(&format!("{base}data/trade-turnover/"));
    let roles: Vec<String> = [
        ".data-table",
        ".data-table tbody tr",
        ".data-table tbody td",
    ]
    .iter()
    .map(|sel| ax_role(&mut tab, sel))
    .collect();
    assert_eq!(
        roles,
        ["table", "row", "cell"],
        "stacked rows keep their roles"
    );
}

/// The role Chromium's accessibility tree gives the element `selector` finds.
fn ax_role(tab: &mut Cdp, selector: &str) -> String {
    let doc = tab.call("DOM.getDocument", json!({}));
    let node = tab.call(
        "DOM.querySelector",
        json!({"nodeId": doc["root"]["nodeId"], "selector": selector}),
    );
    let ax = tab.call(
        "Accessibility.getPartialAXTree",
        json!({"nodeId": node["nodeId"], "fetchRelatives": false}),
    );
    ax["nodes"][0]["role"]["value"]
        .as_str()
        .unwrap_or("none")
        .to_string()
}

/// The default theme's stylesheets and scripts, which every page loads.
#[test]
fn the_default_theme_css_and_js_weigh_under_30_kb() {
    let dir = repo().join("themes/default/static");
    let mut total = 0;
    let mut files = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if matches!(
            p.extension().and_then(|x| x.to_str()),
            Some("css" | "js" | "mjs")
        ) {
            let n = std::fs::metadata(&p).unwrap().len();
            files.push(format!(
                "{} {n} B",
                p.file_name().unwrap().to_string_lossy()
            ));
            total += n;
        }
    }
    assert!(!files.is_empty(), "the theme has a stylesheet");
    assert!(
        total < 30 * 1024,
        "CSS and JS weigh {total} B, over 30 KB: {}",
        files.join(", ")
    );
    // Pages load nothing but the theme's own files: no font, script or style from
    // elsewhere.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    build_ok(&repo().join("content"), &out, &[]);
    for (path, bytes) in tree(&out) {
        if !path.ends_with(".html") && !path.ends_with(".css") {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes);
        for tag in ["<link ", "<script", "<img ", "@import", "url("] {
            for chunk in text.split(tag).skip(1) {
                let head = &chunk[..chunk.find('>').unwrap_or(chunk.len()).min(300)];
                let outside = head.contains("//") && !head.contains("rel=\"canonical\"");
                assert!(!outside, "{path} loads from elsewhere: {tag}{head}");
            }
        }
    }
}

/// Screenshots of the home page, a brief and a dataset at 390 and 1280 px, light
/// and dark, full length, into the folder TUMEN_SCREENSHOTS names (scripts/screenshots).
#[test]
#[ignore = "makes screenshots to look at: scripts/screenshots"]
fn screenshots() {
    let dir = PathBuf::from(
        std::env::var_os("TUMEN_SCREENSHOTS").expect("TUMEN_SCREENSHOTS names a folder"),
    );
    std::fs::create_dir_all(&dir).unwrap();
    let (_tmp, base) = default_site();
    let chrome = Chromium::launch();
    let mut tab = open_tab(&chrome);
    let pages = std::env::var("TUMEN_SCREENSHOT_PAGES").unwrap_or_else(|_| {
        "home=,brief=briefs/trade-turnover-1988-2022/,dataset=data/trade-turnover/".into()
    });
    for (name, path) in pages.split(',').filter_map(|p| p.split_once('=')) {
        let widths = std::env::var("TUMEN_SCREENSHOT_WIDTHS").unwrap_or_else(|_| "390,1280".into());
        for width in widths
            .split(',')
            .map(|w| w.trim().parse::<u32>().expect("a width in px"))
        {
            for scheme in ["light", "dark"] {
                set_view(&mut tab, width, scheme, "screen");
                tab.navigate(&format!("{base}{path}"));
                let h = tab
                    .eval("document.documentElement.scrollHeight")
                    .as_f64()
                    .unwrap();
                let shot = tab.call(
                    "Page.captureScreenshot",
                    json!({"format": "png", "captureBeyondViewport": true,
                           "clip": {"x": 0, "y": 0, "width": width, "height": h.min(12000.0), "scale": 1}}),
                );
                let file = dir.join(format!("{name}-{width}-{scheme}.png"));
                std::fs::write(&file, decode(shot["data"].as_str().unwrap())).unwrap();
                println!("{}", file.display());
            }
        }
    }
}

/// Base64 decoding for what Chromium sends (screenshots, PDFs), to need no crate.
mod base64_lite {
    pub fn decode(s: &str) -> Vec<u8> {
        let val = |c: u8| -> u32 {
            match c {
                b'A'..=b'Z' => (c - b'A') as u32,
                b'a'..=b'z' => (c - b'a' + 26) as u32,
                b'0'..=b'9' => (c - b'0' + 52) as u32,
                b'+' => 62,
                b'/' => 63,
                _ => 0,
            }
        };
        let bytes: Vec<u8> = s.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
        let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
        for chunk in bytes.chunks(4) {
            let pad = chunk.iter().filter(|&&c| c == b'=').count();
            let n = chunk.iter().fold(0u32, |acc, &c| {
                (acc << 6) | if c == b'=' { 0 } else { val(c) }
            });
            let n = n << (6 * (4 - chunk.len() as u32));
            let b = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            out.extend_from_slice(&b[..3 - pad.min(2)]);
        }
        out
    }
}
