#!/usr/bin/env python3
"""cfr backup / cfr restore, end to end (issue 10).

1. A data directory with the demo data; `cfr serve` runs on it and keeps taking reports while
   `cfr backup` copies it (the embedded store's snapshot is taken while the server holds it).
2. The backup is restored into a new data directory and into an empty PostgreSQL database; every
   record of the backup's database is found, byte for byte, in both (sqlite3 and psql read them).
3. A server started on each restored store answers with the demo data, decrypts a victim's
   personal data (the keyring came with the backup) and verifies the audit chain.
4. The PostgreSQL database is backed up in turn (while a server runs on it) and restored into a
   third, embedded store: the same records again.
5. A damaged backup (one byte changed) and a restore over an existing store are refused.

Usage: tests/backup/run.py --cfr build/release/cfr --store postgresql://user@host:port
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def sqlite_records(db):
    out = subprocess.run(["sqlite3", "-separator", "|", db,
                          "SELECT collection, hex(key), hex(value) FROM records WHERE value IS NOT NULL"],
                         capture_output=True, text=True, check=True).stdout
    return set(line for line in out.splitlines() if line)


def pg_records(url):
    out = subprocess.run(["psql", url, "-AtF|", "-c",
                          "SELECT collection, upper(encode(key, 'hex')), upper(encode(value, 'hex')) "
                          "FROM records WHERE value IS NOT NULL"],
                         capture_output=True, text=True, check=True).stdout
    return set(line for line in out.splitlines() if line)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cfr", required=True)
    ap.add_argument("--store", required=True, help="postgresql://user@host:port (no database)")
    args = ap.parse_args()
    cfr = os.path.abspath(args.cfr)
    sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
    from run import api_call as call, start_server

    failures, passed = [], 0

    def check(ok, what):
        nonlocal passed
        print(("ok   " if ok else "FAIL ") + what)
        if ok:
            passed += 1
        else:
            failures.append(what)

    def run(*argv, expect=0):
        p = subprocess.run([cfr, *argv], capture_output=True, text=True)
        if expect is not None and p.returncode != expect:
            raise SystemExit(f"cfr {' '.join(argv)} exited {p.returncode}: {p.stderr}")
        return p

    dbs = [f"cfr_restore_{os.getpid()}", f"cfr_restore_src_{os.getpid()}"]
    for db in dbs:
        subprocess.run(["psql", args.store + "/postgres", "-qc", f"CREATE DATABASE {db}"], check=True,
                       capture_output=True)
    pg_restored, pg_source = f"{args.store}/{dbs[0]}", f"{args.store}/{dbs[1]}"
    try:
        with tempfile.TemporaryDirectory(prefix="cfr-backup-") as tmp:
            src = os.path.join(tmp, "src")
            run("demo", "--data", src, "--reports", "300")
            admin = run("admin", "create-key", "--data", src, "--role", "admin", "--name", "backup-test").stdout.strip()
            proc, port = start_server(cfr, src)
            base = f"http://127.0.0.1:{port}"
            try:
                st, body = call(base, admin, "POST", "/api/v1/admin/keys", {"role": "operator", "agency": "AOC"})
                operator = json.loads(body)["token"]
                # Reports keep arriving while the backup runs.
                stop, filed = threading.Event(), []

                def file_reports():
                    i = 0
                    while not stop.is_set():
                        st, body = call(base, operator, "POST", "/api/v1/reports", {
                            "victim": {"name": f"Backup Victim {i}", "phone": f"081-333-{i:04d}",
                                       "province": "Bangkok", "age_band": "35-44"},
                            "channel": "hotline", "scam_type": "call_centre_impersonation",
                            "occurred_at": "2026-11-01T09:10:00+07:00", "narrative": "filed during the backup",
                            "loss_transfers": [{"from": {"bank": "KBANK", "account": f"123-4-{i:05d}-0"},
                                                "to": {"bank": "BAY", "account": "555-1-23456-7"},
                                                "amount_satang": 100000 + i, "at": "2026-11-01T09:31:00+07:00"}]})
                        filed.append(st)
                        i += 1

                writer = threading.Thread(target=file_reports)
                writer.start()
                backup = os.path.join(tmp, "backup")
                made = run("backup", "--data", src, "--out", backup, expect=None)
                stop.set()
                writer.join()
                check(made.returncode == 0, f"cfr backup while the server takes reports ({made.stdout.strip()}"
                                            f"{made.stderr.strip()}; {len(filed)} reports filed meanwhile)")
                check(all(s == 201 for s in filed), "every report filed during the backup was saved")
            finally:
                proc.terminate()
                proc.wait(timeout=15)

            manifest = json.load(open(os.path.join(backup, "manifest.json")))
            # A report the backup holds (the newest reports may have come after it).
            report_id = subprocess.run(["sqlite3", os.path.join(backup, "cfr.db"),
                                        "SELECT CAST(key AS TEXT) FROM records WHERE collection = 'report' "
                                        "AND value IS NOT NULL ORDER BY key LIMIT 1"],
                                       capture_output=True, text=True, check=True).stdout.strip()
            records = sqlite_records(os.path.join(backup, "cfr.db"))
            check(manifest["records"] == len(records) and len(records) > 1000,
                  f"the manifest counts the backup's records ({manifest['records']} = {len(records)})")
            check(set(manifest["files"]) >= {"cfr.db", "keyring", "mule-model.json"},
                  f"the backup holds the database, the keyring and the models ({sorted(manifest['files'])})")

            # Restore into a new embedded store and into an empty PostgreSQL database.
            emb = os.path.join(tmp, "restored")
            r1 = run("restore", "--from", backup, "--data", emb, expect=None)
            check(r1.returncode == 0, f"cfr restore into a new data directory ({r1.stdout.strip()}{r1.stderr.strip()})")
            check(sqlite_records(os.path.join(emb, "cfr.db")) == records,
                  "every record of the backup is in the restored embedded store")
            pgdir = os.path.join(tmp, "restored-pg")
            r2 = run("restore", "--from", backup, "--data", pgdir, "--store", pg_restored, expect=None)
            check(r2.returncode == 0, f"cfr restore into an empty PostgreSQL database ({r2.stdout.strip()}{r2.stderr.strip()})")
            check(pg_records(pg_restored) == records, "every record of the backup is in the restored PostgreSQL database")

            # Servers on the restored stores answer, decrypt and verify.
            for label, data, extra in (("embedded", emb, {}), ("PostgreSQL", pgdir, {"CFR_STORE_URL": pg_restored})):
                proc, port = start_server(cfr, data, extra)
                base = f"http://127.0.0.1:{port}"
                try:
                    st, body = call(base, admin, "POST", "/api/v1/admin/keys", {"role": "police", "agency": "RTP-CIB"})
                    police = json.loads(body)["token"] if st == 201 else ""
                    st, body = call(base, police, "GET", f"/api/v1/reports/{report_id}/victim")
                    check(st == 200 and bool(json.loads(body).get("name")),
                          f"{label}: a server on the restored store decrypts a victim's record (HTTP {st})")
                    st, body = call(base, admin, "GET", "/api/v1/audit/verify")
                    check(st == 200 and json.loads(body).get("intact") is True,
                          f"{label}: the restored audit chain verifies ({body[:120]})")
                finally:
                    proc.terminate()
                    proc.wait(timeout=15)

            # PostgreSQL as the source: backed up while a server runs on it, restored once more.
            run("restore", "--from", backup, "--data", os.path.join(tmp, "pgsrc"), "--store", pg_source)
            proc, port = start_server(cfr, os.path.join(tmp, "pgsrc"), {"CFR_STORE_URL": pg_source})
            try:
                pg_backup = os.path.join(tmp, "pg-backup")
                b2 = run("backup", "--data", os.path.join(tmp, "pgsrc"), "--store", pg_source, "--out", pg_backup,
                         expect=None)
                check(b2.returncode == 0, f"cfr backup of a PostgreSQL store a server runs on ({b2.stdout.strip()}{b2.stderr.strip()})")
            finally:
                proc.terminate()
                proc.wait(timeout=15)
            r3 = run("restore", "--from", pg_backup, "--data", os.path.join(tmp, "third"), expect=None)
            check(r3.returncode == 0, f"the backup taken while the server ran restores ({r3.stdout.strip()}{r3.stderr.strip()})")
            # Quiet now: a backup of the database holds exactly its records.
            quiet = os.path.join(tmp, "pg-backup-quiet")
            run("backup", "--data", os.path.join(tmp, "pgsrc"), "--store", pg_source, "--out", quiet)
            fourth = os.path.join(tmp, "fourth")
            run("restore", "--from", quiet, "--data", fourth)
            check(sqlite_records(os.path.join(fourth, "cfr.db")) == pg_records(pg_source),
                  "a PostgreSQL backup restores every record of the database")

            # Refusals.
            again = run("restore", "--from", backup, "--data", emb, expect=None)
            check(again.returncode != 0 and "already holds" in again.stderr,
                  f"a restore over an existing store is refused ({again.stderr.strip()})")
            with open(os.path.join(backup, "cfr.db"), "r+b") as f:
                f.seek(4096 + 100)
                byte = f.read(1)
                f.seek(4096 + 100)
                f.write(bytes([byte[0] ^ 0xFF]))
            damaged = run("restore", "--from", backup, "--data", os.path.join(tmp, "never"), expect=None)
            check(damaged.returncode != 0 and "damaged" in damaged.stderr and
                  not os.path.exists(os.path.join(tmp, "never", "cfr.db")),
                  f"a damaged backup is refused and nothing is restored ({damaged.stderr.strip()})")
    finally:
        for db in dbs:
            subprocess.run(["psql", args.store + "/postgres", "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"],
                           capture_output=True)
    print(f"backup: {passed} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
