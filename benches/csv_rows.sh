#!/usr/bin/env bash
# Rows from a file (issue 15): how long `tumen check` takes on a site whose
# dataset reads 100,000 rows from a CSV file, beside the same site with the
# dataset's rows left out: the difference is the time to read and check them.
#   bash benches/csv_rows.sh            # 100,000 rows
#   ROWS=1000000 bash benches/csv_rows.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
cargo build --release --quiet
bin="$PWD/target/release/tumen"
work="${TMPDIR:-/tmp}/tumen-bench-csv"
rows="${ROWS:-100000}"
rm -rf "$work" && mkdir -p "$work"
for variant in with without; do
  cp -r tests/fixtures/basic "$work/$variant"
done
python3 - "$work" "$rows" <<'PY'
# A European export: "1.234.567,89" and "12,5%", quoted; NA for missing shares.
import random, sys
work, n = sys.argv[1], int(sys.argv[2])
random.seed(1)
eu = lambda s: s.replace(",", "\0").replace(".", ",").replace("\0", ".")
yaml = ("title: Many rows\nunit: US$\nsources: [memo-2016]\ncolumns:\n"
        "  - {name: year, type: year}\n  - {name: partner, type: text}\n"
        "  - {name: value, type: number, decimal: \",\"}\n"
        "  - {name: share, type: number, unit: \"%\", decimal: \",\", missing: [NA]}\n")
with open(f"{work}/with/data/many.yaml", "w") as f:
    f.write(yaml + "rows: {file: many.csv}\n")
with open(f"{work}/with/data/many.csv", "w") as f:
    f.write("year,partner,value,share\n")
    for i in range(n):
        share = "NA" if i % 50 == 0 else '"' + eu(f"{random.random() * 100:.1f}") + '%"'
        value = '"' + eu(f"{random.random() * 1e6:,.2f}") + '"'
        f.write(f"{1990 + i % 35},Partner {i % 97},{value},{share}\n")
with open(f"{work}/without/data/many.yaml", "w") as f:
    f.write(yaml + "rows: []\n")
PY
head -3 "$work/with/data/many.csv"
du -h "$work/with/data/many.csv" | sed 's/^/CSV size: /'
"$bin" check --site "$work/with"
hyperfine --warmup 1 --runs 10 \
  -n "check, $rows CSV rows" "$bin check --site $work/with" \
  -n "check, no rows" "$bin check --site $work/without"
