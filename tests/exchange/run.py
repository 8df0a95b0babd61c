#!/usr/bin/env python3
"""Two OpenCFR centres exchange over TAXII 2.1 (issue 7): two real `cfr serve` processes on two
ports. Centre A holds the demo data; centre B starts empty.

1. A adds B as a partner with two agreements (clear / pseudonymised) and a partner key for B;
   B adds A with the matching agreements, the pseudonymised one under the key A made.
2. B pulls A's pseudonymised collection first: B holds none of the identifiers, so every
   pseudonym is kept; they equal pseudonyms computed here with Python's hashlib.
3. B pulls A's clear collection with `cfr exchange pull` (pages of 50): every indicator of A's
   collection becomes an entity at B with its provenance (source xchg:TH-A:green, a
   partner_intel history entry), and the kept pseudonyms match them as they appear (source
   xchg:TH-A:amber as well).
4. A pulled again changes nothing (every object unchanged).

Usage: tests/exchange/run.py --cfr build/release/cfr
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
EXT = "extension-definition--91613b69-830b-4986-b01d-39c560ea3951"
KINDS = ["phone", "bank_account", "promptpay", "url", "domain", "email", "line_id", "social", "crypto_wallet"]


def must(status_body, expected, what):
    st, body = status_body
    if st != expected:
        raise SystemExit(f"{what}: HTTP {st} {body[:500]}")
    return json.loads(body) if body else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cfr", required=True)
    args = ap.parse_args()
    cfr = os.path.abspath(args.cfr)
    sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
    from run import api_call as call, start_server

    failures = []
    with tempfile.TemporaryDirectory(prefix="cfr-xchg-") as tmp:
        a_dir, b_dir = os.path.join(tmp, "a"), os.path.join(tmp, "b")
        subprocess.run([cfr, "demo", "--data", a_dir], check=True, capture_output=True)

        def admin_key(d):
            return subprocess.run([cfr, "admin", "create-key", "--data", d, "--role", "admin", "--name", "xchg-test"],
                                  check=True, capture_output=True, text=True).stdout.strip()

        a_admin, b_admin = admin_key(a_dir), admin_key(b_dir)
        a_proc, a_port = start_server(cfr, a_dir)
        b_proc, b_port = start_server(cfr, b_dir)
        a_url, b_url = f"http://127.0.0.1:{a_port}", f"http://127.0.0.1:{b_port}"
        try:
            # 1. Partners, agreements, and the key A gives B.
            must(call(a_url, a_admin, "PUT", "/api/v1/exchange/partners/TH-B", {"name": "centre B", "country": "KH"}),
                 200, "A adds B")
            must(call(b_url, b_admin, "PUT", "/api/v1/exchange/partners/TH-A", {"name": "centre A", "country": "TH"}),
                 200, "B adds A")
            terms = {"partner": "TH-B", "kinds": KINDS, "tiers": ["black", "dark_grey", "light_grey"]}
            must(call(a_url, a_admin, "POST", "/api/v1/exchange/agreements",
                      dict(terms, id="a-b-clear", tlp="green")), 201, "A's clear agreement")
            pseudo = must(call(a_url, a_admin, "POST", "/api/v1/exchange/agreements",
                               dict(terms, id="a-b-pseudo", tlp="amber", pseudonymise=True)), 201, "A's pseudonymised agreement")
            key = pseudo["key"]
            b_terms = dict(terms, partner="TH-A")
            must(call(b_url, b_admin, "POST", "/api/v1/exchange/agreements",
                      dict(b_terms, id="b-a-clear", tlp="green")), 201, "B's clear agreement")
            must(call(b_url, b_admin, "POST", "/api/v1/exchange/agreements",
                      dict(b_terms, id="b-a-pseudo", tlp="amber", pseudonymise=True, key=key)), 201,
                 "B's pseudonymised agreement with A's key")
            partner_key = must(call(a_url, a_admin, "POST", "/api/v1/admin/keys",
                                    {"role": "partner", "agency": "TH-B", "name": "centre-b"}), 201, "B's key at A")["token"]
            collections = must(call(a_url, partner_key, "GET", "/taxii2/api1/collections/",
                                    accept="application/taxii+json;version=2.1"), 200, "B lists A's collections")
            by_title = {c["title"]: c["id"] for c in collections.get("collections", [])}
            if set(by_title) != {"OpenCFR a-b-clear", "OpenCFR a-b-pseudo"}:
                failures.append(f"B sees collections {sorted(by_title)}")

            def pull(collection, agreement):
                r = subprocess.run([cfr, "exchange", "pull", "--server", b_url, "--api-key", b_admin,
                                    "--from", a_url + "/taxii2/api1/", "--collection", collection,
                                    "--remote-api-key", partner_key, "--agreement", agreement, "--page", "50"],
                                   capture_output=True, text=True)
                if r.returncode != 0:
                    raise SystemExit(f"cfr exchange pull failed ({r.returncode}): {r.stderr}")
                return json.loads(r.stdout)

            # What A shares, in clear (its own bundle of the clear agreement).
            a_bundle = must(call(a_url, a_admin, "GET", "/api/v1/exchange/agreements/a-b-clear/bundle"), 200, "A's bundle")
            shared = [(o["extensions"][EXT]["identifier_kind"], o["extensions"][EXT]["value"])
                      for o in a_bundle["objects"] if o["type"] == "indicator"]
            print(f"A shares {len(shared)} identifiers")
            if len(shared) < 10:
                failures.append(f"A shares only {len(shared)} identifiers")

            # 2. B pulls the pseudonymised collection first: it holds none of A's identifiers yet,
            #    so every pseudonym is kept for later.
            hashed = pull(by_title.get("OpenCFR a-b-pseudo", ""), "b-a-pseudo")
            print("B pulled the pseudonymised collection:", hashed)
            if hashed.get("pseudonyms_unmatched") != len(shared) or hashed.get("pseudonyms_matched") != 0:
                failures.append(f"pseudonyms before B knows anything: {hashed.get('pseudonyms_matched')} matched, "
                                f"{hashed.get('pseudonyms_unmatched')} kept, of {len(shared)}")
            st, page = call(a_url, partner_key, "GET",
                            "/taxii2/api1/collections/" + by_title.get("OpenCFR a-b-pseudo", "") + "/objects/?limit=10000",
                            accept="application/taxii+json;version=2.1")
            theirs = {o["extensions"][EXT]["pseudonym"] for o in json.loads(page)["objects"] if o["type"] == "indicator"}
            ours = {hashlib.blake2b(f"{k}:{v}".encode(), key=bytes.fromhex(key), digest_size=32).hexdigest()
                    for k, v in shared}
            if theirs != ours:
                failures.append(f"hashlib's pseudonyms differ from A's: {len(theirs ^ ours)} differ")
            else:
                print(f"all {len(ours)} pseudonyms equal Python hashlib's")

            # 3. B pulls the clear collection: every identifier arrives with its provenance, and
            #    the kept pseudonyms match them as they appear (both sources on each).
            clear = pull(by_title.get("OpenCFR a-b-clear", ""), "b-a-clear")
            print("B pulled the clear collection:", clear)
            if clear.get("pages", 0) < 2:
                failures.append(f"the pull took {clear.get('pages')} pages; expected several of 50")

            def sources_at_b():
                found, both = 0, 0
                for kind, value in shared:
                    st, body = call(b_url, b_admin, "GET",
                                    f"/api/v1/entities/{kind}/{urllib.parse.quote(value, safe='')}")
                    if st != 200:
                        continue
                    found += 1
                    sources = json.loads(body).get("sources", [])
                    if "xchg:TH-A:green" in sources and "xchg:TH-A:amber" in sources:
                        both += 1
                return found, both

            deadline = time.time() + 10
            found, both = sources_at_b()
            while both < len(shared) and time.time() < deadline:
                time.sleep(0.2)  # the matcher follows the change sequence
                found, both = sources_at_b()
            print(f"B holds {found} of {len(shared)} identifiers; {both} matched their kept pseudonyms too")
            if found != len(shared):
                failures.append(f"{len(shared) - found} of {len(shared)} identifiers did not reach B")
            if both != len(shared):
                failures.append(f"only {both} of {len(shared)} kept pseudonyms matched later")
            kind, value = shared[0]
            history = must(call(b_url, b_admin, "GET",
                                f"/api/v1/entities/{kind}/{urllib.parse.quote(value, safe='')}/history"), 200, "history")
            events = history.get("items", history.get("events", []))
            if not any(e.get("action") == "partner_intel" for e in events):
                failures.append(f"no partner_intel entry in the history of {kind} {value}: {events}")

            # 4. Pulling again changes nothing.
            again = pull(by_title.get("OpenCFR a-b-clear", ""), "b-a-clear")
            if again.get("unchanged") != again.get("objects") or again.get("entities", 0) != 0:
                failures.append(f"a second pull changed something: {again}")
        finally:
            for p in (a_proc, b_proc):
                p.terminate()
                p.wait(timeout=15)
    for f in failures:
        print("FAIL " + f)
    print(f"exchange: {'ok' if not failures else str(len(failures)) + ' failures'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
