#!/usr/bin/env python3
"""Load: a soak at 80 % of measured capacity, with no errors and memory within a stated bound.

1. A server on a new store (either backend); 100 numbers listed.
2. Capacity: wrk with soak.lua's mixed traffic (screening, case and order lists, the dashboard,
   transfer batches, reports — see soak.lua) and no pauses, for --capacity-seconds.
3. The pause per connection is calibrated so that the same traffic runs at --share (0.8) of that.
4. The soak: --seconds (600 for the recorded run; CI runs a shorter one) while the server's resident
   memory is sampled every 5 s. Passes when every request succeeded (no non-2xx answer, no socket
   error) and memory after the first fifth of the run grew by no more than --rss-bound-mib plus
   --rss-per-1k-reports-mib for every thousand reports written (reports and transfers legitimately
   grow the in-memory indexes: the bound separates that growth from a leak).

Usage: tests/reliability/soak.py --cfr build/release/cfr [--store postgresql://user@host:port]
       [--seconds 600] [--share 0.8] [--csv samples.csv]
"""
import argparse
import json
import os
import subprocess
import tempfile
import threading
import time

from common import HERE, Results, Server, call, drop_database, new_database

CONNECTIONS = 32  # for the capacity run
PAUSE_MS = 10  # for the soak


def wrk(server, env, seconds, delay_ms, tag, connections=CONNECTIONS):
    e = dict(os.environ)
    e.update(env)
    e["CFR_DELAY_MS"] = str(int(round(delay_ms)))
    e["CFR_TAG"] = tag
    p = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{int(seconds)}s", "--timeout", "10s",
                        "-s", os.path.join(HERE, "soak.lua"), server.base], capture_output=True, text=True, env=e)
    line = next((l for l in p.stdout.splitlines() if l.startswith("SOAK ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no result: {p.stdout}\n{p.stderr}")
    r = json.loads(line[5:])
    r["rate"] = r["requests"] / r["seconds"]
    r["connections"] = connections
    r["transfers"] = int(next((l.split()[1] for l in p.stdout.splitlines() if l.startswith("TRANSFERS ")), "0"))
    r["first_error"] = next((l[12:] for l in p.stdout.splitlines() if l.startswith("FIRST_ERROR ")), "")
    return r


def reports_total(overview_json):
    r = json.loads(overview_json).get("reports", 0)
    return r.get("total", 0) if isinstance(r, dict) else r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cfr", required=True)
    ap.add_argument("--store", default="")
    ap.add_argument("--seconds", type=int, default=600)
    ap.add_argument("--capacity-seconds", type=int, default=15)
    ap.add_argument("--share", type=float, default=0.8)
    ap.add_argument("--rss-bound-mib", type=float, default=48)
    ap.add_argument("--rss-per-1k-reports-mib", type=float, default=4)  # bench/sizing.py: 3.9
    ap.add_argument("--rss-per-m-transfers-mib", type=float, default=66)  # bench/sizing.py
    ap.add_argument("--segment-seconds", type=int, default=60)
    # How far from --share the achieved rate may be. CI's short runs recalibrate on few, short
    # segments while the data grows fastest, so it allows more (scripts/test).
    ap.add_argument("--rate-tolerance", type=float, default=0.1)
    ap.add_argument("--csv", default="")
    args = ap.parse_args()
    backend = "PostgreSQL" if args.store else "embedded"
    res = Results(f"soak ({backend})")
    db = f"cfr_soak_{os.getpid()}"
    store_url = new_database(args.store, db) if args.store else ""
    try:
        with tempfile.TemporaryDirectory(prefix="cfr-soak-") as tmp:
            server = Server(os.path.abspath(args.cfr), os.path.join(tmp, "data"), store_url,
                            env={"CFR_LOG_LEVEL": "error",
                                 # Two keys make all the traffic: no per-key limit may stop them.
                                 "CFR_AUTH_KEY_REQUESTS_PER_MINUTE": "1000000000",
                                 "CFR_AUTH_KEY_BURST": "1000000"})
            admin = server.admin_key()
            server.start()
            operator = server.key(admin, "operator", "AOC")
            bank = server.key(admin, "bank", "KBANK")
            police = server.key(admin, "police", "RTP-CIB")
            for i in range(100):
                st, body = call(server.base, police, "POST", f"/api/v1/entities/phone/09{i:08d}/listing",
                                {"tier": "black", "reason": "soak test"})
                if st not in (200, 201):
                    raise SystemExit(f"listing: {st} {body}")
            env = {"CFR_OPERATOR": operator, "CFR_BANK": bank}

            cap = wrk(server, env, args.capacity_seconds, 0, "cap")
            res.check(cap["errors"] == 0 and cap["socket_errors"] == 0,
                      f"capacity: {cap['rate']:,.0f} requests/s of mixed traffic with {CONNECTIONS} connections "
                      f"(p99 {cap['p99_ms']:.1f} ms; errors {cap['errors']} {cap['statuses']}, socket errors "
                      f"{cap['socket_errors']}) {cap['first_error'][:200]}")
            target = args.share * cap["rate"]
            # Each connection pauses PAUSE_MS after every answer; the number of connections holds the
            # rate at the target (one request per connection per latency + pause), calibrated twice.
            latency = cap["seconds"] * CONNECTIONS / max(cap["requests"], 1) * 1000
            connections = max(1, round(target * (PAUSE_MS + latency) / 1000))
            for round_ in range(2):
                probe = wrk(server, env, 8, PAUSE_MS, f"cal{round_}", connections)
                connections = max(1, round(connections * target / max(probe["rate"], 1)))

            samples = []
            stop = threading.Event()

            def sample():
                start = time.monotonic()
                while not stop.is_set():
                    samples.append((time.monotonic() - start, server.rss_kib() / 1024))
                    stop.wait(5)

            sampler = threading.Thread(target=sample)
            st, body = call(server.base, operator, "GET", "/api/v1/stats/overview")
            reports_before = reports_total(body) if st == 200 else 0
            sampler.start()
            # The soak in segments: after each, the connections are adjusted so that the next holds
            # the target rate although every request costs more as the data grows.
            segments = []
            left = args.seconds
            while left > 0:
                length = min(args.segment_seconds, left)
                seg = wrk(server, env, length, PAUSE_MS, f"soak{len(segments)}", connections)
                segments.append(seg)
                left -= length
                connections = min(4000, max(1, round(connections * target / max(seg["rate"], 1))))
            stop.set()
            sampler.join()
            st, body = call(server.base, operator, "GET", "/api/v1/stats/overview")
            reports = reports_total(body) - reports_before
            transfers = sum(s["transfers"] for s in segments)
            soak = {"requests": sum(s["requests"] for s in segments), "seconds": sum(s["seconds"] for s in segments),
                    "errors": sum(s["errors"] for s in segments),
                    "socket_errors": sum(s["socket_errors"] for s in segments),
                    "statuses": [s["statuses"] for s in segments if s["statuses"]],
                    "first_error": next((s["first_error"] for s in segments if s["first_error"]), ""),
                    "p50_ms": max(s["p50_ms"] for s in segments), "p99_ms": max(s["p99_ms"] for s in segments),
                    "max_ms": max(s["max_ms"] for s in segments)}
            soak["rate"] = soak["requests"] / soak["seconds"]
            print("     segments (requests/s, connections, p99 ms): " +
                  ", ".join(f"{s['rate']:,.0f}/{s['connections']}/{s['p99_ms']:.0f}" for s in segments), flush=True)
            if args.csv:
                with open(args.csv, "w") as f:
                    f.write("seconds,rss_mib\n")
                    for t, m in samples:
                        f.write(f"{t:.0f},{m:.1f}\n")
            share = soak["rate"] / cap["rate"]
            res.check(soak["errors"] == 0 and soak["socket_errors"] == 0,
                      f"{args.seconds} s at {soak['rate']:,.0f} requests/s ({share:.0%} of capacity): "
                      f"{soak['requests']:,} requests, {soak['errors']} errors {soak['statuses']}, "
                      f"{soak['socket_errors']} socket errors {soak['first_error'][:200]}; worst segment p50 "
                      f"{soak['p50_ms']:.2f} ms, p99 {soak['p99_ms']:.2f} ms, max {soak['max_ms']:.0f} ms")
            res.check(abs(share - args.share) < args.rate_tolerance,
                      f"the rate held near {args.share:.0%} of capacity ({share:.0%})")
            warm = [m for t, m in samples if t >= args.seconds / 5]
            if warm:
                growth = warm[-1] - warm[0]
                # What the data written may take (bench/sizing.py measures the per-million costs).
                data = args.rss_per_1k_reports_mib * reports / 1000 + args.rss_per_m_transfers_mib * transfers / 1e6
                bound = args.rss_bound_mib + data
                res.check(growth <= bound,
                          f"memory flat within the bound: resident {samples[0][1]:.0f} MiB at the start, "
                          f"{warm[0]:.0f} MiB after the first fifth, {warm[-1]:.0f} MiB at the end (+{growth:.0f} MiB; "
                          f"bound {bound:.0f} MiB = {args.rss_bound_mib:.0f} + {data:.0f} for the {reports:,} reports "
                          f"and {transfers:,} transfers written); peak {max(m for _, m in samples):.0f} MiB")
            res.check(server.proc.poll() is None, "the server stayed up")
            code = server.stop()
            res.check(code == 0, f"and stops cleanly (exit {code})")
    finally:
        if args.store:
            drop_database(args.store, db)
    res.finish()


if __name__ == "__main__":
    main()
