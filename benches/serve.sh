#!/usr/bin/env bash
# Live-preview benchmark: save-to-reload latency and rebuild time of `tumen serve`
# on a generated site of 1,000 briefs (see benches/serve.py).
#   bash benches/serve.sh            # 1000 briefs, 30 edits of each kind
#   bash benches/serve.sh 10000 10
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
exec python3 benches/serve.py "${1:-1000}" "${2:-30}"
