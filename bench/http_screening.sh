#!/usr/bin/env bash
# Whole-system screening over HTTP, with its baseline in the same run:
#   baseline: nginx (Debian) serving a static 200-byte JSON file;
#   ours:     GET /api/v1/screen on `cfr serve` (a listed identifier), and batch POSTs of 10,000.
# wrk (keep-alive, 2 threads, 64 connections, 15 s) on this same 2-core machine. Prints Markdown.
# Needs root for apt-get the first time (wrk, nginx-light).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-15s}
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk nginx-light >/dev/null
fi
[ -x build/release/cfr ] || scripts/build release cfr
work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
nginx_port=$(free_port)
cfr_port=$(free_port)
python3 -c 'import json; print(json.dumps({"kind":"phone","canonical":"+66812345678","verdict":"blocked","tier":"black","reasons":["listed black: confirmed by police or AMLO"],"reports":12,"victims":9,"pad":"x"*10})[:200].ljust(200))' > "$work/screen.json"
cat > "$work/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$nginx_port;
    location / { root $work; default_type application/json; }
  }
}
CONF
nginx -c "$work/nginx.conf"
police_key=$(build/release/cfr admin create-key --data "$work/data" --role police --agency RTP 2>/dev/null)
build/release/cfr serve --data "$work/data" --listen "127.0.0.1:$cfr_port" --log-level warn > "$work/cfr.out" 2> "$work/cfr.err" &
cfr_pid=$!
trap 'kill $cfr_pid 2>/dev/null; nginx -c "$work/nginx.conf" -s stop 2>/dev/null; sleep 0.5; rm -rf "$work"' EXIT
until curl -sf "127.0.0.1:$cfr_port/readyz" >/dev/null; do sleep 0.1; done
curl -sf -H 'Content-Type: application/json' -H "Authorization: Bearer $police_key" \
  "127.0.0.1:$cfr_port/api/v1/entities/phone/0812345678/listing" -d '{"tier":"black","reason":"bench"}' >/dev/null
# A batch of 10,000 Thai mobiles (one listed), as a bank screening its payees would send.
python3 - "$work/batch.json" <<'PY'
import json, random, sys
random.seed(1)
items = [{"kind": "phone", "value": "08%d-%03d-%04d" % (random.randint(1, 9), random.randint(0, 999), random.randint(0, 9999))}
         for _ in range(9999)] + [{"value": "081-234-5678"}]
open(sys.argv[1], "w").write(json.dumps({"items": items}))
PY
cat > "$work/post.lua" <<LUA
local f = io.open("$work/batch.json", "r")
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $police_key"
LUA
run() { wrk -t2 -c"$2" -d"$DURATION" --latency "${@:3}" "$1" 2>&1; }
summarise() {  # requests/s, p50, p99 from wrk's output
  awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {printf "%s|%s|%s", rps, p50, p99}'
}
nginx_out=$(run "http://127.0.0.1:$nginx_port/screen.json" 64 | summarise)
cfr_out=$(run "http://127.0.0.1:$cfr_port/api/v1/screen?kind=phone&value=081-234-5678" 64 \
  -H "Authorization: Bearer $police_key" | summarise)
batch_out=$(run "http://127.0.0.1:$cfr_port/api/v1/screen" 4 -s "$work/post.lua" | summarise)
IFS='|' read -r n_rps n_p50 n_p99 <<< "$nginx_out"
IFS='|' read -r c_rps c_p50 c_p99 <<< "$cfr_out"
IFS='|' read -r b_rps b_p50 b_p99 <<< "$batch_out"
python3 - "$n_rps" "$c_rps" "$b_rps" "$n_p50" "$n_p99" "$c_p50" "$c_p99" "$b_p50" "$b_p99" <<'PY'
import sys
n, c, b = map(float, sys.argv[1:4])
n50, n99, c50, c99, b50, b99 = sys.argv[4:]
print("| what | requests/s | p50 | p99 | identifiers/s |")
print("|---|---|---|---|---|")
print(f"| nginx, static 200-byte JSON (baseline) | {n:,.0f} | {n50} | {n99} | |")
print(f"| `GET /api/v1/screen` (one identifier) | {c:,.0f} ({c/n:.0%} of nginx) | {c50} | {c99} | {c:,.0f} |")
print(f"| `POST /api/v1/screen`, 10,000 per request, 4 connections | {b:,.1f} | {b50} | {b99} | {b*10000:,.0f} |")
PY
