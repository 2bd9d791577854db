#!/usr/bin/env bash
# Search index size and query speed, for the default site and a generated
# 1,000-brief site:  bash benches/search.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
work="${TMPDIR:-/tmp}/tumen-search-bench"
mkdir -p "$work"
./target/release/tumen build --site content --output "$work/default" >/dev/null
echo "== default site"; node benches/search.mjs "$work/default"
python3 benches/gen_site.py 1000 "$work/site-1000"
./target/release/tumen build --site "$work/site-1000" --output "$work/out-1000" >/dev/null
echo "== 1,000 briefs"; node benches/search.mjs "$work/out-1000"
