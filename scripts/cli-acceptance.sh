#!/usr/bin/env bash
# Acceptance checks of the built binary, as an operator would use it: check, serve, say, audit, forged requests, SIGTERM.
# Usage: scripts/cli-acceptance.sh PATH/TO/hybridbot
set -uo pipefail
bin="$(realpath "${1:?usage: cli-acceptance.sh PATH/TO/hybridbot}")"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
server_pid=""
passed=0
failed=0
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
    [ -f "$work/redis/redis.pid" ] && kill "$(cat "$work/redis/redis.pid")" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

ok() { passed=$((passed + 1)); echo "  ok   $1"; }
ko() { failed=$((failed + 1)); echo "  FAIL $1"; [ -n "${2:-}" ] && sed 's/^/       | /' <<<"$2"; }
expect() { # expect NAME EXPECTED_RC ACTUAL_RC OUTPUT [GREP_PATTERN]
    local name=$1 want=$2 got=$3 out=$4 pattern=${5:-}
    if [ "$got" != "$want" ]; then ko "$name (exit $got, wanted $want)" "$out"; return; fi
    if [ -n "$pattern" ] && ! grep -qE -- "$pattern" <<<"$out"; then ko "$name (output lacks /$pattern/)" "$out"; return; fi
    ok "$name"
}
free_port() {
    local port
    while :; do
        port=$((20000 + RANDOM % 12000))  # below the ephemeral range (32768+): no clash with client sockets
        (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
    done
}

cd "$root"
export HYBRIDBOT_PLUGINS="$root/plugins" HYBRIDBOT_PERMISSIONS="$root/permissions.yaml"
unset SLACK_SIGNING_SECRET KUBERNETES_API_URL KUBERNETES_TOKEN KUBERNETES_SERVICE_HOST HYBRIDBOT_DB || true

echo "cli acceptance ($bin)"

out=$("$bin" check 2>&1); expect "check passes on the shipped files" 0 $? "$out" "^ok:"

sed 's/roles: \[operator\]/roles: [operatr]/' permissions.yaml >"$work/broken-permissions.yaml"
out=$(HYBRIDBOT_PERMISSIONS="$work/broken-permissions.yaml" "$bin" check 2>&1)
expect "check names file and line of a broken permissions.yaml" 1 $? "$out" "broken-permissions.yaml:[0-9]+: .*operatr"

printf 'hybridbot_listen: [oops\n' >"$work/bad.yaml"
out=$("$bin" check --config "$work/bad.yaml" 2>&1); expect "check refuses a broken hybridbot.yaml" 1 $? "$out" "bad.yaml"

out=$(HYBRIDBOT_DB="$work/none.sqlite" "$bin" serve 2>&1); rc=$?
expect "serve without SLACK_SIGNING_SECRET is one clear line" 1 $rc "$out" "SLACK_SIGNING_SECRET"
[ "$(wc -l <<<"$out")" -le 2 ] && ok "…and no stack trace" || ko "serve error is longer than a line" "$out"

out=$(SLACK_SIGNING_SECRET=x HYBRIDBOT_DB="$work/relay.sqlite" "$bin" relay 2>&1); rc=$?
expect "relay without HYBRIDBOT_RELAY_TOKEN is one clear line" 1 $rc "$out" "HYBRIDBOT_RELAY_TOKEN is not set"
out=$(SLACK_SIGNING_SECRET=x HYBRIDBOT_RELAY_TOKEN=short HYBRIDBOT_DB="$work/relay.sqlite" "$bin" relay 2>&1); rc=$?
expect "relay refuses a short relay token" 1 $rc "$out" "too short"
out=$(HYBRIDBOT_RELAY_TOKEN=0123456789abcdef0123 HYBRIDBOT_LEASE_SECONDS=0 "$bin" core --relay http://127.0.0.1:1 2>&1); rc=$?
expect "core refuses a lease of 0 s" 1 $rc "$out" "HYBRIDBOT_LEASE_SECONDS"
out=$("$bin" core --relay ftp://relay 2>&1); rc=$?
expect "core refuses a relay URL that is not http(s)" 64 $rc "$out" "--relay must be an http"
out=$(SLACK_SIGNING_SECRET=x HYBRIDBOT_RELAY_TOKEN=0123456789abcdef0123 HYBRIDBOT_INBOX=mysql://x HYBRIDBOT_DB="$work/relay.sqlite" "$bin" relay 2>&1); rc=$?
expect "relay refuses an HYBRIDBOT_INBOX it cannot use" 1 $rc "$out" "HYBRIDBOT_INBOX must be"

out=$(HYBRIDBOT_DB="$work/missing.sqlite" "$bin" audit verify 2>&1); rc=$?
expect "audit verify on a missing database fails clearly" 1 $rc "$out" "missing.sqlite"
[ ! -e "$work/missing.sqlite" ] && ok "…and does not create it" || ko "audit verify created the database"

out=$("$bin" say --as nobody "/hybrid help" 2>&1); expect "say rejects a bad --as" 64 $? "$out" "--as"

# A live bot, with a throwaway Redis for `cache flush`.
redis_port=$(free_port)
mkdir -p "$work/redis"
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work/redis" --daemonize yes \
    --pidfile "$work/redis/redis.pid" >/dev/null
for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
seq 1 30 | sed 's/.*/SET cache:& v/' | redis-cli -p "$redis_port" >/dev/null
export REDIS_URL="redis://127.0.0.1:$redis_port/0"
secret="$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# A port found free can be taken before serve binds it (it then exits 1 saying so): up to 3 ports are tried.
for attempt in 1 2 3; do
    port=$(free_port)
    export SLACK_SIGNING_SECRET="$secret" HYBRIDBOT_LISTEN="127.0.0.1:$port" HYBRIDBOT_DB="$work/data/hybridbot.sqlite"
    "$bin" serve >"$work/serve.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 100); do
        curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$server_pid" 2>/dev/null && break
    echo "  note serve did not start on port $port (attempt $attempt): $(tail -1 "$work/serve.log")"
done
out=$(curl -sS "http://127.0.0.1:$port/readyz" 2>&1); rc=$?
expect "readyz is ready" 0 $rc "$out$(printf '\nserve log:\n'; tail -5 "$work/serve.log")" "ready"

out=$("$bin" say --as U01ALICE --wait 10 "/hybrid scale api-gateway 10" 2>&1); rc=$?
expect "say: ack" 0 $rc "$out" "^ack 200: .*Working on"
expect "say: follow-up says Kubernetes is not configured" 0 $rc "$out" "Kubernetes is not configured \(set KUBERNETES_API_URL"

out=$("$bin" say --as U09EVE "/hybrid scale api-gateway 10" 2>&1); expect "say: unauthorized user is refused" 0 $? "$out" "not allowed"
out=$("$bin" say --as U01ALICE '/hybrid scale api-gateway 10; rm -rf /' 2>&1); expect "say: injection-looking text is refused" 0 $? "$out" "^reply: .*(must be a whole number|Too many words)"

out=$("$bin" say --as U01ALICE "/hybrid cache flush" 2>&1)
expect "say: cache flush posts an approval request with its preview" 0 $? "$out" "holds \*30\* keys"
id=$(grep -oE 'approval\.approve:[0-9a-f]+' <<<"$out" | head -1 | cut -d: -f2)
[ -n "$id" ] && ok "…with an approve button" || ko "no approve button in the approval request" "$out"
out=$("$bin" say --as U01ALICE --click "approval.approve:$id" 2>&1); expect "say --click: the requester cannot approve" 0 $? "$out" "cannot approve your own"
[ "$(redis-cli -p "$redis_port" dbsize)" = 30 ] && ok "…and nothing ran" || ko "keys were flushed without approval"
out=$("$bin" say --as U02BOB --click "approval.approve:$id" 2>&1); expect "say --click: a second operator approves and it runs" 0 $? "$out" "Flushed"
[ "$(redis-cli -p "$redis_port" dbsize)" = 0 ] && ok "…FLUSHDB ran" || ko "FLUSHDB did not run"
out=$("$bin" say --as U04DAVE --click "approval.approve:$id" 2>&1); expect "say --click: a late approval changes nothing" 0 $? "$out" "already executed"

out=$("$bin" audit list 2>&1); expect "audit list shows the command" 0 $? "$out" "command U01ALICE C0LOCAL received /hybrid scale api-gateway 10"
out=$("$bin" audit list --json 2>&1); expect "audit list --json has the contract fields" 0 $? "$out" '"prev_hash":"[0-9a-f]{64}"'
out=$("$bin" audit export --format csv 2>&1); expect "audit export csv" 0 $? "$out" "^id,at,kind,user,channel,command,outcome,detail,hash,prev_hash"
before=$("$bin" audit list --json | wc -l)

# Forged and stale requests: 401, no audit row.
body="token=x&team_id=T1&channel_id=C0LOCAL&user_id=U01ALICE&command=%2Fhybrid&text=scale+api-gateway+10&response_url=http%3A%2F%2F127.0.0.1%3A1%2Fx&trigger_id=forged.1"
ts=$(date +%s)
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: v0=$(printf '%064d' 0)" \
    -H 'Content-Type: application/x-www-form-urlencoded' --data "$body" "http://127.0.0.1:$port/slack/commands")
[ "$code" = 401 ] && ok "forged signature → 401" || ko "forged signature → $code"
old=$((ts - 600))
sig=$(printf 'v0:%s:%s' "$old" "$body" | openssl dgst -sha256 -hmac "$secret" | sed 's/^.*= //')
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Slack-Request-Timestamp: $old" -H "X-Slack-Signature: v0=$sig" \
    -H 'Content-Type: application/x-www-form-urlencoded' --data "$body" "http://127.0.0.1:$port/slack/commands")
[ "$code" = 401 ] && ok "stale (correctly signed) request → 401" || ko "stale request → $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X GET "http://127.0.0.1:$port/slack/commands")
[ "$code" = 405 ] && ok "GET /slack/commands → 405" || ko "GET /slack/commands → $code"
head -c 70000 /dev/zero | tr '\0' 'a' >"$work/big"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: v0=00" \
    -H 'Content-Type: application/x-www-form-urlencoded' --data-binary "@$work/big" "http://127.0.0.1:$port/slack/commands")
[ "$code" = 413 ] && ok "70 KB body → 413" || ko "70 KB body → $code"
after=$("$bin" audit list --json | wc -l)
[ "$before" = "$after" ] && ok "rejected requests left no audit row" || ko "audit grew from $before to $after rows"
grep -q "$secret" "$work/serve.log" && ko "the signing secret appears in the log" || ok "the signing secret is not in the log"

stop_start=$(date +%s%N)
kill -TERM "$server_pid"; wait "$server_pid"; rc=$?; server_pid=""
stop_ms=$(( ($(date +%s%N) - stop_start) / 1000000 ))
[ "$rc" = 0 ] && ok "SIGTERM stops serve with exit 0" || ko "serve exited $rc on SIGTERM" "$(tail -5 "$work/serve.log")"
[ "$stop_ms" -lt 5000 ] && ok "…within 5 s (${stop_ms} ms)" || ko "serve took ${stop_ms} ms to stop"
out=$("$bin" audit verify 2>&1); expect "audit verify passes" 0 $? "$out" "^ok: [0-9]+ records"

# A relay stops at once even with a core's long-poll parked at it (the poll is answered empty, not waited out).
rport=$(free_port)
SLACK_SIGNING_SECRET="$secret" HYBRIDBOT_RELAY_TOKEN=relay-token-0123456789 HYBRIDBOT_LISTEN="127.0.0.1:$rport" \
    HYBRIDBOT_DB="$work/relay-stop.sqlite" "$bin" relay >"$work/relay.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$rport/readyz" 2>/dev/null && break; sleep 0.05; done
curl -s -o "$work/poll.out" -w '%{http_code}' -m 70 -H "Authorization: Bearer relay-token-0123456789" \
    "http://127.0.0.1:$rport/relay/v1/events?core=cli&session=s1&wait=60" >"$work/poll.code" &
poll_pid=$!
sleep 0.5
stop_start=$(date +%s%N)
kill -TERM "$server_pid"; wait "$server_pid"; rc=$?; server_pid=""
stop_ms=$(( ($(date +%s%N) - stop_start) / 1000000 ))
wait "$poll_pid"
[ "$rc" = 0 ] && [ "$stop_ms" -lt 5000 ] && ok "SIGTERM stops relay with a parked long-poll, exit 0 (${stop_ms} ms)" \
    || ko "relay exited $rc after ${stop_ms} ms on SIGTERM" "$(tail -5 "$work/relay.log")"
grep -q '"events":\[\]' "$work/poll.out" && ok "…and the parked poll was answered empty ($(cat "$work/poll.code"))" \
    || ko "parked poll got: $(cat "$work/poll.code") $(head -c 200 "$work/poll.out")"

echo "cli: $passed passed, $failed failed"
[ "$failed" = 0 ]
