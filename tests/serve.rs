//! `tumen serve` end to end: the real server on a free port of 127.0.0.1, files
//! edited on disk, pages and reload events read over HTTP.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::server::{Server, edit};
use common::*;

const SECOND: Duration = Duration::from_secs(1);
/// Generous bound for waits that normally take milliseconds, so a busy machine
/// does not fail the suite; the fast path is asserted separately where it matters.
const LIMIT: Duration = Duration::from_secs(10);

fn start(extra: &[&str]) -> (tempfile::TempDir, std::path::PathBuf, Server) {
    let (tmp, site) = copy_fixture("basic");
    std::fs::write(site.join("static/extra.css"), "body { color: black }\n").unwrap();
    std::fs::write(site.join("static/app.js"), "console.log(1);\n").unwrap();
    std::fs::write(
        site.join("static/logo.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
    )
    .unwrap();
    std::fs::write(site.join("static/extra.xml"), "<feed/>\n").unwrap();
    let server = Server::start(&site, &tmp.path().join("out"), extra);
    (tmp, site, server)
}

#[test]
fn serves_the_site_on_loopback_with_the_reload_script_and_content_types() {
    let (_tmp, _site, s) = start(&[]);
    assert!(s.url.starts_with("http://127.0.0.1:"), "{}", s.url);
    #[cfg(target_os = "linux")]
    {
        // The listening socket is bound to 127.0.0.1 (0100007F), nothing wider.
        let tcp = std::fs::read_to_string("/proc/net/tcp").unwrap();
        let port = format!(":{:04X} ", s.port);
        let listening: Vec<&str> = tcp
            .lines()
            .filter(|l| l.contains(&port) && l.split_whitespace().nth(3) == Some("0A"))
            .collect();
        assert!(
            !listening.is_empty()
                && listening.iter().all(|l| l
                    .split_whitespace()
                    .nth(1)
                    .unwrap()
                    .starts_with("0100007F:")),
            "{listening:?}"
        );
    }

    let home = s.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(home.body.contains("__tumen/events"), "no reload script");
    assert!(home.body.trim_end().ends_with("</body>\n</html>"));
    // Links point at the server itself.
    assert!(
        home.body.contains(&format!("href=\"{}", s.url)),
        "canonical"
    );

    for (path, ctype) in [
        ("/style.css", "text/css; charset=utf-8"),
        ("/extra.css", "text/css; charset=utf-8"),
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/logo.svg", "image/svg+xml"),
        ("/extra.xml", "application/xml"),
        ("/data/trade.json", "application/json"),
        ("/data/trade.csv", "text/csv; charset=utf-8"),
        ("/briefs/trade/", "text/html; charset=utf-8"),
    ] {
        let r = s.get(path);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type"), Some(ctype), "{path}");
    }
    assert!(!s.get("/data/trade.csv").body.contains("__tumen"));

    let missing = s.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(
        missing.body.contains("Page not found"),
        "the site's 404 page"
    );
    let folder = s.get("/briefs");
    assert_eq!(folder.status, 302);
    assert_eq!(folder.header("location"), Some("/briefs/"));

    // The first build is counted as `tumen build` counts it.
    let (tmp, site) = copy_fixture("basic");
    let built = stdout(&build_ok(&site, &tmp.path().join("built"), &[]));
    let counts = |line: &str| line.split(" in ").next().unwrap_or_default().to_string();
    let first = s
        .stderr_when(|e| e.contains('\n'))
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(first.starts_with("Built 2 briefs, "), "{first}");
    assert_eq!(counts(&first), counts(built.trim()), "{first}");

    // The files on disk carry no reload script: only served pages do.
    for (path, bytes) in tree(&s.out) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("__tumen"),
            "{path} on disk has the reload script"
        );
    }
}

#[test]
fn built_output_never_carries_the_reload_script() {
    let (tmp, site) = copy_fixture("basic");
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    for (path, bytes) in tree(&out) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("__tumen") && !text.contains("EventSource"),
            "{path}"
        );
    }
}

#[test]
fn requests_outside_the_output_get_404() {
    let (tmp, _site, s) = start(&[]);
    let secret = "TOP-SECRET-42";
    std::fs::write(tmp.path().join("secret.txt"), secret).unwrap();
    // Symlinks inside the output that lead out of it.
    std::os::unix::fs::symlink(tmp.path().join("secret.txt"), s.out.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink(tmp.path(), s.out.join("leakdir")).unwrap();
    for path in [
        "/../secret.txt",
        "/briefs/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/..%2fsecret.txt",
        "/briefs/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/..%5csecret.txt",
        "/..\\secret.txt",
        "/%252e%252e/secret.txt",
        "/leak.txt",
        "/leakdir/secret.txt",
        "/leakdir/site/site.yaml",
        "//etc/passwd",
        "/%00",
    ] {
        let r = s.get(path);
        assert_eq!(r.status, 404, "{path}");
        assert!(!r.body.contains(secret), "{path} leaked the file");
        assert!(!r.body.contains("root:"), "{path} leaked /etc/passwd");
    }
    // A symlink that stays inside the output is served.
    std::os::unix::fs::symlink(s.out.join("style.css"), s.out.join("alias.css")).unwrap();
    assert_eq!(s.get("/alias.css").status, 200);
}

#[test]
fn an_edited_title_is_served_within_a_second_with_a_reload_message() {
    let (_tmp, site, s) = start(&[]);
    let mut events = s.events();
    let t0 = Instant::now();
    edit(
        &site.join("briefs/trade.md"),
        "title: \"Trade: collapse & <recovery>\"",
        "title: \"Trade, edited live\"",
    );
    events.expect("reload", LIMIT);
    let reloaded = t0.elapsed();
    let page = s.get("/briefs/trade/").body;
    assert!(page.contains("<h1>Trade, edited live</h1>"), "{page}");
    assert!(
        reloaded < SECOND,
        "the reload message took {reloaded:?} (server said:\n{})",
        s.stderr()
    );
    // The list pages show the new title too.
    assert!(s.get("/briefs/").body.contains("Trade, edited live"));
    assert!(s.get("/topics/energy/").body.contains("Trade, edited live"));
    // The terminal says what was rebuilt, and how long it took.
    let err = s.stderr_when(|e| e.contains("Rebuilt briefs/trade/"));
    assert!(
        err.lines()
            .any(|l| l.starts_with("Rebuilt briefs/trade/ + ") && l.ends_with(" ms")),
        "{err}"
    );
}

#[test]
fn a_broken_dataset_keeps_the_last_good_site_and_shows_the_error() {
    let (_tmp, site, s) = start(&[]);
    let mut events = s.events();
    let data = site.join("data/trade.yaml");
    let good = std::fs::read_to_string(&data).unwrap();
    edit(
        &data,
        "{year: 1996, turnover: 85, source: memo-2016}",
        "{year: 1996, turnover: lots, source: memo-2016}",
    );
    let failed = events.expect("failed", LIMIT);
    assert!(failed.contains("trade.yaml:12:"), "{failed}");

    // The last good page is still served, and carries the error (escaped).
    let page = s.get("/briefs/trade/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Trade was US$2,350 m in 1988"));
    assert!(page.body.contains("id=\"tumen-overlay\""), "{}", page.body);
    assert!(page.body.contains("trade.yaml:12:"), "{}", page.body);
    // The terminal shows the error as `tumen build` does.
    let err = s.stderr_when(|e| e.contains("still serving the last good build"));
    assert!(
        err.contains("error: ") && err.contains("trade.yaml:12:"),
        "{err}"
    );
    assert!(err.contains("still serving the last good build"), "{err}");

    // A template error and a bad brief keep it up too.
    std::fs::write(&data, &good).unwrap();
    events.expect("reload", LIMIT);
    assert!(
        !s.get("/briefs/trade/")
            .body
            .contains("id=\"tumen-overlay\"")
    );
    edit(&site.join("briefs/debt.md"), "title:", "titel: x\ntitle:");
    let failed = events.expect("failed", LIMIT);
    assert!(failed.contains("debt.md:2:"), "{failed}");
    assert_eq!(s.get("/briefs/debt/").status, 200);

    // Fixed: the overlay goes with the next good build.
    edit(&site.join("briefs/debt.md"), "titel: x\n", "");
    events.expect("reload", LIMIT);
    let page = s.get("/briefs/debt/");
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("id=\"tumen-overlay\""));
}

#[test]
fn a_panic_in_a_rebuild_keeps_the_server_and_the_last_good_site() {
    let (tmp, site) = copy_fixture("basic");
    let trigger = std::ffi::OsStr::new("boom.md");
    let s = Server::start_with_env(
        &site,
        &tmp.path().join("out"),
        &[],
        &[("TUMEN_TEST_PANIC_ON", trigger)],
    );
    let mut events = s.events();
    std::fs::write(site.join("briefs/boom.md"), brief("Boom")).unwrap();
    let failed = events.expect("failed", LIMIT);
    assert!(
        failed.contains("internal error while rebuilding"),
        "{failed}"
    );
    assert!(failed.contains("please report it"), "{failed}");
    let err = s.stderr_when(|e| e.contains("still serving the last good build"));
    assert!(err.contains("internal error: a panic asked for"), "{err}");
    assert!(err.contains("while working on boom.md"), "{err}");
    let page = s.get("/briefs/debt/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("id=\"tumen-overlay\""));

    // The next save is rebuilt, from scratch, and clears the error.
    edit(
        &site.join("briefs/debt.md"),
        "Soviet-era debt",
        "Soviet debt, rebuilt",
    );
    events.expect("reload", LIMIT);
    let page = s.get("/briefs/debt/");
    assert!(page.body.contains("Soviet debt, rebuilt"), "{}", page.body);
    assert!(!page.body.contains("id=\"tumen-overlay\""));
    assert_eq!(
        s.get("/briefs/boom/").status,
        200,
        "the brief that panicked is read too"
    );
}

fn brief(title: &str) -> String {
    format!("---\ntitle: \"{title}\"\ndate: 2024-06-01\ntopics: [burst]\n---\n\nBody of {title}.\n")
}

#[test]
fn a_burst_of_changes_gives_one_rebuild() {
    let (_tmp, site, s) = start(&[]);
    let mut events = s.events();
    for i in 0..30 {
        std::fs::write(
            site.join(format!("briefs/burst-{i}.md")),
            brief(&format!("Burst {i}")),
        )
        .unwrap();
    }
    events.expect("reload", LIMIT);
    // Nothing more follows: the 30 files made one rebuild.
    let more = events.drain(Duration::from_millis(500));
    assert!(more.is_empty(), "{more:?}");
    let rebuilds = s
        .stderr_when(|e| e.contains("Rebuilt"))
        .lines()
        .filter(|l| l.starts_with("Rebuilt"))
        .count();
    assert_eq!(rebuilds, 1, "{}", s.stderr());
    let topic = s.get("/topics/burst/").body;
    assert_eq!(topic.matches("Body of Burst").count(), 30, "{topic}");
}

#[test]
fn editor_saves_new_folders_removals_and_junk_files() {
    let (_tmp, site, s) = start(&[]);
    let mut events = s.events();
    let briefs = site.join("briefs");

    // Editor swap and backup files make no rebuild.
    std::fs::write(briefs.join(".trade.md.swp"), "junk").unwrap();
    std::fs::write(briefs.join("trade.md~"), "junk").unwrap();
    std::fs::write(briefs.join(".#trade.md"), "junk").unwrap();
    std::fs::write(briefs.join("trade.md___jb_tmp___"), "junk").unwrap();
    let junk = events.drain(Duration::from_millis(400));
    assert!(junk.is_empty(), "{junk:?}");

    // Saved by writing a temporary file and renaming it over (vim, VS Code).
    let trade = briefs.join("trade.md");
    let text = std::fs::read_to_string(&trade).unwrap();
    std::fs::write(
        briefs.join(".trade.md.tmp"),
        text.replace("## Overview", "## Renamed over"),
    )
    .unwrap();
    std::fs::rename(briefs.join(".trade.md.tmp"), &trade).unwrap();
    events.expect("reload", LIMIT);
    s.wait_for_page("/briefs/trade/", LIMIT, |b| b.contains("Renamed over"));

    // A brief in a folder made after the server started.
    std::fs::create_dir_all(briefs.join("new/deeper")).unwrap();
    std::fs::write(briefs.join("new/deeper/fresh.md"), brief("Fresh brief")).unwrap();
    events.expect("reload", LIMIT);
    s.wait_for_page("/briefs/fresh/", LIMIT, |b| {
        b.contains("<h1>Fresh brief</h1>")
    });
    assert!(s.get("/briefs/").body.contains("Fresh brief"));

    // Removed: its page and its topic disappear, from disk too.
    std::fs::remove_dir_all(briefs.join("new")).unwrap();
    events.expect("reload", LIMIT);
    assert_eq!(s.get("/briefs/fresh/").status, 404);
    assert_eq!(s.get("/topics/burst/").status, 404);
    assert!(!s.get("/briefs/").body.contains("Fresh brief"));
    // The reload comes first: the files are written right after it.
    let start = Instant::now();
    while s.out.join("briefs/fresh").exists() {
        assert!(start.elapsed() < LIMIT, "briefs/fresh/ stays on disk");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_stylesheet_change_is_swapped_in_without_a_reload() {
    let (_tmp, site, s) = start(&[]);
    let mut events = s.events();
    std::fs::write(site.join("static/extra.css"), "body { color: red }\n").unwrap();
    let css = events.expect("css", LIMIT);
    assert!(css.contains("\"/extra.css\""), "{css}");
    assert!(s.get("/extra.css").body.contains("red"));
    let more = events.drain(Duration::from_millis(300));
    assert!(more.iter().all(|(n, _)| n != "reload"), "{more:?}");
}

#[test]
fn a_template_change_rebuilds_the_pages_that_use_it() {
    let (tmp, site, s) = start(&[]);
    let mut events = s.events();
    let templates = site.join("themes/default/templates");
    std::fs::create_dir_all(&templates).unwrap();
    let base = read(&repo().join("themes/default/templates/topic.html"));
    std::fs::write(
        templates.join("topic.html"),
        base.replace(
            "{% block content %}",
            "{% block content %}<p>Edited topic template</p>",
        ),
    )
    .unwrap();
    events.expect("reload", LIMIT);
    assert!(
        s.get("/topics/trade/")
            .body
            .contains("Edited topic template")
    );
    let err = s.stderr_when(|e| e.lines().filter(|l| l.starts_with("Rebuilt")).count() > 0);
    let line = err.lines().rfind(|l| l.starts_with("Rebuilt")).unwrap();
    // The topic pages only: 3 topics in the fixture.
    assert!(line.contains("+ 2 other files"), "{line}");
    drop(tmp);
}

#[test]
fn serves_under_the_base_urls_path() {
    let (_tmp, site, s) = start(&["--base-url", "http://127.0.0.1:9/sub/"]);
    assert!(s.url.ends_with("/sub/"), "{}", s.url);
    let home = s.get("/sub/");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("href=\"/sub/briefs/\""));
    assert!(
        home.body.contains("\"base\":\"/sub/\""),
        "the script knows the base path"
    );
    assert_eq!(s.get("/").status, 302);
    assert_eq!(s.get("/").header("location"), Some("/sub/"));
    assert_eq!(s.get("/briefs/").status, 404);
    let mut events = s.events();
    edit(&site.join("briefs/debt.md"), "title:", "title: Sub");
    events.expect("reload", LIMIT);
    assert!(s.get("/sub/briefs/debt/").body.contains("Sub"));
}

#[test]
fn a_change_during_a_rebuild_gives_another_rebuild() {
    let (_tmp, site, s) = start(&[]);
    let mut events = s.events();
    edit(&site.join("briefs/debt.md"), "title:", "title: First");
    // Right behind it, while the first rebuild may be running.
    std::thread::sleep(Duration::from_millis(25));
    edit(
        &site.join("briefs/trade.md"),
        "## Overview",
        "## Second edit",
    );
    events.expect("reload", LIMIT);
    s.wait_for_page("/briefs/trade/", LIMIT, |b| b.contains("Second edit"));
    assert!(s.get("/briefs/debt/").body.contains("First"));
}

#[test]
fn refuses_to_start_on_a_taken_port_or_a_bad_output() {
    let (tmp, site) = copy_fixture("basic");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = tmp.path().join("out");
    let o = tumen(
        &[
            "serve",
            "--site",
            site.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
            "--port",
            &port,
        ],
        Path::new(tmp.path()),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("cannot listen"), "{}", stderr(&o));
    let o = tumen(
        &[
            "serve",
            "--site",
            site.to_str().unwrap(),
            "--output",
            site.to_str().unwrap(),
            "--port",
            "0",
        ],
        Path::new(tmp.path()),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("overlaps"), "{}", stderr(&o));
}

/// A served page without what the server puts into it: the bytes on disk.
fn without_injection(body: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(body);
    match (
        text.find("<style id=\"tumen-style\">"),
        text.rfind("</body>"),
    ) {
        (Some(a), Some(b)) if a < b => format!("{}{}", &text[..a], &text[b..]).into_bytes(),
        _ => body.to_vec(),
    }
}

/// After each edit, what the server serves at once and what it then writes into
/// its output folder are, byte for byte, what `tumen build` makes of the same
/// sources: the incremental rebuild misses nothing and adds nothing.
#[test]
fn after_each_edit_the_preview_serves_and_writes_what_a_build_makes() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    copy_dir(&repo().join("content"), &site);
    let s = Server::start(&site, &tmp.path().join("out"), &[]);
    let built = tmp.path().join("built");
    let new_brief = "---\ntitle: \"A new brief on ports\"\ndate: 2024-07-01\ntopics: [ports, Trade]\nsources: [memo-2016]\n---\n\nSee [the overview](russia-dprk-overview.md). Trade was {{ value(data=\"trade-turnover\", where=\"year=1988\", column=\"turnover\") }}.\n\n```chart\ndata: trade-turnover\ntype: bar\nx: year\ny: turnover\nwhere: reading=primary\n```\n";
    let figure = format!(
        "<!-- edited -->{}",
        read(&repo().join("themes/default/templates/figure.html"))
    );
    // Cards are made once and pasted into lists; one that reads the settings
    // must be made again when they change.
    let card = read(&repo().join("themes/default/templates/brief-card.html"))
        .replace("<li>", "<li data-site=\"{{ site.title }}\">");
    assert!(card.contains("data-site"));
    /// What a step does to the site folder: replace text in a file, write a file,
    /// remove one.
    enum Change<'a> {
        Edit(&'a str, &'a str),
        Write(&'a str),
        Remove,
    }
    use Change::*;
    let steps: Vec<(&str, &str, Change)> = vec![
        (
            "a body edit that keeps the reading time",
            "briefs/trade-turnover-1988-2022.md",
            Edit(
                "## The collapse, 1988–1996",
                "A new sentence.\n\n## The collapse, 1988–1996",
            ),
        ),
        (
            "a link to a brief that does not exist",
            "briefs/trade-turnover-1988-2022.md",
            Edit("A new sentence.", "A new [sentence](nope.md)."),
        ),
        (
            "the link mended",
            "briefs/trade-turnover-1988-2022.md",
            Edit("A new [sentence](nope.md).", "A mended sentence."),
        ),
        (
            "a title",
            "briefs/soviet-debt-write-off.md",
            Edit("title: \"Writing off", "title: \"Edited: writing off"),
        ),
        (
            "a date that reorders the briefs",
            "briefs/regional-forums.md",
            Edit("date: 2024-04-08", "date: 2024-06-30"),
        ),
        (
            "a new topic and a topic left",
            "briefs/russia-dprk-overview.md",
            Edit(
                "topics: [trade, investment, debt, diplomacy]",
                "topics: [trade, investment, ports, Diplomacy]",
            ),
        ),
        (
            "a source no longer cited",
            "briefs/investment-and-infrastructure.md",
            Edit(
                "sources: [memo-2016, iss-2014, rb-2019, rb-2023]",
                "sources: [memo-2016, iss-2014, rb-2023]",
            ),
        ),
        (
            "a new brief with a link, a value and a chart",
            "briefs/new-ports.md",
            Write(new_brief),
        ),
        (
            "a dataset's value",
            "data/trade-turnover.yaml",
            Edit(
                "{year: 1988, turnover: 2350,",
                "{year: 1988, turnover: 2351,",
            ),
        ),
        (
            // Every page, spreadsheet and Data Package citing it names it in full.
            "a source's title",
            "data/sources.yaml",
            Edit(
                "title: \"Prospects for Russian–North Korean relations",
                "title: \"Edited: prospects for Russian–North Korean relations",
            ),
        ),
        (
            "a slug that briefs link to",
            "briefs/soviet-debt-write-off.md",
            Edit("date: ", "slug: debt-2024\ndate: "),
        ),
        (
            "the figure template",
            "themes/default/templates/figure.html",
            Write(&figure),
        ),
        (
            "a brief made a draft",
            "briefs/new-ports.md",
            Edit("date: 2024-07-01", "draft: true\ndate: 2024-07-01"),
        ),
        (
            "a draft published",
            "briefs/new-ports.md",
            Edit("draft: true\n", ""),
        ),
        ("a brief removed", "briefs/new-ports.md", Remove),
        (
            "the card template",
            "themes/default/templates/brief-card.html",
            Write(&card),
        ),
        (
            "the settings",
            "site.yaml",
            Edit(
                "title: Russia–DPRK Economic Briefings",
                "title: Edited Briefings",
            ),
        ),
        ("a static file", "static/extra.txt", Write("extra\n")),
    ];
    let mut events = s.events();
    let mut before = tree(&s.out);
    for (what, file, change) in steps {
        let path = site.join(file);
        match change {
            Edit(from, to) => edit(&path, from, to),
            Write(text) => {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, text).unwrap();
            }
            Remove => std::fs::remove_file(&path).unwrap(),
        }
        let (name, data) = events
            .next(LIMIT)
            .unwrap_or_else(|| panic!("{what}: no event; server said:\n{}", s.stderr()));
        if what.contains("does not exist") {
            assert_eq!(name, "failed", "{what}: {data}");
            assert!(data.contains("nope.md"), "{data}");
            continue;
        }
        assert!(
            name == "reload" || name == "css",
            "{what}: {name} {data}\n{}",
            s.stderr()
        );
        let _ = std::fs::remove_dir_all(&built);
        build_ok(&site, &built, &["--base-url", &s.url]);
        let want = tree(&built);
        // Served at once, from memory or disk.
        for (path, bytes) in &want {
            let got = s.get_bytes(&format!("/{path}"));
            assert!(
                without_injection(&got) == *bytes,
                "{what}: /{path} is served otherwise than built:\n{}\n---\n{}",
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(bytes)
            );
        }
        for path in before.keys().filter(|p| !want.contains_key(*p)) {
            assert_eq!(s.get(&format!("/{path}")).status, 404, "{what}: /{path}");
        }
        // Written soon after, and nothing else left in the folder.
        let start = Instant::now();
        loop {
            let have = tree(&s.out);
            if have == want {
                break;
            }
            if start.elapsed() > LIMIT {
                let differ: Vec<&String> = want
                    .keys()
                    .chain(have.keys())
                    .filter(|p| want.get(*p) != have.get(*p))
                    .collect();
                panic!("{what}: the output folder differs from a build in {differ:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        before = want;
    }
}

#[cfg(target_os = "linux")]
#[test]
fn open_starts_the_browser_on_the_served_address() {
    use std::os::unix::fs::PermissionsExt;
    let (tmp, site) = copy_fixture("basic");
    // A stand-in for xdg-open that writes down what it was asked to open.
    let bin = tmp.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let opened = tmp.path().join("opened.txt");
    let fake = bin.join("xdg-open");
    std::fs::write(
        &fake,
        format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", opened.display()),
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = std::env::join_paths(std::iter::once(bin.clone()).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let s = Server::start_with_env(
        &site,
        &tmp.path().join("out"),
        &["--open"],
        &[("PATH", path.as_os_str())],
    );
    let until = Instant::now() + Duration::from_secs(5);
    while !opened.exists() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(read(&opened), s.url, "{}", s.stderr());
    assert_eq!(s.get("/").status, 200);

    // Without --open, no browser.
    std::fs::remove_file(&opened).unwrap();
    let s2 = Server::start_with_env(
        &site,
        &tmp.path().join("out2"),
        &[],
        &[("PATH", path.as_os_str())],
    );
    assert_eq!(s2.get("/").status, 200);
    std::thread::sleep(Duration::from_millis(300));
    assert!(!opened.exists());
}

#[test]
fn edits_and_commits_made_while_serving_show_in_the_revision_history() {
    let (tmp, site) = copy_fixture("basic");
    first_commit(tmp.path(), "First version of the site");
    let s = Server::start(&site, &tmp.path().join("out"), &[]);
    let mut events = s.events();
    let uncommitted = "This brief has changes not yet committed.";
    let page = s.get("/briefs/trade/").body;
    assert!(page.contains("First version of the site"), "{page}");
    assert!(!page.contains(uncommitted));

    // The git status is asked after the edited page's reload, and the page
    // follows with another.
    edit(
        &site.join("briefs/trade.md"),
        "title: \"Trade:",
        "title: \"Edited trade:",
    );
    events.expect("reload", LIMIT);
    let page = s.wait_for_page("/briefs/trade/", LIMIT, |p| p.contains(uncommitted));
    assert!(page.contains("Edited trade"));

    // A commit made while serving: its subject appears and the note goes.
    git(
        tmp.path(),
        &[
            "commit",
            "-q",
            "-a",
            "-m",
            "Second version, committed while serving",
        ],
        "2024-07-01T10:00:00Z",
    );
    let page = s.wait_for_page("/briefs/trade/", LIMIT, |p| {
        p.contains("Second version, committed while serving")
    });
    assert!(!page.contains(uncommitted), "{page}");

    // Reading the history touches nothing that asks for it again: a broken
    // edit is reported once, not in a loop of rebuilds.
    edit(&site.join("briefs/debt.md"), "title:", "titel: x\ntitle:");
    events.expect("failed", LIMIT);
    std::thread::sleep(Duration::from_millis(1000));
    let err = s.stderr();
    assert_eq!(err.matches("build failed").count(), 1, "{err}");
    // The output folder says the same as what is served, once it is written
    // (right after the reload).
    let served = without_injection(page.as_bytes());
    let file = s.out.join("briefs/trade/index.html");
    let until = Instant::now() + Duration::from_secs(5);
    while std::fs::read(&file).unwrap() != served && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(String::from_utf8(served).unwrap(), read(&file));
}

#[test]
fn one_save_prints_one_line_also_when_git_status_follows() {
    let (tmp, site) = copy_fixture("basic");
    first_commit(tmp.path(), "First version of the site");
    let s = Server::start(&site, &tmp.path().join("out"), &[]);
    let mut events = s.events();
    let rebuilt = |err: &str| -> Vec<String> {
        err.lines()
            .filter(|l| l.starts_with("Rebuilt") || l.starts_with("No page changed"))
            .map(str::to_string)
            .collect()
    };
    // The first edit since the commit: the page is rebuilt, then again once git
    // says the brief has uncommitted changes. One line says both.
    edit(
        &site.join("briefs/trade.md"),
        "## Overview",
        "## Overview, edited",
    );
    events.expect("reload", LIMIT);
    s.wait_for_page("/briefs/trade/", LIMIT, |p| {
        p.contains("This brief has changes not yet committed.")
    });
    events.drain(Duration::from_millis(500));
    let lines = rebuilt(&s.stderr_when(|e| !rebuilt(e).is_empty()));
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with("Rebuilt briefs/trade/"), "{lines:?}");
    // A later edit, git's answer unchanged: one line again.
    edit(&site.join("briefs/trade.md"), "edited", "edited twice");
    events.expect("reload", LIMIT);
    events.drain(Duration::from_millis(500));
    let lines = rebuilt(&s.stderr_when(|e| rebuilt(e).len() > 1));
    assert_eq!(lines.len(), 2, "{lines:?}");
}

#[test]
fn with_a_history_trailer_the_preview_follows_only_revisions() {
    let (tmp, site) = copy_fixture("basic");
    let config = site.join("site.yaml");
    let plain_config = read(&config);
    std::fs::write(
        &config,
        format!("{plain_config}history: {{trailer: Revision}}\n"),
    )
    .unwrap();
    first_commit(tmp.path(), "Code: first version");
    let s = Server::start(&site, &tmp.path().join("out"), &[]);
    let uncommitted = "This brief has changes not yet committed.";
    let page = s.get("/briefs/trade/").body;
    assert!(page.contains("No revisions yet."), "{page}");
    assert!(!page.contains("Code: first version"), "{page}");

    // A commit without the trailer: the note about uncommitted edits goes, and
    // the commit is not a revision.
    edit(
        &site.join("briefs/trade.md"),
        "## Overview",
        "## Overview, edited",
    );
    s.wait_for_page("/briefs/trade/", LIMIT, |p| p.contains(uncommitted));
    git(
        tmp.path(),
        &["commit", "-q", "-am", "Code: refactor"],
        "2024-07-01T10:00:00Z",
    );
    let page = s.wait_for_page("/briefs/trade/", LIMIT, |p| !p.contains(uncommitted));
    assert!(page.contains("No revisions yet.") && !page.contains("Code: refactor"));

    // A commit with it: its text shows.
    edit(&site.join("briefs/trade.md"), "edited", "edited twice");
    git(
        tmp.path(),
        &[
            "commit",
            "-q",
            "-am",
            "Copy-edit\n\nRevision: Overview reworded",
        ],
        "2024-07-02T10:00:00Z",
    );
    let page = s.wait_for_page("/briefs/trade/", LIMIT, |p| p.contains("Overview reworded"));
    assert!(!page.contains("Copy-edit") && !page.contains("No revisions yet."));

    // Without the setting every commit counts again, read when site.yaml changes.
    std::fs::write(&config, plain_config).unwrap();
    let page = s.wait_for_page("/briefs/trade/", LIMIT, |p| p.contains("Code: refactor"));
    assert!(page.contains("Code: first version") && page.contains("Copy-edit"));
}

/// Wait until the preview serves and has written what `tumen build` makes of
/// `site` now (built into `built`); panics, naming the files that differ, after
/// [`LIMIT`].
fn serves_what_a_build_makes(s: &Server, site: &Path, built: &Path, what: &str) {
    let _ = std::fs::remove_dir_all(built);
    build_ok(site, built, &["--base-url", &s.url]);
    let want = tree(built);
    let start = Instant::now();
    loop {
        let have = tree(&s.out);
        let served = want
            .iter()
            .all(|(p, b)| without_injection(&s.get_bytes(&format!("/{p}"))) == *b);
        if have == want && served {
            return;
        }
        if start.elapsed() > LIMIT {
            let differ: Vec<&String> = (want.keys().chain(have.keys()))
                .filter(|p| want.get(*p) != have.get(*p))
                .collect();
            panic!("{what}: the preview differs from a build in {differ:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn commits_made_while_serving_bring_their_changes_pages_and_dataset_logs() {
    let tmp = tempfile::tempdir().unwrap();
    let site = site_with_history(tmp.path());
    let s = Server::start(&site, &tmp.path().join("out"), &[]);
    let built = tmp.path().join("built");
    serves_what_a_build_makes(&s, &site, &built, "the first build");
    let changes = "/briefs/trade-turnover-1988-2022/changes/";
    assert!(s.get(changes).body.contains("A plainer opening"));
    let brief = site.join("briefs/trade-turnover-1988-2022.md");
    let data = site.join("data/trade-turnover.yaml");
    // An edit not committed changes no changes page.
    edit(&brief, "It ties the change", "It links the change");
    serves_what_a_build_makes(&s, &site, &built, "an edit");
    // Committed with a correction: a new entry, a note on the page and the feed.
    let message = "Brief: wording\n\nCorrection: The change is linked, not tied";
    git(
        tmp.path(),
        &["commit", "-q", "-am", message],
        "2024-10-01T10:00:00Z",
    );
    let page = s.wait_for_page(changes, LIMIT, |p| p.contains("The change is linked"));
    assert!(page.contains("<del>ties</del> <ins>links</ins>"), "{page}");
    serves_what_a_build_makes(&s, &site, &built, "a commit with a correction");
    // A dataset's value committed: its log, the new version's CSV, the figure.
    edit(
        &data,
        "{year: 2013, turnover: 112,",
        "{year: 2013, turnover: 113,",
    );
    let message = "Data: 2013\n\nRevision: The 2013 turnover checked";
    git(
        tmp.path(),
        &["commit", "-q", "-am", message],
        "2024-10-02T10:00:00Z",
    );
    let page = s.wait_for_page(changes, LIMIT, |p| p.contains("The 2013 turnover checked"));
    assert!(page.contains("<del>112</del> → <ins>113</ins>"), "{page}");
    serves_what_a_build_makes(&s, &site, &built, "a dataset's value committed");
}

#[test]
fn pages_of_a_list_come_and_go_as_briefs_are_added_and_removed() {
    // One brief a page: the fixture's two briefs make briefs/page/2/.
    let (tmp, site) = copy_fixture("basic");
    let yaml = read(&site.join("site.yaml"));
    std::fs::write(site.join("site.yaml"), format!("{yaml}paginate: 1\n")).unwrap();
    let s = Server::start(&site, &tmp.path().join("out"), &[]);
    assert_eq!(s.get("/briefs/page/2/").status, 200);
    assert_eq!(s.get("/briefs/page/3/").status, 404);

    let mut events = s.events();
    let third = site.join("briefs/third.md");
    std::fs::write(
        &third,
        "---\ntitle: A third brief\ndate: 2020-01-01\n---\n\nText.\n",
    )
    .unwrap();
    events.expect("reload", LIMIT);
    let page = s.wait_for_page("/briefs/page/3/", LIMIT, |b| b.contains("A third brief"));
    assert!(
        page.contains("<link rel=\"prev\" href=\"/briefs/page/2/\">"),
        "{page}"
    );
    // Page 2 now has a next page, and says so.
    s.wait_for_page("/briefs/page/2/", LIMIT, |b| b.contains("rel=\"next\""));

    std::fs::remove_file(&third).unwrap();
    events.expect("reload", LIMIT);
    let start = Instant::now();
    while s.get("/briefs/page/3/").status != 404 {
        assert!(start.elapsed() < LIMIT, "briefs/page/3/ is still served");
        std::thread::sleep(Duration::from_millis(20));
    }
    // And on disk, where the server writes after it answers from memory.
    let out = tmp.path().join("out");
    let start = Instant::now();
    while out.join("briefs/page/3/index.html").exists()
        || read(&out.join("briefs/page/2/index.html")).contains("rel=\"next\"")
    {
        assert!(
            start.elapsed() < LIMIT,
            "briefs/page/3/ is still in {}",
            out.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
