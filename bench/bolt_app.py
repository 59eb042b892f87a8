"""Baseline: a Slack Bolt for Python app that verifies the signature and acks a slash command. No persistence."""
import os
from slack_bolt.async_app import AsyncApp

app = AsyncApp(
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    token="xoxb-bench-not-used",
    token_verification_enabled=False,
)


@app.command("/hybrid")
async def hybrid(ack):
    await ack("Working on it")


if __name__ == "__main__":
    app.start(port=int(os.environ["PORT"]), path="/slack/commands")
