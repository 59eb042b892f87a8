#!/usr/bin/env python3
"""Writes N distinct, correctly signed Slack slash-command requests, one per line: timestamp TAB signature TAB body.

Usage: gen_requests.py SECRET N OUT [TEXT]
Slack's real form fields; distinct trigger_ids; timestamps are 'now' (valid for Slack's 300 s window).
"""
import hashlib, hmac, sys, time, urllib.parse

secret, n, out = sys.argv[1].encode(), int(sys.argv[2]), sys.argv[3]
text = sys.argv[4] if len(sys.argv) > 4 else "help"
ts = str(int(time.time()))
with open(out, "w") as f:
    for i in range(n):
        body = urllib.parse.urlencode({
            "token": "gIkuvaNzQIHg97ATvDxqgjtO", "team_id": "T0001", "team_domain": "example",
            "enterprise_id": "E0001", "channel_id": "C0LOCAL", "channel_name": "ops",
            "user_id": "U01ALICE", "user_name": "alice", "command": "/hybrid", "text": text,
            "response_url": "http://127.0.0.1:9/commands/T0001/%d/bench" % i,
            "trigger_id": "%d.%d.bench%08d" % (int(ts), i, i), "api_app_id": "A0BENCH",
        })
        sig = "v0=" + hmac.new(secret, ("v0:%s:%s" % (ts, body)).encode(), hashlib.sha256).hexdigest()
        f.write("%s\t%s\t%s\n" % (ts, sig, body))
