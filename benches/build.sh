#!/usr/bin/env bash
# Full-build benchmarks: the default site, and generated sites of 1,000 and 10,000
# briefs, each built with the release binary and timed by hyperfine.
#   bash benches/build.sh            # all sizes
#   SIZES="1000" bash benches/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
cargo build --release --quiet
bin="$PWD/target/release/tumen"
work="${TMPDIR:-/tmp}/tumen-bench"
mkdir -p "$work"

echo "== default site (content/)"
hyperfine --warmup 2 --runs 10 "$bin build --site content --output $work/out-default"

for n in ${SIZES:-1000 10000}; do
  python3 benches/gen_site.py "$n" "$work/site-$n"
  echo "== $n briefs"
  "$bin" build --site "$work/site-$n" --output "$work/out-$n"
  hyperfine --warmup 1 --runs 5 "$bin build --site $work/site-$n --output $work/out-$n"
  du -sh "$work/out-$n" | sed 's/^/output size: /'
done
