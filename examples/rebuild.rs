//! Rebuild timing without the watcher or the server: `tumen serve`'s builder on a
//! site, one brief edited at a time, each rebuild timed.
//!
//!     cargo run --release --example rebuild -- SITE_DIR [EDITS] [body,title]
//!
//! The site is edited in place (make one with benches/gen_site.py). Prints the
//! median and 90th percentile of the rebuild (until the pages are served) and of
//! the writing of the files that follows, for body edits and title edits.
//! `NOFLUSH=1` skips the writing (and the search index), to profile rebuilds
//! alone; `TUMEN_TRACE=1` prints each rebuild's stages.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tumen::build::BuildOptions;
use tumen::resolve::ResolveOptions;
use tumen::serve::incremental::{Builder, Outcome};
use tumen::serve::output::Output;
use tumen::serve::watch::Changes;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let site = PathBuf::from(&args[1]);
    let edits: usize = args.get(2).map_or(30, |a| a.parse().expect("a number"));
    let kinds: Vec<String> = args
        .get(3)
        .map_or("body,title", String::as_str)
        .split(',')
        .map(str::to_string)
        .collect();
    let out = site.with_file_name("rebuild-bench-out");
    let _ = std::fs::remove_dir_all(&out);
    let output = Arc::new(Output::new(out.clone()));
    let mut builder = Builder::new(
        BuildOptions {
            site_dir: site.clone(),
            output_dir: out,
            resolve: ResolveOptions {
                drafts: false,
                base_url: Some("http://127.0.0.1:1111/".into()),
                keep_broken_links: false,
                pdf: false,
                digests: false,
            },
            progress: false,
            minify: false,
        },
        output,
    );
    let t = Instant::now();
    assert!(matches!(builder.build_all(), Outcome::Built(_)));
    println!("first build: {} ms", t.elapsed().as_millis());
    let mut briefs: Vec<PathBuf> = std::fs::read_dir(site.join("briefs"))
        .expect("a briefs folder")
        .map(|e| e.expect("entry").path())
        .collect();
    briefs.sort();
    let root = std::path::absolute(&site).expect("absolute");
    for kind in kinds.iter().map(String::as_str) {
        let (mut times, mut writes) = (Vec::new(), Vec::new());
        let mut line = String::new();
        for i in 0..edits {
            let path = &briefs[(i * 37) % briefs.len()];
            let text = std::fs::read_to_string(path).expect("read");
            let text = if kind == "body" {
                text.replacen("## Section two", &format!("## Section two\n\nEdit {i}."), 1)
            } else {
                text.replacen("title: \"", &format!("title: \"Edited {i} "), 1)
            };
            std::fs::write(path, text).expect("write");
            let mut changes = Changes::default();
            changes
                .paths
                .insert(root.join("briefs").join(path.file_name().expect("name")));
            let t = Instant::now();
            match builder.rebuild(&changes) {
                Outcome::Built(b) => line = b.summary(),
                other => panic!("{other:?}"),
            }
            times.push(t.elapsed());
            let t = Instant::now();
            if std::env::var_os("NOFLUSH").is_none() {
                builder.flush().expect("written");
            }
            writes.push(t.elapsed());
        }
        let stats = |mut xs: Vec<Duration>| {
            xs.sort();
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            format!(
                "median {:.1} ms, p90 {:.1} ms",
                ms(xs[xs.len() / 2]),
                ms(xs[(xs.len() * 9 / 10).saturating_sub(1)])
            )
        };
        println!(
            "{kind} edits ({edits}): rebuild {}; then writing {} (last: {line})",
            stats(times),
            stats(writes)
        );
    }
}
