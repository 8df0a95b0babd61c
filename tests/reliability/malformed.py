#!/usr/bin/env python3
"""Bad input: well over 1,000 malformed requests across every endpoint of the OpenAPI document.

Every answer must be a 4xx with a JSON error body — never a 5xx, never a success, never a
dropped connection — and the server must stay up and keep answering correctly. Path parameters
name real records (a case, an order, an appeal, a fact-check made first) so that a malformed body
reaches the body's parser rather than stopping at "not found".

Malformations: bodies (truncated, not an object, wrong types in every field, invalid UTF-8, NUL
bytes, 100,000-deep nesting, numbers out of range, 1 MiB strings, wrong media types, empty),
path parameters (garbage, percent-encoded NUL and invalid UTF-8, traversal, 4,000 bytes),
query parameters of the listings (limits out of range, garbage cursors, malformed
percent-encoding), credentials (malformed bearer tokens), and the HTTP protocol itself (bad
request lines, invalid or conflicting lengths, oversized headers, bad chunking), sent raw.

Usage: tests/reliability/malformed.py --cfr build/release/cfr [--store postgresql://user@host:port]
"""
import argparse
import json
import os
import re
import socket
import tempfile
import time

from common import Results, Server, call, drop_database, new_database

AGENCIES = {"operator": "AOC", "bank": "KBANK", "telco": "AIS", "platform": "LINE", "police": "RTP-CIB",
            "analyst": "AOC", "partner": "KH-NCC", "admin": "AOC"}


def wrong_types(schema, components, depth=0):
    """An object whose every property has the wrong JSON type (by the schema)."""
    if "$ref" in schema:
        schema = components[schema["$ref"].split("/")[-1]]
    props = schema.get("properties", {})
    out = {}
    for name, p in props.items():
        if "$ref" in p:
            p = components[p["$ref"].split("/")[-1]]
        t = p.get("type")
        if isinstance(t, list):
            t = next((x for x in t if x != "null"), None)
        out[name] = {"string": 12345, "integer": "not a number", "number": [1], "boolean": "yes",
                     "array": {"not": "an array"}, "object": "not an object"}.get(t, [[[]]])
    return out or {"unexpected": [[[]]]}


BODY_MALFORMATIONS = [
    ("truncated JSON", b'{"victim":{"name":"x"', "application/json"),
    ("a JSON array", b"[1,2,3]", "application/json"),
    ("a JSON string", b'"text"', "application/json"),
    ("JSON null", b"null", "application/json"),
    ("invalid UTF-8", b'{"reason":"\xff\xfe\xfd","name":"\xc3\x28"}', "application/json"),
    ("a NUL byte", b'{"reason":"a\x00b"}\x00', "application/json"),
    ("100,000-deep nesting", b"[" * 100000 + b"]" * 100000, "application/json"),
    ("numbers out of range", b'{"amount_satang":1e400,"limit":-99999999999999999999999,"tier":1e309}',
     "application/json"),
    ("a 1 MiB string in every field", None, "application/json"),
    ("trailing garbage", b'{"x":1} trailing', "application/json"),
    ("an empty body", b"", "application/json"),
    ("XML", b"<report><victim/></report>", "application/xml"),
    ("form encoding", b"victim=x&channel=y", "application/x-www-form-urlencoded"),
    ("binary noise", bytes(range(256)) * 8, "application/octet-stream"),
]

PATH_MALFORMATIONS = ["%00", "%ff%fe", "..%2f..%2fetc%2fpasswd", "A" * 4000, "'%20OR%201=1--", "%E0%B8", "%", "%zz"]

QUERY_MALFORMATIONS = ["limit=abc", "limit=-1", "limit=99999999999999999999999", "cursor=%ff%00garbage",
                       "cursor=" + "Z" * 3000, "limit=%", "limit=1&limit=2&limit=x"]

RAW_REQUESTS = [
    b"GET\r\n\r\n",
    b"GET /api/v1/cases\r\n\r\n",
    b"BREW /api/v1/cases HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /api/v1/cases HTTP/9.9\r\nHost: x\r\n\r\n",
    b"GET /api/v1/cases HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 70000 + b"\r\n\r\n",
    b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
    b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
    b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
    b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
    b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n{}",
    b"GET /%%%% HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /api/v1/cases HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n",
    b"GET /api/v1/cases HTTP/1.1\r\nHost: x\r\n\x00\x01\x02: \xff\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64,  # a TLS hello on the plain port
    b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /api/v1/cases HTTP/1.1\r\n" + b"X-H: y\r\n" * 5000 + b"\r\n",
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cfr", required=True)
    ap.add_argument("--store", default="")
    args = ap.parse_args()
    backend = "PostgreSQL" if args.store else "embedded"
    res = Results(f"malformed ({backend})")
    db = f"cfr_malformed_{os.getpid()}"
    store_url = new_database(args.store, db) if args.store else ""
    try:
        with tempfile.TemporaryDirectory(prefix="cfr-malformed-") as tmp:
            server = Server(os.path.abspath(args.cfr), os.path.join(tmp, "data"), store_url,
                            env={"CFR_AUTH_FAILURES_PER_MINUTE": "1000000"})
            admin = server.admin_key()
            server.start()
            keys = {role: server.key(admin, role, agency) for role, agency in AGENCIES.items()}
            keys["admin"] = admin
            ids = make_records(server, keys)
            st, body = call(server.base, None, "GET", "/api/v1/openapi.json")
            doc = json.loads(body)
            components = doc.get("components", {}).get("schemas", {})
            sent, bad = 0, []

            def expect_4xx(label, status, text):
                nonlocal sent
                sent += 1
                if not 400 <= status < 500:
                    bad.append(f"{label}: HTTP {status} {text[:160]!r}")
                    return
                try:
                    err = json.loads(text)["error"]
                    if not err.get("code"):
                        raise ValueError
                except (ValueError, KeyError, TypeError):
                    bad.append(f"{label}: HTTP {status} without a JSON error body: {text[:160]!r}")

            for path, item in sorted(doc["paths"].items()):
                for method, op in item.items():
                    roles = op.get("x-cfr-roles", [])
                    token = None if "public" in roles else keys["admin" if "admin" in roles else roles[0]]
                    real = fill(path, ids)
                    # Bodies.
                    if "requestBody" in op:
                        content = op["requestBody"].get("content", {})
                        schema = next(iter(content.values()), {}).get("schema", {})
                        typed = json.dumps(wrong_types(schema, components)).encode()
                        bodies = BODY_MALFORMATIONS + [("wrong types in every field", typed, "application/json")]
                        for label, raw, ctype in bodies:
                            if raw is None:
                                raw = json.dumps({k: "x" * (1 << 20) for k in wrong_types(schema, components)}).encode()
                            st, text = call(server.base, token, method.upper(), real, raw, content_type=ctype)
                            expect_4xx(f"{method.upper()} {path} with {label}", st, text)
                    # Path parameters.
                    for bad_value in PATH_MALFORMATIONS if "{" in path else []:
                        target = re.sub(r"\{[a-z_]+\}", bad_value, path)
                        body = b"{}" if "requestBody" in op else None
                        st, text = call(server.base, token, method.upper(), target, body)
                        expect_4xx(f"{method.upper()} {path} as {target[:60]}", st, text)
                    # Query parameters of the listings.
                    names = {p.get("name") for p in op.get("parameters", []) if isinstance(p, dict)}
                    if method == "get" and "limit" in names:
                        for q in QUERY_MALFORMATIONS:
                            st, text = call(server.base, token, "GET", real + "?" + q)
                            expect_4xx(f"GET {path}?{q[:40]}", st, text)
                    # Credentials.
                    if token is not None:
                        for label, auth in (("a bearer token of noise", "Bearer \x7f\x00garbage"),
                                            ("an empty bearer token", "Bearer "),
                                            ("a Basic credential", "Basic YWRtaW46YWRtaW4=")):
                            st, text = call(server.base, None, method.upper(), real,
                                            b"{}" if "requestBody" in op else None, headers={"Authorization": auth})
                            expect_4xx(f"{method.upper()} {path} with {label}", st, text)
            # The protocol itself, sent raw: an error status or a closed connection, never a crash.
            for raw in RAW_REQUESTS:
                sent += 1
                answer = send_raw(server.port, raw)
                status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0
                if status and not 400 <= status < 500:
                    bad.append(f"raw {raw[:50]!r}: {answer[:120]!r}")
                alive, _ = call(server.base, None, "GET", "/healthz")
                if alive != 200:
                    bad.append(f"raw {raw[:50]!r}: the server stopped answering")
                    break
            res.check(sent >= 1000 and not bad,
                      f"{sent} malformed requests across {sum(len(i) for i in doc['paths'].values())} operations: "
                      f"every one refused with a 4xx and a JSON error (or, for broken HTTP, a closed connection)"
                      + ("" if not bad else f"; {len(bad)} were not:\n      " + "\n      ".join(bad[:25])))
            st, _ = call(server.base, None, "GET", "/readyz")
            res.check(server.proc.poll() is None and st == 200, "the server is up and ready afterwards")
            # And it still works: the records made at the start read back as they were.
            st, body = call(server.base, keys["operator"], "GET", f"/api/v1/cases/{ids['case']}")
            res.check(st == 200 and json.loads(body).get("id") == ids["case"], "its data is intact")
            code = server.stop()
            res.check(code == 0, f"it stops cleanly (exit {code})")
    finally:
        if args.store:
            drop_database(args.store, db)
    res.finish()


def make_records(server, keys):
    """A case, its hold order, a listing with an appeal, a fact-check: real ids for the paths."""
    st, body = call(server.base, keys["operator"], "POST", "/api/v1/reports", {
        "victim": {"name": "Malformed Test", "phone": "081-999-0000", "province": "Bangkok", "age_band": "35-44"},
        "channel": "hotline", "scam_type": "call_centre_impersonation", "occurred_at": "2026-11-01T09:10:00+07:00",
        "narrative": "for the malformed-input test",
        "loss_transfers": [{"from": {"bank": "KBANK", "account": "123-4-56789-0"},
                            "to": {"bank": "BAY", "account": "555-1-23456-7"},
                            "amount_satang": 4500000, "at": "2026-11-01T09:31:00+07:00"}]})
    if st != 201:
        raise SystemExit(f"report: {st} {body}")
    report = json.loads(body)
    order = None
    for _ in range(100):
        st, body = call(server.base, keys["operator"], "GET", f"/api/v1/orders?case_id={report['case_id']}")
        items = json.loads(body).get("items", []) if st == 200 else []
        if items:
            order = items[0]["id"]
            break
        time.sleep(0.05)
    call(server.base, keys["police"], "POST", "/api/v1/entities/phone/0812223333/listing",
         {"tier": "black", "reason": "malformed-input test"})
    st, body = call(server.base, None, "POST", "/api/v1/appeals",
                    {"kind": "phone", "value": "0812223333", "reason": "not mine", "contact": "a@b.co"})
    appeal = json.loads(body).get("id", "APL-2026-000001") if st == 201 else "APL-2026-000001"
    st, body = call(server.base, keys["admin"], "POST", "/api/v1/factchecks",
                    {"claim": "a test claim", "verdict": "false", "source": "test", "date": "2026-11-01"})
    factcheck = json.loads(body).get("id", "x") if st == 201 else "x"
    return {"case": report["case_id"], "report": report["id"], "order": order or "ORD-2026-000001",
            "appeal": appeal, "factcheck": factcheck}


def fill(path, ids):
    """The path with its parameters naming real records."""
    def value(m):
        name = m.group(1)
        before = path[:m.start()]
        if name == "kind":
            return "phone"
        if name == "canonical":
            return "0812223333"
        if name == "account":
            return "025:5551234567"
        if name == "code":
            return "KBANK"
        if name == "hex":
            return "abcd"
        if name == "series":
            return "reports"
        if before.endswith("/orders/"):
            return ids["order"]
        if before.endswith("/cases/"):
            return ids["case"]
        if before.endswith("/reports/"):
            return ids["report"]
        if before.endswith("/appeals/"):
            return ids["appeal"]
        if before.endswith("/factchecks/"):
            return ids["factcheck"]
        if before.endswith("/partners/"):
            return "TH-TEST"
        return "x"
    return re.sub(r"\{([a-z_]+)\}", value, path)


def send_raw(port, raw):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        s.sendall(raw)
        s.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            try:
                c = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not c:
                break
            chunks.append(c)
        return b"".join(chunks)
    except (BrokenPipeError, ConnectionResetError):
        return b""
    finally:
        s.close()


if __name__ == "__main__":
    main()
