//! A running `tumen serve` for tests: the real binary on a free port of 127.0.0.1,
//! killed when the test ends, with a raw HTTP client (raw, so that requests such as
//! `/../x` reach the server as written) and a reader of the reload event stream.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Server {
    child: Child,
    pub port: u16,
    /// `http://127.0.0.1:PORT/sub/` as the server printed it.
    pub url: String,
    /// The path part of `url`: `/` or `/sub/`.
    pub base: String,
    pub out: PathBuf,
    /// Everything the server wrote to stderr so far.
    pub stderr: Arc<Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Serve `site` into `out` with extra arguments; waits until it listens.
    pub fn start(site: &Path, out: &Path, extra: &[&str]) -> Server {
        Server::start_with_env(site, out, extra, &[])
    }

    /// [`Server::start`] with more environment variables.
    pub fn start_with_env(
        site: &Path,
        out: &Path,
        extra: &[&str],
        env: &[(&str, &std::ffi::OsStr)],
    ) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tumen"));
        cmd.args(["serve", "--port", "0", "--site"])
            .arg(site)
            .arg("--output")
            .arg(out)
            .args(extra)
            .envs(env.iter().copied())
            .current_dir(site.parent().unwrap());
        Server::spawn(cmd, out)
    }

    /// `tumen serve --port 0` run in `cwd` with `extra` arguments only, as a user
    /// types it in a site's folder; `out` is where it will write.
    pub fn start_in(cwd: &Path, out: &Path, extra: &[&str]) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tumen"));
        cmd.args(["serve", "--port", "0"])
            .args(extra)
            .current_dir(cwd);
        Server::spawn(cmd, out)
    }

    fn spawn(mut cmd: Command, out: &Path) -> Server {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start tumen serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err_pipe = BufReader::new(child.stderr.take().unwrap());
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut line = String::new();
            while err_pipe.read_line(&mut line).unwrap_or(0) > 0 {
                sink.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
        let (tx, rx) = channel();
        let mut out_pipe = BufReader::new(child.stdout.take().unwrap());
        std::thread::spawn(move || {
            let mut line = String::new();
            while out_pipe.read_line(&mut line).unwrap_or(0) > 0 {
                let _ = tx.send(line.clone());
                line.clear();
            }
        });
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| {
                let _ = child.kill();
                panic!(
                    "tumen serve printed no address; stderr:\n{}",
                    stderr.lock().unwrap()
                )
            });
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {line:?}"))
            .to_string();
        let rest = url
            .strip_prefix("http://127.0.0.1:")
            .expect("serves on 127.0.0.1");
        let (port, base) = rest.split_at(rest.find('/').unwrap());
        Server {
            child,
            port: port.parse().unwrap(),
            base: base.to_string(),
            url: url.clone(),
            out: out.to_path_buf(),
            stderr,
        }
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// The terminal output once `ready` holds for it (or after 5 s, to fail on):
    /// the server prints a line before it sends the event, but the test reads its
    /// terminal on another thread, which may not have read that line yet.
    pub fn stderr_when(&self, ready: impl Fn(&str) -> bool) -> String {
        let until = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            let err = self.stderr();
            if ready(&err) || std::time::Instant::now() > until {
                return err;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    /// GET `path` exactly as written (no normalisation).
    pub fn get(&self, path: &str) -> Response {
        http_get(self.port, path)
    }

    /// The body of a GET of `path`, as bytes; panics unless it is found.
    pub fn get_bytes(&self, path: &str) -> Vec<u8> {
        let r = http_get(self.port, path);
        assert_eq!(r.status, 200, "{path}");
        r.bytes
    }

    /// The reload event stream, once its `hello` has arrived.
    pub fn events(&self) -> Events {
        let mut e = Events::connect(self.port, &format!("{}__tumen/events", self.base));
        let (name, _) = e.next(Duration::from_secs(10)).expect("a hello event");
        assert_eq!(name, "hello");
        e
    }

    /// Wait (at most `limit`) until the page at `path` satisfies `ok`.
    pub fn wait_for_page(&self, path: &str, limit: Duration, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let r = self.get(path);
            if ok(&r.body) {
                return r.body;
            }
            if start.elapsed() > limit {
                panic!(
                    "{path} did not change as expected within {limit:?}; last body:\n{}\nserver stderr:\n{}",
                    r.body,
                    self.stderr()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub fn http_get(port: u16, path: &str) -> Response {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    // Read the head, then the body by its length (Chromium's DevTools server keeps
    // the connection open), or to the end.
    let mut r = BufReader::new(s);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        r.read_line(&mut line).expect("read response");
        if line == "\r\n" || line.is_empty() {
            break;
        }
        head.push_str(&line);
    }
    let length = head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case("content-length")
            .then(|| v.trim().parse::<usize>().ok())?
    });
    let mut raw = Vec::new();
    match length {
        Some(n) => {
            raw.resize(n, 0);
            r.read_exact(&mut raw).expect("read body");
        }
        None => {
            r.read_to_end(&mut raw).expect("read body");
        }
    }
    let body = String::from_utf8_lossy(&raw).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Response {
        status,
        headers,
        body: body.to_string(),
        bytes: raw,
    }
}

/// A reader of a Server-Sent Events stream.
pub struct Events {
    rx: Receiver<(String, String)>,
}

impl Events {
    pub fn connect(port: u16, path: &str) -> Events {
        let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(s);
            let (mut name, mut data) = (String::new(), String::new());
            let mut line = String::new();
            // Chunked encoding puts size lines between events; they are neither
            // `event:` nor `data:` lines, so they are skipped.
            while r.read_line(&mut line).unwrap_or(0) > 0 {
                let l = line.trim_end_matches(['\r', '\n']);
                if let Some(n) = l.strip_prefix("event: ") {
                    name = n.to_string();
                } else if let Some(d) = l.strip_prefix("data: ") {
                    data.push_str(d);
                } else if l.is_empty()
                    && !name.is_empty()
                    && tx
                        .send((std::mem::take(&mut name), std::mem::take(&mut data)))
                        .is_err()
                {
                    return;
                }
                line.clear();
            }
        });
        Events { rx }
    }

    /// The next event (name, data), if one comes within `limit`.
    pub fn next(&mut self, limit: Duration) -> Option<(String, String)> {
        self.rx.recv_timeout(limit).ok()
    }

    /// Wait for an event named `name`, skipping others; panics after `limit`.
    pub fn expect(&mut self, name: &str, limit: Duration) -> String {
        let end = Instant::now() + limit;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.next(left) {
                Some((n, d)) if n == name => return d,
                Some(_) => continue,
                None => panic!("no `{name}` event within {limit:?}"),
            }
        }
    }

    /// Every event that comes within `window`.
    pub fn drain(&mut self, window: Duration) -> Vec<(String, String)> {
        let end = Instant::now() + window;
        let mut out = Vec::new();
        while let Some(e) = self.next(end.saturating_duration_since(Instant::now())) {
            out.push(e);
        }
        out
    }
}

/// Replace `from` by `to` in a file, as an editor saving in place does.
pub fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}
