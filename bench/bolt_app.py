"""Baseline: a Slack Bolt for Python app that verifies the signature and acks a slash command. No persistence."""
import os
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult


async def authorize(enterprise_id, team_id, user_id, logger):
    # A fixed answer: the baseline must not call Slack (no network here), only verify and ack.
    return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token="xoxb-bench-not-used",
                           bot_id="B0BENCH", bot_user_id="U0BENCH")


app = AsyncApp(signing_secret=os.environ["SLACK_SIGNING_SECRET"], authorize=authorize)


@app.command("/hybrid")
async def hybrid(ack):
    await ack("Working on it")


if __name__ == "__main__":
    app.start(port=int(os.environ["PORT"]), path="/slack/commands")
