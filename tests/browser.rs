//! `tumen serve` in a real browser: headless Chromium, driven over the DevTools
//! protocol, keeps a brief open while the test edits its sources. The page must
//! change by itself (no navigation from the test), keep its scroll position, show
//! the error overlay while the site is broken and drop it once fixed, and swap a
//! changed stylesheet without reloading.
//!
//! Chromium must be installed (scripts/test installs Debian's `chromium`); the
//! test fails, not skips, without it.

mod common;

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

use common::server::{Server, edit, http_get};
use common::*;

const LIMIT: Duration = Duration::from_secs(15);

struct Chromium {
    child: Child,
    port: u16,
    _profile: tempfile::TempDir,
}

impl Drop for Chromium {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn chromium_binary() -> String {
    for c in ["chromium", "chromium-browser", "google-chrome"] {
        if Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return c.to_string();
        }
    }
    panic!("Chromium is not installed: run scripts/test (or apt-get install chromium)");
}

impl Chromium {
    fn launch() -> Chromium {
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new(chromium_binary())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start chromium");
        let (tx, rx) = channel();
        let mut err = BufReader::new(child.stderr.take().unwrap());
        std::thread::spawn(move || {
            let mut line = String::new();
            while err.read_line(&mut line).unwrap_or(0) > 0 {
                let _ = tx.send(line.clone());
                line.clear();
            }
        });
        let end = Instant::now() + Duration::from_secs(60);
        let mut seen = String::new();
        let port = loop {
            let line = rx
                .recv_timeout(end.saturating_duration_since(Instant::now()))
                .unwrap_or_else(|_| panic!("Chromium printed no DevTools address:\n{seen}"));
            seen.push_str(&line);
            if let Some(rest) = line
                .trim()
                .strip_prefix("DevTools listening on ws://127.0.0.1:")
            {
                break rest.split('/').next().unwrap().parse::<u16>().unwrap();
            }
        };
        Chromium {
            child,
            port,
            _profile: profile,
        }
    }

    /// A DevTools session with the browser's first tab.
    fn tab(&self) -> Cdp {
        let list: Value = serde_json::from_str(&http_get(self.port, "/json/list").body).unwrap();
        let ws_url = list
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["type"] == "page")
            .and_then(|t| t["webSocketDebuggerUrl"].as_str())
            .expect("a page target")
            .to_string();
        let stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.set_read_timeout(Some(LIMIT)).unwrap();
        let (ws, _) = tungstenite::client(ws_url.as_str(), stream).expect("DevTools handshake");
        Cdp { ws, next: 0 }
    }
}

/// A minimal DevTools protocol client: calls and their results; events are skipped.
struct Cdp {
    ws: WebSocket<TcpStream>,
    next: u64,
}

impl Cdp {
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        let msg = json!({"id": id, "method": method, "params": params}).to_string();
        self.ws.send(Message::Text(msg.into())).unwrap();
        loop {
            let m = self.ws.read().expect("DevTools answer");
            let Message::Text(t) = m else { continue };
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            if v["id"] == id {
                assert!(v.get("error").is_none(), "{method}: {v}");
                return v["result"].clone();
            }
        }
    }

    fn eval(&mut self, expr: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expr, "returnByValue": true}),
        );
        r["result"]["value"].clone()
    }

    /// Evaluate `expr` until it is true; panics with `what` after the limit.
    fn wait(&mut self, expr: &str, what: &str) {
        let end = Instant::now() + LIMIT;
        while Instant::now() < end {
            if self.eval(expr) == json!(true) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{what}: `{expr}` never became true");
    }
}

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
