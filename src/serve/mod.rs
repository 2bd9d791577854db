//! `tumen serve`: build the site, serve it over HTTP, and on every change to the
//! sources rebuild what changed and refresh the open pages.
//!
//! | module | does |
//! |---|---|
//! | [`watch`] | watches the site and theme folders; one batch of paths per burst of changes |
//! | [`incremental`] | re-reads the changed files and rebuilds the files that depend on them |
//! | [`outcome`] | what a rebuild did, and the terminal's line for it |
//! | [`output`] | the output folder as served: on disk, overlaid by the last rebuild's files until they are written |
//! | [`reload`] | tells open pages to reload (Server-Sent Events); the injected script and error overlay |
//! | [`http`] | serves the output folder, safely |
//! | [`conn`] | accepts connections, with limits on slow and oversized requests |
//!
//! Three threads of work: the HTTP server (tokio), the watcher (notify's), and one
//! rebuild thread that takes batches of changes one after the other, so a change
//! made during a rebuild makes the next one. A rebuild's pages are served from
//! memory and announced at once, then written. A failed build leaves the last good
//! site on disk and being served.
//!
//! What a path is (a brief, a template, editor junk) and how sources are read is
//! the loader's ([`classify`](crate::load::classify()), [`crate::load::SourceStore`]), and
//! what changed between two builds is [`crate::deps`]'s: serve only watches,
//! schedules, reports and serves, and [`serve`] reads as its startup steps.

pub mod conn;
pub mod http;
pub mod incremental;
pub mod outcome;
pub mod output;
pub mod reload;
pub mod watch;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use crate::build::BuildOptions;
use crate::load::config::base_path;
use crate::resolve::ResolveOptions;
use crate::util::paths::{absolute, display_path};
use crate::write::check_output_dir;
use incremental::{Builder, Built, Outcome};
use output::Output;
use reload::Hub;

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub site_dir: PathBuf,
    pub output_dir: PathBuf,
    /// Defaults to the server's own address, so that every link works locally.
    pub base_url: Option<String>,
    pub drafts: bool,
    pub bind: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    /// Open the site in the default browser.
    pub open: bool,
    /// Make every brief's PDF whatever site.yaml says (`--pdf`).
    pub pdf: bool,
}

/// Say on the terminal what a rebuild did (errors and warnings as `tumen build`
/// shows them).
fn report(outcome: &Outcome) {
    match outcome {
        Outcome::Built(b) => {
            eprint!("{}", b.warnings);
            eprintln!("{}", b.summary());
        }
        Outcome::Unchanged => {}
        Outcome::Failed(errors) => {
            eprint!("{errors}");
            let n = errors.len();
            eprintln!(
                "error: build failed with {n} error{}; still serving the last good build",
                if n == 1 { "" } else { "s" }
            );
        }
    }
}

fn open_browser(url: &str) {
    let cmd = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(cmd)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        eprintln!("warning: could not open a browser ({cmd}: {e}); open {url}");
    }
}

/// Run the preview server until interrupted. Returns an error message when it
/// cannot start (the port is taken, the output folder is refused).
pub fn serve(opts: ServeOptions) -> Result<(), String> {
    let address = Address::bind(&opts)?;
    check_output_dir(&opts.output_dir, &opts.site_dir).map_err(|d| d.to_string())?;
    let output = Arc::new(Output::new(opts.output_dir.clone()));
    let hub = Hub::new(&address.base_path);
    let mut builder = Builder::new(build_options(&opts, &address), output.clone());
    first_build(&mut builder, &hub);
    let watcher = watch_sources(&opts)?;
    spawn_rebuilds(builder, watcher, hub.clone())?;
    println!(
        "Serving {} at {} (Ctrl-C to stop)",
        display_path(&opts.site_dir).display(),
        address.url
    );
    if opts.open {
        open_browser(&address.url);
    }
    let served = Arc::new(http::Served {
        output,
        base_path: address.base_path,
        hub,
    });
    run_http(address.listener, served)
}

/// Where the preview is served.
struct Address {
    listener: std::net::TcpListener,
    /// What links start with: `--base-url`, else this server's own address.
    base_url: String,
    /// Its path: `/` or `/sub/`.
    base_path: String,
    /// The address to visit.
    url: String,
}

impl Address {
    /// Listen where `opts` say (port 0: a free one).
    fn bind(opts: &ServeOptions) -> Result<Address, String> {
        let at = SocketAddr::new(opts.bind, opts.port);
        let listener =
            std::net::TcpListener::bind(at).map_err(|e| format!("cannot listen on {at}: {e}"))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| format!("cannot listen: {e}"))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("cannot listen: {e}"))?;
        // Links should point at this server; a wildcard address is not one to visit.
        let host = match addr.ip() {
            ip if ip.is_unspecified() => "127.0.0.1".to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        let base_url =
            (opts.base_url.clone()).unwrap_or_else(|| format!("http://{host}:{}/", addr.port()));
        let base_path = base_path(&base_url);
        let url = format!("http://{host}:{}{base_path}", addr.port());
        Ok(Address {
            listener,
            base_url,
            base_path,
            url,
        })
    }
}

/// How the preview builds: as `tumen build`, with links to `address`.
fn build_options(opts: &ServeOptions, address: &Address) -> BuildOptions {
    BuildOptions {
        site_dir: opts.site_dir.clone(),
        output_dir: opts.output_dir.clone(),
        resolve: ResolveOptions {
            drafts: opts.drafts,
            base_url: Some(address.base_url.clone()),
            keep_broken_links: false,
            pdf: opts.pdf,
            digests: false,
        },
        progress: false,
        minify: false,
    }
}

/// Build everything, and say so as `tumen build` says it.
fn first_build(builder: &mut Builder, hub: &Hub) {
    let first = builder.build_all();
    match &first {
        Outcome::Built(Built {
            report: Some(r), ..
        }) => {
            eprint!("{}", r.warnings);
            eprintln!("{}", r.summary());
        }
        other => report(other),
    }
    hub.publish(&first);
}

/// Watch the site's folder, the themes beside it and its git folder.
fn watch_sources(opts: &ServeOptions) -> Result<watch::Watcher, String> {
    // The output may be inside the site folder (`tumen serve` run there): its
    // writes are not edits. Canonical, as the watcher's paths are.
    let output_dir = (opts.output_dir.canonicalize())
        .or_else(|_| std::path::absolute(&opts.output_dir))
        .unwrap_or_else(|_| opts.output_dir.clone());
    let git_dir = crate::load::history::git_dir(&opts.site_dir);
    watch::watch(&absolute(&opts.site_dir), &[output_dir], git_dir.as_deref())
        .map_err(|e| format!("cannot watch the site folder for changes: {e}"))
}

/// The rebuild thread: one batch of changes after the other, each rebuilt, the
/// open pages told, the files written, then git asked which files are
/// uncommitted; one line on the terminal per batch.
fn spawn_rebuilds(
    mut builder: Builder,
    watcher: watch::Watcher,
    hub: Arc<Hub>,
) -> Result<(), String> {
    let flush = |builder: &mut Builder| {
        if let Err(e) = builder.flush() {
            eprint!("{e}");
            eprintln!("warning: serving the rebuilt pages from memory until they can be written");
        }
    };
    let rebuilds = move || {
        while let Some(changes) = watcher.next() {
            let mut outcome = builder.rebuild_or_recover(&changes);
            hub.publish(&outcome);
            flush(&mut builder);
            // Pages say whether their brief has uncommitted edits: ask git now
            // the edited page is back, and say both in one line per save.
            if let Some(more) = builder.recovering(None, Builder::follow_git_status) {
                hub.publish(&more);
                flush(&mut builder);
                outcome = outcome.then(more);
            }
            report(&outcome);
        }
    };
    (std::thread::Builder::new().name("tumen rebuild".into()))
        .spawn(rebuilds)
        .map(drop)
        .map_err(|e| format!("cannot start the rebuild thread: {e}"))
}

/// Serve the output over HTTP until Ctrl-C.
fn run_http(listener: std::net::TcpListener, served: Arc<http::Served>) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        // Files are read on these (`http::file`). Tokio's default of 512 lets many
        // clients at once start hundreds of threads, each with its own stack and
        // allocator arena, for reads that take microseconds each.
        .max_blocking_threads(8)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)
            .map_err(|e| format!("cannot listen: {e}"))?;
        // Not a graceful shutdown: open pages hold their event streams forever.
        tokio::select! {
            _ = conn::serve(listener, http::router(served)) => Ok(()),
            _ = tokio::signal::ctrl_c() => Ok(()),
        }
    })
}
