#!/usr/bin/env bash
# Scale benchmark (issue 17): tumen against Hugo and Zola on the same generated
# corpus, in one run, the tools alternating.
#
#   bash benches/scale.sh [N] [RUNS]        # defaults: 10000 briefs, 3 runs
#
# 1. Generates N briefs once (benches/gen_site.py --rich: ~850 words, headings, a
#    list, a table, a footnote, three links, three topics) and writes the same
#    briefs as a Hugo site and a Zola site (benches/scale/convert.py, templates in
#    benches/scale/hugo and benches/scale/zola).
# 2. Times RUNS full builds of each tool, alternating tumen, hugo, zola, tumen, …:
#    cold (into a new output folder each run) and over an existing output (the folder of that tool's previous
#    build, as each tool rebuilds by default: tumen writes only the files that
#    changed, Hugo writes every file over the old ones, Zola's --force deletes the
#    folder and writes it anew). `sync` before each timed build, so no build pays
#    for the previous one's writeback. Wall time, user and system CPU and peak RSS
#    come from /usr/bin/time. Then the same at N/10 briefs (SMALL=), for the slope.
#    Nothing is deleted until every build is timed: old outputs and corpora are
#    moved aside and removed at the end. On ext4 without a journal (this kind
#    of machine) a new file does not take an inode freed in the last minute or
#    so, and finding one past them makes creating files after a large delete
#    many times slower: 10,000 folders of four files took 2.4 s from a Python
#    loop, and 36.6 s right after a tree of 52,000 files was removed. A cold
#    build right after deleting the last one's output would time that, not the
#    tool (and each tool by the number of files it writes, squared).
# 3. tumen only: a cold build and a rebuild through an edit give the same bytes
#    (an edit of one brief rebuilt over an output equals a cold build of the
#    edited site; the edit reverted and rebuilt equals a cold build of the
#    original; `diff -r`, tumen's .tumen/ manifest excluded).
# 4. tumen only: the live preview's save → reload at N briefs, benches/serve.py on
#    a copy of the same corpus (SERVE_EDITS edits of each kind).
# Prints a table of medians (benches/scale/report.py) and a one-line summary.
#
# Environment:
#   TUMEN_BIN=path   the tumen binary (default: target/release/tumen of this
#                    repository, built with `cargo build --release` if missing)
#   WORK=dir         where the corpus and outputs go (default ${TMPDIR:-/tmp}/tumen-scale)
#   PEERS="hugo zola" the peers to run, of those on the PATH (default: both)
#   CHARTS=1         one chart a brief (tumen draws them; the peers get a static SVG)
#   SMALL=n          the smaller corpus for the slope (default N/10; 0: none)
#   SERVE_EDITS=n    edits of each kind for the live preview (default 10; 0: skip)
set -euo pipefail

N=${1:-10000}
RUNS=${2:-3}
repo=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-${TMPDIR:-/tmp}/tumen-scale}
CHARTS=${CHARTS:-0}
SMALL=${SMALL:-$((N / 10))}
SERVE_EDITS=${SERVE_EDITS:-10}
PEERS=${PEERS-hugo zola}

say() { echo "scale: $*" >&2; }
die() { echo "scale: error: $*" >&2; exit 1; }

[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"
if [ -z "${TUMEN_BIN:-}" ]; then
  TUMEN_BIN="$repo/target/release/tumen"
  if [ ! -x "$TUMEN_BIN" ]; then
    say "building tumen (cargo build --release; a cold build takes long)"
    (cd "$repo" && cargo build --release --quiet) || die "cargo build --release failed"
  fi
fi
[ -x "$TUMEN_BIN" ] || die "TUMEN_BIN=$TUMEN_BIN is not an executable"
TUMEN_BIN=$(cd "$(dirname "$TUMEN_BIN")" && pwd)/$(basename "$TUMEN_BIN")

tools=(tumen)
for p in $PEERS; do
  case $p in
    hugo | zola) ;;
    *) die "unknown peer $p (hugo, zola)" ;;
  esac
  if command -v "$p" >/dev/null; then tools+=("$p"); else say "$p is not on the PATH: left out"; fi
done

mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
# set_aside PATH…: out of the way now, deleted when every build is timed.
trash="$WORK/trash.$$"
set_aside() {
  mkdir -p "$trash"
  local p
  for p in "$@"; do
    [ -e "$p" ] && mv "$p" "$trash/$(basename "$p").$RANDOM"
  done
  return 0
}
set_aside "$WORK"/out-* "$WORK"/same "$WORK"/serve-site "$WORK"/trash.*
results="$WORK/results.tsv"
printf 'briefs\ttool\tmode\trun\twall\tuser\tsys\tmaxrss_kb\n' >"$results"

# A copy, so that the whole run times one binary even if TUMEN_BIN is rebuilt meanwhile.
cp "$TUMEN_BIN" "$WORK/tumen"
versions="tumen: $("$WORK/tumen" --version 2>&1 | head -1) ($TUMEN_BIN of $(date -r "$TUMEN_BIN" '+%F %T'))"
TUMEN_BIN="$WORK/tumen"
for t in "${tools[@]:1}"; do
  case $t in
    hugo) versions+="; hugo: $(hugo version 2>&1 | head -1)" ;;
    zola) versions+="; zola: $(zola --version 2>&1 | head -1)" ;;
  esac
done
say "$versions"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# Does this tumen know `paginate:` (lists 50 to a page, as the peers' are)?
probe="$WORK/probe"
rm -rf "$probe"
mkdir -p "$probe"
cp -r "$repo/content" "$probe/site"
echo "paginate: 50" >>"$probe/site/site.yaml"
if "$TUMEN_BIN" build --site "$probe/site" --output "$probe/out" >"$probe/log" 2>&1; then
  paginate=(--paginate 50)
  tumen_lists="paginated, 50 a page"
else
  paginate=()
  tumen_lists="not paginated (this tumen has no paginate:)"
fi
rm -rf "$probe"
say "tumen's lists: $tumen_lists"

gen_flags=(--rich --latest 10 "${paginate[@]}")
[ "$CHARTS" = 1 ] && gen_flags+=(--charts)

# make_corpus N: $WORK/site-N/{tumen,hugo,zola}
make_corpus() {
  local n=$1 dir="$WORK/site-$1"
  say "generating $n briefs in $dir (gen_site.py ${gen_flags[*]})"
  set_aside "$dir"
  python3 "$repo/benches/gen_site.py" "$n" "$dir/tumen" "${gen_flags[@]}" || die "gen_site.py failed"
  python3 "$repo/benches/scale/convert.py" "$dir/tumen" "$dir/hugo" "$dir/zola" || die "convert.py failed"
}

# build TOOL SITE OUT: runs one build, untimed.
build_cmd() {
  local tool=$1 site=$2 out=$3
  case $tool in
    tumen) cmd=("$TUMEN_BIN" build --site "$site/tumen" --output "$out") ;;
    hugo) cmd=(hugo --quiet -s "$site/hugo" -d "$out") ;;
    zola) cmd=(zola --root "$site/zola" build --output-dir "$out" --force) ;;
  esac
}

# timed N TOOL MODE RUN OUT: one timed build, appended to results.tsv; a failed
# build stops the benchmark with its output.
timed() {
  local n=$1 tool=$2 mode=$3 run=$4 out=$5 site="$WORK/site-$1" tf="$WORK/time.txt" log="$WORK/build.log"
  build_cmd "$tool" "$site" "$out"
  sync
  if ! /usr/bin/time -f '%e %U %S %M' -o "$tf" "${cmd[@]}" >"$log" 2>&1; then
    echo "scale: error: $tool failed ($mode build of $n briefs): ${cmd[*]}" >&2
    cat "$log" >&2
    cat "$tf" >&2
    exit 1
  fi
  local wall user sys rss
  read -r wall user sys rss <"$tf"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$tool" "$mode" "$run" "$wall" "$user" "$sys" "$rss" >>"$results"
  say "  $n briefs, $tool $mode #$run: ${wall} s, ${user} s user, ${sys} s sys, $((rss / 1024)) MB"
}

# check_output N TOOL OUT: the build wrote a page for every brief.
check_output() {
  local n=$1 tool=$2 out=$3 pages
  pages=$(find "$out/briefs" -mindepth 2 -maxdepth 2 -name index.html -path '*/brief-*' | wc -l)
  [ "$pages" -eq "$n" ] || { cat "$WORK/build.log" >&2; die "$tool wrote $pages brief pages into $out, not $n"; }
  if [ "$tool" = tumen ]; then
    grep -q "^Built $n briefs" "$WORK/build.log" || { cat "$WORK/build.log" >&2; die "tumen did not say 'Built $n briefs'"; }
  fi
}

# bench N: every tool, RUNS times, cold and over an existing output, alternating.
bench() {
  local n=$1 run tool
  make_corpus "$n"
  say "$n briefs: a first build of each tool (untimed; the output the rebuilds go over)"
  for tool in "${tools[@]}"; do
    timed "$n" "$tool" warmup 0 "$WORK/out-$n-$tool"
    check_output "$n" "$tool" "$WORK/out-$n-$tool"
  done
  for run in $(seq 1 "$RUNS"); do
    for tool in "${tools[@]}"; do
      timed "$n" "$tool" cold "$run" "$WORK/out-$n-$tool-cold-$run"
      check_output "$n" "$tool" "$WORK/out-$n-$tool-cold-$run"
    done
    for tool in "${tools[@]}"; do
      timed "$n" "$tool" rebuild "$run" "$WORK/out-$n-$tool"
      check_output "$n" "$tool" "$WORK/out-$n-$tool"
    done
  done
}

if [ "$SMALL" -gt 0 ] && [ "$SMALL" -lt "$N" ]; then
  bench "$SMALL"
  set_aside "$WORK"/out-"$SMALL"-*
fi
bench "$N"

# Same bytes: a rebuild through an edit against cold builds.
say "tumen: a cold build and a rebuild through an edit, compared byte for byte"
site="$WORK/site-$N/tumen"
same="$WORK/same"
mkdir -p "$same"
brief="$site/briefs/brief-$(printf '%05d' $((N / 2))).md"
cp -p "$brief" "$same/brief.orig"
q() { "$TUMEN_BIN" build --site "$site" --output "$1" >"$same/log" 2>&1 || { cat "$same/log" >&2; die "tumen build --output $1 failed"; }; }
q "$same/cold"
q "$same/rebuilt"
echo "An edited sentence, appended to see the rebuild change only what it must." >>"$brief"
q "$same/rebuilt"
q "$same/cold-edited"
same_bytes=yes
diff -r --exclude=.tumen "$same/cold-edited" "$same/rebuilt" >"$same/diff-edited" || same_bytes=no
cp -p "$same/brief.orig" "$brief"
q "$same/rebuilt"
diff -r --exclude=.tumen "$same/cold" "$same/rebuilt" >"$same/diff-reverted" || same_bytes=no
grep -q 'edited sentence' -r "$same/cold-edited/briefs" || die "the edit did not reach the output"
if [ "$same_bytes" = yes ]; then
  say "  same bytes: yes (edited rebuild = cold build of the edited site; reverted rebuild = cold build)"
  set_aside "$same"
else
  say "  same bytes: NO; see $same/diff-edited and $same/diff-reverted:"
  head -20 "$same/diff-edited" "$same/diff-reverted" >&2
fi

# The live preview, on a copy of the same corpus (serve.py edits it).
reload="skipped"
if [ "$SERVE_EDITS" -gt 0 ]; then
  say "tumen serve: save → reload on $N briefs (benches/serve.py, $SERVE_EDITS edits of each kind)"
  cp -r "$site" "$WORK/serve-site"
  serve_log="$WORK/serve.txt"
  TUMEN_BIN="$TUMEN_BIN" TUMEN_BENCH_SITE="$WORK/serve-site" \
    python3 "$repo/benches/serve.py" "$N" "$SERVE_EDITS" | tee "$serve_log" >&2 || die "benches/serve.py failed"
  reload=$(python3 - "$serve_log" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
ms = re.findall(r"save -> reload event:\s+median ([\d.]+) ms, p90 ([\d.]+) ms", text)
own = re.findall(r"rebuild \(server's own timing\): median (\d+) ms, p90 (\d+) ms", text)
if ms and len(own) == 2:
    print(" / ".join(f"{m} ms (p90 {p})" for m, p in ms) + " (body / title edits); "
          f"title edit rebuilt in {own[1][0]} ms (p90 {own[1][1]})")
else:
    print("no figures")
EOF
)
  set_aside "$WORK/serve-site"
fi

SCALE_LOAD="load average (1, 5, 15 min) $load_before at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end, $(nproc) cores" \
  python3 "$repo/benches/scale/report.py" "$results" "$N" "$RUNS" "$same_bytes" "$reload" "$versions" "$tumen_lists" "$CHARTS" |
  tee "$WORK/report-$N.txt"
set_aside "$WORK"/out-"$N"-*-cold-*
say "removing what was set aside ($trash)"
rm -rf "$trash"
say "report in $WORK/report-$N.txt, timings in $results, outputs in $WORK/out-$N-*"
