"""Read a built site's data the way its readers would, and compare it with the
JSON files tumen writes beside it. Run by tests/data_out.rs with the venv of
tests/tools; prints one line per problem and exits 1 if there is any.

usage: read_data.py OUTPUT/data
"""

import json
import math
import pathlib
import sys

import frictionless
import pandas

data = pathlib.Path(sys.argv[1])
problems = []


def same(got, want):
    """A value read back against the JSON's: numbers by value, dates as ISO text,
    text as written (a CSV cell defused with a leading ' counts as the same)."""
    if want is None:
        return got is None or (isinstance(got, float) and math.isnan(got))
    if isinstance(want, (int, float)) and not isinstance(want, bool):
        return got is not None and float(got) == float(want)
    if hasattr(got, "isoformat"):
        return got.isoformat() == want
    return got == want or got == "'" + want


package = frictionless.Package(str(data / "datapackage.json"))
for res in package.resources:
    want = json.loads((data / res.path).with_suffix(".json").read_text())
    names = [c["name"] for c in want["columns"]]
    rows = res.read_rows()
    if len(rows) != len(want["rows"]):
        problems.append(f"{res.name}: {len(rows)} rows, the JSON has {len(want['rows'])}")
    for i, (row, wrow) in enumerate(zip(rows, want["rows"])):
        for n in names:
            if not same(row[n], wrow[n]):
                problems.append(f"{res.name} row {i + 1} {n}: {row[n]!r}, the JSON has {wrow[n]!r}")
    frame = pandas.read_csv(data / res.path, keep_default_na=False, na_values=[""])
    if list(frame.columns) != names or len(frame) != len(want["rows"]):
        problems.append(f"{res.name}: pandas reads {list(frame.columns)} x {len(frame)}")
    for c in want["columns"]:
        if c["type"] in ("number", "integer", "year"):
            got = [None if pandas.isna(v) else float(v) for v in frame[c["name"]]]
            exp = [None if r[c["name"]] is None else float(r[c["name"]]) for r in want["rows"]]
            if got != exp:
                problems.append(f"{res.name}.{c['name']}: pandas reads {got}, the JSON has {exp}")
    sheets = pandas.read_excel(data / (res.path[:-4] + ".xlsx"), sheet_name=None)
    if list(sheets) != ["data", "about"] or len(sheets["data"]) != len(want["rows"]):
        problems.append(f"{res.name}.xlsx: pandas reads sheets {list(sheets)}")
    elif list(sheets["data"].columns) != names:
        problems.append(f"{res.name}.xlsx: header {list(sheets['data'].columns)}")

print(f"{len(package.resources)} resources read")
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
