//! Datasets whose rows come from a file beside them (issue 15, item 1): CSV and
//! spreadsheets (made here with `rust_xlsxwriter`), read through the real binary;
//! their charts, inline values and downloads; errors that name the cell; the
//! live preview rebuilding when the file changes.

mod common;

use std::path::Path;
use std::time::Duration;

use common::server::{Server, edit};
use common::*;

const YAML: &str = concat!(
    "title: Trade by direction\nunit: US$ million\nsources: [memo-2016]\ncolumns:\n",
    "  - {name: year, type: year}\n",
    "  - {name: exports, type: number, decimal: \",\"}\n",
    "  - {name: share, type: number, unit: \"%\", missing: [NA]}\n",
    "  - {name: note, type: text, optional: true}\n",
);

const CSV: &str = "year,exports,share,note\r\n2012,\"1 234,5\",12.5%,\r\n2013,\"2.000,25\",NA,\"a note, with a comma\"\r\n2014,7,3%,plain\r\n";

/// The basic fixture with `data/direction.yaml` reading `rows`, and a brief
/// that charts it and quotes one of its cells.
fn site(rows: &str, files: &[(&str, &[u8])]) -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, site) = copy_fixture("basic");
    std::fs::write(
        site.join("data/direction.yaml"),
        format!("{YAML}rows: {rows}\n"),
    )
    .unwrap();
    for (name, bytes) in files {
        std::fs::write(site.join("data").join(name), bytes).unwrap();
    }
    std::fs::write(
        site.join("briefs/direction.md"),
        "---\ntitle: Direction\ndate: 2024-01-02\nsources: [memo-2016]\n---\n\n\
         Exports were {{ value(data=\"direction\", where=\"year=2013\", column=\"exports\") }} in 2013.\n\n\
         ```chart\ndata: direction\ntype: line\nx: year\ny: exports\n```\n",
    )
    .unwrap();
    (tmp, site)
}

fn check_built(out: &Path) {
    let page = read(&out.join("briefs/direction/index.html"));
    assert!(
        page.contains("2,000.25"),
        "the inline value, read with a decimal comma"
    );
    assert!(page.contains("<svg"), "the chart");
    let csv = read(&out.join("data/direction.csv"));
    assert_eq!(
        csv,
        "year,exports,share,note\r\n2012,1234.5,12.5,\r\n2013,2000.25,,\"a note, with a comma\"\r\n2014,7,3,plain\r\n"
    );
    let json: serde_json::Value =
        serde_json::from_str(&read(&out.join("data/direction.json"))).unwrap();
    assert_eq!(json["rows"].as_array().map(Vec::len), Some(3));
    assert_eq!(json["rows"][1]["share"], serde_json::Value::Null);
}

#[test]
fn rows_from_a_csv_file_build_with_their_chart_value_and_downloads() {
    let (tmp, site) = site(
        "{file: direction.csv}",
        &[("direction.csv", CSV.as_bytes())],
    );
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    check_built(&out);
}

#[test]
fn a_bad_csv_cell_is_named_by_line_and_field() {
    let bad = CSV.replace("2014,7,3%", "2014,7,3 per cent");
    let (tmp, site) = site(
        "{file: direction.csv}",
        &[("direction.csv", bad.as_bytes())],
    );
    let err = stderr(&build_err(&site, &tmp.path().join("out")));
    assert!(err.contains("--> site/data/direction.csv:4:3"), "{err}");
    assert!(
        err.contains("column `share`: expected a number, found `3 per cent`"),
        "{err}"
    );
    assert!(err.contains("4 | 2014,7,3 per cent,plain"), "{err}");
    // The header names the columns; a misspelt one is named with the one meant.
    let bad = CSV.replace("year,exports", "year,exprots");
    std::fs::write(site.join("data/direction.csv"), bad).unwrap();
    let err = stderr(&build_err(&site, &tmp.path().join("out")));
    assert!(
        err.contains("a column `exprots` that the dataset does not define"),
        "{err}"
    );
    assert!(err.contains("did you mean `exports`?"), "{err}");
    assert!(
        !err.contains("has no column"),
        "one report for one mistake: {err}"
    );
    // A decimal comma where the column does not say so is refused, not guessed.
    let yaml = read(&site.join("data/direction.yaml")).replace(", decimal: \",\"", "");
    std::fs::write(site.join("data/direction.yaml"), yaml).unwrap();
    std::fs::write(site.join("data/direction.csv"), CSV).unwrap();
    let err = stderr(&build_err(&site, &tmp.path().join("out")));
    assert!(
        err.contains("give column `exports` `decimal: \",\"`"),
        "{err}"
    );
}

/// A workbook with a title row above the table, as exports have, and the table
/// in sheet "2013".
fn workbook(bad: bool) -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let notes = book.add_worksheet();
    notes.set_name("Notes").unwrap();
    notes.write(0, 0, "Read me first").unwrap();
    let sheet = book.add_worksheet();
    sheet.set_name("2013").unwrap();
    sheet.write(0, 0, "Customs export, made up").unwrap();
    for (c, h) in ["year", "exports", "share", "note"].iter().enumerate() {
        sheet.write(2, c as u16, *h).unwrap();
    }
    sheet.write(3, 0, 2012).unwrap();
    sheet.write(3, 1, 1234.5).unwrap();
    sheet.write(3, 2, "12.5%").unwrap();
    sheet.write(4, 0, 2013).unwrap();
    sheet.write(4, 1, 2000.25).unwrap();
    sheet.write(4, 2, "NA").unwrap();
    sheet.write(4, 3, "a note, with a comma").unwrap();
    sheet.write(5, 0, 2014).unwrap();
    if bad {
        sheet.write(5, 1, "seven").unwrap();
    } else {
        sheet.write(5, 1, 7).unwrap();
    }
    sheet.write(5, 2, 3).unwrap();
    sheet.write(5, 3, "plain").unwrap();
    // Something beside the table, outside the range read.
    let date = ExcelDateTime::from_ymd(2024, 1, 31).unwrap();
    let format = Format::new().set_num_format("yyyy-mm-dd");
    sheet.write_with_format(0, 6, &date, &format).unwrap();
    book.save_to_buffer().unwrap()
}

#[test]
fn rows_from_a_spreadsheet_sheet_and_range() {
    let rows = "{file: customs.xlsx, sheet: \"2013\", range: \"A3:D6\"}";
    let (tmp, site) = site(rows, &[("customs.xlsx", &workbook(false))]);
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    check_built(&out);

    std::fs::write(site.join("data/customs.xlsx"), workbook(true)).unwrap();
    let err = stderr(&build_err(&site, &out));
    assert!(err.contains("site/data/customs.xlsx"), "{err}");
    assert!(
        err.contains("sheet `2013`, cell B6: column `exports`: expected a number, found `seven`"),
        "{err}"
    );
    // A sheet that is not there is named, with the ones that are.
    let yaml =
        read(&site.join("data/direction.yaml")).replace("sheet: \"2013\"", "sheet: \"2031\"");
    std::fs::write(site.join("data/direction.yaml"), yaml).unwrap();
    let err = stderr(&build_err(&site, &out));
    assert!(err.contains("no sheet `2031` in this workbook"), "{err}");
    assert!(err.contains("did you mean `2013`?"), "{err}");
}

#[test]
fn a_rows_file_must_lie_beside_the_dataset() {
    for file in ["../site.yaml", "/etc/passwd", "nothere.csv"] {
        let (tmp, site) = site(&format!("{{file: \"{file}\"}}"), &[]);
        let err = stderr(&build_err(&site, &tmp.path().join("out")));
        assert!(err.contains("site/data/direction.yaml:"), "{file}: {err}");
        assert!(
            err.contains("is not a file beside the dataset") || err.contains("cannot read"),
            "{file}: {err}"
        );
    }
}

#[test]
fn the_preview_rebuilds_when_a_rows_file_changes() {
    let (tmp, site) = site(
        "{file: direction.csv}",
        &[("direction.csv", CSV.as_bytes())],
    );
    let s = Server::start(&site, &tmp.path().join("out"), &[]);
    let mut events = s.events();
    assert!(s.get("/briefs/direction/").body.contains("2,000.25"));
    edit(
        &site.join("data/direction.csv"),
        "\"2.000,25\"",
        "\"3.000,75\"",
    );
    events.expect("reload", Duration::from_secs(10));
    let page = s.get("/briefs/direction/");
    assert!(page.body.contains("3,000.75"), "{}", page.body);
    assert!(
        s.get_bytes("/data/direction.csv")
            .ends_with(b"2013,3000.75,,\"a note, with a comma\"\r\n2014,7,3,plain\r\n")
    );
    // A bad cell shows in the overlay; the fix clears it.
    edit(&site.join("data/direction.csv"), "\"3.000,75\"", "lots");
    let failed = events.expect("failed", Duration::from_secs(10));
    assert!(failed.contains("direction.csv:3:2"), "{failed}");
    edit(&site.join("data/direction.csv"), "lots", "5");
    events.expect("reload", Duration::from_secs(10));
    assert!(
        s.get("/briefs/direction/")
            .body
            .contains("Exports were 5 in 2013")
    );
}

#[test]
fn new_dataset_describes_a_csv_file_and_a_spreadsheet_so_that_they_build() {
    let (tmp, site) = copy_fixture("basic");
    let csv = "Year,Exports (US$ m),Share,Partner,Count\n2012,\"1 234,5\",12.5%,China,1\n\
               2013,\"2.000,25\",NA,Russia,\n2014,7,3%,\"Korea, South\",3\n";
    std::fs::write(site.join("data/direction.csv"), csv).unwrap();
    std::fs::write(site.join("data/customs.xlsx"), workbook(false)).unwrap();
    let o = tumen(&["new", "dataset", "site/data/direction.csv"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let said = stdout(&o);
    assert!(
        said.contains("Created site/data/direction.yaml from site/data/direction.csv (3 rows)"),
        "{said}"
    );
    assert!(
        said.contains("exports_us_m         number (heading \"Exports (US$ m)\", decimal comma)"),
        "{said}"
    );
    assert!(
        said.contains("share                number (heading \"Share\", percentages, missing: NA)"),
        "{said}"
    );
    assert!(
        said.contains("count                integer (heading \"Count\", 1 empty cells)"),
        "{said}"
    );
    let yaml = read(&site.join("data/direction.yaml"));
    assert!(
        yaml.contains("  - {name: year, type: year, label: \"Year\"}"),
        "{yaml}"
    );
    assert!(yaml.contains("rows: {file: \"direction.csv\"}"), "{yaml}");

    let args = [
        "new",
        "dataset",
        "site/data/customs.xlsx",
        "--sheet",
        "2013",
        "--range",
        "A3:D6",
    ];
    let o = tumen(&args, tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let yaml = read(&site.join("data/customs.yaml"));
    assert!(yaml.contains("title: \"Customs\""), "{yaml}");
    assert!(yaml.contains("  - {name: exports, type: number}"), "{yaml}");
    assert!(
        yaml.contains("  - {name: share, type: number, unit: \"%\", missing: [\"NA\"]}"),
        "{yaml}"
    );
    assert!(
        yaml.contains("rows: {file: \"customs.xlsx\", sheet: \"2013\", range: \"A3:D6\"}"),
        "{yaml}"
    );

    // The placeholders filled in, both build.
    for name in ["direction", "customs"] {
        let p = site.join(format!("data/{name}.yaml"));
        let filled = read(&p)
            .replace("sources: []", "sources: [memo-2016]")
            .replace("unit: \"\"", "unit: US$ million");
        std::fs::write(&p, filled).unwrap();
    }
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    let json: serde_json::Value =
        serde_json::from_str(&read(&out.join("data/direction.json"))).unwrap();
    assert_eq!(json["rows"][0]["exports_us_m"], serde_json::json!(1234.5));
    assert_eq!(json["rows"][1]["share"], serde_json::Value::Null);
    // Nothing is overwritten.
    let o = tumen(&["new", "dataset", "site/data/direction.csv"], tmp.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("this file exists already"),
        "{}",
        stderr(&o)
    );
}
