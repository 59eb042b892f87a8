#!/usr/bin/env bash
# `make run`: start `hybridbot serve` on loopback with a generated signing secret and the shipped plugins.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p data
secret_file=data/local-signing-secret
if [ ! -s "$secret_file" ]; then
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$secret_file"
    chmod 600 "$secret_file"
fi
export SLACK_SIGNING_SECRET="$(cat "$secret_file")"
pd_secret_file=data/local-pagerduty-secret
if [ ! -s "$pd_secret_file" ]; then
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$pd_secret_file"
    chmod 600 "$pd_secret_file"
fi
export PAGERDUTY_WEBHOOK_SECRETS="${PAGERDUTY_WEBHOOK_SECRETS:-$(cat "$pd_secret_file")}"
export HYBRIDBOT_LISTEN="${HYBRIDBOT_LISTEN:-127.0.0.1:8080}"
bin="${HYBRIDBOT_BIN:-$PWD/.build/release/hybridbot}"

# Throwaway Redis, PostgreSQL and a stand-in for the gateway/Prometheus/Kubernetes (scripts/dev-deps.sh), unless you
# point REDIS_URL / DATABASE_URL / PROMETHEUS_URL… at real ones first. All stop when the trial stops.
if [ "${HYBRIDBOT_NO_DEV_DEPS:-}" != 1 ]; then
    . scripts/dev-deps.sh
fi
cat <<MSG

hybridbot local trial — listening on $HYBRIDBOT_LISTEN, audit in ${HYBRIDBOT_DB:-./data/hybridbot.sqlite}
The signing secret is in $secret_file (hybridbot say reads it from there). In a second shell, from this folder:

    $bin say --as U01ALICE "/hybrid help"
    $bin say --as U01ALICE "/hybrid status"
    $bin say --as U01ALICE "/hybrid scale api-gateway 10"
    $bin say --as U03CAROL "/hybrid db long-queries 1"    # a report-job session sleeps in PostgreSQL
    $bin say --as U01ALICE "/hybrid cache flush"            # destructive: posts an approval request
    $bin say --as U02BOB --click approval.approve:ID         # a second operator approves (ID from the request)
    $bin audit list
    $bin audit verify

PagerDuty (webhook secret in $pd_secret_file; the fake PagerDuty logs what it receives to ${HYBRIDBOT_PLATFORM_LOG:-its log}):
    $bin say --pagerduty scripts/samples/pagerduty-incident-triggered.json
    $bin say --as U01ALICE --click pagerduty.acknowledge:PLOCAL1     # PUT /incidents/PLOCAL1 with From: alice@example.com
    $bin say --as U01ALICE "/hybrid pd list"
    $bin say --as U01ALICE "/hybrid emergency declare checkout is down"
    $bin say --as U01ALICE "/hybrid incident report PLOCAL1"

README.md lists every command. Dependencies of this trial:
  Redis       ${REDIS_URL:-not started}
  PostgreSQL  ${DATABASE_URL:-not started}
  gateway, Prometheus, Kubernetes: ${KUBERNETES_API_URL:-not started} (scripts/fake-platform.py, a stand-in)
Ctrl-C stops the bot.

MSG
"$bin" serve
