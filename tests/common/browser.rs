//! Headless Chromium for tests, driven over the DevTools protocol (CDP) with a
//! plain WebSocket: a fresh profile per browser, killed when dropped, and a small
//! client that makes calls and keeps the events it reads on the way.
//!
//! Chromium must be installed (scripts/test installs Debian's `chromium`); tests
//! that use it fail, not skip, without it. Every wait is bounded.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

use super::server::http_get;

/// How long any one thing may take: a call, a page load, a condition.
pub const LIMIT: Duration = Duration::from_secs(30);

pub struct Chromium {
    child: Child,
    pub port: u16,
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
    pub fn launch() -> Chromium {
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new(chromium_binary())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--hide-scrollbars",
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
    pub fn tab(&self) -> Cdp {
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
        stream
            .set_read_timeout(Some(Duration::from_millis(250)))
            .unwrap();
        let (ws, _) = tungstenite::client(ws_url.as_str(), stream).expect("DevTools handshake");
        Cdp {
            ws,
            next: 0,
            events: Vec::new(),
        }
    }
}

/// A minimal DevTools protocol client: calls and their results, and the events
/// (`{"method": …, "params": …}`) read meanwhile, kept in `events` in order.
pub struct Cdp {
    ws: WebSocket<TcpStream>,
    next: u64,
    pub events: Vec<Value>,
}

impl Cdp {
    /// The next message, or None if none came within the socket's short timeout.
    fn read_one(&mut self) -> Option<Value> {
        match self.ws.read() {
            Ok(Message::Text(t)) => Some(serde_json::from_str(t.as_str()).unwrap()),
            Ok(_) => None,
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                None
            }
            Err(e) => panic!("DevTools connection: {e}"),
        }
    }

    /// Call `method`; panics on a protocol error or when no answer comes in time.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        match self.try_call(method, params) {
            Ok(v) => v,
            Err(v) => panic!("{method}: {v}"),
        }
    }

    /// Call `method`: its result, or the whole answer when it is a protocol
    /// error; panics when no answer comes in time.
    pub fn try_call(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        self.next += 1;
        let id = self.next;
        let msg = json!({"id": id, "method": method, "params": params}).to_string();
        self.ws.send(Message::Text(msg.into())).unwrap();
        let end = Instant::now() + LIMIT;
        while Instant::now() < end {
            let Some(v) = self.read_one() else { continue };
            if v["id"] == id {
                if v.get("error").is_some() {
                    return Err(v);
                }
                return Ok(v["result"].clone());
            }
            if v.get("method").is_some() {
                self.events.push(v);
            }
        }
        panic!("{method}: no answer from Chromium in {LIMIT:?}");
    }

    /// Wait for an event named `method` that arrives after the event at index
    /// `since`; returns its params.
    pub fn wait_event(&mut self, method: &str, since: usize) -> Value {
        let end = Instant::now() + LIMIT;
        let mut checked = since;
        loop {
            if let Some(e) = self.events[checked..]
                .iter()
                .find(|e| e["method"] == method)
            {
                return e["params"].clone();
            }
            checked = self.events.len();
            assert!(
                Instant::now() < end,
                "no {method} event from Chromium in {LIMIT:?}"
            );
            if let Some(v) = self.read_one()
                && v.get("method").is_some()
            {
                self.events.push(v);
            }
        }
    }

    /// Read events for `window` more (what a page still does after its load).
    pub fn settle(&mut self, window: Duration) {
        let end = Instant::now() + window;
        while Instant::now() < end {
            if let Some(v) = self.read_one()
                && v.get("method").is_some()
            {
                self.events.push(v);
            }
        }
    }

    /// Go to `url` and wait for its load event.
    pub fn navigate(&mut self, url: &str) {
        let since = self.events.len();
        let r = self.call("Page.navigate", json!({ "url": url }));
        assert!(r.get("errorText").is_none(), "navigate to {url}: {r}");
        self.wait_event("Page.loadEventFired", since);
    }

    /// The value of a JavaScript expression (promises awaited); panics on an exception.
    pub fn eval(&mut self, expr: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expr, "returnByValue": true, "awaitPromise": true}),
        );
        assert!(
            r.get("exceptionDetails").is_none(),
            "`{}` threw: {}",
            expr.chars().take(200).collect::<String>(),
            r["exceptionDetails"]
        );
        r["result"]["value"].clone()
    }

    /// Evaluate `expr` until it is true; panics with `what` after the limit. An
    /// evaluation the page's own reload cuts short (what a live-preview page
    /// waits for) is tried again in the new page.
    pub fn wait(&mut self, expr: &str, what: &str) {
        let end = Instant::now() + LIMIT;
        while Instant::now() < end {
            let params = json!({"expression": expr, "returnByValue": true, "awaitPromise": true});
            match self.try_call("Runtime.evaluate", params) {
                Ok(r) if r["result"]["value"] == json!(true) => return,
                Ok(_) => {}
                Err(e) if reloading(&e) => {}
                Err(e) => panic!("Runtime.evaluate: {e}"),
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{what}: `{expr}` never became true");
    }

    /// Press and release a key (`Tab`, `Enter`) as a keyboard would.
    pub fn key(&mut self, key: &str, shift: bool) {
        let code = match key {
            "Tab" => 9,
            "Enter" => 13,
            "Escape" => 27,
            _ => 0,
        };
        let text = if key == "Enter" { "\r" } else { "" };
        for kind in ["keyDown", "keyUp"] {
            self.call(
                "Input.dispatchKeyEvent",
                json!({"type": kind, "key": key, "code": key, "windowsVirtualKeyCode": code,
                       "nativeVirtualKeyCode": code, "modifiers": if shift { 8 } else { 0 },
                       "text": if kind == "keyDown" { text } else { "" }}),
            );
        }
    }
}

/// Whether a protocol error says the page navigated (or its context went) while
/// it was being asked: a reload, not a failure.
fn reloading(answer: &Value) -> bool {
    let message = answer["error"]["message"].as_str().unwrap_or("");
    [
        "navigated or closed",
        "context was destroyed",
        "Cannot find context",
    ]
    .iter()
    .any(|m| message.contains(m))
}
