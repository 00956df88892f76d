#!/usr/bin/env bash
# Load test of `ironclad serve` on loopback, bounded in time: 30 s of concurrent what-ifs with
# wrk (latency percentiles, status counts, the server's peak memory), then 15 s of valid
# requests mixed with oversized, malformed and too-expensive ones (ci/load_mixed.py).
# Usage: ci/load-test.sh BIN [PORT]
set -euo pipefail
bin="$1"; port="${2:-8181}"
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi
"$bin" serve --addr "127.0.0.1:$port" --max-concurrent 2 --threads 2 2> target/serve-load.log &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/api/health" >/dev/null && break; sleep 0.1; done
python3 -c 'import json,sys; print(json.dumps({"spec": open(sys.argv[1]).read(), "runs": 20000}))' \
  frameworks/coalition-2025.toml > target/whatif.json
echo "-- wrk: 30 s, 2 threads, 4 connections, what-ifs of the flagship at 20 000 runs"
WHATIF_BODY=target/whatif.json wrk -t2 -c4 -d30s --timeout 10s --latency -s ci/whatif.lua \
  "http://127.0.0.1:$port/api/simulate" | tee target/wrk.txt
if grep -q "Non-2xx" target/wrk.txt || grep -q "Socket errors" target/wrk.txt || ! grep -q "answers: [0-9]* ok, 0 4xx, 0 5xx" target/wrk.txt; then
  echo "load test: some what-ifs failed" >&2
  exit 1
fi
echo "server peak RSS after wrk: $(awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' /proc/$pid/status)"
echo "-- mixed: valid what-ifs with oversized, malformed and too-expensive requests"
python3 ci/load_mixed.py "http://127.0.0.1:$port" "$pid" frameworks/coalition-2025.toml 15
kill "$pid"
wait "$pid" 2>/dev/null || true
trap - EXIT
