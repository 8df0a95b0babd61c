#!/usr/bin/env python3
"""Faults: PostgreSQL restarted under load, and a full disk under the embedded store.

PostgreSQL (a private throwaway cluster, so that nothing else shares the outage): a server takes
reports from four writers while screening is read; PostgreSQL is stopped for three seconds and
started again. While it is down, writes fail cleanly (503 with a JSON error, no hang, no 500) and
screening — answered from memory — goes on; after it is back, writes succeed again within
seconds without restarting `cfr`; every acknowledged report is there.

Disk full (a small tmpfs under the data directory, filled to within a few hundred KiB; where
mounting is not allowed, a file-size limit on the server stands in for it): reports are filed
until the store refuses them; the refusal is a 503 that says the disk is full; reads go on; once
space is freed the same server saves reports again; after a clean stop the database passes
SQLite's integrity check and every acknowledged report is in it.

Usage: tests/reliability/faults.py --cfr build/release/cfr
"""
import argparse
import json
import os
import resource
import signal
import subprocess
import tempfile
import threading
import time

from common import ROOT, Results, Server, call

PG_CLUSTER = os.path.join(ROOT, "scripts", "pg-cluster")


def report(n, tag):
    return {
        "victim": {"name": f"Fault Victim {tag}{n}", "phone": f"06{n:08d}", "province": "Bangkok",
                   "age_band": "35-44"},
        "channel": "hotline", "scam_type": "call_centre_impersonation",
        "occurred_at": "2026-11-01T09:10:00+07:00", "narrative": "fault test " + "x" * 2000,
        "loss_transfers": [{"from": {"bank": "KBANK", "account": f"1{n:09d}"},
                            "to": {"bank": "BAY", "account": f"7{n:09d}"},
                            "amount_satang": 100000 + n, "at": "2026-11-01T09:31:00+07:00"}],
    }


def postgres_restart(cfr, res):
    out = subprocess.run([PG_CLUSTER, "start"], capture_output=True, text=True, check=True).stdout.split()
    pg_dir, url = out[0], out[1]
    try:
        subprocess.run(["psql", url + "/postgres", "-qc", "CREATE DATABASE cfr"], check=True, capture_output=True)
        with tempfile.TemporaryDirectory(prefix="cfr-faults-") as tmp:
            server = Server(cfr, os.path.join(tmp, "data"), url + "/cfr")
            admin = server.admin_key()
            server.start()
            operator = server.key(admin, "operator", "AOC")
            police = server.key(admin, "police", "RTP-CIB")
            call(server.base, police, "POST", "/api/v1/entities/phone/0812345678/listing",
                 {"tier": "black", "reason": "fault test"})
            lock = threading.Lock()
            counter = [0]
            acked, statuses, slow = {}, {}, []
            phase = ["before"]
            stop = threading.Event()

            def writer():
                while not stop.is_set():
                    with lock:
                        counter[0] += 1
                        n = counter[0]
                    t0 = time.monotonic()
                    st, body = call(server.base, operator, "POST", "/api/v1/reports", report(n, "pg"),
                                    headers={"Idempotency-Key": f"fault-{n}"}, timeout=30)
                    took = time.monotonic() - t0
                    with lock:
                        statuses.setdefault(phase[0], []).append(st)
                        if st == 201:
                            acked[n] = json.loads(body)["id"]
                        elif st == 503:
                            try:
                                if json.loads(body)["error"]["code"] != "unavailable":
                                    statuses.setdefault("bad_body", []).append(body[:200])
                            except (ValueError, KeyError):
                                statuses.setdefault("bad_body", []).append(body[:200])
                        if took > 20:
                            slow.append(took)
                    if st != 201:
                        time.sleep(0.05)

            screened = {"down": [], "before": [], "after": []}

            def reader():
                while not stop.is_set():
                    st, body = call(server.base, police, "GET", "/api/v1/screen?kind=phone&value=0812345678")
                    ok = st == 200 and json.loads(body).get("verdict") == "blocked"
                    with lock:
                        screened.setdefault(phase[0], []).append(ok)
                    time.sleep(0.01)

            threads = [threading.Thread(target=writer) for _ in range(4)] + [threading.Thread(target=reader)]
            for t in threads:
                t.start()
            time.sleep(2)
            subprocess.run([PG_CLUSTER, "down", pg_dir], check=True)
            with lock:
                phase[0] = "down"
            time.sleep(3)
            with lock:
                phase[0] = "after"
            up_at = time.monotonic()
            subprocess.run([PG_CLUSTER, "up", pg_dir], check=True)
            # Writes succeed again, by themselves.
            recovered = None
            while time.monotonic() - up_at < 30:
                with lock:
                    after = statuses.get("after", [])
                    if 201 in after:
                        recovered = time.monotonic() - up_at
                        break
                time.sleep(0.05)
            time.sleep(2)
            stop.set()
            for t in threads:
                t.join()
            down = statuses.get("down", [])
            res.check(down and all(s in (201, 503) for s in down) and 503 in down and not statuses.get("bad_body"),
                      f"PostgreSQL down: writes fail cleanly with 503 (statuses while down: "
                      f"{ {s: down.count(s) for s in set(down)} }; bodies {statuses.get('bad_body', [])[:1]})")
            res.check(not slow, f"no request hangs (the slowest over 20 s: {slow[:3]})")
            res.check(screened["down"] and all(screened["down"]),
                      f"screening goes on from memory while PostgreSQL is down ({len(screened['down'])} checks)")
            res.check(recovered is not None, f"writes succeed again after PostgreSQL is back, without restarting "
                                              f"cfr ({recovered:.1f} s)" if recovered is not None else
                      "writes succeed again after PostgreSQL is back")
            missing = []
            for n, rid in acked.items():
                st, _ = call(server.base, operator, "GET", f"/api/v1/reports/{rid}")
                if st != 200:
                    missing.append(rid)
            res.check(not missing and len(acked) > 10,
                      f"every acknowledged report is there ({len(acked)} acknowledged, {len(missing)} missing)")
            res.check(server.proc.poll() is None, "the server stayed up")
            server.stop()
    finally:
        subprocess.run([PG_CLUSTER, "stop", pg_dir], capture_output=True)


def disk_full(cfr, res):
    with tempfile.TemporaryDirectory(prefix="cfr-diskfull-") as tmp:
        data = os.path.join(tmp, "data")
        os.makedirs(data)
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", data],
                                 capture_output=True).returncode == 0
        try:
            preexec = None
            if not mounted:
                # No mount here: a file-size limit makes the store's writes fail as a full disk would.
                def preexec():
                    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
                    resource.setrlimit(resource.RLIMIT_FSIZE, (8 << 20, 8 << 20))
            server = Server(cfr, data, preexec_fn=preexec)
            admin = server.admin_key()
            server.start()
            operator = server.key(admin, "operator", "AOC")
            filler = os.path.join(data, "filler")
            if mounted:
                st = os.statvfs(data)
                with open(filler, "wb") as f:
                    f.write(b"\0" * max(0, st.f_bavail * st.f_frsize - (600 << 10)))
            acked, refusal, after_full = {}, None, []
            for n in range(1, 20000):
                st, body = call(server.base, operator, "POST", "/api/v1/reports", report(n, "disk"),
                                headers={"Idempotency-Key": f"disk-{n}"})
                if st == 201:
                    acked[n] = json.loads(body)["id"]
                    continue
                refusal = (st, body)
                break
            res.check(refusal is not None and refusal[0] == 503 and
                      ("disk full" in refusal[1] or (not mounted and "store" in refusal[1])),
                      f"a full disk is a clear error: {refusal[0] if refusal else None} "
                      f"{(refusal[1][:140] if refusal else '')} (after {len(acked)} reports; "
                      f"{'a tmpfs' if mounted else 'a file-size limit'})")
            # Reads go on.
            some = next(iter(acked.values()), None)
            st, _ = call(server.base, operator, "GET", f"/api/v1/reports/{some}")
            after_full.append(st)
            st2, _ = call(server.base, None, "GET", "/readyz")
            res.check(st == 200 and st2 == 200, f"reads go on while the disk is full (report {st}, readyz {st2})")
            saved_again = None
            if mounted:
                os.remove(filler)
                for n in range(50000, 50010):
                    st, body = call(server.base, operator, "POST", "/api/v1/reports", report(n, "disk"),
                                    headers={"Idempotency-Key": f"disk-{n}"})
                    if st == 201:
                        acked[n] = json.loads(body)["id"]
                        saved_again = True
                res.check(saved_again, "once space is freed the same server saves reports again")
            code = server.stop()
            res.check(server.proc.returncode is not None, f"the server stops (exit {code})")
            check = subprocess.run(["sqlite3", os.path.join(data, "cfr.db"), "PRAGMA integrity_check"],
                                   capture_output=True, text=True)
            res.check(check.stdout.strip() == "ok", f"the database is not corrupt (integrity_check: "
                                                   f"{check.stdout.strip()[:100]})")
            server = Server(cfr, data).start()
            missing = [rid for rid in acked.values()
                       if call(server.base, operator, "GET", f"/api/v1/reports/{rid}")[0] != 200]
            res.check(not missing, f"every acknowledged report is there after a restart ({len(acked)} acknowledged, "
                                   f"{len(missing)} missing)")
            server.stop()
        finally:
            if mounted:
                subprocess.run(["umount", "-l", data], capture_output=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cfr", required=True)
    args = ap.parse_args()
    cfr = os.path.abspath(args.cfr)
    res = Results("faults")
    postgres_restart(cfr, res)
    disk_full(cfr, res)
    res.finish()


if __name__ == "__main__":
    main()
