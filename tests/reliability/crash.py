#!/usr/bin/env python3
"""Crash consistency: kill -9 the server at random moments during concurrent report and transfer
ingest, again and again; after every restart check that

- every acknowledged report is there, whole (its case, its fields), and every acknowledged
  transfer batch is there (sent again, all of it is `replayed`);
- nothing is half-written: every report present (acknowledged or not) has its case and exactly
  one hold order for its receiving account (issued after the restart if the kill came first); a
  transfer batch whose answer was lost is there entirely or not at all;
- the in-memory indexes agree with the store: screening finds each report's scammer number with
  one report, and a backward trail from each receiving account finds the transfers that fed it.

Usage: tests/reliability/crash.py --cfr build/release/cfr [--store postgresql://user@host:port]
       [--iterations 100] [--seed 1]
"""
import argparse
import datetime
import json
import os
import random
import tempfile
import threading
import time
import urllib.parse

from common import Results, Server, call, drop_database, new_database

REPORT_WRITERS = 3
TRANSFER_WRITERS = 2
BATCH = 25


def report_body(n):
    return {
        "victim": {"name": f"Crash Victim {n}", "phone": f"06{n:08d}", "province": "Bangkok", "age_band": "35-44"},
        "channel": "hotline", "scam_type": "call_centre_impersonation",
        "occurred_at": "2026-11-01T09:10:00+07:00", "narrative": f"crash test report {n}",
        "loss_transfers": [{"from": {"bank": "KBANK", "account": f"1{n:09d}"},
                            "to": {"bank": "BAY", "account": f"7{n:09d}"},
                            "amount_satang": 100000 + n, "at": "2026-11-01T09:31:00+07:00"}],
        "scammer_identifiers": [{"kind": "phone", "value": f"09{n:08d}"}],
    }


def batch_body(b):
    """Transfer batch b: BATCH transfers from KBANK accounts into one receiving account."""
    rows = []
    for i in range(BATCH):
        rows.append(json.dumps({
            "txn_id": f"KBANK-CRASH-{b}-{i}", "from": {"bank": "KBANK", "account": f"2{b:05d}{i:04d}"},
            "to": {"bank": "SCB", "account": f"4{b:09d}"}, "amount_satang": 50000 + i,
            "at": 1793847540000 + b * 1000 + i, "channel": "interbank"}))
    return "\n".join(rows) + "\n"


def iso(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).isoformat(timespec="milliseconds")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cfr", required=True)
    ap.add_argument("--store", default="", help="postgresql://user@host:port: run on PostgreSQL")
    ap.add_argument("--iterations", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    backend = "PostgreSQL" if args.store else "embedded"
    res = Results(f"crash ({backend})")
    db = f"cfr_crash_{os.getpid()}"
    store_url = new_database(args.store, db) if args.store else ""
    counters = {"report": 0, "batch": 0}
    acked_reports = {}  # report number -> (report id, case id)
    acked_batches = set()
    checked = set()  # reports already found whole
    sent_batches = set()
    lock = threading.Lock()
    problems = []
    try:
        with tempfile.TemporaryDirectory(prefix="cfr-crash-") as tmp:
            server = Server(os.path.abspath(args.cfr), os.path.join(tmp, "data"), store_url)
            admin = server.admin_key()
            server.start()
            operator = server.key(admin, "operator", "AOC")
            police = server.key(admin, "police", "RTP-CIB")
            kbank = server.key(admin, "bank", "KBANK")
            kills = 0
            started = time.monotonic()
            for it in range(args.iterations):
                stop = threading.Event()

                def report_writer():
                    while not stop.is_set():
                        with lock:
                            counters["report"] += 1
                            n = counters["report"]
                        st, body = call(server.base, operator, "POST", "/api/v1/reports", report_body(n),
                                        headers={"Idempotency-Key": f"crash-{n}"})
                        if st == 201:
                            r = json.loads(body)
                            with lock:
                                acked_reports[n] = (r["id"], r["case_id"])
                        elif st != 0:
                            problems.append(f"report {n}: HTTP {st} {body[:200]}")
                        if st == 0:
                            return

                def transfer_writer():
                    while not stop.is_set():
                        with lock:
                            counters["batch"] += 1
                            b = counters["batch"]
                            sent_batches.add(b)
                        st, body = call(server.base, kbank, "POST", "/api/v1/transfers", batch_body(b),
                                        content_type="application/x-ndjson")
                        if st == 200 or st == 201:
                            r = json.loads(body)
                            if r.get("saved", 0) + r.get("replayed", 0) != BATCH:
                                problems.append(f"batch {b}: {body[:200]}")
                            with lock:
                                acked_batches.add(b)
                                counters["acked_batches"] = counters.get("acked_batches", 0) + 1
                        elif st != 0:
                            problems.append(f"batch {b}: HTTP {st} {body[:200]}")
                        if st == 0:
                            return

                threads = [threading.Thread(target=report_writer) for _ in range(REPORT_WRITERS)]
                threads += [threading.Thread(target=transfer_writer) for _ in range(TRANSFER_WRITERS)]
                for t in threads:
                    t.start()
                time.sleep(rng.uniform(0.05, 1.0))
                server.kill9()
                kills += 1
                stop.set()
                for t in threads:
                    t.join()
                server.start()

                # Every report present — acknowledged or not — is whole, and the indexes agree.
                present = list_reports(server, operator)
                for n, (rid, case_id) in list(acked_reports.items()):
                    if rid not in present:
                        problems.append(f"iteration {it}: acknowledged report {rid} (#{n}) is missing")
                for rid in present - checked:
                    err = check_report(server, operator, police, rid)
                    if err:
                        problems.append(f"iteration {it}: report {rid} {err}")
                    checked.add(rid)
                # Transfer batches: acknowledged ones whole; the others whole or absent.
                for b in sorted(sent_batches):
                    st, body = call(server.base, kbank, "POST", "/api/v1/transfers", batch_body(b),
                                    content_type="application/x-ndjson")
                    r = json.loads(body) if st in (200, 201) else {}
                    replayed = r.get("replayed", -1)
                    if b in acked_batches and replayed != BATCH:
                        problems.append(f"iteration {it}: acknowledged batch {b}: {replayed} of {BATCH} there")
                    elif b not in acked_batches and replayed not in (0, BATCH):
                        problems.append(f"iteration {it}: unacknowledged batch {b} half there ({replayed}/{BATCH})")
                    # Now the batch is stored (resent if it was lost): the graph must show it.
                    err = check_trail(server, police, b)
                    if err:
                        problems.append(f"iteration {it}: batch {b}: {err}")
                    acked_batches.add(b)
                sent_batches.clear()
                if problems:
                    break
                if (it + 1) % 10 == 0:
                    print(f"     {it + 1} kills, {len(acked_reports)} reports and {counters.get('acked_batches', 0)} batches "
                          f"acknowledged so far ({time.monotonic() - started:.0f} s)", flush=True)
            server.stop()
            res.check(not problems, f"{kills} kill -9 during report and transfer ingest: every acknowledged "
                                    f"write present ({len(acked_reports)} reports, {counters.get('acked_batches', 0)} "
                                    f"transfer batches of {BATCH}), nothing half-written, indexes agree with the store"
                      + ("" if not problems else "\n      " + "\n      ".join(problems[:10])))
    finally:
        if args.store:
            drop_database(args.store, db)
    res.finish()


def list_reports(server, token):
    """The ids of every report present."""
    out, cursor = set(), ""
    while True:
        st, body = call(server.base, token, "GET", "/api/v1/reports?limit=500" + cursor)
        if st != 200:
            raise SystemExit(f"listing reports: {st} {body[:200]}")
        page = json.loads(body)
        out.update(r["id"] for r in page["items"])
        if not page.get("next_cursor"):
            break
        cursor = "&cursor=" + urllib.parse.quote(page["next_cursor"])
    return out


def check_report(server, operator, police, rid):
    st, body = call(server.base, operator, "GET", f"/api/v1/reports/{rid}")
    if st != 200:
        return f"cannot be read: {st}"
    r = json.loads(body)
    narrative = r.get("narrative", "")
    if not narrative.startswith("crash test report "):
        return None  # not ours
    n = int(narrative.rsplit(" ", 1)[1])
    if r.get("total_loss_satang") != 100000 + n:
        return f"has the wrong total {r.get('total_loss_satang')}"
    st, body = call(server.base, operator, "GET", f"/api/v1/cases/{r['case_id']}")
    if st != 200:
        return f"has no case {r['case_id']}: {st}"
    # Its hold order: issued once (after the restart, if the kill came between).
    deadline = time.time() + 5
    while True:
        st, body = call(server.base, operator, "GET", f"/api/v1/orders?case_id={r['case_id']}")
        orders = [o for o in json.loads(body).get("items", []) if o.get("report_id") == rid] if st == 200 else []
        if len(orders) == 1 or time.time() > deadline:
            break
        time.sleep(0.05)
    if len(orders) != 1:
        return f"has {len(orders)} hold orders, not 1"
    st, body = call(server.base, police, "GET", f"/api/v1/screen?kind=phone&value=09{n:08d}")
    screened = json.loads(body) if st == 200 else {}
    if screened.get("reports") != 1:
        return f"its scammer's number screens with {screened.get('reports')} reports, not 1"
    return None


def check_trail(server, police, b):
    st, body = call(server.base, police, "POST", "/api/v1/trails", {
        "direction": "backward", "account": {"bank": "SCB", "account": f"4{b:09d}"},
        "at": iso(1793847540000 + b * 1000 + BATCH + 1)})
    if st != 200:
        return f"backward trail: {st} {body[:200]}"
    sources = json.loads(body).get("sources", [])
    if len(sources) != BATCH:
        return f"the graph holds {len(sources)} of the batch's {BATCH} transfers"
    return None


if __name__ == "__main__":
    main()
