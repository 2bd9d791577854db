//! `tumen serve` against slow and hostile clients: the real server on a free port
//! of 127.0.0.1, raw bytes sent over TCP. A client sending its request a byte a
//! second holds up no one and is closed after the header timeout; absurd requests
//! get a 4xx or a closed connection, never a file from outside the output, and the
//! server answers afterwards.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::server::Server;
use common::*;
use tumen::serve::conn::{HEADER_TIMEOUT, MAX_CONNECTIONS};

const SECOND: Duration = Duration::from_secs(1);

fn start() -> (tempfile::TempDir, Server) {
    let (tmp, site) = copy_fixture("basic");
    let server = Server::start(&site, &tmp.path().join("out"), &[]);
    (tmp, server)
}

/// What a request got: a status and the body, or a connection closed unanswered.
#[derive(Debug)]
enum Answer {
    Status(u16, Vec<u8>),
    Closed,
}

/// Send `raw` on a fresh connection and read the answer (until the connection
/// closes or the response's length is read). The server may close before it has
/// read all of a large request: the answer is what came back.
fn exchange(port: u16, raw: &[u8]) -> Answer {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(HEADER_TIMEOUT * 3)).unwrap();
    let _ = s.write_all(raw);
    let mut data = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => data.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::TimedOut => {
                panic!("no answer and no close within {:?}", HEADER_TIMEOUT * 3)
            }
            Err(_) => break, // reset: closed
        }
        if complete(&data) {
            break;
        }
    }
    parse(&data)
}

fn head_end(data: &[u8]) -> Option<usize> {
    data.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4)
}

fn content_length(head: &str) -> Option<usize> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case("content-length")
            .then(|| v.trim().parse().ok())?
    })
}

fn complete(data: &[u8]) -> bool {
    let Some(end) = head_end(data) else {
        return false;
    };
    let head = String::from_utf8_lossy(&data[..end]);
    content_length(&head).is_some_and(|n| data.len() >= end + n)
}

fn parse(data: &[u8]) -> Answer {
    let Some(end) = head_end(data) else {
        assert!(data.is_empty(), "half a response: {data:?}");
        return Answer::Closed;
    };
    let head = String::from_utf8_lossy(&data[..end]);
    let status = (head.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head:?}"));
    Answer::Status(status, data[end..].to_vec())
}

fn get(path: &[u8]) -> Vec<u8> {
    [b"GET ", path, b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"].concat()
}

fn with_headers(headers: &[u8]) -> Vec<u8> {
    [b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n", headers, b"\r\n"].concat()
}

/// The absurd requests, and the statuses each may get (0: the connection closed
/// unanswered).
fn absurd() -> Vec<(&'static str, Vec<u8>, &'static [u16])> {
    let many: Vec<u8> = (0..10_000)
        .flat_map(|i| format!("X-{i}: y\r\n").into_bytes())
        .collect();
    let garbage: Vec<u8> = (0..1024u32).map(|i| (i * 7 % 256) as u8).collect();
    vec![
        (
            "a 100 KB header",
            with_headers(&[b"X-Big: ".as_slice(), &[b'a'; 100_000], b"\r\n"].concat()),
            &[431],
        ),
        ("10,000 headers", with_headers(&many), &[431]),
        (
            "a control byte in a header name",
            with_headers(b"X\x01Y: z\r\n"),
            &[400],
        ),
        (
            "a control byte in a header value",
            with_headers(b"X: a\x01b\r\n"),
            &[400],
        ),
        (
            "a 64 KB path",
            get(&[b"/".as_slice(), &[b'a'; 65_536]].concat()),
            &[414, 431],
        ),
        (
            "a 10 KB path",
            get(&[b"/".as_slice(), &[b'a'; 10_000]].concat()),
            &[404, 414],
        ),
        ("a NUL in the path", get(b"/index.html\x00"), &[400]),
        ("a NUL, encoded", get(b"/index.html%00.css"), &[404]),
        ("a path of invalid UTF-8", get(b"/%ff%fe"), &[404]),
        ("`..`", get(b"/../secret.txt"), &[404]),
        ("`%2e%2e`", get(b"/%2e%2e/%2e%2e/secret.txt"), &[404]),
        (
            "`..` in an absolute URI",
            get(b"http://127.0.0.1/../secret.txt"),
            &[404],
        ),
        ("`*`", get(b"*"), &[400, 404]),
        (
            "a made-up method",
            b"BREW / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
            &[405],
        ),
        (
            "a 10 KB method",
            [&[b'A'; 10_000][..], b" / HTTP/1.1\r\nHost: x\r\n\r\n"].concat(),
            &[405],
        ),
        (
            "a method with a bracket",
            b"G(T / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
            &[400],
        ),
        (
            "DELETE",
            b"DELETE / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
            &[405],
        ),
        ("HTTP/0.9", b"GET /\r\n\r\n".to_vec(), &[400, 0]),
        (
            "HTTP/9.9",
            b"GET / HTTP/9.9\r\nHost: x\r\n\r\n".to_vec(),
            &[400, 505, 0],
        ),
        (
            "HTTP/2 without asking",
            b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec(),
            &[400, 505, 0],
        ),
        ("garbage", garbage, &[400, 0]),
        ("blank lines only", b"\r\n\r\n\r\n".to_vec(), &[400, 0]),
        (
            "a negative Content-Length",
            with_headers(b"Content-Length: -1\r\n"),
            &[400],
        ),
    ]
}

#[test]
fn absurd_requests_get_4xx_or_are_closed_and_the_server_goes_on() {
    let (tmp, s) = start();
    let secret = "TOP-SECRET-43";
    std::fs::write(tmp.path().join("secret.txt"), secret).unwrap();
    let port = s.port;
    // At once, as some are only closed after the header timeout.
    let answers: Vec<_> = absurd()
        .into_iter()
        .map(|(what, raw, ok)| (what, ok, std::thread::spawn(move || exchange(port, &raw))))
        .collect();
    for (what, ok, answer) in answers {
        let answer = answer
            .join()
            .unwrap_or_else(|_| panic!("{what}: the client failed"));
        let status = match &answer {
            Answer::Status(status, body) => {
                let body = String::from_utf8_lossy(body);
                assert!(!body.contains(secret), "{what} leaked a file");
                *status
            }
            Answer::Closed => 0,
        };
        assert!(
            ok.contains(&status),
            "{what}: {answer:?}, not one of {ok:?}"
        );
        // The server still answers.
        assert_eq!(s.get("/").status, 200, "after {what}");
    }
    let err = s.stderr();
    assert!(
        !err.contains("panicked") && !err.contains("internal error"),
        "{err}"
    );
}

/// A connection sending `GET / HTTP/1.1` and headers one byte a second; returns
/// when the server closed it (time since connecting, bytes sent) or `None` when
/// it answered.
fn slowloris(port: u16) -> Option<(Duration, usize)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let t0 = Instant::now();
    s.set_read_timeout(Some(SECOND)).unwrap();
    let request = format!(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: {}\r\n\r\n",
        "y".repeat(60)
    );
    for (sent, b) in request.bytes().enumerate() {
        if s.write_all(&[b]).is_err() {
            return Some((t0.elapsed(), sent));
        }
        let mut buf = [0u8; 1];
        match s.read(&mut buf) {
            Ok(0) => return Some((t0.elapsed(), sent + 1)),
            Ok(_) => return None,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return Some((t0.elapsed(), sent + 1)),
        }
    }
    None
}

#[test]
fn a_slow_client_holds_up_no_one_and_is_closed_after_the_header_timeout() {
    let (_tmp, s) = start();
    let port = s.port;
    let slow: Vec<_> = (0..20)
        .map(|_| std::thread::spawn(move || slowloris(port)))
        .collect();
    // A connection that sends nothing at all.
    let mut idle = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let idle_since = Instant::now();
    std::thread::sleep(SECOND + SECOND / 2);
    // While they trickle, other requests are answered at once.
    for path in ["/", "/briefs/trade/", "/style.css", "/data/trade.csv"] {
        let t0 = Instant::now();
        assert_eq!(s.get(path).status, 200, "{path}");
        assert!(t0.elapsed() < SECOND, "{path} took {:?}", t0.elapsed());
    }
    for t in slow {
        let (after, sent) = t.join().unwrap().expect("a slow request was answered");
        assert!(
            after >= HEADER_TIMEOUT - SECOND && after < HEADER_TIMEOUT + 3 * SECOND,
            "closed after {after:?} and {sent} bytes"
        );
    }
    idle.set_read_timeout(Some(HEADER_TIMEOUT * 2)).unwrap();
    let mut buf = [0u8; 1];
    let read = idle.read(&mut buf);
    let closed = match &read {
        Ok(n) => *n == 0,
        Err(e) => !matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
    };
    assert!(closed, "the idle connection: {read:?}");
    let after = idle_since.elapsed();
    assert!(
        after < HEADER_TIMEOUT + 3 * SECOND,
        "idle closed after {after:?}"
    );
    assert_eq!(s.get("/").status, 200);
}

/// Send `raw` on `c` and read the response: its head (lowercase) and body.
fn request_on(c: &mut TcpStream, raw: &[u8]) -> (String, Vec<u8>) {
    c.write_all(raw).unwrap();
    let mut data = Vec::new();
    let mut buf = [0u8; 65536];
    while !complete(&data) {
        let n = c.read(&mut buf).expect("a response");
        assert!(n > 0, "closed before the response was whole: {data:?}");
        data.extend_from_slice(&buf[..n]);
    }
    let end = head_end(&data).unwrap();
    let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
    (head, data[end..].to_vec())
}

#[test]
fn past_the_connection_limit_clients_take_turns() {
    let (_tmp, s) = start();
    // Every slot taken by a kept-alive connection that made a request.
    let t0 = Instant::now();
    let mut held = Vec::new();
    let mut told_to_close = 0;
    for _ in 0..MAX_CONNECTIONS {
        let mut c = TcpStream::connect(("127.0.0.1", s.port)).expect("connect");
        c.set_read_timeout(Some(HEADER_TIMEOUT * 3)).unwrap();
        let (head, _) = request_on(&mut c, &get(b"/style.css"));
        assert!(head.starts_with("http/1.1 200"), "{head}");
        told_to_close += usize::from(head.contains("connection: close"));
        held.push(c);
    }
    // While no slot was free, responses closed their connections (unless filling
    // them took so long that the header timeout closed some first).
    if t0.elapsed() < HEADER_TIMEOUT - SECOND {
        assert!(told_to_close >= 1, "no connection was told to close");
    }
    // So a new client is served at once, not when an idle one times out.
    let t1 = Instant::now();
    assert_eq!(s.get("/").status, 200);
    assert!(t1.elapsed() < SECOND, "served after {:?}", t1.elapsed());
}
