//! Real Markdown we did not write: the READMEs of the crates in the cargo registry
//! (copied into tests/fixtures/readmes by `scripts/refresh-readmes`), pasted into briefs as an analyst would paste text from elsewhere (raw
//! HTML, `---` rules, `{{` in code, badges, tables, relative links to files that
//! are not part of the site), plus one very long brief.

mod common;

use common::*;
use std::path::PathBuf;

/// The crate folder a README is in (`serde-1.0.229`).
fn crate_name(readme: &std::path::Path) -> String {
    readme
        .parent()
        .unwrap()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// The READMEs copied from the cargo registry by `scripts/refresh-readmes`.
fn registry_readmes() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(repo().join("tests/fixtures/readmes"))
        .unwrap()
        .map(|e| e.unwrap().path().join("README.md"))
        .collect();
    out.sort();
    out
}

#[test]
fn registry_readmes_build_and_broken_links_are_reported_precisely() {
    let readmes = registry_readmes();
    assert!(readmes.len() >= 100, "only {} READMEs", readmes.len());

    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    std::fs::create_dir_all(site.join("briefs")).unwrap();
    std::fs::write(site.join("site.yaml"), "title: Pasted READMEs\n").unwrap();
    let mut long = String::new();
    for (i, p) in readmes.iter().enumerate() {
        let text = String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
        let name = crate_name(p);
        let topics = ["Rust", "rust", "RUST", "Parsing & YAML"][i % 4];
        let brief = format!(
            "---\ntitle: \"{name}\"\ndate: 2024-01-{:02}\ntopics: [\"{topics}\"]\n---\n{text}",
            i % 28 + 1
        );
        std::fs::write(site.join("briefs").join(format!("{name}.md")), brief).unwrap();
        if long.len() < 150_000 {
            long.push_str(&text);
            long.push_str("\n\n---\n\n");
        }
    }
    assert!(
        long.len() >= 150_000 || readmes.len() < 60,
        "long brief is {} bytes",
        long.len()
    );
    std::fs::write(
        site.join("briefs/long.md"),
        format!("---\ntitle: Long\ndate: 2024-02-01\n---\n{long}"),
    )
    .unwrap();

    let out = tmp.path().join("out");
    let args = [
        "build",
        "--site",
        site.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ];
    let first = tumen(&args, tmp.path());
    assert_ne!(
        first.status.code(),
        Some(101),
        "tumen crashed:\n{}",
        stderr(&first)
    );
    let err = stderr(&first);
    // The only errors real READMEs cause are links to files outside the site; each
    // names the link as written and points at the line that holds it.
    let mut fixed = 0;
    let mut to_fix = Vec::new();
    let lines: Vec<&str> = err.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let Some(msg) = line.strip_prefix("error: ") else {
            continue;
        };
        if msg.starts_with("build failed") {
            continue;
        }
        assert!(
            msg.contains("file that does not exist"),
            "unexpected error: {msg}\n{err}"
        );
        let dest = msg.split('`').nth(1).unwrap();
        // The place shown, and the others where the same link is (one report).
        let mut places = vec![lines[i + 1].trim().trim_start_matches("--> ").to_string()];
        let report = lines[i + 1..]
            .iter()
            .take_while(|l| !l.starts_with("error: "));
        for l in report {
            if let Some(rest) = l.trim().strip_prefix("= also at ") {
                let list = rest.split_once(" other places: ").map_or(rest, |(_, l)| l);
                places.extend(list.split(", ").map(str::to_string));
            }
        }
        for loc in places {
            let mut parts = loc.rsplitn(3, ':');
            let (_col, line_no, file) = (
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap(),
            );
            let file = tmp.path().join(file);
            let text = read(&file);
            let line_no: usize = line_no.parse().unwrap();
            assert!(
                text.lines().nth(line_no - 1).unwrap().contains(dest),
                "{loc} does not hold {dest}"
            );
            to_fix.push((file, dest.to_string()));
        }
    }
    // Point the broken links nowhere, then the site must build.
    for (file, dest) in to_fix {
        let text = read(&file);
        std::fs::write(
            &file,
            text.replace(&format!("({dest})"), "(#)")
                .replace(&format!("]: {dest}"), "]: #"),
        )
        .unwrap();
        fixed += 1;
    }
    if !first.status.success() {
        assert!(fixed > 0, "failed without a link error:\n{err}");
    }
    let second = tumen(&args, tmp.path());
    assert!(second.status.success(), "{}", stderr(&second));
    let files = tree(&out);
    assert!(files.contains_key("briefs/long/index.html"));
    for p in &readmes {
        let name = crate_name(p);
        let slug = tumen::util::slug::slugify(&name);
        assert!(
            files.contains_key(&format!("briefs/{slug}/index.html")),
            "no page for {name}"
        );
    }
    // Mixed-case topics fold into one.
    assert!(files.contains_key("topics/rust/index.html"));
    assert_eq!(
        files
            .keys()
            .filter(|k| {
                k.starts_with("topics/")
                    && k.contains("rust")
                    && k.ends_with("index.html")
                    && !k.contains("/page/")
            })
            .count(),
        1
    );
    // Text from the READMEs is in the pages, `{{` in code stayed literal.
    let long_page = String::from_utf8_lossy(&files["briefs/long/index.html"]).into_owned();
    assert!(long_page.len() > 100_000);
    if let Some((_, tera)) =
        (files.iter()).find(|(k, _)| k.starts_with("briefs/tera-2") && k.ends_with("/index.html"))
    {
        let tera = String::from_utf8_lossy(tera);
        assert!(
            tera.contains("{{ user.username }}"),
            "template code in a README stays literal"
        );
    }
}
