#!/usr/bin/env python3
"""A stand-in for `hybridbot relay` / `hybridbot core`, ONLY to test scripts/crash_tests.py itself
(scripts/crash_tests_selftest.py): it lets the driver run end to end, and MOCK_BUG makes it misbehave in one
chosen way so that the check meant to catch that can be seen failing. Never used by `make test`.

    crash_tests_mock_bot.py relay | core --relay URL --name NAME | audit verify
`audit verify` is handed to the real binary (MOCK_REAL_BIN): the mock writes the real audit hash chain
(Sources/Store/Audit/AuditChain.swift), so the real verifier judges it.

MOCK_BUG (one of):
  ack-before-store   relay answers 200, stores 0.3 s later (lost when killed)
  no-dedupe          relay stores a retry again (no unique key)
  audit-skip         relay writes no `command` audit record for every 7th delivery
  audit-break        relay writes a wrong hash into every 50th audit record
  no-claim           core runs every delivery it gets, without an execution claim
  rerun-interrupted  relay answers `claimed` to a claim found started-but-unfinished (re-runs it)
  no-lease           relay hands out deliveries that another core holds
  lost-reply         core does not reply to every 25th command
  crossed-reply      core replies with the wrong replica count for every 30th command
  no-ack             core never acks every 20th command (it is leased again and again)
"""
import hashlib
import hmac
import json
import os
import re
import sqlite3
import sys
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BUG = os.environ.get("MOCK_BUG", "")
TOKEN = os.environ.get("HYBRIDBOT_RELAY_TOKEN", "")
LEASE = float(os.environ.get("HYBRIDBOT_LEASE_SECONDS", "30"))
GENESIS = "0" * 64


def now_text():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class Store:
    def __init__(self, path):
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.lock = threading.Lock()
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        unique = "" if BUG == "no-dedupe" else "UNIQUE"
        self.db.executescript(f"""
            CREATE TABLE IF NOT EXISTS deliveries (id INTEGER PRIMARY KEY, kind TEXT NOT NULL,
                idempotency_key TEXT NOT NULL {unique}, payload TEXT NOT NULL, received_at TEXT NOT NULL,
                state TEXT NOT NULL DEFAULT 'pending', done_at TEXT, lease_owner TEXT, lease_until REAL);
            CREATE TABLE IF NOT EXISTS executions (key TEXT PRIMARY KEY, delivery_id INTEGER, state TEXT NOT NULL,
                started_at TEXT NOT NULL, finished_at TEXT, result TEXT);
            CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY, at TEXT NOT NULL, kind TEXT NOT NULL, user TEXT,
                channel TEXT, command TEXT, outcome TEXT, detail TEXT NOT NULL, prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL);
        """)

    def append_audit(self, entry):
        """Inside the caller's transaction."""
        row = self.db.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
        rid, prev = (row[0] + 1, row[1]) if row else (1, GENESIS)
        at = now_text()
        content = {"id": rid, "at": at, "kind": entry["kind"], "user": entry.get("user"),
                   "channel": entry.get("channel"), "command": entry.get("command"), "outcome": entry.get("outcome"),
                   "detail": entry.get("detail", {}), "prev_hash": prev}
        digest = hashlib.sha256(canonical(content).encode()).hexdigest()
        if BUG == "audit-break" and rid % 50 == 0:
            digest = "f" * 64
        self.db.execute("INSERT INTO audit VALUES (?,?,?,?,?,?,?,?,?,?)",
                        (rid, at, entry["kind"], entry.get("user"), entry.get("channel"), entry.get("command"),
                         entry.get("outcome"), canonical(entry.get("detail", {})), prev, digest))

    def store(self, key, payload, audit):
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                if BUG != "no-dedupe":
                    row = self.db.execute("SELECT id FROM deliveries WHERE idempotency_key = ?", (key,)).fetchone()
                    if row:
                        self.db.execute("COMMIT")
                        return "duplicate"
                cur = self.db.execute("INSERT INTO deliveries (kind, idempotency_key, payload, received_at) "
                                      "VALUES ('slack.command', ?, ?, ?)", (key, payload, now_text()))
                audit["detail"]["delivery_id"] = cur.lastrowid
                if not (BUG == "audit-skip" and cur.lastrowid % 7 == 0):
                    self.append_audit(audit)
                self.db.execute("COMMIT")
                return "stored"
            except Exception:
                self.db.execute("ROLLBACK")
                raise

    def lease(self, owner, limit=16):
        with self.lock:
            t = time.time()
            if BUG == "no-lease":
                rows = self.db.execute("SELECT id, payload FROM deliveries WHERE state = 'pending' AND "
                                       "(lease_owner IS NULL OR lease_owner != ? OR lease_until < ?) ORDER BY id LIMIT ?",
                                       (owner, t, limit)).fetchall()
            else:
                rows = self.db.execute("SELECT id, payload FROM deliveries WHERE state = 'pending' AND "
                                       "(lease_until IS NULL OR lease_until < ?) ORDER BY id LIMIT ?",
                                       (t, limit)).fetchall()
            for rid, _ in rows:
                self.db.execute("UPDATE deliveries SET lease_owner = ?, lease_until = ? WHERE id = ?",
                                (owner, t + LEASE, rid))
            return [{"id": rid, "payload": p} for rid, p in rows]

    def ack(self, rid):
        with self.lock:
            self.db.execute("UPDATE deliveries SET state = 'done', done_at = ? WHERE id = ?", (now_text(), rid))

    def claim(self, key, delivery_id):
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            row = self.db.execute("SELECT state, started_at, result FROM executions WHERE key = ?", (key,)).fetchone()
            if row is None or (BUG == "rerun-interrupted" and row[0] != "finished"):
                self.db.execute("INSERT OR REPLACE INTO executions (key, delivery_id, state, started_at) "
                                "VALUES (?, ?, 'started', ?)", (key, delivery_id, now_text()))
                answer = {"claim": "claimed"}
            elif row[0] == "finished":
                answer = {"claim": "finished", "result": row[2]}
            else:
                self.db.execute("UPDATE executions SET state = 'interrupted' WHERE key = ?", (key,))
                answer = {"claim": "interrupted", "started_at": row[1]}
            self.db.execute("COMMIT")
            return answer

    def finish(self, key, result, audit):
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("UPDATE executions SET state = 'finished', finished_at = ?, result = ? "
                            "WHERE key = ? AND state = 'started'", (now_text(), result, key))
            self.append_audit(audit)
            self.db.execute("COMMIT")

    def audit(self, entry):
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            self.append_audit(entry)
            self.db.execute("COMMIT")


def relay():
    secret = os.environ["SLACK_SIGNING_SECRET"].encode()
    host, port = os.environ["HYBRIDBOT_LISTEN"].rsplit(":", 1)
    store = Store(os.environ["HYBRIDBOT_DB"])

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass

        def answer(self, code, obj):
            body = json.dumps(obj).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()

        def read(self):
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def authorized(self):
            return self.headers.get("Authorization") == f"Bearer {TOKEN}"

        def do_GET(self):
            url = urllib.parse.urlparse(self.path)
            q = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query).items()}
            if url.path == "/readyz":
                return self.answer(200, {"ready": True})
            if url.path == "/relay/v1/events":
                if not self.authorized():
                    return self.answer(401, {"error": "unauthorized"})
                deadline = time.time() + float(q.get("wait", "10"))
                while True:
                    events = store.lease(q.get("owner", "?"), int(q.get("limit", "16")))
                    if events or time.time() >= deadline:
                        return self.answer(200, {"events": events})
                    time.sleep(0.05)
            self.answer(404, {})

        def do_POST(self):
            raw = self.read()
            path = urllib.parse.urlparse(self.path).path
            if path == "/slack/commands":
                ts = self.headers.get("X-Slack-Request-Timestamp", "")
                sig = self.headers.get("X-Slack-Signature", "")
                want = "v0=" + hmac.new(secret, b"v0:" + ts.encode() + b":" + raw, hashlib.sha256).hexdigest()
                if not hmac.compare_digest(want, sig) or abs(time.time() - int(ts or 0)) > 300:
                    return self.answer(401, {"error": "bad signature"})
                f = {k: v[-1] for k, v in urllib.parse.parse_qs(raw.decode()).items()}
                payload = json.dumps({k: f.get(k) for k in ("trigger_id", "text", "response_url", "user_id",
                                                            "channel_id", "command")})
                audit = {"kind": "command", "user": f["user_id"], "channel": f["channel_id"],
                         "command": f"{f['command']} {f['text']}", "outcome": "received",
                         "detail": {"trigger_id": f["trigger_id"]}}
                key = "slack.trigger:" + f["trigger_id"]
                if BUG == "ack-before-store":
                    self.answer(200, {"text": "Working on it"})
                    time.sleep(0.3)
                    store.store(key, payload, audit)
                    return
                result = store.store(key, payload, audit)
                return self.answer(200, {"text": "Working on it" if result == "stored" else "Already received"})
            if not self.authorized():
                return self.answer(401, {"error": "unauthorized"})
            m = re.fullmatch(r"/relay/v1/events/(\d+)/ack", path)
            if m:
                store.ack(int(m.group(1)))
                return self.answer(200, {"ok": True})
            body = json.loads(raw or b"{}")
            if path == "/mock/claim":
                return self.answer(200, store.claim(body["key"], body["delivery_id"]))
            if path == "/mock/finish":
                store.finish(body["key"], body["result"], body["audit"])
                return self.answer(200, {"ok": True})
            if path == "/mock/audit":
                store.audit(body["audit"])
                return self.answer(200, {"ok": True})
            self.answer(404, {})

    ThreadingHTTPServer.request_queue_size = 256  # the default backlog of 5 resets a burst of 32 connections
    server = ThreadingHTTPServer((host, int(port)), Handler)
    server.daemon_threads = True
    server.serve_forever()


def core(argv):
    relay_url = argv[argv.index("--relay") + 1]
    name = argv[argv.index("--name") + 1] if "--name" in argv else "core"
    kube = os.environ["KUBERNETES_API_URL"]
    kube_token = os.environ["KUBERNETES_TOKEN"]
    namespace = os.environ.get("KUBERNETES_NAMESPACE", "hybrid-ai")
    count = [0]
    count_lock = threading.Lock()

    def call(method, url, body=None, token=TOKEN):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method=method, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read() or b"{}")

    def reply(url, text):
        call("POST", url, {"text": text, "response_type": "in_channel"})

    def process(event):
        cmd = json.loads(event["payload"])
        with count_lock:
            count[0] += 1
            n = count[0]
        dep, replicas = re.fullmatch(r"scale (\S+) (\d+)", cmd["text"]).groups()
        key = "slack.command:" + cmd["trigger_id"]
        shown = f"/hybrid {cmd['text']}"
        base = {"user": cmd["user_id"], "channel": cmd["channel_id"], "command": shown,
                "detail": {"trigger_id": cmd["trigger_id"]}}
        claim = {"claim": "claimed"} if BUG == "no-claim" else call(
            "POST", relay_url + "/mock/claim", {"key": key, "delivery_id": event["id"]})
        if claim["claim"] == "claimed":
            call("PATCH", f"{kube}/apis/apps/v1/namespaces/{namespace}/deployments/{dep}/scale",
                 {"spec": {"replicas": int(replicas)}}, token=kube_token)
            shown_replicas = int(replicas) + 1 if BUG == "crossed-reply" and n % 30 == 0 else replicas
            text = (f"<@{cmd['user_id']}> ran `{shown}`\n✅ Scaled deployment `{dep}` in `{namespace}` to "
                    f"*{shown_replicas}* replicas (3 running before the change).")
            call("POST", relay_url + "/mock/finish",
                 {"key": key, "result": text, "audit": dict(base, kind="result", outcome="ok")})
        elif claim["claim"] == "finished":
            text = claim["result"]
        else:
            call("POST", relay_url + "/mock/audit", {"audit": dict(base, kind="interrupted", outcome="interrupted")})
            text = f"⚠️ `{cmd['text']}` was interrupted: the bot stopped while running it."
        if not (BUG == "lost-reply" and n % 25 == 0):
            reply(cmd["response_url"], text)
        if not (BUG == "no-ack" and event["id"] % 20 == 0):
            call("POST", f"{relay_url}/relay/v1/events/{event['id']}/ack", {})

    pool = ThreadPoolExecutor(16)
    slots = threading.Semaphore(16)

    def run(event):
        try:
            process(event)
        finally:
            slots.release()

    while True:
        free = 0
        while slots.acquire(blocking=False):
            free += 1
        if free == 0:
            slots.acquire()
            free = 1
        try:
            events = call("GET", f"{relay_url}/relay/v1/events?wait=2&limit={free}&owner={urllib.parse.quote(name)}")["events"]
        except OSError:
            events = []
            time.sleep(0.2)
        for event in events:
            pool.submit(run, event)
        for _ in range(free - len(events)):
            slots.release()


def main():
    args = sys.argv[1:]
    if args[:1] == ["relay"]:
        relay()
    elif args[:1] == ["core"]:
        core(args)
    elif args[:1] == ["audit"]:
        os.execv(os.environ["MOCK_REAL_BIN"], [os.environ["MOCK_REAL_BIN"]] + args)
    else:
        sys.exit(f"usage: {sys.argv[0]} relay | core --relay URL [--name NAME] | audit verify")


if __name__ == "__main__":
    main()
