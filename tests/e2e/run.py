#!/usr/bin/env python3
"""Declarative end-to-end tests against a real `cfr serve` on a free port.

Two kinds of case files under cases/:

*.test — HTTP cases:
    === name of the case
    METHOD /target
    Header-Name: value          (optional request headers)
                                (blank line)
    request body                (optional, until the '---' line)
    --- STATUS
    > Header-Name: value        (optional expected response headers)
    expected JSON body          (optional; matched as a pattern, see below)

*.cli — command-line cases:
    === name
    $ cfr ARGS...               (shell-quoted; 'cfr' is replaced by the binary)
    < stdin line                (optional lines fed to stdin)
    exit N
    expected stdout lines       (exact; '<any>' matches a whole line)
    ~ text expected on stdout   (optional, substring; for long JSON lines)
    ! text expected on stderr   (optional, substring)
    In arguments, $SERVER is the server's URL, $DATA a scratch directory, $KEY the private
    screening key, $FIXTURES the directory tests/e2e/fixtures, $CFR the cfr binary and $MODEL
    the message classifier the server loads (trained from ../shared/data before it starts).

Captures: a line "@capture NAME path.to.field" after the expected body stores that field of the
response ("@capture NAME cookie:cfr_session": the value of a cookie the response sets);
"{{NAME}}" in later requests (target, headers, body) is replaced by it.
Times: "{{now}}", "{{now+1h}}", "{{now-3d}}" (s, m, h, d) are the time the case runs, in RFC 3339
UTC: cases about deadlines must not go stale as the calendar moves on.

API keys: "{{key ROLE AGENCY [NAME]}}" (in HTTP cases and CLI arguments) is replaced by the token
of an API key for that role at that agency (named NAME, which the server reports as the caller's
user), created through POST /api/v1/admin/keys with an administrator key that the runner makes
with `cfr admin create-key` before the server starts.

After the cases, the role matrix: every operation of the OpenAPI document is called by every role
that its x-cfr-roles leaves out, and by the public when it needs credentials, and must answer
401 (public) or 403 (any other role) with an error body and nothing else; a malformed and a
revoked key get 401 everywhere.

JSON patterns: an expected object matches when each of its keys is present with a matching
value (extra keys are allowed); arrays must have the same length and match element by element;
"<any>", "<string>", "<number>" and "<absent>" (key must be missing) are wildcards.

Usage: run.py --cfr build/release/cfr [--cases tests/e2e/cases]
Prints one line per case and "N passed, M failed"; exits 1 if any case failed.
"""
import argparse
import http.client
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time


def match(expected, actual, path="$"):
    """Returns None when `actual` matches the pattern `expected`, else a message."""
    if expected == "<any>":
        return None
    if expected == "<string>":
        return None if isinstance(actual, str) else f"{path}: expected a string, got {actual!r}"
    if expected == "<number>":
        ok = isinstance(actual, (int, float)) and not isinstance(actual, bool)
        return None if ok else f"{path}: expected a number, got {actual!r}"
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{path}: expected an object, got {actual!r}"
        for k, v in expected.items():
            if v == "<absent>":
                if k in actual:
                    return f"{path}.{k}: expected no such key, got {actual[k]!r}"
                continue
            if k not in actual:
                return f"{path}.{k}: missing"
            m = match(v, actual[k], f"{path}.{k}")
            if m:
                return m
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f"{path}: expected a list of {len(expected)}, got {actual!r}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            m = match(e, a, f"{path}[{i}]")
            if m:
                return m
        return None
    if type(expected) != type(actual) or expected != actual:
        return f"{path}: expected {expected!r}, got {actual!r}"
    return None


def parse_cases(path):
    cases = []
    current = None
    with open(path, encoding="utf-8") as f:
        for line in f.read().split("\n"):
            if line.startswith("=== "):
                current = {"name": line[4:].strip(), "lines": [], "file": os.path.basename(path)}
                cases.append(current)
            elif current is not None:
                current["lines"].append(line)
            elif line.strip() and not line.startswith("#"):
                raise SystemExit(f"{path}: text before the first '=== ' case: {line!r}")
    return cases


CAPTURES = {}
KEYS = {}  # (role, agency, name) -> token
ADMIN_TOKEN = ""
SERVER_PORT = 0


def request(method, target, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", SERVER_PORT, timeout=30)
    conn.request(method, target, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read().decode("utf-8", errors="replace")
    conn.close()
    return resp.status, data


def api_key(role, agency, name=""):
    k = (role, agency, name)
    if k not in KEYS:
        body = {"role": role, "agency": agency}
        if name:
            body["name"] = name
        status, data = request("POST", "/api/v1/admin/keys", json.dumps(body),
                               {"Authorization": "Bearer " + ADMIN_TOKEN, "Content-Type": "application/json"})
        if status != 201:
            raise RuntimeError(f"creating the key {k}: {status} {data[:300]}")
        KEYS[k] = json.loads(data)["token"]
    return KEYS[k]


def relative_time(m):
    """{{now}}, {{now+1h}}, {{now-3d}}: the test's time, as RFC 3339 UTC to the second."""
    import datetime
    sign, amount, unit = m.group(1), m.group(2), m.group(3)
    delta = datetime.timedelta(0)
    if amount:
        delta = datetime.timedelta(**{{"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[unit]: int(amount)})
        if sign == "-":
            delta = -delta
    t = datetime.datetime.now(datetime.timezone.utc) + delta
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def substitute(text):
    for name, value in CAPTURES.items():
        text = text.replace("{{" + name + "}}", str(value))
    text = re.sub(r"\{\{now(?:([+-])(\d+)([smhd]))?\}\}", relative_time, text)
    return re.sub(r"\{\{key ([a-z]+) ([A-Za-z0-9._-]+)(?: ([A-Za-z0-9._-]+))?\}\}",
                  lambda m: api_key(m.group(1), m.group(2), m.group(3) or ""), text)


def run_http_case(case, port):
    lines = [substitute(l) for l in case["lines"]]
    captures = [l.split()[1:3] for l in lines if l.startswith("@capture ")]
    lines = [l for l in lines if not l.startswith("@capture ")]
    while lines and not lines[0].strip():
        lines.pop(0)
    method, target = lines[0].split(" ", 1)
    i = 1
    headers = {}
    while i < len(lines) and lines[i].strip() and not lines[i].startswith("---"):
        name, value = lines[i].split(":", 1)
        headers[name.strip()] = value.strip()
        i += 1
    if i < len(lines) and not lines[i].strip():
        i += 1
    body_lines = []
    while i < len(lines) and not lines[i].startswith("--- "):
        body_lines.append(lines[i])
        i += 1
    if i == len(lines):
        return "no '--- STATUS' line"
    status = int(lines[i][4:].strip())
    i += 1
    expected_headers = {}
    while i < len(lines) and lines[i].startswith("> "):
        name, value = lines[i][2:].split(":", 1)
        expected_headers[name.strip().lower()] = value.strip()
        i += 1
    expected_body = "\n".join(lines[i:]).strip()
    body = "\n".join(body_lines).strip()
    if body.startswith("@repeat "):  # "@repeat N TEXT": a large body without a large file
        _, n, text = body.split(" ", 2)
        body = text * int(n)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, target, body=body.encode("utf-8") if body else None, headers=headers)
    resp = conn.getresponse()
    data = resp.read().decode("utf-8", errors="replace")
    conn.close()
    if resp.status != status:
        return f"status {resp.status}, expected {status}; body: {data[:400]}"
    for name, value in expected_headers.items():
        got = resp.getheader(name)
        if got != value:
            return f"header {name}: {got!r}, expected {value!r}"
    if expected_body:
        try:
            actual = json.loads(data)
        except ValueError:
            return f"response is not JSON: {data[:200]}"
        m = match(json.loads(expected_body), actual)
        if m:
            return m + f"\n      body: {data[:600]}"
    for name, path in captures:
        if path.startswith("cookie:"):  # a cookie the response sets
            wanted = path[len("cookie:"):]
            values = [v.split(";", 1)[0].split("=", 1)[1] for k, v in resp.getheaders()
                      if k.lower() == "set-cookie" and v.split("=", 1)[0] == wanted]
            if not values:
                return f"no Set-Cookie {wanted} to capture"
            CAPTURES[name] = values[0]
            continue
        value = json.loads(data)
        for part in path.split("."):
            value = value[int(part)] if isinstance(value, list) else value[part]
        CAPTURES[name] = value
    if status >= 400:
        # Every error has the documented shape.
        try:
            err = json.loads(data)["error"]
            assert isinstance(err["code"], str) and isinstance(err["message"], str)
        except Exception:
            return f"error response without the {{'error':{{code,message}}}} shape: {data[:200]}"
    return None


def run_cli_case(case, cfr, data_dir):
    lines = [l for l in case["lines"]]
    while lines and not lines[-1].strip():
        lines.pop()
    cmd_line = next(l for l in lines if l.startswith("$ "))
    argv = shlex.split(cmd_line[2:])
    if argv[0] == "cfr":
        argv[0] = cfr
    fixtures = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
    argv = [substitute(a).replace("$DATA", data_dir).replace("$SERVER", SERVER_URL).replace("$KEY", E2E_PRIVATE_KEY)
            .replace("$FIXTURES", fixtures).replace("$CFR", cfr).replace("$MODEL", CONTENT_MODEL) for a in argv]
    stdin = "".join(l[2:] + "\n" for l in lines if l.startswith("< "))
    exit_line = next(l for l in lines if l.startswith("exit "))
    want_exit = int(exit_line.split()[1])
    after = lines[lines.index(exit_line) + 1:]
    want_stdout = [l for l in after if not l.startswith("! ") and not l.startswith("~ ")]
    want_stderr = [l[2:] for l in after if l.startswith("! ")]
    want_in_stdout = [l[2:] for l in after if l.startswith("~ ")]  # substrings of stdout (long JSON)
    p = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=60)
    if p.returncode != want_exit:
        return f"exit {p.returncode}, expected {want_exit}; stderr: {p.stderr[:300]}"
    got = p.stdout.rstrip("\n").split("\n") if p.stdout.strip() else []
    if want_stdout != ["<any>"]:
        if len(got) != len(want_stdout) or any(w != "<any>" and w != g for w, g in zip(want_stdout, got)):
            return f"stdout:\n{p.stdout}\nexpected:\n" + "\n".join(want_stdout)
    for w in want_in_stdout:
        if w not in p.stdout:
            return f"stdout lacks {w!r}: {p.stdout[:600]}"
    for w in want_stderr:
        if w not in p.stderr:
            return f"stderr lacks {w!r}: {p.stderr[:300]}"
    if want_exit != 0 and not p.stderr.strip():
        return "non-zero exit without a message on stderr"
    return None


SERVER_URL = ""  # set once the server is up; "$SERVER" in CLI cases
CONTENT_MODEL = ""  # the message classifier the server loads; "$MODEL" in CLI cases
SHARED_DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "..",
                           "shared", "data")
E2E_PRIVATE_KEY = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"


def api_call(base, token, method, path, body=None, accept=None):
    """One request with a bearer key and a JSON body: (status, body text); for the other runners."""
    import urllib.error
    import urllib.request
    data = None if body is None else json.dumps(body).encode()
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    if accept:
        headers["Accept"] = accept
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


STORE_URL = ""  # --store: the server's PostgreSQL database; empty: the embedded store


def start_server(cfr, data_dir, extra_env=None, preexec_fn=None, log=None, ready_seconds=10):
    """`cfr serve` on a free port, ready; (process, port). `log`: a file for its stderr (long runs
    must not leave it in a pipe nobody reads); `preexec_fn` runs in the child (resource limits)."""
    env = dict(os.environ)
    env.update(extra_env or {})
    # A fixed private-screening key, so that cases can check hashes computed independently.
    env["CFR_SCREENING_PRIVATE_KEY"] = E2E_PRIVATE_KEY
    env["CFR_SCREENING_PUBLIC_CHECKS_BURST"] = "5"
    # Cases may act as clients behind a proxy (X-Forwarded-For), as behind nginx in production.
    env["CFR_SERVER_TRUSTED_PROXIES"] = "127.0.0.1"
    # The role matrix makes many refused calls from one address on purpose.
    env["CFR_AUTH_FAILURES_PER_MINUTE"] = "100000"
    argv = [cfr, "serve", "--data", data_dir, "--listen", "127.0.0.1:0", "--log-level", "warn"]
    if STORE_URL:
        argv += ["--store", STORE_URL]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log or subprocess.PIPE, text=True, env=env,
                            preexec_fn=preexec_fn)
    line = proc.stdout.readline()
    if "listening on http://127.0.0.1:" not in line:
        proc.kill()
        raise SystemExit(f"cfr serve did not start: {line!r} {proc.stderr.read() if log is None else ''}")
    port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
    deadline = time.time() + ready_seconds
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/readyz")
            if c.getresponse().status == 200:
                return proc, port
        except OSError:
            pass
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("cfr serve never became ready")


MATRIX_AGENCIES = {"operator": "AOC", "bank": "KBANK", "telco": "AIS", "platform": "LINE", "police": "RTP-CIB",
                   "analyst": "AOC", "partner": "KH-NCC", "admin": "AOC"}


def refused_cleanly(status, data, want):
    """None when (status, data) is the refusal `want` (401 or 403) with an error body only."""
    if status != want:
        return f"status {status}, expected {want}: {data[:200]}"
    try:
        body = json.loads(data)
    except ValueError:
        return f"not JSON: {data[:200]}"
    if set(body) != {"error"} or not set(body["error"]) <= {"code", "message", "field"}:
        return f"a refusal must carry the error and nothing else: {data[:300]}"
    return None


def role_matrix():
    """Yields (operation, error or None) for every operation of the OpenAPI document."""
    status, data = request("GET", "/api/v1/openapi.json")
    doc = json.loads(data)
    callers = {role: api_key(role, agency, "matrix-" + role) for role, agency in MATRIX_AGENCIES.items()}
    revoked = api_key("operator", "AOC", "matrix-revoked")
    status, data = request("GET", "/api/v1/admin/keys?agency=AOC", headers={"Authorization": "Bearer " + ADMIN_TOKEN})
    rid = next(k["id"] for k in json.loads(data)["items"] if k["name"] == "matrix-revoked")
    status, data = request("DELETE", "/api/v1/admin/keys/" + rid, headers={"Authorization": "Bearer " + ADMIN_TOKEN})
    if status != 200:
        yield "revoking a key", f"{status} {data[:200]}"
        return
    roles = ["public"] + list(MATRIX_AGENCIES)
    for path, item in sorted(doc["paths"].items()):
        target = re.sub(r"\{[a-z_]+\}", "x", path)
        for method, op in item.items():
            allowed = set(op["x-cfr-roles"])
            errors = []
            tried = 0
            for role in roles:
                if role in allowed:
                    continue
                headers = {"Content-Type": "application/json"}
                if role != "public":
                    headers["Authorization"] = "Bearer " + callers[role]
                body = "{}" if method in ("post", "put") else None
                st, data = request(method.upper(), target, body, headers)
                tried += 1
                err = refused_cleanly(st, data, 401 if role == "public" else 403)
                if err:
                    errors.append(f"{role}: {err}")
            for label, token in (("a malformed key", "cfr_not-a-key"), ("a revoked key", revoked)):
                st, data = request(method.upper(), target, "{}" if method in ("post", "put") else None,
                                   {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
                tried += 1
                err = refused_cleanly(st, data, 401)
                if err:
                    errors.append(f"{label}: {err}")
            yield f"{method.upper()} {path} ({tried} refused callers)", "; ".join(errors) or None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cfr", required=True)
    ap.add_argument("--store", default="",
                    help="run the server on this PostgreSQL database (postgresql://…) instead of the embedded store")
    ap.add_argument("--cases", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases"))
    args = ap.parse_args()
    cfr = os.path.abspath(args.cfr)
    global STORE_URL
    STORE_URL = args.store
    CAPTURES["store_kind"] = "postgresql" if STORE_URL else "sqlite"
    files = sorted(os.listdir(args.cases))
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="cfr-e2e-") as tmp:
        global SERVER_URL, SERVER_PORT, ADMIN_TOKEN
        made = subprocess.run([cfr, "admin", "create-key", "--data", os.path.join(tmp, "server"), "--role", "admin",
                               "--name", "e2e-admin"] + (["--store", STORE_URL] if STORE_URL else []),
                              capture_output=True, text=True)
        if made.returncode != 0 or not made.stdout.startswith("cfr_"):
            raise SystemExit(f"cfr admin create-key failed: {made.stderr}")
        ADMIN_TOKEN = made.stdout.strip()
        # The message classifier, trained as the README's first command trains it.
        global CONTENT_MODEL
        CONTENT_MODEL = os.path.join(tmp, "server", "content-model.bin")
        trained = subprocess.run([cfr, "content", "train", "--data", os.path.join(SHARED_DATA, "thai-sms", "train.tsv"),
                                  "--data", os.path.join(SHARED_DATA, "uci-sms", "train.tsv"), "--out", CONTENT_MODEL],
                                 capture_output=True, text=True)
        if trained.returncode != 0:
            raise SystemExit(f"cfr content train failed: {trained.stderr}")
        proc, port = start_server(cfr, os.path.join(tmp, "server"))
        SERVER_URL = f"http://127.0.0.1:{port}"
        SERVER_PORT = port
        try:
            for name in files:
                path = os.path.join(args.cases, name)
                if not (name.endswith(".test") or name.endswith(".cli")):
                    continue
                for case in parse_cases(path):
                    try:
                        if name.endswith(".test"):
                            err = run_http_case(case, port)
                        else:
                            err = run_cli_case(case, cfr, os.path.join(tmp, "cli"))
                    except Exception as e:  # a crash of the runner is a failed case, not a pass
                        err = f"{type(e).__name__}: {e}"
                    if err:
                        failed += 1
                        print(f"FAIL {case['file']}: {case['name']}\n      {err}")
                    else:
                        passed += 1
                        print(f"ok   {case['file']}: {case['name']}")
            for name, err in role_matrix():
                if err:
                    failed += 1
                    print(f"FAIL role matrix: {name}\n      {err}")
                else:
                    passed += 1
                    print(f"ok   role matrix: {name}")
            if proc.poll() is not None:
                failed += 1
                print(f"FAIL the server died during the run: {proc.stderr.read()[-2000:]}")
        finally:
            # Graceful shutdown is part of the contract: SIGTERM, exit 0.
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    code = proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    code = "timeout"
                if code != 0:
                    failed += 1
                    print(f"FAIL cfr serve exited with {code} after SIGTERM: {proc.stderr.read()[-2000:]}")
                else:
                    passed += 1
                    print("ok   shutdown: SIGTERM stops the server cleanly (exit 0)")
    print(f"e2e{' (PostgreSQL)' if STORE_URL else ''}: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
