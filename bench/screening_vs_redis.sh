#!/usr/bin/env bash
# Screening index vs. Redis, same machine, same run, same 10 M keys:
#   baseline: redis-benchmark doing pipelined (-P 64) GETs of "phone:+668<12 digits>" against a
#             local redis-server holding those 10 M keys;
#   ours:     ScreeningIndex lookups of the same canonical values (registry_benchmark).
# Needs root for apt-get the first time (redis-server, redis-tools). Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-10000000}
if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server redis-tools >/dev/null
fi
[ -x build/release/src/registry/registry_benchmark ] || scripts/build release registry_benchmark
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
work=$(mktemp -d)
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
  --pidfile "$work/redis.pid" --logfile "$work/redis.log" --dir "$work"
trap 'kill "$(cat "$work/redis.pid")" 2>/dev/null || true; rm -rf "$work"' EXIT
until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done
echo "loading $N keys into redis..." >&2
python3 - "$N" <<'PY' | redis-cli -p "$port" --pipe >&2
import sys
n = int(sys.argv[1]); out = sys.stdout.buffer
for i in range(n):
    k = b"phone:+668%012d" % i
    out.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nh\r\n" % (len(k), k))
PY
echo "redis: $(redis-cli -p "$port" dbsize) keys, $(redis-cli -p "$port" info memory | grep -m1 used_memory_human)" >&2
redis_rps=$(redis-benchmark -p "$port" -P 64 -n 5000000 -r "$N" -q GET 'phone:+668__rand_int__' |
  grep -oE '[0-9.]+ requests per second' | grep -oE '^[0-9.]+')
ours=$(build/release/src/registry/registry_benchmark --benchmark_min_time=2 \
  --benchmark_filter='BM_LookupHit/real_time/threads:1$|BM_LookupBatchHit/10000/real_time/threads:1$|BM_KeyAndLookup' \
  --benchmark_format=json)
python3 - "$redis_rps" "$ours" <<'PY'
import json, sys
redis = float(sys.argv[1]); d = json.loads(sys.argv[2])
print("| what | lookups/s | vs. redis |")
print("|---|---|---|")
print(f"| redis-benchmark GET, -P 64, 50 clients (baseline) | {redis/1e6:.2f} M | 1.0× |")
for b in d["benchmarks"]:
    r = b["items_per_second"]
    extra = f", {b['bytes_per_entity']:.1f} B/entity" if "bytes_per_entity" in b else ""
    print(f"| `{b['name']}` (one core{extra}) | {r/1e6:.2f} M | {r/redis:.1f}× |")
PY
