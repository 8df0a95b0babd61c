#!/usr/bin/env python3
"""How much of AMLSim's labelled fraud a transfer-based detector can see at all.

Usage: bench/amlsim_ceiling.py DIR [DIR ...]   (DIR holds AMLSim's nodes.csv and transactions.csv)

For each file it counts the labelled accounts that take part in at least one laundering-sized
transfer (below the ordinary population's floor of THB 100 in these files), and the ordinary
accounts that do. If only those accounts can be told apart by their transfers, the best F1 at
precision 1 is 2r / (1 + r) with r their share of the labelled accounts. It then asks whether
the others could be found through their counterparties, giving the rule every neighbour's TRUE
label (an oracle no model has): flag the account-with-a-laundering-transfer set plus every other
account with at least k labelled counterparties making up at least a share s of its
counterparties; the best (k, s) is printed. This reads the labels on purpose: it measures the data,
not a model. docs/benchmarks.md ("Mule detection") quotes its output.
"""
import collections
import csv
import sys

SMALL = 100.0  # THB: no ordinary-to-ordinary transfer in the AMLSim samples is smaller


def f1(pred, positives):
    tp = len(pred & positives)
    if tp == 0:
        return 0.0, 0.0, 0.0
    p, r = tp / len(pred), tp / len(positives)
    return 2 * p * r / (p + r), p, r


def measure(folder):
    labels = {int(r["nodeid"]): r["isFraud"] == "1" for r in csv.DictReader(open(f"{folder}/nodes.csv"))}
    small, parties = set(), collections.defaultdict(set)
    for r in csv.DictReader(open(f"{folder}/transactions.csv")):
        s, t, v = int(r["sourceNodeId"]), int(r["targetNodeId"]), float(r["value"])
        parties[s].add(t)
        parties[t].add(s)
        if v < SMALL:
            small.update((s, t))
    fraud = {n for n, f in labels.items() if f}
    seen = small & fraud
    r = len(seen) / len(fraud)
    print(f"{folder}: {len(fraud)} labelled of {len(labels)} accounts")
    print(f"  labelled accounts with a transfer under THB {SMALL:.0f}: {len(seen)} ({r:.3f}); "
          f"ordinary accounts with one: {len(small - fraud)}")
    print(f"  F1 ceiling at precision 1 if only those are found: {2 * r / (1 + r):.3f}")
    best = (0.0, 0, 0.0, 0.0, 0.0)
    for k in range(1, 10):
        for share in (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
            pred = set(small)
            for n, ps in parties.items():
                hits = len(ps & fraud)
                if n not in small and hits >= k and hits / len(ps) >= share:
                    pred.add(n)
            f, p, rec = f1(pred, fraud)
            if f > best[0]:
                best = (f, k, share, p, rec)
    print(f"  with every counterparty's true label (oracle), best rule k={best[1]} share>={best[2]}: "
          f"F1 {best[0]:.3f} (precision {best[3]:.3f}, recall {best[4]:.3f})")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for d in sys.argv[1:]:
        measure(d)
