"""Shared pieces of the reliability suite: a server on either backend, keys, requests."""
import atexit
import http.client
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from run import api_call, start_server  # noqa: E402,F401


def new_database(server_url, name):
    """A fresh database on the PostgreSQL server (postgresql://user@host:port); its URL."""
    subprocess.run(["psql", server_url + "/postgres", "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
                   check=True, capture_output=True)
    subprocess.run(["psql", server_url + "/postgres", "-qc", f"CREATE DATABASE {name}"], check=True,
                   capture_output=True)
    return f"{server_url}/{name}"


def drop_database(server_url, name):
    subprocess.run(["psql", server_url + "/postgres", "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
                   capture_output=True)


STARTED = []  # every server process started, so that none outlives a failed test


@atexit.register
def _kill_leftovers():
    for proc in STARTED:
        if proc.poll() is None:
            proc.kill()


class Server:
    """One `cfr serve` on a data directory and, optionally, a PostgreSQL database."""

    def __init__(self, cfr, data_dir, store_url="", env=None, preexec_fn=None):
        self.cfr, self.data_dir, self.store_url = cfr, data_dir, store_url
        self.env = dict(env or {})
        if store_url:
            self.env["CFR_STORE_URL"] = store_url
        self.preexec_fn = preexec_fn
        self.proc = None
        self.port = 0

    def admin_key(self):
        argv = [self.cfr, "admin", "create-key", "--data", self.data_dir, "--role", "admin", "--name",
                f"reliability-{time.time_ns()}"]
        if self.store_url:
            argv += ["--store", self.store_url]
        p = subprocess.run(argv, capture_output=True, text=True)
        if p.returncode != 0:
            raise SystemExit(f"cfr admin create-key: {p.stderr}")
        return p.stdout.strip()

    def start(self):
        # The server's stderr goes to a file beside its data: a pipe nobody reads would fill.
        log = open(os.path.join(os.path.dirname(os.path.abspath(self.data_dir)), "server.log"), "a")
        self.proc, self.port = start_server(self.cfr, self.data_dir, self.env, self.preexec_fn, log,
                                            ready_seconds=60)
        STARTED.append(self.proc)
        return self

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()  # SIGKILL
            self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                return self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return "timeout"
        return self.proc.returncode if self.proc else None

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def key(self, admin, role, agency):
        st, body = api_call(self.base, admin, "POST", "/api/v1/admin/keys", {"role": role, "agency": agency})
        if st != 201:
            raise SystemExit(f"creating a {role} key: {st} {body}")
        return json.loads(body)["token"]


def call(base, token, method, path, body=None, content_type="application/json", timeout=30, headers=None):
    """One request; (status, text). Connection failures are (0, reason)."""
    host, port = base.replace("http://", "").split(":")
    h = {"Content-Type": content_type}
    if token:
        h["Authorization"] = "Bearer " + token
    h.update(headers or {})
    data = body if isinstance(body, (bytes, str)) or body is None else json.dumps(body)
    try:
        c = http.client.HTTPConnection(host, int(port), timeout=timeout)
        c.request(method, path, data, h)
        r = c.getresponse()
        text = r.read().decode("utf-8", "replace")
        c.close()
        return r.status, text
    except (OSError, http.client.HTTPException) as e:
        return 0, f"{type(e).__name__}: {e}"


class Results:
    def __init__(self, name):
        self.name, self.passed, self.failures = name, 0, []

    def check(self, ok, what):
        print(("ok   " if ok else "FAIL ") + what, flush=True)
        if ok:
            self.passed += 1
        else:
            self.failures.append(what)

    def finish(self):
        print(f"{self.name}: {self.passed} passed, {len(self.failures)} failed", flush=True)
        sys.exit(1 if self.failures else 0)
