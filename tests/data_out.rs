//! The data back out: each dataset as a spreadsheet and every dataset as a
//! Frictionless Data Package, read back with real readers: calamine for the
//! .xlsx files, cell by cell; the `frictionless` validator, frictionless-py and
//! pandas (tests/tools/venv, which scripts/test installs) for the package.

mod common;

use std::path::Path;
use std::process::Command;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::*;
use serde_json::Value;

fn json(path: &Path) -> Value {
    serde_json::from_str(&read(path)).unwrap()
}

/// The datasets of a build, by name, as their JSON files hold them.
fn datasets(out: &Path) -> Vec<(String, Value)> {
    let mut names = stems(&out.join("data"));
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|n| {
            n != "index" && n != "datapackage" && out.join(format!("data/{n}.json")).is_file()
        })
        .map(|n| {
            let j = json(&out.join(format!("data/{n}.json")));
            (n, j)
        })
        .collect()
}

#[test]
fn the_same_sources_make_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    build_default(&a, &[]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    build_default(&b, &[]);
    let (ta, tb) = (tree(&a.join("data")), tree(&b.join("data")));
    let made: Vec<&String> = ta
        .keys()
        .filter(|k| k.ends_with(".xlsx") || k.ends_with("datapackage.json"))
        .collect();
    assert_eq!(made.len(), 11, "{made:?}");
    for k in made {
        assert!(ta[k] == tb[k], "{k} differs between two builds");
    }
    let package = read(&a.join("data/datapackage.json"));
    assert!(
        package.ends_with("}\n"),
        "pretty-printed with a final newline"
    );
}

/// What a cell of the JSON should read as in the spreadsheet, as text.
fn expected(v: &Value, kind: &str) -> String {
    match (v, kind) {
        (Value::Null, _) => String::new(),
        (Value::String(s), "date") => {
            // Read back as the first day of the year or month written.
            let mut parts: Vec<&str> = s.split('-').collect();
            parts.resize(3, "01");
            parts.join("-")
        }
        (Value::String(s), _) => s.clone(),
        (Value::Number(n), _) => n.as_f64().unwrap().to_string(),
        other => panic!("unexpected {other:?}"),
    }
}

fn got(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => (*i as f64).to_string(),
        Data::String(s) => s.clone(),
        Data::DateTime(dt) => {
            let (y, m, day, ..) = dt.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{day:02}")
        }
        other => panic!("unexpected cell {other:?}"),
    }
}

#[test]
fn every_spreadsheet_cell_is_the_datasets() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    build_default(&out, &[]);
    let all = datasets(&out);
    assert_eq!(all.len(), 10);
    for (name, d) in &all {
        let mut wb: Xlsx<_> = open_workbook(out.join(format!("data/{name}.xlsx"))).unwrap();
        assert_eq!(wb.sheet_names(), ["data", "about"], "{name}");
        let sheet = wb.worksheet_range("data").unwrap();
        let cols = d["columns"].as_array().unwrap();
        let rows = d["rows"].as_array().unwrap();
        assert_eq!(sheet.height(), rows.len() + 1, "{name}: header and rows");
        let mut lines = sheet.rows();
        let header: Vec<String> = lines.next().unwrap().iter().map(got).collect();
        let names: Vec<&str> = cols.iter().map(|c| c["name"].as_str().unwrap()).collect();
        assert_eq!(header, names, "{name}");
        for (i, (line, row)) in lines.zip(rows).enumerate() {
            for (c, col) in cols.iter().enumerate() {
                let n = col["name"].as_str().unwrap();
                let kind = col["type"].as_str().unwrap();
                let cell = line.get(c).unwrap_or(&Data::Empty);
                if kind != "text" && !row[n].is_null() {
                    assert!(
                        !matches!(cell, Data::String(_)),
                        "{name} row {i} {n}: {cell:?} is text"
                    );
                }
                assert_eq!(
                    got(cell),
                    expected(&row[n], kind),
                    "{name} row {} {n}",
                    i + 1
                );
            }
        }
        let about = wb.worksheet_range("about").unwrap();
        let text: Vec<String> = about.rows().flat_map(|r| r.iter().map(got)).collect();
        let has = |s: &str| text.iter().any(|t| t.contains(s));
        assert!(
            has(d["title"].as_str().unwrap()),
            "{name}: title in {text:?}"
        );
        assert!(
            has("Creative Commons Attribution 4.0 (CC-BY-4.0)"),
            "{name}: licence"
        );
        assert!(
            has(&format!("https://briefings.example.org/data/{name}/")),
            "{name}: page"
        );
        for c in cols {
            assert!(has(c["name"].as_str().unwrap()), "{name}: column {c}");
        }
        for key in d["sources"].as_array().unwrap() {
            let title = source_title(&out, key.as_str().unwrap());
            assert!(has(&title), "{name}: source {title} in {text:?}");
        }
    }
}

/// A source's title, from the sources dataset's JSON.
fn source_title(out: &Path, key: &str) -> String {
    let sources = json(&out.join("data/sources.json"));
    let row = sources["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .unwrap();
    row["title"].as_str().unwrap().to_string()
}

#[test]
fn text_that_looks_like_a_formula_stays_text() {
    let (_guard, site) = copy_fixture("basic");
    let data = site.join("data/formulas.yaml");
    std::fs::write(
        &data,
        "title: Formulas\ncolumns:\n  - {name: what, type: text}\n  - {name: when, type: date, optional: true}\n  - {name: n, type: number}\nrows:\n  - {what: \"=1+1\", when: \"1850-03\", n: -2.5}\n  - {what: \"@cmd\", n: 3}\n",
    )
    .unwrap();
    let out = site.parent().unwrap().join("out");
    build_ok(&site, &out, &[]);
    let mut wb: Xlsx<_> = open_workbook(out.join("data/formulas.xlsx")).unwrap();
    let sheet = wb.worksheet_range("data").unwrap();
    assert_eq!(sheet.get((1, 0)), Some(&Data::String("=1+1".into())));
    // Excel has no dates before 1900: such a date is its ISO text.
    assert_eq!(sheet.get((1, 1)), Some(&Data::String("1850-03".into())));
    assert_eq!(sheet.get((1, 2)), Some(&Data::Float(-2.5)));
    assert_eq!(sheet.get((2, 0)), Some(&Data::String("@cmd".into())));
    let formulas = wb.worksheet_formula("data").unwrap();
    assert!(
        formulas.used_cells().next().is_none(),
        "no formula anywhere"
    );
    // The CSV defuses the text, never the number.
    let csv = read(&out.join("data/formulas.csv"));
    assert_eq!(csv, "what,when,n\r\n'=1+1,1850-03,-2.5\r\n'@cmd,,3\r\n");
    let package = json(&out.join("data/datapackage.json"));
    let res = package["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "formulas")
        .unwrap();
    assert_eq!(res["schema"]["fields"][1]["type"], "yearmonth");
    assert_eq!(res["schema"]["fields"][2]["type"], "number");
}

#[test]
fn frictionless_validates_the_package_and_pandas_reads_it() {
    let py = python();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    build_default(&out, &[]);
    let package = json(&out.join("data/datapackage.json"));
    assert_eq!(package["name"], "russia-dprk-economic-briefings");
    assert_eq!(package["licenses"][0]["name"], "CC-BY-4.0");
    let names: Vec<&str> = package["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 9, "every dataset but the sources: {names:?}");
    assert!(!names.contains(&"sources"));
    let timeline = package["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "timeline")
        .unwrap();
    assert_eq!(
        timeline["schema"]["fields"][0]["type"], "string",
        "dates of mixed precision"
    );

    let frictionless = py.with_file_name("frictionless");
    let v = Command::new(&frictionless)
        .args(["validate", "--json"])
        .arg(out.join("data/datapackage.json"))
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&v.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&v), stderr(&v)));
    assert_eq!(report["valid"], true, "frictionless validate:\n{report:#}");
    assert!(v.status.success());

    let r = Command::new(&py)
        .arg(repo().join("tests/tools/read_data.py"))
        .arg(out.join("data"))
        .output()
        .unwrap();
    assert!(
        r.status.success(),
        "reading the data back:\n{}{}",
        stdout(&r),
        stderr(&r)
    );
    assert!(stdout(&r).starts_with("9 resources read"), "{}", stdout(&r));
}
