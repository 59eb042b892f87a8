#!/usr/bin/env python3
"""Relay → core hand-off latency: how long after a delivery is stored a waiting long-poll receives it.

Usage: handoff.py RELAY_PORT SIGNING_SECRET RELAY_TOKEN [SAMPLES]

One long-poll (`GET /relay/v1/events?wait=30`) is always waiting on its own keep-alive connection. For each sample
a correctly signed slash command is posted on a second connection; the script records when the POST was sent, when
its 200 arrived (the relay answers only after the SQLite commit), and when the waiting long-poll returned with the
delivery, then acks it. It prints p50/p90/p99 of:
  - 200 → received: the long-poll returned this long after the client saw the ack (can be below 0: the hand-off
    can beat the ack's own response to the client);
  - sent → received: upper bound of stored → received (includes verification and the durable commit).
"""
import hashlib, hmac, http.client, json, statistics, sys, threading, time, urllib.parse

port, secret, token = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3]
samples = int(sys.argv[4]) if len(sys.argv) > 4 else 300
auth = {"Authorization": "Bearer " + token}


def signed(i):
    ts = str(int(time.time()))
    body = urllib.parse.urlencode({
        "token": "x", "team_id": "T0001", "team_domain": "example", "channel_id": "C0LOCAL", "channel_name": "ops",
        "user_id": "U01ALICE", "user_name": "alice", "command": "/hybrid", "text": "help",
        "response_url": "http://127.0.0.1:9/commands/T0001/%d/handoff" % i,
        "trigger_id": "%s.%d.handoff%08d" % (ts, i, i), "api_app_id": "A0BENCH",
    })
    sig = "v0=" + hmac.new(secret, ("v0:%s:%s" % (ts, body)).encode(), hashlib.sha256).hexdigest()
    return body, {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}


poll = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
post = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
ack = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

# Drain anything already pending so every sample starts with an idle, waiting poll.
while True:
    poll.request("GET", "/relay/v1/events?core=bench&wait=0&limit=100", headers=auth)
    events = json.loads(poll.getresponse().read())["events"]
    if not events:
        break
    for e in events:
        ack.request("POST", "/relay/v1/events/%d/ack?core=bench" % e["id"], headers=auth); ack.getresponse().read()

after_ack, after_send = [], []
for i in range(samples):
    got = {}

    def waiter():
        poll.request("GET", "/relay/v1/events?core=bench&wait=30&limit=1", headers=auth)
        body = poll.getresponse().read()
        got["t"] = time.perf_counter()
        got["events"] = json.loads(body)["events"]

    t = threading.Thread(target=waiter)
    t.start()
    time.sleep(0.005)  # the poll is parked at the relay
    body, headers = signed(i)
    sent = time.perf_counter()
    post.request("POST", "/slack/commands", body=body, headers=headers)
    response = post.getresponse(); response.read()
    acked = time.perf_counter()
    t.join()
    if response.status != 200 or len(got.get("events", [])) != 1:
        print("sample %d: status %d, events %s" % (i, response.status, got.get("events")), file=sys.stderr)
        sys.exit(1)
    after_ack.append((got["t"] - acked) * 1000)
    after_send.append((got["t"] - sent) * 1000)
    ack.request("POST", "/relay/v1/events/%d/ack?core=bench" % got["events"][0]["id"], headers=auth); ack.getresponse().read()


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


for name, values in (("200 → received", after_ack), ("sent → received", after_send)):
    print("%-16s p50 %6.2f ms  p90 %6.2f ms  p99 %6.2f ms  (n=%d)" % (name, pct(values, 50), pct(values, 90), pct(values, 99), len(values)))
