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
5. The server pulls by itself: B keeps A's TAXII URL, collection and B's key at A with the
   partner (the key sealed, never shown again); `POST …/partners/TH-A/pull` from the start
   finds every object unchanged, a second one asks only for what was added since (nothing); a
   wrong key is refused and the failure recorded in the partner's pull state.
6. Scheduled pulls: B restarted with exchange.pull_seconds=1; an identifier A lists afterwards
   reaches B without anyone asking. B's data files never hold the key in clear.

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

            # 5. The server pulls with the partner's stored settings and credential.
            clear_collection = by_title.get("OpenCFR a-b-clear", "")
            settings = {"name": "centre A", "country": "TH", "taxii_url": a_url + "/taxii2/api1/",
                        "taxii_collection": clear_collection, "taxii_agreement": "b-a-clear"}
            saved = must(call(b_url, b_admin, "PUT", "/api/v1/exchange/partners/TH-A",
                              dict(settings, taxii_api_key=partner_key)), 200, "B keeps A's TAXII settings")
            shown = json.dumps(saved) + json.dumps(must(call(b_url, b_admin, "GET", "/api/v1/exchange/partners"),
                                                        200, "B lists partners"))
            if partner_key in shown or saved.get("taxii_api_key_set") is not True:
                failures.append(f"the stored TAXII key is shown or not kept: {saved}")
            # An update that names no key keeps it.
            must(call(b_url, b_admin, "PUT", "/api/v1/exchange/partners/TH-A", settings), 200, "B updates A")
            full = must(call(b_url, b_admin, "POST", "/api/v1/exchange/partners/TH-A/pull", {"from_start": True}),
                        200, "B's server pulls A from the start")
            print("B's server pulled A from the start:", full)
            if full.get("objects", 0) < len(shared) or full.get("unchanged") != full.get("objects"):
                failures.append(f"a server pull from the start should find every object unchanged: {full}")
            if not full.get("next_added_after"):
                failures.append(f"the pull did not learn where the next one starts: {full}")
            since = must(call(b_url, b_admin, "POST", "/api/v1/exchange/partners/TH-A/pull"), 200,
                         "B's server pulls A again")
            if since.get("added_after") != full.get("next_added_after") or since.get("objects") != 0:
                failures.append(f"the next pull should ask for what was added since, and get nothing: {since}")
            st, body = call(b_url, b_admin, "PUT", "/api/v1/exchange/partners/TH-A",
                            dict(settings, taxii_api_key="cfr_bogus_0123456789"))
            st, body = call(b_url, b_admin, "POST", "/api/v1/exchange/partners/TH-A/pull")
            state = must(call(b_url, b_admin, "GET", "/api/v1/exchange/partners/TH-A"), 200, "A at B")
            if st != 503 or "401" not in body or "401" not in json.dumps(state.get("pull", {}).get("last_error")):
                failures.append(f"a pull with a wrong key: HTTP {st} {body[:300]}; state {state.get('pull')}")
            must(call(b_url, b_admin, "PUT", "/api/v1/exchange/partners/TH-A",
                      dict(settings, taxii_api_key=partner_key)), 200, "B restores its key")

            # 6. Scheduled pulls: B restarted to pull every second; A lists a new identifier.
            b_proc.terminate()
            b_proc.wait(timeout=15)
            b_proc, b_port = start_server(cfr, b_dir, {"CFR_EXCHANGE_PULL_SECONDS": "1"})
            b_url = f"http://127.0.0.1:{b_port}"
            operator = must(call(a_url, a_admin, "POST", "/api/v1/admin/keys",
                                 {"role": "operator", "agency": "AOC", "name": "xchg-operator"}), 201, "A's operator")["token"]
            new_phone = "+66899990123"
            must(call(a_url, operator, "POST", f"/api/v1/entities/phone/{urllib.parse.quote(new_phone)}/listing",
                      {"tier": "dark_grey", "reason": "reported by three victims today"}), 200, "A lists a phone")
            deadline = time.time() + 15
            st = 0
            while st != 200 and time.time() < deadline:
                time.sleep(0.25)
                st, body = call(b_url, b_admin, "GET", f"/api/v1/entities/phone/{urllib.parse.quote(new_phone)}")
            if st != 200 or "xchg:TH-A:green" not in json.loads(body).get("sources", []):
                failures.append(f"a scheduled pull did not bring A's new phone: HTTP {st} {body[:300]}")
            else:
                state = must(call(b_url, b_admin, "GET", "/api/v1/exchange/partners/TH-A"), 200, "A at B")["pull"]
                print("a scheduled pull brought A's new phone; pull state:", {k: state.get(k) for k in
                      ("last_pull_at", "last_success_at", "next_added_after")})
        finally:
            for p in (a_proc, b_proc):
                p.terminate()
                p.wait(timeout=15)
        # The key B keeps for A's server is sealed: no file of B's holds it in clear.
        for root, _, files in os.walk(b_dir):
            for name in files:
                with open(os.path.join(root, name), "rb") as f:
                    if partner_key.encode() in f.read():
                        failures.append(f"B's {name} holds the partner's TAXII key in clear")
    for f in failures:
        print("FAIL " + f)
    print(f"exchange: {'ok' if not failures else str(len(failures)) + ' failures'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
