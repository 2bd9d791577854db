#!/usr/bin/env bash
# What the changes pages cost (issue 18): a site of 1,000 briefs whose repository
# has 5,000 commits (benches/gen_history.py: one-word prose edits and dataset
# values, each a revision), built cold with the release binary, beside the same
# site outside git (no history at all) and, with BASE, the same repository built
# by an older binary (the history read as before, no changes pages): the
# difference is what reading the old versions and making the pages adds. Then the
# live preview's rebuild after an edit without a commit (benches/serve.py on the
# same repository), and two builds compared byte for byte.
#   bash benches/changes.sh                        # 1000 briefs, 5000 commits
#   bash benches/changes.sh 1000 5000 10           # … and 10 edits of each kind
#   BASE=/tmp/tumen-main bash benches/changes.sh   # also the older binary
#   OUT=/dev/shm/x bash benches/changes.sh         # outputs on a RAM disk (the
#                                                  # disk's noise left out)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
cargo build --release --quiet
bin="$PWD/target/release/tumen"
n="${1:-1000}" commits="${2:-5000}" edits="${3:-20}"
work="${TMPDIR:-/tmp}/tumen-bench-changes"
rm -rf "$work" && mkdir -p "$work"
# An older binary does not know the datasets' `key:`: both build the site without.
GEN_SITE_OLD_BINARY="${BASE:-}" python3 benches/gen_history.py "$n" "$commits" "$work/repo"
cp -r "$work/repo/site" "$work/plain"
out="${OUT:-$work}"
mkdir -p "$out"
runs=(-n "in git, $commits commits" "$bin build --site $work/repo/site -o $out/out-git"
      -n "the same site outside git" "$bin build --site $work/plain -o $out/out-plain")
if [ -n "${BASE:-}" ]; then
  runs+=(-n "in git, built by $BASE" "$BASE build --site $work/repo/site -o $out/out-base")
fi
hyperfine -N --warmup 1 --runs "${RUNS:-10}" "${runs[@]}"
echo
echo "Inside the build (TUMEN_TRACE=1):"
TUMEN_TRACE=1 "$bin" build --site "$work/repo/site" -o "$out/out-git" 2>&1 | grep -E "changes:|build:|Built" || true
echo "changes pages: $(find "$out/out-git/briefs" -path '*/changes/index.html' | wc -l)," \
     "earlier dataset versions: $(find "$out/out-git/data" -mindepth 2 -name '*.csv' | wc -l) CSV files," \
     "output $(du -sh "$out/out-git" | cut -f1) (outside git $(du -sh "$out/out-plain" | cut -f1))"
"$bin" build --site "$work/repo/site" -o "$out/out-again" >/dev/null
if diff -rq "$out/out-git" "$out/out-again" >/dev/null; then echo "two builds: the same bytes"; else echo "two builds DIFFER"; exit 1; fi
echo
echo "The live preview on the same repository, edits without a commit:"
TUMEN_BENCH_SITE="$work/repo/site" python3 benches/serve.py "$n" "$edits"
if [ -n "${BASE:-}" ]; then
  git -C "$work/repo" checkout -q -- .
  echo "… and with $BASE:"
  TUMEN_BIN="$BASE" TUMEN_BENCH_SITE="$work/repo/site" python3 benches/serve.py "$n" "$edits"
fi
