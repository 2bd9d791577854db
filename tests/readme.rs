//! The README's "Your own site in five minutes", followed as written: its shell
//! blocks run in order in an empty folder with `tumen` on the PATH, and what the
//! README says tumen answers (`Built …`, `Checked …`) is what it answers. A
//! `tumen serve`, which would run until stopped, is started on a free port, asked
//! for its home page and stopped ([`SERVE_BRIEFLY`]).

mod common;

use common::*;
use std::process::Command;

/// The section of the README a newcomer follows.
fn section() -> String {
    let readme = read(&repo().join("README.md"));
    let start = readme
        .find("## Your own site in five minutes")
        .expect("the README has the section");
    let end = start + readme[start..].find("\n## ").expect("a next section");
    readme[start..end].to_string()
}

/// The `sh` blocks of `text`, indented or not, fenced with three or more backticks,
/// without their indentation.
fn shell_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let fence: String = trimmed.chars().take_while(|&c| c == '`').collect();
        if fence.len() < 3 || &trimmed[fence.len()..] != "sh" {
            continue;
        }
        let mut body = Vec::new();
        for l in lines.by_ref() {
            if l.trim_start() == fence && l.len() - l.trim_start().len() == indent {
                break;
            }
            body.push(l.get(indent..).unwrap_or("").to_string());
        }
        blocks.push(body.join("\n"));
    }
    blocks
}

/// What a `tumen serve` line of the README runs: the server on a free port (its
/// terminal output kept in `$SERVE_LOG.*`), until it answers `GET /` with 200 or
/// fails to within 30 s; then stopped.
const SERVE_BRIEFLY: &str = r#"
serve_briefly() {
  tumen serve --port 0 "$@" >"$SERVE_LOG.out" 2>"$SERVE_LOG.err" &
  local pid=$! url= status=
  for _ in $(seq 300); do
    url=$(grep -o 'http://[^ ]*' "$SERVE_LOG.out" | head -n 1)
    if [ -n "$url" ]; then break; fi
    sleep 0.1
  done
  if [ -n "$url" ]; then
    local port=${url#http://127.0.0.1:}
    exec 3<>"/dev/tcp/127.0.0.1/${port%%/*}"
    printf 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
    read -r _ status _ <&3
    exec 3<&-
  fi
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ "$status" != 200 ]; then
    echo "tumen serve: no home page (${status:-no answer}) at ${url:-no address}" >&2
    cat "$SERVE_LOG.err" >&2
    return 1
  fi
}
"#;

/// The script of `blocks`: each `tumen serve` line made a [`SERVE_BRIEFLY`].
fn script(blocks: &[String]) -> String {
    let body: Vec<String> = blocks
        .join("\n")
        .lines()
        .map(|l| match l.strip_prefix("tumen serve") {
            Some(args) if args.is_empty() || args.starts_with(' ') => {
                format!("serve_briefly{args}")
            }
            _ => l.to_string(),
        })
        .collect();
    format!("set -eu\n{SERVE_BRIEFLY}\n{}\n", body.join("\n"))
}

/// The summaries the section quotes, up to their timing: `Built 0 briefs, … in`.
fn quoted_summaries(text: &str) -> Vec<String> {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    flat.split('`')
        .filter(|q| q.starts_with("Built ") || q.starts_with("Checked "))
        .map(|q| q[..q.find(" in ").expect("a timing")].to_string())
        .collect()
}

#[test]
fn your_own_site_in_five_minutes_works_as_written() {
    let text = section();
    let blocks = shell_blocks(&text);
    assert!(blocks.len() >= 5, "{blocks:?}");
    let tmp = tempfile::tempdir().unwrap();
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_tumen"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let script = script(&blocks);
    assert!(
        script.contains("\nserve_briefly\n"),
        "the README serves: {script}"
    );
    let logs = tempfile::tempdir().unwrap();
    let o = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(tmp.path())
        .env("PATH", path)
        .env("SERVE_LOG", logs.path().join("serve"))
        .output()
        .expect("run bash");
    let (out, err) = (stdout(&o), stderr(&o));
    assert!(
        o.status.success(),
        "{script}\nstdout:\n{out}\nstderr:\n{err}"
    );
    assert!(err.is_empty(), "no warnings or errors: {err}");
    let said: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("Built ") || l.starts_with("Checked "))
        .collect();
    let quoted = quoted_summaries(&text);
    assert_eq!(quoted.len(), said.len(), "{quoted:?} vs {said:?}");
    for (q, s) in quoted.iter().zip(&said) {
        assert!(
            s.starts_with(q.as_str()),
            "the README says `{q}`, tumen `{s}`"
        );
    }
    let site = tmp.path().join("my-briefings");
    let page = read(&site.join("output/briefs/coal-exports-through-rajin/index.html"));
    assert!(
        page.contains("Exports reached 520"),
        "the value from the data"
    );
    assert!(page.contains("<svg"), "the chart");
    assert!(read(&site.join("output/data/coal/index.html")).contains("<svg"));
}

/// The figures the README gives of the default site are those of its build.
#[test]
fn the_readmes_figures_of_the_default_site_are_true() {
    let readme = read(&repo().join("README.md"));
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let said = stdout(&build_default(&out, &[]));
    let said = &said[..said.find(" in ").unwrap()];
    let quoted: Vec<String> = quoted_summaries(&readme)
        .into_iter()
        .filter(|q| q.starts_with("Built 7 briefs"))
        .collect();
    assert!(quoted.len() >= 2, "{quoted:?}");
    for q in quoted {
        assert_eq!(q, said, "the README says `{q}`, tumen build `{said}`");
    }
    // "search.js (3 KB…)", "~44 KB for the default site".
    let js = std::fs::metadata(out.join("search.js")).unwrap().len();
    assert!((2_500..3_600).contains(&js), "search.js is {js} B");
    let index = std::fs::metadata(out.join("search-index.json"))
        .unwrap()
        .len();
    assert!(
        (40_000..48_000).contains(&index),
        "the search index is {index} B"
    );
    assert!(readme.contains("`search.js` (3 KB") && readme.contains("~44 KB for the default site"));
}
