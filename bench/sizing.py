#!/usr/bin/env python3
"""Sizing: the server's resident memory per million transfers and per million registry entities.

Screening, trails, networks and mule scores are answered from memory, so a server's memory grows
with the data whatever the backend. This loads known amounts into new data directories and reads
the resident set (VmRSS) of `cfr serve` once it is ready (indexes rebuilt from the store):

- transfers: `cfr gen transfers` (N transfers over 3 days among N/20 accounts) imported with
  `cfr import transfers --data`, at two sizes; the slope is the memory per million transfers;
- entities: reports, each naming three new identifiers (a receiving account, a phone, a LINE ID),
  imported with `cfr import reports --data` at two sizes; the slope per million entities (the
  count read from /metrics, cfr_screening_index_entries).

Usage: bench/sizing.py [--transfers 1000000] [--reports 40000]   (prints a Markdown table)
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "reliability"))
from common import Server  # noqa: E402

CFR = os.path.join(ROOT, "build", "release", "cfr")


def measure(data_dir):
    server = Server(CFR, data_dir, env={"CFR_LOG_LEVEL": "error"}).start()
    try:
        rss = server.rss_kib() / 1024
        metrics = urllib.request.urlopen(server.base + "/metrics", timeout=30).read().decode()
        def metric(name):
            m = re.search(rf"^{name} (\d+)", metrics, re.M)
            return int(m.group(1)) if m else 0
        return rss, metric("cfr_screening_index_entries"), metric("cfr_graph_accounts")
    finally:
        server.stop()


def transfers(tmp, n):
    d = os.path.join(tmp, f"t{n}")
    f = os.path.join(tmp, f"t{n}.csv")
    subprocess.run([CFR, "gen", "transfers", "--format", "csv", "--accounts", str(max(1000, n // 20)),
                    "--per-day", str(n // 3), "--days", "3", "--scams", "100", "--out", f,
                    "--truth", os.path.join(tmp, "truth.ndjson")], check=True, capture_output=True)
    subprocess.run([CFR, "import", "transfers", f, "--bank", "KBANK", "--data", d], check=True, capture_output=True)
    rows = sum(1 for _ in open(f)) - 1
    os.remove(f)
    return rows, measure(d)


def national_id(i):
    """A valid Thai national ID (check digit) from a number."""
    d = f"1{i:011d}"
    check = (11 - sum(int(c) * (13 - k) for k, c in enumerate(d)) % 11) % 10
    return d + str(check)


def reports(tmp, n):
    d = os.path.join(tmp, f"r{n}")
    f = os.path.join(tmp, f"r{n}.csv")
    with open(f, "w") as out:
        out.write("report_ref,victim_name,victim_national_id,victim_province,channel,scam_type,occurred_at,"
                  "to_bank,to_account,amount_satang,transfer_at,scammer_identifiers\n")
        for i in range(n):
            out.write(f"R{i},Sizing Victim {i},{national_id(i)},Bangkok,hotline,investment,2026-11-01T09:10:00Z,"
                      f"014,{4000000000 + i},150000,2026-11-01T09:31:00Z,"
                      f"line_id:@sizing{i};09{i:08d}\n")
    subprocess.run([CFR, "import", "reports", f, "--data", d], check=True, capture_output=True)
    os.remove(f)
    return n, measure(d)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--transfers", type=int, default=1000000)
    ap.add_argument("--reports", type=int, default=40000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="cfr-sizing-") as tmp:
        empty = measure(os.path.join(tmp, "empty"))
        t_small = transfers(tmp, args.transfers // 4)
        t_big = transfers(tmp, args.transfers)
        r_small = reports(tmp, args.reports // 4)
        r_big = reports(tmp, args.reports)
    print(f"| store | transfers | entities | graph accounts | resident MiB |")
    print(f"|---|---|---|---|---|")
    print(f"| empty | 0 | {empty[1]:,} | {empty[2]:,} | {empty[0]:.0f} |")
    for rows, (rss, entities, accounts) in (t_small, t_big):
        print(f"| transfers | {rows:,} | {entities:,} | {accounts:,} | {rss:.0f} |")
    for n, (rss, entities, accounts) in (r_small, r_big):
        print(f"| {n:,} reports | 0 | {entities:,} | {accounts:,} | {rss:.0f} |")
    per_m_transfers = (t_big[1][0] - t_small[1][0]) / ((t_big[0] - t_small[0]) / 1e6)
    per_m_entities = (r_big[1][0] - r_small[1][0]) / ((r_big[1][1] - r_small[1][1]) / 1e6)
    print()
    print(f"Memory per million transfers (slope between the two sizes): {per_m_transfers:.0f} MiB "
          f"(graph accounts grow with them: {t_big[1][2]:,} at {t_big[0]:,} transfers)")
    print(f"Memory per million registry entities (reports with their identifiers, slope): {per_m_entities:.0f} MiB")


if __name__ == "__main__":
    main()
