//! Live reload: after each rebuild, every open page is told over Server-Sent Events
//! (`<base>__tumen/events`) to reload, to swap its stylesheets, or to show the
//! build's errors. The script that listens is put into HTML pages as they are
//! served ([`Hub::inject`]); the files on disk never carry it.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream, StreamExt};
use serde_json::json;
use tokio::sync::broadcast;

use super::incremental::Outcome;

const SCRIPT: &str = include_str!("reload.js");

/// The overlay's looks; the overlay itself is made by the server (for a page
/// loaded while the site is broken) or by the script (when a build fails).
const STYLE: &str = "#tumen-overlay{position:fixed;inset:0;z-index:2147483647;overflow:auto;\
margin:0;padding:2rem;background:#141418;color:#f4f4f4;\
font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}\
#tumen-overlay p{margin:0 0 1rem;color:#ff8a80;font-weight:bold}\
#tumen-overlay pre{margin:0;white-space:pre-wrap;font:inherit}";

/// What an open page is told.
#[derive(Debug, Clone)]
enum Signal {
    Reload,
    /// Stylesheets changed (their URL paths), and the build id that follows.
    Css(Vec<String>, String),
    Failed(String),
}

#[derive(Debug, Default)]
struct State {
    /// Good builds so far.
    build: u64,
    /// The errors of the last build, while it is not followed by a good one.
    error: Option<String>,
}

/// Where rebuilds announce themselves and pages listen.
pub struct Hub {
    tx: broadcast::Sender<Signal>,
    state: Mutex<State>,
    /// Tells this server from the one before it, so that a page reconnecting after
    /// a restart knows to reload.
    instance: String,
    base_path: String,
}

use crate::util::escape::xml as escape_html;

/// JSON that can sit inside a `<script>` element: `</script>` cannot end it early.
fn script_json(v: &serde_json::Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

impl Hub {
    pub fn new(base_path: &str) -> Arc<Hub> {
        let (tx, _) = broadcast::channel(64);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Arc::new(Hub {
            tx,
            state: Mutex::new(State::default()),
            instance: format!("{:x}-{:x}", std::process::id(), nanos),
            base_path: base_path.to_string(),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn build_id(&self, s: &State) -> String {
        format!("{}-{}", self.instance, s.build)
    }

    /// Tell every open page what a rebuild did.
    pub fn publish(&self, outcome: &Outcome) {
        let mut s = self.state();
        let signal = match outcome {
            Outcome::Built(b) => {
                s.build += 1;
                let recovered = s.error.take().is_some();
                if b.css_only() && !recovered {
                    Signal::Css(
                        b.written
                            .iter()
                            .map(|p| format!("{}{p}", self.base_path))
                            .collect(),
                        self.build_id(&s),
                    )
                } else {
                    Signal::Reload
                }
            }
            Outcome::Unchanged => {
                if s.error.take().is_none() {
                    return;
                }
                // The errors were undone: the output is what the pages show, but
                // their overlay must go.
                s.build += 1;
                Signal::Reload
            }
            Outcome::Failed(errors) => {
                let text = errors.to_string();
                s.error = Some(text.clone());
                Signal::Failed(text)
            }
        };
        // No page listening is not an error.
        let _ = self.tx.send(signal);
    }

    /// The event stream of one page: `hello` with the current build (and the
    /// current errors, if any), then every signal as it comes.
    pub fn events(&self) -> Sse<impl Stream<Item = Result<Event, Infallible>> + use<>> {
        // Subscribe before reading the state, so nothing falls between the two.
        let rx = self.tx.subscribe();
        let (id, error) = {
            let s = self.state();
            (self.build_id(&s), s.error.clone())
        };
        let mut first = vec![
            Event::default()
                .event("hello")
                .data(json!({"build": id}).to_string()),
        ];
        if let Some(text) = error {
            first.push(failed_event(&text));
        }
        let rest = stream::unfold(rx, |mut rx| async move {
            match rx.recv().await {
                Ok(signal) => Some((to_event(signal), rx)),
                // Missed some: whatever they were, a reload catches up.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    Some((Event::default().event("reload").data("{}"), rx))
                }
                Err(broadcast::error::RecvError::Closed) => None,
            }
        });
        let all = stream::iter(first).chain(rest).map(Ok);
        Sse::new(all).keep_alive(KeepAlive::default())
    }

    /// What goes before `</body>` of a served page: the reload script, and the
    /// error overlay while the site is broken.
    pub fn inject(&self) -> String {
        let (id, error) = {
            let s = self.state();
            (self.build_id(&s), s.error.clone())
        };
        let cfg = json!({"base": self.base_path, "build": id});
        let mut out = format!("<style id=\"tumen-style\">{STYLE}</style>");
        if let Some(text) = error {
            out.push_str(&format!(
                "<div id=\"tumen-overlay\" role=\"alert\"><p>tumen: the site has errors; showing the last good build</p><pre>{}</pre></div>",
                escape_html(&text)
            ));
        }
        out.push_str(&format!(
            "<script>{SCRIPT}({});</script>",
            script_json(&cfg)
        ));
        out
    }
}

fn failed_event(text: &str) -> Event {
    Event::default()
        .event("failed")
        .data(json!({"text": text}).to_string())
}

fn to_event(signal: Signal) -> Event {
    match signal {
        Signal::Reload => Event::default().event("reload").data("{}"),
        Signal::Css(paths, build) => Event::default().event("css").data(
            // The build id moves on with a stylesheet swap too; the page takes it
            // so that a later reconnect does not reload for nothing.
            json!({"paths": paths, "build": build}).to_string(),
        ),
        Signal::Failed(text) => failed_event(&text),
    }
}

/// Put `snippet` before the last `</body>` of an HTML page (or at its end).
pub fn inject_into(html: &[u8], snippet: &str) -> Vec<u8> {
    let lower = html.to_ascii_lowercase();
    let at = lower
        .windows(7)
        .rposition(|w| w == b"</body>")
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + snippet.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(snippet.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injects_before_the_last_body_end() {
        let out = inject_into(b"<body>x</BODY></html>", "<s>");
        assert_eq!(out, b"<body>x<s></BODY></html>");
        assert_eq!(inject_into(b"plain", "<s>"), b"plain<s>");
    }

    #[test]
    fn errors_are_escaped_in_pages() {
        let hub = Hub::new("/sub/");
        hub.publish(&Outcome::Failed(
            crate::util::diag::Diagnostic::file(
                std::path::Path::new("a.md"),
                "bad <script>x</script>",
            )
            .into(),
        ));
        let s = hub.inject();
        assert!(s.contains("bad &lt;script&gt;x&lt;/script&gt;"), "{s}");
        assert!(!s.contains("<script>x"), "{s}");
        assert!(s.contains("\"base\":\"/sub/\""), "{s}");
    }
}
