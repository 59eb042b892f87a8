#!/usr/bin/env bash
# Durable verified slash-command acks: hybridbot relay and hybridbot serve vs a Slack Bolt for Python baseline, in
# one run. Prints req/s, p50, p99, non-2xx and server peak RSS for each, the ratios, start → /readyz, idle RSS, and
# the relay → core hand-off latency (bench/handoff.py). Loopback only, bounded (wrk -d).
# Usage: bench/ack.sh [DURATION_SECONDS]   (from the repository root; builds the release binary if needed)
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
requests=${BENCH_N:-200000}
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

need() { dpkg -s "$1" >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1"; }; }
need wrk
need python3-venv
swift build -c release --product hybridbot  # always: a stale binary would measure old code (a second or two when up to date)
if [ ! -x bench/.venv/bin/python ]; then
    python3 -m venv bench/.venv
    bench/.venv/bin/pip install -q slack_bolt aiohttp
fi

free_port() {
    local port
    while :; do
        port=$((20000 + RANDOM % 12000))  # below the ephemeral range (32768+)
        (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
    done
}
wait_ready() { # URL → milliseconds until 200
    local start=$(date +%s%N)
    for _ in $(seq 1 500); do
        curl -fsS -o /dev/null "$1" 2>/dev/null && { echo $(( ($(date +%s%N) - start) / 1000000 )); return; }
        sleep 0.01
    done
    echo "never"
}
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }

run_wrk() { # NAME PORT → one result line
    local name=$1 port=$2
    BENCH_REQUESTS="$work/requests.tsv" wrk -t2 -c32 -d"${duration}s" --latency -s bench/ack.lua "http://127.0.0.1:$port" >"$work/$name.wrk"
    local rps p50 p99 non2xx
    rps=$(awk '/^Requests\/sec/ {print $2}' "$work/$name.wrk")
    p50=$(awk '$1 == "50%" {print $2}' "$work/$name.wrk")
    p99=$(awk '$1 == "99%" {print $2}' "$work/$name.wrk")
    non2xx=$(awk '/Non-2xx/ {print $5}' "$work/$name.wrk")
    echo "$rps ${p50:-?} ${p99:-?} ${non2xx:-0}"
}

secret="bench-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
token="relay-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"

# hybridbot relay alone (the ack path without a core in the process): start, idle RSS, hand-off, then load.
rport=$(free_port)
SLACK_SIGNING_SECRET="$secret" HYBRIDBOT_RELAY_TOKEN="$token" HYBRIDBOT_LISTEN="127.0.0.1:$rport" \
    HYBRIDBOT_DB="$work/relay/relay.sqlite" LOG_LEVEL=error .build/release/hybridbot relay 2>"$work/relay.log" &
pids+=($!); relay=$!
relay_ready_ms=$(wait_ready "http://127.0.0.1:$rport/readyz")
sleep 1
relay_idle_kb=$(rss_kb "$relay")
handoff=$(bench/.venv/bin/python bench/handoff.py "$rport" "$secret" "$token" 300)
bench/.venv/bin/python bench/gen_requests.py "$secret" "$requests" "$work/requests.tsv"
read -r r_rps r_p50 r_p99 r_non <<<"$(run_wrk relay "$rport")"
r_peak=$(hwm_kb "$relay")
kill "$relay"; wait "$relay" 2>/dev/null || true

# hybridbot serve (durable: SQLite WAL, synchronous=FULL, group commit).
port=$(free_port)
start_ns=$(date +%s%N)
SLACK_SIGNING_SECRET="$secret" HYBRIDBOT_LISTEN="127.0.0.1:$port" HYBRIDBOT_DB="$work/db/hybridbot.sqlite" LOG_LEVEL=error \
    REDIS_URL="redis://127.0.0.1:1/0" .build/release/hybridbot serve 2>"$work/serve.log" &
pids+=($!); hb=$!
ready_ms=$(wait_ready "http://127.0.0.1:$port/readyz")
sleep 1
idle_kb=$(rss_kb "$hb")
bench/.venv/bin/python bench/gen_requests.py "$secret" "$requests" "$work/requests.tsv"
read -r hb_rps hb_p50 hb_p99 hb_non <<<"$(run_wrk hybridbot "$port")"
hb_peak=$(hwm_kb "$hb")
kill "$hb"; wait "$hb" 2>/dev/null || true

# Bolt for Python baseline (signature verification + ack only, no persistence).
bport=$(free_port)
SLACK_SIGNING_SECRET="$secret" PORT="$bport" bench/.venv/bin/python bench/bolt_app.py >"$work/bolt.log" 2>&1 &
pids+=($!); bolt=$!
for _ in $(seq 1 300); do (echo >"/dev/tcp/127.0.0.1/$bport") 2>/dev/null && break; sleep 0.05; done
bench/.venv/bin/python bench/gen_requests.py "$secret" "$requests" "$work/requests.tsv"
read -r b_rps b_p50 b_p99 b_non <<<"$(run_wrk bolt "$bport")"
b_peak=$(hwm_kb "$bolt")

printf '\n%-22s %12s %10s %10s %9s %14s\n' "server" "req/s" "p50" "p99" "non-2xx" "peak RSS (MB)"
printf '%-22s %12s %10s %10s %9s %14s\n' "hybridbot relay" "$r_rps" "$r_p50" "$r_p99" "$r_non" "$((r_peak / 1024))"
printf '%-22s %12s %10s %10s %9s %14s\n' "hybridbot serve" "$hb_rps" "$hb_p50" "$hb_p99" "$hb_non" "$((hb_peak / 1024))"
printf '%-22s %12s %10s %10s %9s %14s\n' "Bolt for Python" "$b_rps" "$b_p50" "$b_p99" "$b_non" "$((b_peak / 1024))"
echo
echo "ratio relay/Bolt req/s: $(awk -v a="$r_rps" -v b="$b_rps" 'BEGIN { printf "%.1f", a / b }')"
echo "ratio serve/Bolt req/s: $(awk -v a="$hb_rps" -v b="$b_rps" 'BEGIN { printf "%.1f", a / b }')"
echo "relay start → /readyz 200: ${relay_ready_ms} ms; idle RSS $((relay_idle_kb / 1024)) MB"
echo "serve start → /readyz 200: ${ready_ms} ms; idle RSS $((idle_kb / 1024)) MB"
echo "relay → core hand-off (a waiting long-poll, 300 samples):"
echo "$handoff"
echo "stored deliveries: $(sqlite3 "$work/db/hybridbot.sqlite" 'select count(*) from deliveries' 2>/dev/null || echo '?') (wrk -t2 -c32 -d${duration}s, $(nproc) cores, $(date -u +%F))"
