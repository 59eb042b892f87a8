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

# A throwaway Redis for `cache flush` (preview = DBSIZE), unless REDIS_URL points at one.
if [ -z "${REDIS_URL:-}" ] && command -v redis-server >/dev/null; then
    redis_port=$(( 20000 + RANDOM % 20000 ))
    mkdir -p data/redis
    redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$PWD/data/redis" --daemonize yes \
        --pidfile "$PWD/data/redis/redis.pid" >/dev/null
    trap 'kill "$(cat "$PWD/data/redis/redis.pid" 2>/dev/null)" 2>/dev/null' EXIT
    export REDIS_URL="redis://127.0.0.1:$redis_port/0"
    for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    seq 1 20 | sed 's/.*/SET cache:sample:& v/' | redis-cli -p "$redis_port" >/dev/null
fi
cat <<MSG

hybridbot local trial — listening on $HYBRIDBOT_LISTEN, audit in ${HYBRIDBOT_DB:-./data/hybridbot.sqlite}
The signing secret is in $secret_file (hybridbot say reads it from there). In a second shell, from this folder:

    $bin say --as U01ALICE "/hybrid scale api-gateway 10"
    $bin say --as U01ALICE "/hybrid help"
    $bin say --as U01ALICE "/hybrid cache flush"            # destructive: posts an approval request
    $bin say --as U02BOB --click approval.approve:ID         # a second operator approves (ID from the request)
    $bin audit list
    $bin audit verify

Kubernetes is not configured unless you set KUBERNETES_API_URL and KUBERNETES_TOKEN. Redis: ${REDIS_URL:-redis://127.0.0.1:6379/0}.
Ctrl-C stops the bot.

MSG
"$bin" serve
