#!/usr/bin/env python3
"""Process-level crash-safety tests of the relay/core split (run by scripts/crash-tests.sh, i.e. by `make test`).

    crash_tests.py BIN [--only 1,2,3] [--relay-subcommand relay|serve] [--keep]

BIN is the hybridbot binary. Everything runs on 127.0.0.1 with free ports, in one temp dir that is removed at
exit (also on failure, Ctrl-C or SIGTERM); every process started here is killed by its own pid at exit.

  1. Relay kill -9: 1,000 distinct signed slash commands from 32 threads; the relay is SIGKILLed after ~300
     answers of 200. Right after the kill, every trigger_id answered 200 must already be in `deliveries`. A new
     relay on the same DB then gets every request that had no 200 plus a sample of those that had one (Slack's
     retries): all must be answered 200, each trigger_id stored exactly once, one `command` audit record per
     delivery, and `audit verify` must pass. No core runs.
  2. Core kill -9: relay + core A against a fake Kubernetes API that counts each scale PATCH and holds it
     PATCH_DELAY before answering; core A is SIGKILLed from inside the fake's handler while it holds a PATCH
     (so that command is certainly mid-action), then core B takes over. Each command has its own
     (deployment, replicas) pair and each core its own Kubernetes token, so every PATCH is attributed to one
     command and one core: no pair may be PATCHed twice, a command reported done has exactly one PATCH, one
     reported interrupted was PATCHed (if at all) only by the dead core, every command has one final reply
     (identical re-sends of a result are allowed after the crash), the held command is reported interrupted,
     the audit agrees (`result`/`interrupted` records, never both), claims match, `audit verify` passes.
  3. Two cores: relay + two cores share 300 commands: exactly one PATCH per command, one reply each, none
     reported interrupted, every delivery done, the same store and audit checks.

Only the Python 3 standard library. Exits 1 when any check fails. `--relay-subcommand serve` rehearses checks 1
and 2 on `hybridbot serve` (relay and core in one process: in check 2 the whole process is killed and restarted).
scripts/crash_tests_selftest.py shows each check failing against a deliberately broken stand-in.
"""
import argparse
import atexit
import hashlib
import hmac
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The `scale {deployment} {replicas}` command of plugins/high-response-time: 9 deployments x replicas 1..50.
DEPLOYMENTS = ["api-gateway", "ai-orchestrator", "earnings-analyzer", "sentiment-analyzer", "risk-analyzer",
               "risk-predictor", "guardrail-engine", "human-review-system", "feedback-processor"]
MAX_REPLICAS = 50
NAMESPACE = "hybrid-ai"
USER = "U01ALICE"      # an operator (permissions.yaml): may run `scale *`
CHANNEL = "C0LOCAL"    # a channel permissions.yaml allows commands in

# Tunables (environment, for experiments; the defaults are what `make test` runs).
SENDER_THREADS = int(os.environ.get("CRASH_SENDER_THREADS", "32"))
CHECK1_REQUESTS = int(os.environ.get("CRASH_CHECK1_REQUESTS", "1000"))
CHECK1_KILL_AFTER = int(os.environ.get("CRASH_CHECK1_KILL_AFTER", "300"))
CHECK1_RETRY_SAMPLE = int(os.environ.get("CRASH_CHECK1_RETRY_SAMPLE", "150"))
CHECK2_COMMANDS = int(os.environ.get("CRASH_CHECK2_COMMANDS", "200"))
CHECK2_KILL_AT_PATCH = int(os.environ.get("CRASH_CHECK2_KILL_AT_PATCH", "60"))
CHECK3_COMMANDS = int(os.environ.get("CRASH_CHECK3_COMMANDS", "300"))
PATCH_DELAY = float(os.environ.get("CRASH_PATCH_DELAY", "0.08"))
LEASE_SECONDS = os.environ.get("CRASH_LEASE_SECONDS", "3")
DONE_TIMEOUT = float(os.environ.get("CRASH_DONE_TIMEOUT", "45"))
LOG_LEVEL = os.environ.get("CRASH_LOG_LEVEL", "info")


# ---------------------------------------------------------------------------------------------------------------
# Reporting

class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail="", evidence=()):
        """One check: PASS/FAIL line, a short detail, and on failure up to 12 lines of evidence."""
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print(f"  {'PASS' if ok else 'FAIL'} {name}" + (f" ({detail})" if detail else ""), flush=True)
        if not ok:
            evidence = list(evidence)
            for line in evidence[:12]:
                print(f"       | {line}")
            if len(evidence) > 12:
                print(f"       | … {len(evidence) - 12} more")
        return ok

    def info(self, text):
        print(f"  info {text}", flush=True)


# ---------------------------------------------------------------------------------------------------------------
# Processes: every one started here is tracked and killed by pid at exit.

PROCS = []
WORK = {"dir": None, "keep": False}


class Proc:
    def __init__(self, name, argv, env, workdir):
        self.name = name
        self.log_path = os.path.join(workdir, f"{name}.log")
        self.log = open(self.log_path, "ab")
        self.p = subprocess.Popen(argv, env=env, cwd=workdir, stdin=subprocess.DEVNULL, stdout=self.log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        self.pid = self.p.pid
        PROCS.append(self)

    def alive(self):
        return self.p.poll() is None

    def kill9(self):
        """SIGKILL now, without waiting (safe to call from any thread)."""
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def wait(self, timeout=10):
        try:
            return self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout=10):
        """SIGTERM, then SIGKILL after `timeout`. Returns the exit status."""
        if self.alive():
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            if self.wait(timeout) is None:
                self.kill9()
                self.wait(5)
        return self.p.returncode

    def tail(self, n=15):
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
            return [f"{self.name}: {line}" for line in lines[-n:]]
        except OSError:
            return []


def cleanup():
    for proc in PROCS:
        if proc.alive():
            proc.kill9()
            proc.wait(5)
        try:
            proc.log.close()
        except Exception:
            pass
    if WORK["dir"] and os.path.isdir(WORK["dir"]):
        if WORK["keep"]:
            print(f"kept {WORK['dir']}")
        else:
            shutil.rmtree(WORK["dir"], ignore_errors=True)
        WORK["dir"] = None


def _on_signal(signum, _frame):
    print(f"crash tests: stopped by signal {signum}", flush=True)
    cleanup()
    os._exit(128 + signum)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(**extra):
    """A clean environment: nothing from the caller's (REDIS_URL, SLACK_BOT_TOKEN, HYBRIDBOT_INBOX…) leaks in."""
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ") if k in os.environ}
    env.update(HYBRIDBOT_PLUGINS=os.path.join(ROOT, "plugins"),
               HYBRIDBOT_PERMISSIONS=os.path.join(ROOT, "permissions.yaml"),
               LOG_LEVEL=LOG_LEVEL)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def http_get(port, path, headers=None, timeout=2.0):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def wait_ready(proc, port, timeout=30.0):
    """Until GET /readyz answers 200. Raises with the log tail when the process dies or never gets ready."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited with status {proc.p.returncode} before it was ready",
                               proc.tail())
        try:
            status, _ = http_get(port, "/readyz")
            if status == 200:
                return
            last = f"/readyz answered {status}"
        except OSError as e:
            last = str(e)
        time.sleep(0.05)
    raise RuntimeError(f"{proc.name} not ready on port {port} within {timeout:.0f} s ({last})", proc.tail())


# ---------------------------------------------------------------------------------------------------------------
# Slack requests

def sign(secret, timestamp, body):
    return "v0=" + hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()


def slash_body(trigger_id, text, response_url):
    """The form Slack posts (Sources/Slack/SlashCommand.swift, bench/gen_requests.py)."""
    return urllib.parse.urlencode({
        "token": "gIkuvaNzQIHg97ATvDxqgjtO", "team_id": "T0001", "team_domain": "example",
        "channel_id": CHANNEL, "channel_name": "local", "user_id": USER, "user_name": "alice",
        "command": "/hybrid", "text": text, "api_app_id": "A0CRASH", "is_enterprise_install": "false",
        "response_url": response_url, "trigger_id": trigger_id,
    })


class Command:
    def __init__(self, trigger_id, deployment, replicas, response_url):
        self.trigger_id = trigger_id
        self.deployment = deployment
        self.replicas = replicas
        self.text = f"scale {deployment} {replicas}"
        self.body = slash_body(trigger_id, self.text, response_url)


def make_commands(n, tag, platform_port, distinct_pairs):
    """n commands with distinct trigger_ids; with distinct_pairs each also has its own (deployment, replicas)."""
    run = "%08x" % random.getrandbits(32)
    pairs = [(d, r) for d in DEPLOYMENTS for r in range(1, MAX_REPLICAS + 1)]
    if distinct_pairs:
        if n > len(pairs):
            raise ValueError(f"at most {len(pairs)} commands with distinct (deployment, replicas)")
        random.shuffle(pairs)
    out = []
    for i in range(n):
        dep, rep = pairs[i % len(pairs)]
        trigger = f"{int(time.time())}.{i:05d}.{run}{tag}"
        out.append(Command(trigger, dep, rep, f"http://127.0.0.1:{platform_port}/reply/{trigger}"))
    return out


def send_all(port, commands, secret, threads=SENDER_THREADS, on_response=None, timeout=5.0, attempts=1, budget=30.0):
    """POSTs every command (signed at send time, keep-alive per thread). Returns {trigger_id: status or 'error: …'}.
    on_response(trigger_id, status) runs under a lock after each answer. attempts > 1: a connection error is
    retried (as Slack retries), after 0.2 s; an HTTP answer never is. Nothing is sent after `budget` seconds
    (a hung server must not hang the run): those commands get 'error: not sent'."""
    results = {None: 0}
    deadline = time.monotonic() + budget
    lock = threading.Lock()
    index = [0]

    def worker():
        conn = None
        while True:
            with lock:
                if index[0] >= len(commands):
                    break
                cmd = commands[index[0]]
                index[0] += 1
            status = "error: not sent (time budget spent)"
            for attempt in range(attempts):
                if time.monotonic() > deadline:
                    break
                if attempt:
                    time.sleep(0.2)
                    with lock:
                        results[None] += 1
                ts = str(int(time.time()))
                headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
                           "X-Slack-Signature": sign(secret, ts, cmd.body)}
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
                    conn.request("POST", "/slack/commands", body=cmd.body.encode(), headers=headers)
                    r = conn.getresponse()
                    r.read()
                    status = r.status
                    if r.will_close:
                        conn.close()
                        conn = None
                    break
                except (OSError, http.client.HTTPException) as e:
                    status = f"error: {type(e).__name__}"
                    if conn is not None:
                        conn.close()
                    conn = None
            with lock:
                results[cmd.trigger_id] = status
                if on_response:
                    on_response(cmd.trigger_id, status)
        if conn is not None:
            conn.close()

    workers = [threading.Thread(target=worker, daemon=True) for _ in range(max(1, min(threads, len(commands))))]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    retries = results.pop(None)
    if retries:
        print(f"  info {retries} connection error(s) retried", flush=True)
    return results


# ---------------------------------------------------------------------------------------------------------------
# The fake platform: Kubernetes API (scale), Prometheus (the runbook's `verify` query) and Slack's response_url.

class Platform:
    """Counts every scale PATCH (by deployment, replicas and which core's token sent it) and holds it
    `patch_delay` seconds before answering; collects every response_url post; records anything unexpected."""

    def __init__(self, tokens, patch_delay=PATCH_DELAY):
        self.tokens = dict(tokens)  # bearer token -> core label
        self.patch_delay = patch_delay
        self.lock = threading.Lock()
        self.patches = []      # dicts: deployment, replicas, core, seq, t
        self.replies = []      # (trigger_id, text)
        self.unexpected = []   # "METHOD path (reason)"
        self.on_patch = None   # called with the PATCH record, before the delay, outside the lock
        platform = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *args):
                pass

            def answer(self, code, obj):
                body = json.dumps(obj).encode()
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the caller was killed meanwhile

            def body(self):
                n = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(n) if n else b""

            def do_GET(self):
                self.route("GET", b"")

            def do_POST(self):
                self.route("POST", self.body())

            def do_PATCH(self):
                self.route("PATCH", self.body())

            def do_PUT(self):
                self.route("PUT", self.body())

            def do_DELETE(self):
                self.route("DELETE", self.body())

            def route(self, method, raw):
                url = urllib.parse.urlparse(self.path)
                path = url.path
                if path.startswith("/reply/") and method == "POST":
                    trigger = urllib.parse.unquote(path[len("/reply/"):])
                    try:
                        text = json.loads(raw or b"{}").get("text", "")
                    except ValueError:
                        text = raw.decode("utf-8", "replace")
                    with platform.lock:
                        platform.replies.append((trigger, text))
                    return self.answer(200, {"ok": True})
                if path == "/api/v1/query":
                    return self.answer(200, {"status": "success", "data": {"resultType": "vector", "result": [
                        {"metric": {}, "value": [time.time(), "0.2"]}]}})
                m = re.fullmatch(rf"/apis/apps/v1/namespaces/{NAMESPACE}/deployments/([a-z0-9.-]+)(/scale)?", path)
                if m:
                    token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                    core = platform.tokens.get(token)
                    if core is None:
                        with platform.lock:
                            platform.unexpected.append(f"{method} {path} (unknown bearer token)")
                        return self.answer(401, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                                 "reason": "Unauthorized", "message": "Unauthorized", "code": 401})
                    name = m.group(1)
                    if method == "PATCH" and m.group(2):
                        return self.scale(name, core, raw)
                    if method == "GET":
                        return self.answer(200, workload(name, 3))
                with platform.lock:
                    # The whole target, query included: a stray long-poll names its core and session there.
                    platform.unexpected.append(f"{method} {self.path}")
                return self.answer(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                         "reason": "NotFound", "message": f"{path} not found", "code": 404})

            def scale(self, name, core, raw):
                try:
                    replicas = int(json.loads(raw)["spec"]["replicas"])
                except (ValueError, KeyError, TypeError):
                    with platform.lock:
                        platform.unexpected.append(f"PATCH {name}/scale with body {raw[:80]!r}")
                    return self.answer(400, {"kind": "Status", "status": "Failure", "reason": "BadRequest",
                                             "message": "bad scale patch", "code": 400})
                with platform.lock:
                    record = {"deployment": name, "replicas": replicas, "core": core,
                              "seq": len(platform.patches) + 1, "t": time.monotonic()}
                    platform.patches.append(record)
                hook = platform.on_patch
                if hook:
                    hook(record)
                time.sleep(platform.patch_delay)
                self.answer(200, {"kind": "Scale", "apiVersion": "autoscaling/v1",
                                  "metadata": {"name": name, "namespace": NAMESPACE},
                                  "spec": {"replicas": replicas}, "status": {"replicas": 3}})

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def snapshot(self):
        with self.lock:
            return list(self.patches), list(self.replies), list(self.unexpected)


class QuietServer(ThreadingHTTPServer):
    """Threaded, with a backlog for bursts, and silent when a killed process leaves a connection reset."""
    daemon_threads = True
    request_queue_size = 256

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def workload(name, replicas):
    return {"kind": "Deployment", "apiVersion": "apps/v1",
            "metadata": {"name": name, "namespace": NAMESPACE, "generation": 1},
            "spec": {"replicas": replicas},
            "status": {"observedGeneration": 1, "replicas": replicas, "readyReplicas": replicas,
                       "availableReplicas": replicas, "updatedReplicas": replicas}}


# ---------------------------------------------------------------------------------------------------------------
# Reading the relay's SQLite database

def db_connect(path):
    """Read-only; a database left by a killed process whose WAL a read-only connection cannot open is opened
    read-write (as the next relay would: SQLite recovers the WAL, nothing else is written)."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return db
    except sqlite3.OperationalError:
        return sqlite3.connect(path, timeout=10)


def read_deliveries(path):
    """[(id, idempotency_key, state)] of every delivery."""
    with db_connect(path) as db:
        return db.execute("SELECT id, idempotency_key, state FROM deliveries ORDER BY id").fetchall()


def read_audit(path, kind):
    """[(id, trigger_id or None, detail dict, outcome)] of the audit records of `kind`."""
    with db_connect(path) as db:
        rows = db.execute("SELECT id, detail, outcome FROM audit WHERE kind = ? ORDER BY id", (kind,)).fetchall()
    out = []
    for rid, detail, outcome in rows:
        try:
            d = json.loads(detail)
        except (TypeError, ValueError):
            d = {}
        d = d if isinstance(d, dict) else {}
        out.append((rid, d.get("trigger_id"), d, outcome))
    return out


def count_not_done(path):
    with db_connect(path) as db:
        total, not_done = db.execute(
            "SELECT count(*), coalesce(sum(state != 'done'), 0) FROM deliveries").fetchone()
    return total, not_done


KEY_PREFIX = "slack.trigger:"


def check_store(report, db, sent, answered_200):
    """The delivery/audit invariants shared by every check.
    sent: every trigger_id sent; answered_200: those the relay ever answered 200."""
    deliveries = read_deliveries(db)
    keys = [k for _, k, _ in deliveries]
    by_key = {}
    for did, key, _ in deliveries:
        by_key.setdefault(key, []).append(did)
    stored = {k[len(KEY_PREFIX):] for k in keys if k.startswith(KEY_PREFIX)}
    twice = {k: ids for k, ids in by_key.items() if len(ids) > 1}
    missing = sorted(t for t in answered_200 if t not in stored)
    report.check("every trigger_id answered 200 is stored in deliveries", not missing,
                 f"{len(answered_200)} answered 200, {len(stored)} stored",
                 [f"answered 200 but not stored: {t}" for t in missing])
    report.check("no trigger_id is stored twice", not twice, f"{len(deliveries)} rows, {len(by_key)} distinct keys",
                 [f"{k} in deliveries {ids}" for k, ids in twice.items()])
    foreign = sorted(k for k in by_key if not k.startswith(KEY_PREFIX) or k[len(KEY_PREFIX):] not in sent)
    report.check("nothing is stored that was not sent, under the key slack.trigger:<trigger_id>", not foreign,
                 evidence=[f"unexpected key {k}" for k in foreign])

    audit = read_audit(db, "command")
    audit_by_trigger = {}
    for rid, trig, detail, _ in audit:
        audit_by_trigger.setdefault(trig, []).append((rid, detail))
    problems = []
    for trig, records in audit_by_trigger.items():
        if trig is None:
            problems.append(f"command audit record(s) {[r for r, _ in records]} carry no trigger_id")
        elif len(records) > 1:
            problems.append(f"{trig}: {len(records)} command audit records {[r for r, _ in records]}")
        elif trig not in stored:
            problems.append(f"{trig}: command audit record {records[0][0]} but no delivery")
        else:
            did = records[0][1].get("delivery_id")
            if did is not None and [did] != by_key.get(KEY_PREFIX + trig):
                problems.append(f"{trig}: audit says delivery {did}, deliveries say {by_key.get(KEY_PREFIX + trig)}")
    for trig in sorted(stored - set(audit_by_trigger)):
        problems.append(f"{trig}: stored delivery without a command audit record")
    report.check("one `command` audit record per stored delivery, and none without one", not problems,
                 f"{len(audit)} command records, {len(stored)} deliveries", problems)
    return stored


def check_audit_verify(report, binary, db):
    env = base_env(HYBRIDBOT_DB=db)
    try:
        out = subprocess.run([binary, "audit", "verify"], env=env, cwd=os.path.dirname(db), capture_output=True,
                             text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return report.check("`hybridbot audit verify` passes", False, "timed out after 60 s")
    text = (out.stdout + out.stderr).strip()
    with db_connect(db) as conn:
        records = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    m = re.search(r"ok: (\d+) records", text)
    ok = out.returncode == 0 and m is not None and int(m.group(1)) == records
    return report.check("`hybridbot audit verify` passes over the whole audit", ok,
                        f"exit {out.returncode}: {text.splitlines()[-1] if text else ''}; {records} rows in audit",
                        text.splitlines())


def wait_all_done(db, expected, timeout, procs):
    """Polls the relay DB until at least `expected` deliveries exist and all are done.
    Returns (ok, total, not_done, seconds)."""
    start = time.monotonic()
    total = not_done = None
    while time.monotonic() - start < timeout:
        try:
            total, not_done = count_not_done(db)
        except sqlite3.Error:
            pass
        if total is not None and total >= expected and not_done == 0:
            return True, total, not_done, time.monotonic() - start
        if any(not p.alive() for p in procs):
            break
        time.sleep(0.1)
    return False, total, not_done, time.monotonic() - start


# ---------------------------------------------------------------------------------------------------------------
# Starting the processes

SECRET = "crash-" + "%032x" % random.getrandbits(128)
RELAY_TOKEN = "relay-" + "%032x" % random.getrandbits(128)


def start_relay(binary, subcommand, name, workdir, db, extra_env=None):
    port = free_port()
    env = base_env(SLACK_SIGNING_SECRET=SECRET, HYBRIDBOT_RELAY_TOKEN=RELAY_TOKEN, HYBRIDBOT_LISTEN=f"127.0.0.1:{port}",
                   HYBRIDBOT_DB=db, HYBRIDBOT_LEASE_SECONDS=LEASE_SECONDS, **(extra_env or {}))
    proc = Proc(name, [binary, subcommand], env, workdir)
    wait_ready(proc, port)
    return proc, port


def core_env(platform, token):
    """What a core needs to run `scale` against the fake platform; SLACK_API_URL only to catch a stray call."""
    return dict(KUBERNETES_API_URL=platform.url(), KUBERNETES_TOKEN=token, KUBERNETES_NAMESPACE=NAMESPACE,
                PROMETHEUS_URL=platform.url(), SLACK_API_URL=platform.url() + "/slack-api")


def start_core(binary, name, workdir, relay_port, platform, token):
    env = base_env(HYBRIDBOT_RELAY_TOKEN=RELAY_TOKEN, HYBRIDBOT_LEASE_SECONDS=LEASE_SECONDS, **core_env(platform, token))
    return Proc(name, [binary, "core", "--relay", f"http://127.0.0.1:{relay_port}", "--name", name], env, workdir)


def new_dir(name):
    path = os.path.join(WORK["dir"], name)
    os.makedirs(path)
    return path


# ---------------------------------------------------------------------------------------------------------------
# Check 1: relay kill -9 during a burst

def check1(report, binary, subcommand):
    print(f"check 1: relay kill -9 during a burst of {CHECK1_REQUESTS} signed commands ({subcommand})", flush=True)
    work = new_dir("check1")
    db = os.path.join(work, "relay.sqlite")
    platform = Platform({})  # only collects response_url posts (serve runs the commands; a relay does not)
    try:
        relay, port = start_relay(binary, subcommand, "relay-1", work, db)
        commands = make_commands(CHECK1_REQUESTS, "c1", platform.port, distinct_pairs=False)
        state = {"ok": 0, "killed_at": None}

        def on_response(_trigger, status):
            if status == 200:
                state["ok"] += 1
                if state["ok"] == CHECK1_KILL_AFTER and state["killed_at"] is None:
                    relay.kill9()
                    state["killed_at"] = state["ok"]

        first = send_all(port, commands, SECRET, on_response=on_response)
        rc = relay.wait(10)
        ok_first = {t for t, s in first.items() if s == 200}
        not_ok = [c for c in commands if first.get(c.trigger_id) != 200]
        kinds = {}
        for s in first.values():
            kinds[s] = kinds.get(s, 0) + 1
        report.check("the relay died of the kill -9 mid-burst, with requests still unanswered",
                     state["killed_at"] is not None and rc == -signal.SIGKILL and 0 < len(not_ok) < len(commands),
                     f"killed after {state['killed_at']} answers of 200, exit {rc}; before the restart: "
                     + ", ".join(f"{v}x {k}" for k, v in sorted(kinds.items(), key=str)), relay.tail())

        # Before any retry can store them again: every 200 so far must already be on disk.
        stored_at_kill = {k[len(KEY_PREFIX):] for _, k, _ in read_deliveries(db)}
        lost = sorted(ok_first - stored_at_kill)
        report.check("every trigger_id answered 200 before the kill is in the DB right after it, before any retry",
                     not lost, f"{len(ok_first)} answered 200, {len(stored_at_kill)} stored",
                     [f"answered 200 but not stored: {t}" for t in lost])
        report.info(f"{len(stored_at_kill - ok_first)} request(s) without a 200 were stored before the kill "
                    "(their retries must be answered as duplicates)")
        relay2, port2 = start_relay(binary, subcommand, "relay-2", work, db)
        retried_ok = random.sample(sorted(ok_first), min(CHECK1_RETRY_SAMPLE, len(ok_first)))
        retry = not_ok + [c for c in commands if c.trigger_id in set(retried_ok)]
        second = send_all(port2, retry, SECRET, attempts=3)
        bad = [f"{t}: {s}" for t, s in second.items() if s != 200]
        report.check("the restarted relay answers 200 to every retry", not bad,
                     f"{len(not_ok)} never answered 200 + {len(retried_ok)} already answered 200 re-sent", bad)
        status = relay2.stop()
        report.info(f"relay-2 stopped with status {status}")

        answered = ok_first | {t for t, s in second.items() if s == 200}
        stored = check_store(report, db, {c.trigger_id for c in commands}, answered)
        report.check("all sent commands are stored after the retries", len(stored) == len(commands),
                     f"{len(stored)} of {len(commands)}")
        check_audit_verify(report, binary, db)
    finally:
        platform.close()


# ---------------------------------------------------------------------------------------------------------------
# Checks 2 and 3: executions against the fake platform

OK_REPLY = re.compile(r"Scaled deployment `([a-z0-9-]+)` in `[^`]*` to \*(\d+)\* replicas")


def classify(text):
    if "interrupted" in text.lower():
        return "interrupted"
    if OK_REPLY.search(text):
        return "ok"
    if "❌" in text or "failed" in text.lower():
        return "failed"
    return "other"


def check_executions(report, commands, patches, replies, unexpected, killed_core=None, db=None):
    """Per command: PATCHes of its own (deployment, replicas) pair and its replies. Returns the interrupted set."""
    by_pair = {(c.deployment, c.replicas): c for c in commands}
    by_trigger = {c.trigger_id: c for c in commands}
    patched = {}
    stray = []
    for p in patches:
        cmd = by_pair.get((p["deployment"], p["replicas"]))
        if cmd is None:
            stray.append(f"PATCH #{p['seq']} {p['deployment']} -> {p['replicas']} by {p['core']}: no such command")
        else:
            patched.setdefault(cmd.trigger_id, []).append(p)
    replied = {}
    for trig, text in replies:
        if trig not in by_trigger:
            stray.append(f"reply to unknown trigger {trig}: {text[:80]}")
        else:
            replied.setdefault(trig, []).append(text)

    twice = [f"{t} ({by_trigger[t].text}): PATCHed {len(ps)} times, by " + ", ".join(
        f"#{p['seq']} {p['core']}" for p in ps) for t, ps in patched.items() if len(ps) > 1]
    report.check("no command executed twice (no (deployment, replicas) pair PATCHed twice)", not twice,
                 f"{len(patches)} PATCHes for {len(commands)} commands", twice)
    report.check("every PATCH and every reply belongs to a command that was sent, nothing else was called",
                 not stray and not unexpected, evidence=stray + unexpected)

    final, resent, reply_problems = {}, 0, []
    for c in commands:
        texts = replied.get(c.trigger_id, [])
        kinds = [classify(t) for t in texts]
        finals = [t for t, k in zip(texts, kinds) if k in ("ok", "interrupted", "failed")]
        if not finals:
            reply_problems.append(f"{c.trigger_id} ({c.text}): no final reply; got {texts[:2]}")
            continue
        distinct = sorted(set(finals))
        if len(distinct) > 1:
            reply_problems.append(f"{c.trigger_id} ({c.text}): {len(distinct)} different final replies: "
                                  + " | ".join(t[:70] for t in distinct))
            continue
        if len(finals) > 1:
            resent += 1
        kind = classify(distinct[0])
        final[c.trigger_id] = kind
        m = OK_REPLY.search(distinct[0])
        if kind == "ok" and (m.group(1), int(m.group(2))) != (c.deployment, c.replicas):
            reply_problems.append(f"{c.trigger_id} ({c.text}) was answered about {m.group(1)} {m.group(2)}")
    counts = {k: list(final.values()).count(k) for k in ("ok", "interrupted", "failed")}
    if killed_core is None and resent:
        reply_problems.append(f"{resent} command(s) got their final reply more than once, with no crash")
    report.check("every command got one final reply (its own result, or 'interrupted')", not reply_problems,
                 f"{counts['ok']} ok, {counts['interrupted']} interrupted, {counts['failed']} failed"
                 + (f", {resent} identical re-sends after the crash" if resent else ""), reply_problems)
    failed = [f"{t} ({by_trigger[t].text}): {replied[t][0][:120]}" for t, k in final.items() if k == "failed"]
    report.check("no command failed (the fake Kubernetes API accepted every scale)", not failed, evidence=failed)

    consistency = []
    for c in commands:
        kind = final.get(c.trigger_id)
        ps = patched.get(c.trigger_id, [])
        if kind == "ok" and len(ps) != 1:
            consistency.append(f"{c.trigger_id} ({c.text}) reported done with {len(ps)} PATCHes")
        if kind == "interrupted":
            # Only the killed core may have sent it (before it died): a PATCH by any other core re-ran it.
            late = [p for p in ps if p["core"] != killed_core]
            if late:
                consistency.append(f"{c.trigger_id} ({c.text}) reported interrupted but PATCHed after the kill by "
                                   + ", ".join(p["core"] for p in late))
        if kind is None and ps:
            consistency.append(f"{c.trigger_id} ({c.text}) PATCHed without a final reply")
    interrupted_patched = sum(1 for c in commands if final.get(c.trigger_id) == "interrupted" and patched.get(c.trigger_id))
    expected = counts["ok"] + interrupted_patched
    report.check("PATCHes = commands done + interrupted commands whose PATCH the killed core had sent, <= commands",
                 not consistency and len(patches) == expected and len(patches) <= len(commands),
                 f"{len(patches)} PATCHes = {counts['ok']} done + {interrupted_patched} interrupted mid-PATCH",
                 consistency)

    if db is not None:
        results, interrupted_audit = {}, {}
        for rid, trig, _, outcome in read_audit(db, "result"):
            results.setdefault(trig, []).append((rid, outcome))
        for rid, trig, _, _ in read_audit(db, "interrupted"):
            interrupted_audit.setdefault(trig, []).append(rid)
        problems = [f"{c.trigger_id} ({c.text}) done, but its result audit records are {results.get(c.trigger_id)}"
                    for c in commands if final.get(c.trigger_id) == "ok" and
                    [o for _, o in results.get(c.trigger_id, [])] != ["ok"]]
        report.check("one `result` audit record (outcome ok) per command done", not problems,
                     f"{sum(len(v) for v in results.values())} result records", problems)
        replied_interrupted = {t for t, k in final.items() if k == "interrupted"}
        problems = [f"{t}: interrupted reply {t in replied_interrupted}, interrupted audit records "
                    f"{interrupted_audit.get(t, [])}" for t in sorted(replied_interrupted ^ set(interrupted_audit))]
        problems += [f"{t}: {len(v)} interrupted audit records {v}" for t, v in interrupted_audit.items() if len(v) > 1]
        report.check("one `interrupted` audit record per command reported interrupted, and no other", not problems,
                     f"{sum(len(v) for v in interrupted_audit.values())} interrupted records", problems)
        both = [f"{by_trigger[t].text if t in by_trigger else t}: result {results[t]}, interrupted {interrupted_audit[t]}"
                for t in sorted(set(results) & set(interrupted_audit))]
        report.check("no command has both a `result` and an `interrupted` audit record (the audit never contradicts "
                     "itself)", not both, evidence=both)
        with db_connect(db) as conn:
            has_table = conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'executions'").fetchone()[0]
            rows = conn.execute("SELECT key, state FROM executions").fetchall() if has_table else []
        if has_table:
            claims = {}
            for key, state in rows:
                claims.setdefault(key.removeprefix("slack.command:"), []).append(state)
            ended = {t for t, k in final.items() if k in ("ok", "interrupted")}
            problems = [f"{by_trigger[t].text}: PATCHed with no execution claim" for t in patched if t not in claims]
            problems += [f"{by_trigger[t].text}: final reply {final[t]}, but no execution claim"
                         for t in ended if t not in claims]
            problems += [f"{by_trigger[t].text if t in by_trigger else t}: claim {st} but no final reply"
                         for t, st in claims.items() if t not in ended]
            report.check("execution claims (table executions) = the commands that ended done or interrupted, and "
                         "every PATCHed command was claimed first", not problems,
                         f"{len(claims)} claims for {len(ended)} commands", problems)
        else:
            report.info("no `executions` table in the relay DB: claims not compared")
    # Every command with any 'interrupted' reply, also those whose replies contradict each other.
    said_interrupted = {t for t, texts in replied.items() if any(classify(x) == "interrupted" for x in texts)}
    return said_interrupted, patched


def check2(report, binary, subcommand):
    """subcommand `relay`: relay + core A, core A killed, core B takes over. `serve` (rehearsal): serve A is the
    relay and core A at once, killed; serve B on the same DB takes over."""
    serve = subcommand == "serve"
    print(f"check 2: {'serve' if serve else 'core'} kill -9 mid-action ({CHECK2_COMMANDS} scale commands, "
          f"PATCH held {PATCH_DELAY * 1000:.0f} ms)", flush=True)
    work = new_dir("check2")
    db = os.path.join(work, "relay.sqlite")
    platform = Platform({"token-core-a": "core-a", "token-core-b": "core-b"})
    try:
        if serve:
            relay, port = start_relay(binary, "serve", "serve-a", work, db, core_env(platform, "token-core-a"))
            core_a = relay
        else:
            relay, port = start_relay(binary, "relay", "relay", work, db)
            core_a = start_core(binary, "core-a", work, port, platform, "token-core-a")
        commands = make_commands(CHECK2_COMMANDS, "c2", platform.port, distinct_pairs=True)
        kill = {"record": None, "acked": False}
        kill_lock = threading.Lock()

        def on_patch(record):
            # The first PATCH from #KILL_AT on, once every command was acknowledged (serve takes commands in too).
            with kill_lock:
                if (kill["record"] is None and kill["acked"] and record["core"] == "core-a"
                        and record["seq"] >= CHECK2_KILL_AT_PATCH):
                    core_a.kill9()  # while this PATCH is held: its command is certainly mid-action
                    kill["record"] = record

        platform.on_patch = on_patch
        acks = send_all(port, commands, SECRET, attempts=3)
        with kill_lock:
            kill["acked"] = True
        bad = [f"{t}: {s}" for t, s in acks.items() if s != 200]
        report.check("the relay answered 200 to every command", not bad, f"{len(commands)} commands", bad)

        deadline = time.monotonic() + DONE_TIMEOUT
        while kill["record"] is None and core_a.alive() and time.monotonic() < deadline:
            try:
                total, not_done = count_not_done(db)
                if total >= len(commands) and not_done == 0:
                    break  # all done: the kill can no longer land
            except sqlite3.Error:
                pass
            time.sleep(0.05)
        rc = core_a.wait(10)
        patches_at_kill = len(platform.snapshot()[0])
        seq = kill["record"]["seq"] if kill["record"] else None
        report.check(f"{core_a.name} was killed by kill -9 while a scale PATCH was held",
                     seq is not None and rc == -signal.SIGKILL,
                     f"killed at PATCH #{seq}, exit {rc}, {patches_at_kill} PATCHes by then", core_a.tail())
        time.sleep(PATCH_DELAY + 0.2)  # PATCHes core A sent before it died reach the fake meanwhile

        if serve:
            core_b, port_b = start_relay(binary, "serve", "serve-b", work, db, core_env(platform, "token-core-b"))
            relay = core_b
        else:
            core_b = start_core(binary, "core-b", work, port, platform, "token-core-b")
        ok, total, not_done, secs = wait_all_done(db, sum(s == 200 for s in acks.values()), DONE_TIMEOUT,
                                                  [relay, core_b])
        report.check(f"every delivery is done after {core_b.name} took over", ok,
                     f"{total} deliveries, {not_done} not done after {secs:.1f} s", relay.tail() + core_b.tail())
        time.sleep(0.3)
        started = time.monotonic()
        status = core_b.stop()
        report.info(f"{core_b.name} stopped with status {status} after {time.monotonic() - started:.1f} s")
        relay.stop()
        patches, replies, unexpected = platform.snapshot()
        interrupted, _ = check_executions(report, commands, patches, replies, unexpected, killed_core="core-a", db=db)
        victim = kill["record"]
        victim_cmd = next((c for c in commands if victim and (c.deployment, c.replicas) ==
                           (victim["deployment"], victim["replicas"])), None)
        report.check("the command whose PATCH was held at the kill was reported interrupted",
                     victim_cmd is not None and victim_cmd.trigger_id in interrupted,
                     f"{victim_cmd.text if victim_cmd else '?'}; {len(interrupted)} interrupted in all")
        check_store(report, db, {c.trigger_id for c in commands}, {t for t, s in acks.items() if s == 200})
        check_audit_verify(report, binary, db)
    finally:
        platform.on_patch = None
        platform.close()


def check3(report, binary):
    print(f"check 3: two cores share {CHECK3_COMMANDS} scale commands", flush=True)
    work = new_dir("check3")
    db = os.path.join(work, "relay.sqlite")
    platform = Platform({"token-core-1": "core-1", "token-core-2": "core-2"})
    try:
        relay, port = start_relay(binary, "relay", "relay", work, db)
        cores = [start_core(binary, f"core-{i}", work, port, platform, f"token-core-{i}") for i in (1, 2)]
        commands = make_commands(CHECK3_COMMANDS, "c3", platform.port, distinct_pairs=True)
        acks = send_all(port, commands, SECRET, attempts=3)
        bad = [f"{t}: {s}" for t, s in acks.items() if s != 200]
        report.check("the relay answered 200 to every command", not bad, f"{len(commands)} commands", bad)
        ok, total, not_done, secs = wait_all_done(db, sum(s == 200 for s in acks.values()), DONE_TIMEOUT, [relay] + cores)
        report.check("every delivery is done", ok, f"{total} deliveries, {not_done} not done after {secs:.1f} s",
                     relay.tail() + cores[0].tail() + cores[1].tail())
        time.sleep(0.3)
        for c in cores:
            started = time.monotonic()
            status = c.stop()
            report.info(f"{c.name} stopped with status {status} after {time.monotonic() - started:.1f} s")
        relay.stop()
        patches, replies, unexpected = platform.snapshot()
        per_core = {c: sum(1 for p in patches if p["core"] == c) for c in ("core-1", "core-2")}
        interrupted, patched = check_executions(report, commands, patches, replies, unexpected, db=db)
        report.check("each command executed exactly once (one PATCH per command), none reported interrupted",
                     len(patches) == len(commands) and all(len(patched.get(c.trigger_id, [])) == 1 for c in commands)
                     and not interrupted,
                     f"{len(patches)} PATCHes ({per_core['core-1']} by core-1, {per_core['core-2']} by core-2), "
                     f"{len(interrupted)} interrupted",
                     [f"{c.trigger_id} ({c.text}): {len(patched.get(c.trigger_id, []))} PATCHes"
                      for c in commands if len(patched.get(c.trigger_id, [])) != 1] + sorted(interrupted))
        if min(per_core.values()) == 0:
            report.info("one core executed every command: the run did not exercise two cores competing")
        check_store(report, db, {c.trigger_id for c in commands}, {t for t, s in acks.items() if s == 200})
        check_audit_verify(report, binary, db)
    finally:
        platform.close()


# ---------------------------------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary")
    parser.add_argument("--only", default="1,2,3", help="comma-separated check numbers (default 1,2,3)")
    parser.add_argument("--relay-subcommand", default="relay",
                        help="`serve` rehearses checks 1 and 2 on `hybridbot serve` (relay and core in one process)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, databases)")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        print(f"crash tests: {binary} is not an executable", file=sys.stderr)
        return 2
    only = {int(x) for x in args.only.split(",") if x.strip()}

    WORK["dir"] = tempfile.mkdtemp(prefix="hybridbot-crash-")
    WORK["keep"] = args.keep
    atexit.register(cleanup)
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, _on_signal)

    seed = int(os.environ.get("CRASH_SEED") or random.randrange(1 << 31))
    random.seed(seed)
    print(f"seed {seed} (CRASH_SEED={seed} repeats the same commands)")
    report = Report()
    started = time.monotonic()
    checks = [(1, lambda: check1(report, binary, args.relay_subcommand)),
              (2, lambda: check2(report, binary, args.relay_subcommand)),
              (3, lambda: check3(report, binary))]
    for number, run in checks:
        if number not in only:
            continue
        if number == 3 and args.relay_subcommand != "relay":
            report.info("check 3 left out: two cores need `relay` and `core`")
            continue
        t0 = time.monotonic()
        try:
            run()
        except Exception as e:  # a check that could not run is a failure, with whatever explains it
            evidence = e.args[1] if len(e.args) > 1 and isinstance(e.args[1], list) else []
            report.check(f"check {number} ran to the end", False, f"{type(e).__name__}: {e.args[0] if e.args else e}",
                         evidence)
        finally:
            for proc in PROCS:
                if proc.alive():
                    proc.kill9()
                    proc.wait(5)
        report.info(f"check {number} took {time.monotonic() - t0:.1f} s")
    report.info(f"all checks took {time.monotonic() - started:.1f} s")
    print(f"crash: {report.passed} passed, {report.failed} failed")
    return 0 if report.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
