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
export HYBRIDBOT_LISTEN="${HYBRIDBOT_LISTEN:-127.0.0.1:8080}"
bin="$PWD/.build/release/hybridbot"
cat <<MSG

hybridbot local trial — listening on $HYBRIDBOT_LISTEN, audit in ${HYBRIDBOT_DB:-./data/hybridbot.sqlite}
The signing secret is in $secret_file (hybridbot say reads it from there). In a second shell, from this folder:

    $bin say --as U01ALICE "/hybrid scale api-gateway 10"
    $bin say --as U01ALICE "/hybrid help"
    $bin audit list
    $bin audit verify

Kubernetes is not configured unless you set KUBERNETES_API_URL and KUBERNETES_TOKEN. Ctrl-C stops the bot.

MSG
exec "$bin" serve
