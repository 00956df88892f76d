#!/usr/bin/env bash
# Property-based fuzzing of the HTTP API against its own OpenAPI document (schemathesis, from
# PyPI): about a thousand generated requests, valid and invalid, to every operation. Checks that
# nothing answers 5xx, that every answer matches its documented schema and status codes, and
# that invalid requests are refused. `positive_data_acceptance` is left out: a request can match
# the JSON Schema and still carry a spec with errors, which is rightly a 422.
# Usage: ci/api-fuzz.sh BIN [PORT]
set -euo pipefail
bin="$1"; port="${2:-18633}"
cd "$(dirname "$0")/.."
venv=target/fuzz-venv
[ -x "$venv/bin/schemathesis" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet schemathesis; }
"$bin" serve --addr "127.0.0.1:$port" --deadline-ms 3000 2> target/serve-fuzz.log &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/api/health" >/dev/null && break; sleep 0.1; done
"$venv/bin/schemathesis" run "http://127.0.0.1:$port/api/openapi.json" --url "http://127.0.0.1:$port" \
  --max-examples 60 --checks all --exclude-checks positive_data_acceptance --seed 1
kill -0 "$pid" || { echo "the server died under fuzzing" >&2; cat target/serve-fuzz.log; exit 1; }
