#!/usr/bin/env bash
# Load benchmark of `tumen serve`: 200 keep-alive connections fetching the default
# site's files for 30 s while a brief and a dataset change every 0.5 s, with 20
# open pages listening for reloads and 5 slow clients (see benches/serve_load.py).
# Exits non-zero when a request failed, a body was cut short, a page missed a
# reload, a slow client was not closed or memory grew.
#   bash benches/serve_load.sh              # 200 connections, 30 s, 20 listeners
#   bash benches/serve_load.sh 500 20 50
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
exec python3 benches/serve_load.py "${1:-200}" "${2:-30}" "${3:-20}"
