#!/usr/bin/env bash
# The message classifier against its baseline, the fastText command line (issue 8): both classify
# the same messages — both training sets' 5,987 SMS, their features made once by
# `cfr content features` — with the same model file (`cfr content train` writes fastText's
# format). `fasttext predict` reads the file and prints a label per line; OpenCFR's figure is
# BM_Classify / BM_ClassifyWithEvidence / BM_Analyze of src/content/content_benchmark (Google
# Benchmark, one thread, real time), run in the same invocation.
#   REPEAT (default 20): the features file is repeated so that `fasttext predict` runs long
#   enough to time (its model loading is timed apart and subtracted).
set -euo pipefail
cd "$(dirname "$0")/.."
REPEAT=${REPEAT:-20}
shared=${CFR_SHARED_DATA:-../shared/data}
[ -x build/release/cfr ] || scripts/build release cfr
[ -x build/release/src/content/content_benchmark ] || ninja -C build/release src/content/content_benchmark
command -v fasttext >/dev/null || { echo "content.sh: the fasttext command line is missing (apt-get install fasttext)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build/release/cfr content train --data "$shared/thai-sms/train.tsv" --data "$shared/uci-sms/train.tsv" \
  --out "$work/model.bin" >&2
build/release/cfr content features --data "$shared/thai-sms/train.tsv" --data "$shared/uci-sms/train.tsv" \
  | sed 's/^__label__[a-z]* //' > "$work/one.txt"
messages=$(wc -l < "$work/one.txt")
for _ in $(seq "$REPEAT"); do cat "$work/one.txt"; done > "$work/many.txt"
head -n 1 "$work/one.txt" > "$work/single.txt"
now() { date +%s.%N; }
t0=$(now); fasttext predict "$work/model.bin" "$work/single.txt" > /dev/null; t1=$(now)
fasttext predict "$work/model.bin" "$work/many.txt" > "$work/labels.txt"; t2=$(now)
python3 - "$t0" "$t1" "$t2" "$messages" "$REPEAT" <<'PY'
import sys
t0, t1, t2, n, r = map(float, sys.argv[1:])
load = t1 - t0
run = (t2 - t1) - load
print(f"fasttext predict (baseline): {int(n*r)} messages in {run:.2f} s after {load:.2f} s of loading: {n*r/run/1000:.1f} k messages/s")
PY
build/release/src/content/content_benchmark --benchmark_min_time=2 \
  --benchmark_filter='BM_Classify|BM_ClassifyWithEvidence|BM_Analyze|BM_Prepare'
