#!/usr/bin/env bash
# The web console's performance figures (issue 9), on a fresh demo data directory:
#   - first load on localhost (goal ≤ 1 s): web/tests/first_load.mjs, fresh Chromium contexts;
#   - the case list over 100 k cases (goal ≤ 100 ms a page): case_book_benchmark (Google Benchmark);
#   - a dashboard over 1 M reports (goal ≤ 300 ms, server side): stats_benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/release/cfr ] || scripts/build release cfr
ninja -C build/release src/cases/case_book_benchmark src/stats/stats_benchmark >/dev/null
scripts/build-console
work=$(mktemp -d)
build/release/cfr demo --data "$work" >/dev/null
port=18391
CFR_CONSOLE_DIR=web/dist build/release/cfr serve --data "$work" --listen "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
(cd web && node tests/first_load.mjs --base "http://127.0.0.1:$port" --runs "${RUNS:-10}")
build/release/src/cases/case_book_benchmark --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
build/release/src/stats/stats_benchmark --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
