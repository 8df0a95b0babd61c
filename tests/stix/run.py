#!/usr/bin/env python3
"""Every STIX bundle OpenCFR exports validates against the official OASIS STIX 2.1 schemas.

Makes the demo data (`cfr demo`), starts `cfr serve` on it, creates a partner and agreements that
between them share every identifier kind and tier (clear and pseudonymised, each TLP level), saves
each agreement's bundle, and runs ajv (tests/stix/validate.mjs, `npm ci` first) over them and over
the OASIS examples. Also checks what the schemas cannot: every reference in a bundle resolves, and a
pseudonymised bundle holds no clear value of the registry.

Usage: tests/stix/run.py --cfr build/release/cfr [--schemas ../shared/data/stix2-schemas]
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def refs_of(obj):
    """Every *_ref and *_refs value of a STIX object (top level; ours use no nested refs)."""
    for k, v in obj.items():
        if k.endswith("_ref") and isinstance(v, str):
            yield v
        elif k.endswith("_refs") and isinstance(v, list):
            yield from (x for x in v if isinstance(x, str))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cfr", required=True)
    ap.add_argument("--schemas", default=os.path.join(ROOT, "..", "shared", "data", "stix2-schemas"))
    args = ap.parse_args()
    cfr = os.path.abspath(args.cfr)
    schemas = os.path.abspath(args.schemas)
    if not os.path.isdir(os.path.join(HERE, "node_modules", "ajv")):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=HERE, check=True)
    sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
    from run import api_call as call, start_server  # the e2e runner's: cfr serve on a free port

    failures = []
    with tempfile.TemporaryDirectory(prefix="cfr-stix-") as tmp:
        data = os.path.join(tmp, "data")
        subprocess.run([cfr, "demo", "--data", data], check=True, capture_output=True)
        made = subprocess.run([cfr, "admin", "create-key", "--data", data, "--role", "admin", "--name", "stix-test"],
                              check=True, capture_output=True, text=True)
        token = made.stdout.strip()
        proc, port = start_server(cfr, data)
        base = f"http://127.0.0.1:{port}"
        files = []
        try:
            st, body = call(base, token, "PUT", "/api/v1/exchange/partners/MM-CID",
                            {"name": "Myanmar Police CID (test)", "country": "MM"})
            if st != 200:
                raise SystemExit(f"creating the partner: {st} {body}")
            kinds = ["phone", "bank_account", "promptpay", "url", "domain", "email", "line_id", "social",
                     "crypto_wallet"]
            tiers = ["black", "dark_grey", "light_grey"]
            agreements = [("stix-clear", "green", False), ("stix-pseudo", "amber+strict", True),
                          ("stix-red", "red", False), ("stix-clear-tlp", "clear", False)]
            for aid, tlp, pseudo in agreements:
                st, body = call(base, token, "POST", "/api/v1/exchange/agreements",
                                {"id": aid, "partner": "MM-CID", "kinds": kinds, "tiers": tiers, "tlp": tlp,
                                 "pseudonymise": pseudo})
                if st != 201:
                    raise SystemExit(f"creating agreement {aid}: {st} {body}")
                key = json.loads(body)["key"]
                st, bundle_text = call(base, token, "GET", f"/api/v1/exchange/agreements/{aid}/bundle")
                if st != 200:
                    raise SystemExit(f"bundle of {aid}: {st} {bundle_text[:500]}")
                path = os.path.join(tmp, aid + ".json")
                with open(path, "w") as f:
                    f.write(bundle_text)
                files.append(path)
                bundle = json.loads(bundle_text)
                objects = bundle["objects"]
                ids = {o["id"] for o in objects}
                types = {}
                for o in objects:
                    types[o["type"]] = types.get(o["type"], 0) + 1
                    for ref in refs_of(o):
                        if ref not in ids:
                            failures.append(f"{aid}: {o['id']} refers to {ref}, which the bundle lacks")
                print(f"{aid}: {len(objects)} objects {dict(sorted(types.items()))}")
                if types.get("indicator", 0) < 10:
                    failures.append(f"{aid}: only {types.get('indicator', 0)} indicators from the demo data")
                ext = "extension-definition--91613b69-830b-4986-b01d-39c560ea3951"
                if pseudo:
                    # The partner's side: hash its own values the documented way and match.
                    k = bytes.fromhex(key)
                    for o in objects:
                        if o["type"] != "indicator":
                            continue
                        x = o["extensions"][ext]
                        if "value" in x:
                            failures.append(f"{aid}: {o['id']} carries a clear value")
                    st, sample = call(base, token, "GET", "/api/v1/exchange/agreements/stix-clear/bundle")
                    clear = [o for o in json.loads(sample)["objects"] if o["type"] == "indicator"]
                    hashed = {o["extensions"][ext]["pseudonym"] for o in objects if o["type"] == "indicator"}
                    matched = 0
                    for o in clear:
                        x = o["extensions"][ext]
                        msg = (x["identifier_kind"] + ":" + x["value"]).encode()
                        if hashlib.blake2b(msg, key=k, digest_size=32).hexdigest() in hashed:
                            matched += 1
                        if x["value"] in bundle_text:
                            failures.append(f"{aid}: the clear value {x['value']} appears in the bundle")
                    if matched != len(clear):
                        failures.append(f"{aid}: {matched} of {len(clear)} values match their pseudonyms")
                    else:
                        print(f"{aid}: all {matched} pseudonyms match Python's hashlib.blake2b of the clear values")
        finally:
            proc.terminate()
            proc.wait(timeout=15)
        examples = []
        for d, _, names in os.walk(os.path.join(schemas, "examples")):
            examples += [os.path.join(d, n) for n in names if n.endswith(".json")]
        r = subprocess.run(["node", os.path.join(HERE, "validate.mjs"), os.path.join(schemas, "schemas")] + files,
                           capture_output=True, text=True)
        print(r.stdout.strip())
        if r.returncode != 0:
            failures.append("exported bundles fail the OASIS schemas:\n" + r.stdout[-4000:] + r.stderr[-2000:])
        r = subprocess.run(["node", os.path.join(HERE, "validate.mjs"), os.path.join(schemas, "schemas")] + examples,
                           capture_output=True, text=True)
        if r.returncode != 0:
            failures.append("the validator rejects the OASIS examples:\n" + r.stdout[-2000:])
    for f in failures:
        print("FAIL " + f)
    print(f"stix: {'ok' if not failures else str(len(failures)) + ' failures'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
