//! The preview's connections: each accepted one served on its own task by hyper's
//! HTTP/1 server, within limits that keep a slow or hostile client from holding
//! up the others or the server.
//!
//! `axum::serve` sets none of these, so connections are accepted here:
//!
//! - a request's head (its request line and headers) must arrive within
//!   [`HEADER_TIMEOUT`], counted from when the server starts waiting for it, so a
//!   client sending a byte a second (a slowloris) is closed, and so is a kept-alive
//!   connection left idle that long (browsers open another when they need one);
//! - a head is at most [`MAX_HEADER_BYTES`] and 100 headers (hyper's default):
//!   more gets `431`; a request line hyper cannot parse (a NUL, HTTP/0.9, garbage)
//!   gets `400`, a path longer than hyper takes `414`;
//! - at most [`MAX_CONNECTIONS`] at once: each holds a file descriptor, and the
//!   server must still be able to open the files it serves and writes (1,024 is a
//!   common limit). Past it, new connections wait in the kernel's queue until one
//!   closes: the timeout above closes those not in use, and while every slot is
//!   taken each response closes its connection, so that busy clients take turns
//!   with the waiting ones instead of keeping their slots.
//!
//! Everything else (which file, which status) is the router's ([`super::http`]).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, Request, header};
use axum::response::Response;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::{Service, service_fn};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// How long a request's head may take to arrive, and a kept-alive connection may
/// wait for the next request. On 127.0.0.1 a head takes microseconds.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest request head (request line and headers) taken. Cookies of other
/// servers on localhost come with every request, so this is well above the 8 KiB
/// some servers take.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;
/// Connections served at once: a browser opens 6 per server and one per open page
/// for the reload events.
pub const MAX_CONNECTIONS: usize = 512;

/// Accept connections on `listener` and serve `router` on each, forever.
pub async fn serve(listener: TcpListener, router: Router) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .max_header_size(MAX_HEADER_BYTES);
    loop {
        // The semaphore is never closed.
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                wait_after(&e).await;
                continue;
            }
        };
        // Responses go out whole; waiting to fill a packet only delays them.
        let _ = stream.set_nodelay(true);
        let service = taking_turns(router.clone(), slots.clone());
        let connection = http.serve_connection(TokioIo::new(stream), service);
        tokio::spawn(async move {
            // A client that went away, or was refused, is no error of the server's.
            let _ = connection.await;
            drop(slot);
        });
    }
}

/// `router` as hyper calls it, closing the connection after each response while
/// no slot is free.
fn taking_turns(
    router: Router,
    slots: Arc<Semaphore>,
) -> impl Service<Request<Incoming>, Response = Response, Error = Infallible, Future: Send> {
    let inner = TowerToHyperService::new(router);
    service_fn(move |req| {
        let response = inner.call(req);
        let slots = slots.clone();
        async move {
            let mut response = response.await?;
            if slots.available_permits() == 0 {
                let close = HeaderValue::from_static("close");
                response.headers_mut().insert(header::CONNECTION, close);
            }
            Ok(response)
        }
    })
}

/// After a failed accept: at once when one connection failed, a moment when the
/// process is out of file descriptors (or memory), as trying again at once would
/// fail again.
async fn wait_after(e: &std::io::Error) {
    use std::io::ErrorKind::*;
    if !matches!(
        e.kind(),
        ConnectionAborted | ConnectionReset | ConnectionRefused | Interrupted
    ) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
