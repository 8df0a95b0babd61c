#!/usr/bin/env bash
# Report saved -> hold list ready, under load: victims' reports at RATE reports/s (default 100)
# while the banks' transfers stream in at TRANSFERS_RATE transfers/s (default 50,000), each report
# a generated scam's loss transfer, so that its forward trail (FIFO, 6 hops, 72 h) runs over a
# graph that keeps changing. The server measures the time from the report's commit to its hold
# list (`trail.hold_list_ms` in the response); the client measures each whole request. Then it
# reads every hold order the server issued for those reports and measures, from the server's own
# timestamps, report saved (`report_saved_at`) -> order issued (`issued_at`). Prints the
# percentiles and the rates achieved.
# Goals: hold list p99 <= 50 ms (transfers issue); orders issued p99 <= 1 s after the report
# (issue 6); at 100 reports/s during 50 k transfers/s.
#   DURATION (s, default 30), PRELOAD (transfers loaded before the run, default 2,000,000).
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${RATE:-100}
TRANSFERS_RATE=${TRANSFERS_RATE:-50000}
DURATION=${DURATION:-30}
PRELOAD=${PRELOAD:-2000000}
[ -x build/release/cfr ] || scripts/build release cfr
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# Two days of transfers: the first PRELOAD are in the ledger before the run, the rest stream in
# during it; the scams' loss transfers are reported during the run.
total=$((PRELOAD + TRANSFERS_RATE * DURATION + TRANSFERS_RATE * 5))
build/release/cfr gen transfers --format csv --accounts $((total / 20)) --per-day $((total / 2)) --days 2 \
  --scams $((RATE * DURATION + RATE * 5)) --out "$work/t.csv" --truth "$work/truth.ndjson" >&2
head -n $((PRELOAD + 1)) "$work/t.csv" > "$work/preload.csv"
{ head -n 1 "$work/t.csv"; tail -n +$((PRELOAD + 2)) "$work/t.csv"; } > "$work/stream.csv"

bank_key=$(build/release/cfr admin create-key --data "$work/data" --role bank --agency KBANK 2>/dev/null)
operator_key=$(build/release/cfr admin create-key --data "$work/data" --role operator 2>/dev/null)
export BANK_KEY=$bank_key OPERATOR_KEY=$operator_key
build/release/cfr serve --data "$work/data" --listen "127.0.0.1:$port" --log-level warn > "$work/out" 2> "$work/err" &
pid=$!
until curl -sf "127.0.0.1:$port/readyz" >/dev/null; do sleep 0.1; done
build/release/cfr import transfers "$work/preload.csv" --bank KBANK --server "http://127.0.0.1:$port" --api-key "$bank_key" \
  --batch 20000 >&2

python3 - "$port" "$work/stream.csv" "$work/truth.ndjson" "$RATE" "$TRANSFERS_RATE" "$DURATION" <<'PY'
import http.client, json, os, sys, threading, time

port, stream, truth, rate, transfers_rate, duration = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
with open(stream) as f:
    header = f.readline()
    lines = f.readlines()
batch = max(1, transfers_rate // 10)  # ten batches a second
bodies = [header + "".join(lines[i:i + batch]) for i in range(0, len(lines), batch)]
scams = [json.loads(l) for l in open(truth)]
stop = time.monotonic() + duration
sent_transfers = [0]
errors = []

def transfers():
    c = http.client.HTTPConnection("127.0.0.1", int(port))
    start = time.monotonic()
    for i, body in enumerate(bodies):
        due = start + i * 0.1
        if due > stop:
            break
        time.sleep(max(0.0, due - time.monotonic()))
        c.request("POST", "/api/v1/transfers", body, {"Content-Type": "text/csv", "Authorization": "Bearer " + os.environ["BANK_KEY"]})
        r = c.getresponse()
        answer = json.loads(r.read())
        if r.status != 200:
            errors.append(("transfers", r.status, answer))
        sent_transfers[0] += answer.get("saved", 0) + answer.get("replayed", 0)
    sent_transfers.append(time.monotonic() - start)

def national_id(n):
    d = "1%011d" % n
    s = sum(int(d[i]) * (13 - i) for i in range(12))
    return d + str((11 - s % 11) % 10)

holds, latencies, downstream = [], [], [0]
def reports(worker, workers):
    c = http.client.HTTPConnection("127.0.0.1", int(port))
    start = time.monotonic()
    k = worker
    while True:
        due = start + k / rate
        if due > stop or k >= len(scams):
            break
        time.sleep(max(0.0, due - time.monotonic()))
        s = scams[k]
        bank, account = s["first_mule"].split(":")
        body = json.dumps({
            "victim": {"name": "Bench Victim", "national_id": national_id(500000000 + k), "province": "Bangkok"},
            "channel": "hotline", "scam_type": "fake_shopping", "occurred_at": s["at"],
            "loss_transfers": [{"to": {"bank": bank, "account": account}, "amount_satang": s["amount_satang"], "at": s["at"]}]})
        t0 = time.monotonic()
        c.request("POST", "/api/v1/reports", body, {"Content-Type": "application/json", "Authorization": "Bearer " + os.environ["OPERATOR_KEY"]})
        r = c.getresponse()
        answer = json.loads(r.read())
        latencies.append((time.monotonic() - t0) * 1000)
        if r.status not in (200, 201):
            errors.append(("report", r.status, answer))
        elif "trail" in answer:
            holds.append(answer["trail"]["hold_list_ms"])
            downstream[0] += sum(1 for a in answer["urgent_actions"] if a.get("basis") == "trail")
        k += workers

workers = 4
threads = [threading.Thread(target=transfers)] + [threading.Thread(target=reports, args=(w, workers)) for w in range(workers)]
for t in threads: t.start()
for t in threads: t.join()

def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, len(v) * p // 100)] if v else float("nan")
print("| reports | %d in %d s (%.0f/s) | hold list p50 %.2f ms | p99 %.2f ms | max %.2f ms | request p50 %.1f ms | p99 %.1f ms | downstream holds %d |"
      % (len(latencies), duration, len(latencies) / duration, pct(holds, 50), pct(holds, 99), max(holds or [0]),
         pct(latencies, 50), pct(latencies, 99), downstream[0]))
print("| transfers | %d in %.1f s (%.0f/s) |" % (sent_transfers[0], sent_transfers[1], sent_transfers[0] / sent_transfers[1]))
# Report saved -> hold orders issued, from the server's timestamps on every order.
from datetime import datetime
def ms(t):
    return datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp() * 1000
c = http.client.HTTPConnection("127.0.0.1", int(port))
issued, cursor = [], None
while True:
    c.request("GET", "/api/v1/orders?limit=1000" + ("&cursor=" + cursor if cursor else ""),
              headers={"Authorization": "Bearer " + os.environ["OPERATOR_KEY"]})
    page = json.loads(c.getresponse().read())
    for o in page["items"]:
        if o.get("report_saved_at") and o.get("issued_at"):
            issued.append(ms(o["issued_at"]) - ms(o["report_saved_at"]))
    cursor = page["next_cursor"]
    if not cursor:
        break
print("| orders | %d hold orders for %d reports | saved -> issued p50 %.0f ms | p99 %.0f ms | max %.0f ms |"
      % (len(issued), len(latencies), pct(issued, 50), pct(issued, 99), max(issued or [0])))
if errors:
    print("errors:", len(errors), errors[:3])
    sys.exit(1)
PY
