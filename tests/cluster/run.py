#!/usr/bin/env python3
"""Two `cfr serve` processes over one PostgreSQL database stay consistent (issue 10).

Both servers share the database and the keyring (the same data directory, as two machines share a
copied key file); each follows the store's change sequence. The test proves what an operations
centre behind a load balancer relies on:

1. A listing written through server A is screened as listed by server B within 1 s (and the
   other way round).
2. A report saved through B appears in A's case list within 1 s, and its hold orders are issued
   exactly once although both servers follow the new report (every order is addressed once).
3. A bank acknowledges the order through A; B shows it acknowledged within 1 s.
4. Reports saved concurrently through both servers all appear, with distinct case numbers, in
   both servers' lists.

Usage: tests/cluster/run.py --cfr build/release/cfr --store postgresql://user@host:port
       (the URL without a database: the test creates a database of its own)
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cfr", required=True)
    ap.add_argument("--store", required=True, help="postgresql://user@host:port (no database)")
    args = ap.parse_args()
    cfr = os.path.abspath(args.cfr)
    sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
    from run import api_call as call, start_server

    db = f"cfr_cluster_{os.getpid()}"
    made = subprocess.run(["psql", args.store + "/postgres", "-qc", f"CREATE DATABASE {db}"],
                          capture_output=True, text=True)
    if made.returncode != 0:
        raise SystemExit(f"cannot create the database: {made.stderr}")
    store = f"{args.store}/{db}"
    failures = []
    passed = 0

    def check(ok, what):
        nonlocal passed
        if ok:
            passed += 1
            print(f"ok   {what}")
        else:
            failures.append(what)
            print(f"FAIL {what}")

    with tempfile.TemporaryDirectory(prefix="cfr-cluster-") as tmp:
        data = os.path.join(tmp, "data")
        admin = subprocess.run([cfr, "admin", "create-key", "--data", data, "--store", store, "--role", "admin",
                                "--name", "cluster-test"], capture_output=True, text=True)
        if admin.returncode != 0:
            raise SystemExit(f"cfr admin create-key failed: {admin.stderr}")
        admin_token = admin.stdout.strip()
        env = {"CFR_STORE_URL": store}
        a, a_port = start_server(cfr, data, env)
        b, b_port = start_server(cfr, data, env)
        A, B = f"http://127.0.0.1:{a_port}", f"http://127.0.0.1:{b_port}"
        try:
            def key(role, agency):
                st, body = call(A, admin_token, "POST", "/api/v1/admin/keys", {"role": role, "agency": agency})
                if st != 201:
                    raise SystemExit(f"creating a {role} key: {st} {body}")
                return json.loads(body)["token"]

            police, operator, bank = key("police", "RTP-CIB"), key("operator", "AOC"), key("bank", "BAY")

            def until(fn, seconds=1.0):
                """Polls fn() until it is true; returns the seconds it took, or None."""
                start = time.monotonic()
                while time.monotonic() - start < seconds:
                    if fn():
                        return time.monotonic() - start
                    time.sleep(0.01)
                return None

            def verdict(base, value):
                st, body = call(base, police, "GET", "/api/v1/screen?kind=phone&value=" + urllib.parse.quote(value))
                return json.loads(body).get("verdict") if st == 200 else None

            # Each server verifies a key (argon2id) on its first use, then caches it: not what is measured.
            for base in (A, B):
                verdict(base, "0812345670")
                call(base, operator, "GET", "/api/v1/cases?limit=1")
                call(base, bank, "GET", "/api/v1/orders?limit=1")

            # 1. Listings cross over within a second, both ways.
            for writer, reader, number, label in ((A, B, "0812345671", "A to B"), (B, A, "0812345672", "B to A")):
                st, body = call(writer, police, "POST", f"/api/v1/entities/phone/{number}/listing",
                                {"tier": "black", "reason": "cluster test: confirmed scam number"})
                if st not in (200, 201):
                    raise SystemExit(f"listing: {st} {body}")
                took = until(lambda: verdict(reader, number) == "blocked")
                check(took is not None, f"a listing written through {label} is screened as blocked by the other "
                                        f"within 1 s ({'%.0f ms' % (took * 1000) if took is not None else 'not seen'})")

            # 2. A report through B appears in A's case list; its orders are issued once.
            report = {
                "victim": {"name": "Cluster Test", "national_id": "1-1017-00230-70-8", "phone": "081-111-2222",
                           "province": "Bangkok", "age_band": "35-44"},
                "channel": "hotline", "scam_type": "call_centre_impersonation",
                "occurred_at": "2026-11-01T09:10:00+07:00", "narrative": "cluster test report",
                "loss_transfers": [{"from": {"bank": "KBANK", "account": "123-4-56789-0"},
                                    "to": {"bank": "BAY", "account": "555-1-23456-7"},
                                    "amount_satang": 4500000, "at": "2026-11-01T09:31:00+07:00"}],
            }
            st, body = call(B, operator, "POST", "/api/v1/reports", report)
            if st != 201:
                raise SystemExit(f"report through B: {st} {body}")
            saved = json.loads(body)
            case_id = saved["case_id"]

            def in_case_list(base):
                st, body = call(base, operator, "GET", "/api/v1/cases?limit=100")
                return st == 200 and any(c.get("id") == case_id for c in json.loads(body).get("items", []))

            took = until(lambda: in_case_list(A))
            check(took is not None, f"a report saved through B appears in A's case list within 1 s "
                                    f"({'%.0f ms' % (took * 1000) if took is not None else 'not seen'})")

            def orders(base):
                st, body = call(base, bank, "GET", "/api/v1/orders?case_id=" + case_id)
                if st != 200:
                    return []
                return [o for o in json.loads(body).get("items", []) if o.get("report_id") == saved["id"]]

            until(lambda: len(orders(A)) > 0, 5.0)
            time.sleep(1.0)  # time for a second issuer, if there were one
            issued = orders(A)
            targets = [o["target"]["canonical"] for o in issued]
            check(len(issued) == 1 and targets == ["025:5551234567"],
                  f"the report's hold order is issued exactly once by the two servers ({targets})")

            # 3. An acknowledgement through A is seen by B.
            if issued:
                oid = issued[0]["id"]
                st, body = call(A, bank, "POST", f"/api/v1/orders/{oid}/acknowledge", {})
                check(st == 200, f"the bank acknowledges the order through A (HTTP {st})")

                def acknowledged(base):
                    st, body = call(base, bank, "GET", f"/api/v1/orders/{oid}")
                    return st == 200 and json.loads(body).get("status") == "acknowledged"

                took = until(lambda: acknowledged(B))
                check(took is not None, "B shows the order acknowledged within 1 s")

            # 4. Concurrent reports through both servers: all saved, distinct case numbers, seen by both.
            results, lock = [], threading.Lock()

            def file_reports(base, tag):
                for i in range(20):
                    r = dict(report)
                    r["victim"] = dict(report["victim"], national_id=None, name=f"Victim {tag}{i}",
                                       phone=f"08{'1' if tag == 'a' else '2'}-222-{i:04d}")
                    del r["victim"]["national_id"]
                    r["loss_transfers"] = [dict(report["loss_transfers"][0],
                                                amount_satang=100000 + i, **{"from": {"bank": "KBANK",
                                                "account": f"{'1' if tag == 'a' else '2'}23-4-{i:05d}-0"}})]
                    st, body = call(base, operator, "POST", "/api/v1/reports", r)
                    with lock:
                        results.append((st, json.loads(body) if st == 201 else body))

            threads = [threading.Thread(target=file_reports, args=(A, "a")),
                       threading.Thread(target=file_reports, args=(B, "b"))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            ok = [r for st, r in results if st == 201]
            check(len(ok) == 40, f"40 reports saved concurrently through both servers ({len(ok)} saved; "
                                 f"{[r for st, r in results if st != 201][:2]})")
            ids = {r["id"] for r in ok}
            check(len(ids) == len(ok), "every report has its own number")

            def all_listed(base):
                seen, cursor = set(), ""
                for _ in range(20):
                    st, body = call(base, operator, "GET", "/api/v1/reports?limit=100" + cursor)
                    if st != 200:
                        return False
                    page = json.loads(body)
                    seen.update(r["id"] for r in page.get("items", []))
                    if not page.get("next_cursor"):
                        break
                    cursor = "&cursor=" + urllib.parse.quote(page["next_cursor"])
                return ids <= seen

            check(until(lambda: all_listed(A) and all_listed(B), 2.0) is not None,
                  "both servers list every report within 2 s")
            for name, proc in (("A", a), ("B", b)):
                check(proc.poll() is None, f"server {name} is still up")
        finally:
            for proc in (a, b):
                if proc.poll() is None:
                    proc.terminate()
                    try:
                        proc.wait(timeout=15)
                    except subprocess.TimeoutExpired:
                        proc.kill()
            subprocess.run(["psql", args.store + "/postgres", "-qc", f"DROP DATABASE IF EXISTS {db}"],
                           capture_output=True)
    print(f"cluster: {passed} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
