#!/usr/bin/env python3
"""`emergency comms {summary...}`: drafts a customer-facing status update (an example of hybridbot's exec step).

Reads {"args": {"summary": ...}, "context": {"user", "channel", "command"}} on stdin and prints
{"text": ..., "data": {...}} on stdout. It only formats text: it calls nothing and changes nothing.
"""
import json
import sys
from datetime import datetime, timezone

request = json.load(sys.stdin)
summary = " ".join(str(request.get("args", {}).get("summary", "")).split())[:300]
now = datetime.now(timezone.utc).strftime("%H:%M UTC")
draft = (
    f"*Investigating* — {now}\n"
    f"We are investigating an issue affecting the Hybrid AI platform: {summary}.\n"
    "Some requests may be slower than usual or fail. We will post an update within 30 minutes."
)
print(json.dumps({
    "text": "Draft status-page update (review before publishing):\n>>> " + draft,
    "data": {"length": len(draft)},
}))
