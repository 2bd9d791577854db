#!/usr/bin/env bash
# PDFs of the briefs (issue 16): how long `tumen build --pdf` takes on the default
# site beside the same build without PDFs (the difference is the typesetting),
# the time per brief inside the build (TUMEN_TRACE=1), and each PDF's size.
#   bash benches/pdf.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
cargo build --release --quiet
bin="$PWD/target/release/tumen"
work="${TMPDIR:-/tmp}/tumen-bench-pdf"
rm -rf "$work" && mkdir -p "$work"
hyperfine --warmup 1 --runs 10 \
  -n "build, no PDFs" "$bin build --output $work/plain" \
  -n "build --pdf" "$bin build --pdf --output $work/pdf"
echo
echo "The render's stages with PDFs (TUMEN_TRACE=1):"
TUMEN_TRACE=1 "$bin" build --pdf --output "$work/pdf" 2>&1 | grep -E "pdfs|render" || true
echo
briefs=$(ls "$work"/pdf/briefs/*/*.pdf | wc -l)
echo "$briefs PDFs; pages, charts and size of each:"
for f in "$work"/pdf/briefs/*/*.pdf; do
  slug=$(basename "$f" .pdf)
  # (poppler 22 says "Suspects object is wrong type" of Typst's valid /Suspects false)
  pages=$(pdfinfo "$f" 2>/dev/null | awk '/^Pages:/ {print $2}')
  charts=$(find "$work/pdf/briefs/$slug" -name 'figure-*.svg' | wc -l)
  printf "  %-34s %2s pages  %s charts  %7s bytes\n" "$slug" "$pages" "$charts" "$(stat -c %s "$f")"
done
