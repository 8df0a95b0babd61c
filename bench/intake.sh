#!/usr/bin/env bash
# Report intake through the API, durable before each response (SQLite WAL, synchronous=FULL):
# wrk POSTs distinct, valid reports (generated in Lua before the run: unique victims, mule accounts
# drawn from a pool of 200 so that entity updates contend as in real data). Prints reports/s and latency.
# Goal (reports/registry/screening issue): >= 2,000 reports/s into the embedded store.
# KEEP=1 keeps the data directory (its path printed) to inspect what the run wrote.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-64}
command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
CFR=${CFR:-build/release/cfr}  # CFR=path/to/cfr measures another build (A/B runs)
[ -x "$CFR" ] || scripts/build release cfr
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export OPERATOR_KEY=$("$CFR" admin create-key --data "$work/data" --role operator 2>/dev/null)
"$CFR" serve --data "$work/data" --listen "127.0.0.1:$port" --log-level warn > "$work/out" 2> "$work/err" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; [ -n "${KEEP:-}" ] && echo "kept $work" >&2 || rm -rf "$work"' EXIT
until curl -sf "127.0.0.1:$port/readyz" >/dev/null; do sleep 0.1; done
cat > "$work/report.lua" <<'LUA'
-- Requests are generated before the run (unique victims; mules from a pool of 200), so that the
-- load generator, which shares the 2 cores with the server, spends little CPU per request.
local requests = {}
local next_request = 0
local function national_id(n)
  local digits = string.format("1%011d", n % 100000000000)
  local sum = 0
  for i = 1, 12 do sum = sum + tonumber(digits:sub(i, i)) * (14 - i) end
  return digits .. tostring((11 - sum % 11) % 10)
end
local thread_count = 0
setup = function(thread)
  thread_count = thread_count + 1
  thread:set("thread_id", thread_count)
end
init = function(args)
  math.randomseed(thread_id * 7919 + os.time())
  local base = (thread_id * 1000 + math.random(0, 999)) * 1000000
  for i = 1, tonumber(os.getenv("PREGENERATED") or "60000") do
    local victim = national_id(base + i)
    local mule = string.format("%010d", 4070000000 + math.random(0, 199))
    local body = '{"victim":{"name":"Bench Victim","national_id":"' .. victim .. '","province":"Bangkok"},' ..
      '"channel":"hotline","scam_type":"fake_shopping","occurred_at":"2026-11-01T09:10:00Z",' ..
      '"loss_transfers":[{"to":{"bank":"014","account":"' .. mule .. '"},"amount_satang":' ..
      tostring(math.random(10000, 5000000)) .. ',"at":"2026-11-01T09:31:00Z"}],' ..
      '"scammer_identifiers":[{"kind":"phone","value":"09' .. string.format("%08d", math.random(0, 999)) .. '"}]}'
    requests[i] = wrk.format("POST", "/api/v1/reports", {["Content-Type"] = "application/json",
                             ["Authorization"] = "Bearer " .. os.getenv("OPERATOR_KEY")}, body)
  end
end
request = function()
  next_request = next_request % #requests + 1
  return requests[next_request]
end
done = function(summary, latency, requests)
  io.write(string.format("non-2xx: %d\n", summary.errors.status))
end
LUA
# The server's CPU time by thread name (utime + stime, clock ticks), before and after the run.
cpu_by_thread() {
  for t in /proc/$pid/task/*; do
    echo "$(cat "$t/comm") $(awk '{print $14 + $15}' "$t/stat")"
  done 2>/dev/null | awk '{s[$1] += $2} END {for (n in s) print n, s[n]}'
}
cpu_by_thread > "$work/cpu.before"
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/report.lua" "http://127.0.0.1:$port" > "$work/wrk.txt" 2>&1
cpu_by_thread > "$work/cpu.after"
saved=$(curl -s "127.0.0.1:$port/readyz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["last_seq"])')
# CPU per report: the server's CPU time over the reports wrk saw answered (2xx), by thread.
reports=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
awk -v n="$reports" -v hz="$(getconf CLK_TCK)" '
  NR == FNR {before[$1] = $2; next}
  {d = $2 - before[$1]; total += d; if (d > 0) by[$1] = d}
  END {
    printf "server CPU per report: %.2f ms (", 1000 * total / hz / n
    sep = ""
    for (t in by) {printf "%s%s %.2f", sep, t, 1000 * by[t] / hz / n; sep = ", "}
    print ")"
  }' "$work/cpu.before" "$work/cpu.after" >&2
awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /non-2xx/ {bad=$2}
     END {printf "| report intake, %s connections | %s reports/s | p50 %s | p99 %s | non-2xx %s |\n", c, rps, p50, p99, bad}' \
  c="$CONNECTIONS" "$work/wrk.txt"
echo "store changes committed: $saved" >&2
# The server's own latency histogram for POST /reports (time from request parsed to response ready).
curl -s -H "Authorization: Bearer $OPERATOR_KEY" "127.0.0.1:$port/metrics" |
  awk '/^cfr_http_request_duration_seconds_bucket\{method="POST",route="\/api\/v1\/reports"/ {
         match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5); printf "%s<=%s ", $2, le }
       END {print ""}' >&2
