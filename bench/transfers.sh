#!/usr/bin/env bash
# Durable transfer ingest through the API vs. PostgreSQL COPY, same machine, same run, same rows.
#   ours:     `cfr import transfers FILE --server` against `cfr serve` on a new data directory
#             (batches of 20,000 over POST /api/v1/transfers; each batch durable before its answer),
#             then again with the server's store on the same PostgreSQL (--store);
#   baseline: `\copy` of the same CSV into a PostgreSQL 15 table with a primary key on
#             (bank, txn_id) and indexes on the accounts and time (fsync and synchronous_commit on).
# The rows come from `cfr gen transfers --format csv`. N (default 1,000,000) sets the size.
# Needs root the first time (apt-get postgresql) and runs PostgreSQL as the postgres user.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
[ -x build/release/cfr ] || scripts/build release cfr
if [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
work=$(mktemp -d)
chmod 755 "$work"
pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  su postgres -c "/usr/lib/postgresql/15/bin/pg_ctl -D $work/pg -m immediate stop" >/dev/null 2>&1 || true
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

days=3
build/release/cfr gen transfers --format csv --accounts $((N / 20 > 1000 ? N / 20 : 1000)) \
  --per-day $((N / days)) --days $days --scams 500 --out "$work/t.csv" --truth "$work/truth.ndjson" >&2
rows=$(($(wc -l < "$work/t.csv") - 1))
chmod 644 "$work/t.csv"

# Ours.
key=$(build/release/cfr admin create-key --data "$work/data" --role bank --agency KBANK --name bench)
build/release/cfr serve --data "$work/data" --listen "127.0.0.1:$port" --log-level warn > "$work/out" 2> "$work/err" &
pid=$!
until curl -sf "127.0.0.1:$port/readyz" >/dev/null; do sleep 0.1; done
start=$(date +%s.%N)
build/release/cfr import transfers "$work/t.csv" --bank KBANK --server "http://127.0.0.1:$port" --api-key "$key" \
  --batch 20000 >&2
ours=$(python3 -c "print($(date +%s.%N) - $start)")

# Baseline.
mkdir "$work/pg" "$work/sock" && chown postgres "$work/pg" "$work/sock"
su postgres -c "/usr/lib/postgresql/15/bin/initdb -D $work/pg -A trust" >/dev/null
su postgres -c "/usr/lib/postgresql/15/bin/pg_ctl -D $work/pg -o '-p $pgport -k $work/sock -c listen_addresses=' -l $work/pg/server.log start" >/dev/null
psql="psql -h $work/sock -p $pgport -U postgres -q -v ON_ERROR_STOP=1"
until $psql -c 'select 1' >/dev/null 2>&1; do sleep 0.2; done
$psql <<'SQL'
CREATE TABLE transfers (
  bank text NOT NULL DEFAULT '004', txn_id text NOT NULL, from_bank text, from_account text,
  to_bank text, to_account text, exit_type text, exit_detail text, amount_satang bigint NOT NULL,
  at bigint NOT NULL, channel text, PRIMARY KEY (bank, txn_id));
CREATE INDEX ON transfers (from_bank, from_account, at);
CREATE INDEX ON transfers (to_bank, to_account, at);
SQL
start=$(date +%s.%N)
$psql -c "\\copy transfers (txn_id, from_bank, from_account, to_bank, to_account, exit_type, exit_detail, amount_satang, at, channel) from '$work/t.csv' csv header"
pg=$(python3 -c "print($(date +%s.%N) - $start)")
loaded=$($psql -t -A -c 'select count(*) from transfers')

# Ours on PostgreSQL: the same import through a server whose store is this PostgreSQL (the rows
# written with one INSERT ... SELECT FROM unnest per group commit; the graph in memory).
kill "$pid" && wait "$pid" 2>/dev/null || true
$psql -c "CREATE DATABASE cfr"
pgurl="postgresql://postgres@127.0.0.1:$pgport/cfr?host=$work/sock"
key=$(build/release/cfr admin create-key --data "$work/data-pg" --store "$pgurl" --role bank --agency KBANK --name bench)
build/release/cfr serve --data "$work/data-pg" --store "$pgurl" \
  --listen "127.0.0.1:$port" --log-level warn > "$work/out-pg" 2> "$work/err-pg" &
pid=$!
until curl -sf "127.0.0.1:$port/readyz" >/dev/null; do sleep 0.1; done
start=$(date +%s.%N)
build/release/cfr import transfers "$work/t.csv" --bank KBANK --server "http://127.0.0.1:$port" --api-key "$key" \
  --batch 20000 >&2
ours_pg=$(python3 -c "print($(date +%s.%N) - $start)")

python3 - "$rows" "$ours" "$pg" "$loaded" "$ours_pg" <<'PY'
import sys
rows, ours, pg, loaded, ours_pg = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
print(f"| {rows:,} transfers | cfr import --server (API, durable per batch), embedded store | {ours:.1f} s | {rows/ours:,.0f} transfers/s |")
print(f"| {rows:,} transfers | the same, the server's store on PostgreSQL | {ours_pg:.1f} s | {rows/ours_pg:,.0f} transfers/s |")
print(f"| {loaded:,} rows | PostgreSQL 15 \\copy into an indexed table | {pg:.1f} s | {loaded/pg:,.0f} rows/s |")
print(f"| | ratio | | {(rows/ours)/(loaded/pg):.2f}x |")
PY
