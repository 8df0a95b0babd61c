#!/usr/bin/env python3
"""Runs a Google Benchmark binary with repetitions and prints a Markdown table of the median
and the min-max range of items/s, for docs/benchmarks.md. This machine is a shared VM whose
speed drifts between runs, so single runs are not reported.

Usage: bench/micro_table.py BINARY [--repetitions N] [--filter REGEX] [--min-time S]
"""
import argparse
import json
import statistics
import subprocess
import sys


def fmt(v):
    return f"{v / 1e6:.2f} M/s" if v >= 1e6 else f"{v / 1e3:.1f} k/s"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--repetitions", type=int, default=10)
    ap.add_argument("--filter", default=".")
    ap.add_argument("--min-time", default="0.5")
    a = ap.parse_args()
    out = subprocess.run([a.binary, f"--benchmark_min_time={a.min_time}", f"--benchmark_repetitions={a.repetitions}",
                          f"--benchmark_filter={a.filter}", "--benchmark_format=json"],
                         capture_output=True, text=True, check=True).stdout
    d = json.loads(out)
    runs = {}
    for b in d["benchmarks"]:
        if b.get("run_type") == "iteration" and "items_per_second" in b:
            runs.setdefault(b["run_name"], []).append(b["items_per_second"])
    c = d["context"]
    print(f"<!-- {c['date']}, {c['num_cpus']} CPUs at {c['mhz_per_cpu']} MHz, {a.repetitions} repetitions -->")
    print("| benchmark | median | min – max |")
    print("|---|---|---|")
    for name, v in runs.items():
        print(f"| `{name}` | {fmt(statistics.median(v))} | {fmt(min(v))} – {fmt(max(v))} |")


if __name__ == "__main__":
    sys.exit(main())
