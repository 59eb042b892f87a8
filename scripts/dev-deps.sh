#!/usr/bin/env bash
# Throwaway dependencies for the local trial (`make run`), each on a free loopback port, gone when the trial ends:
#   - Redis with a few sample keys and review/feedback queues;
#   - PostgreSQL 15 (run as the `postgres` user, data in a temp dir) with database hybrid_ai, pg_stat_statements
#     and a sample table;
#   - scripts/fake-platform.py: a stand-in for the Hybrid AI gateway, Prometheus and the Kubernetes API.
# Source it: `. scripts/dev-deps.sh` exports REDIS_URL, DATABASE_URL, PROMETHEUS_URL, HYBRID_API_URL,
# HYBRID_API_KEY, KUBERNETES_API_URL, KUBERNETES_TOKEN, PAGERDUTY_API_URL/_EVENTS_URL/_API_TOKEN/_ROUTING_KEY/
# _SLACK_CHANNEL (only those not already set) and registers cleanup on exit.
# Anything you point at a real service yourself (export REDIS_URL=… before) is left alone.

dev_dir="$(mktemp -d /tmp/hybridbot-dev.XXXXXX)"
chmod 755 "$dev_dir"
dev_pids=()
dev_cleanup() {
    [ -n "${dev_pg_data:-}" ] && runuser -u postgres -- "$pg_bin/pg_ctl" -D "$dev_pg_data" -m immediate stop >/dev/null 2>&1
    for p in "${dev_pids[@]}"; do kill "$p" 2>/dev/null; done
    [ -f "$dev_dir/redis.pid" ] && kill "$(cat "$dev_dir/redis.pid")" 2>/dev/null
    rm -rf "$dev_dir"
}
trap dev_cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

if [ -z "${REDIS_URL:-}" ] && command -v redis-server >/dev/null; then
    redis_port=$(free_port)
    redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dev_dir" --daemonize yes \
        --pidfile "$dev_dir/redis.pid" >/dev/null
    for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    {
        for i in $(seq 1 20); do echo "SET cache:sample:$i v"; done
        for i in $(seq 1 30); do echo "SET guardrail:cache:$i v"; done
        echo "RPUSH review_queue:high_priority $(seq -s ' ' 1 120)"
        echo "RPUSH review_queue:normal a b c"
        echo "RPUSH feedback_queue f1 f2"
    } | redis-cli -p "$redis_port" >/dev/null
    export REDIS_URL="redis://127.0.0.1:$redis_port/0"
fi

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "${DATABASE_URL:-}" ] && [ -n "$pg_bin" ] && id postgres >/dev/null 2>&1; then
    pg_port=$(free_port)
    dev_pg_data="$dev_dir/postgres"
    mkdir -p "$dev_pg_data" && chown postgres "$dev_pg_data"
    runuser -u postgres -- "$pg_bin/initdb" -D "$dev_pg_data" -A trust -U postgres >/dev/null
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$dev_pg_data" -l "$dev_pg_data/log" -w \
        -o "-p $pg_port -k $dev_pg_data -c listen_addresses=127.0.0.1 -c shared_preload_libraries=pg_stat_statements" start >/dev/null
    psql_dev() { runuser -u postgres -- psql -q -h 127.0.0.1 -p "$pg_port" -U postgres "$@"; }
    psql_dev -c "CREATE DATABASE hybrid_ai" >/dev/null
    psql_dev -d hybrid_ai >/dev/null <<'SQL'
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
CREATE TABLE analysis_results (id bigserial PRIMARY KEY, ticker text NOT NULL, timestamp timestamptz NOT NULL, score real);
INSERT INTO analysis_results (ticker, timestamp, score)
    SELECT (ARRAY['AAPL','MSFT','NVDA','AMZN'])[1 + g % 4], now() - g * interval '1 minute', random() FROM generate_series(1, 20000) g;
ANALYZE analysis_results;
SELECT count(*) FROM analysis_results WHERE ticker = 'NVDA';
SQL
    # A session that has been busy for a while, for `db long-queries` / `db terminate` (runs 1 hour, killed on exit).
    (runuser -u postgres -- psql -q -h 127.0.0.1 -p "$pg_port" -U postgres -d hybrid_ai \
        -c "SET application_name = 'report-job'; SELECT pg_sleep(3600)" >/dev/null 2>&1 &)
    export DATABASE_URL="postgresql://postgres@127.0.0.1:$pg_port/hybrid_ai"
fi

if command -v python3 >/dev/null && [ -z "${PROMETHEUS_URL:-}${HYBRID_API_URL:-}${KUBERNETES_API_URL:-}" ]; then
    platform_port=$(free_port)
    export HYBRID_API_KEY="${HYBRID_API_KEY:-local-trial-key}"
    FAKE_PLATFORM_KEY="$HYBRID_API_KEY" FAKE_PLATFORM_TOKEN="local-trial-kube-token" \
        python3 "$(dirname "${BASH_SOURCE[0]}")/fake-platform.py" "$platform_port" >"$dev_dir/platform.log" 2>&1 &
    dev_pids+=($!)
    for _ in $(seq 1 50); do curl -s "http://127.0.0.1:$platform_port/-/ready" >/dev/null 2>&1 && break; sleep 0.1; done
    export PROMETHEUS_URL="http://127.0.0.1:$platform_port"
    export HYBRID_API_URL="http://127.0.0.1:$platform_port"
    export KUBERNETES_API_URL="http://127.0.0.1:$platform_port"
    export KUBERNETES_TOKEN="local-trial-kube-token"
    export NOTIFICATION_SERVICE_URL="http://127.0.0.1:$platform_port"
    # PagerDuty's REST and Events API are answered by the same stand-in, which logs every call to platform.log.
    if [ -z "${PAGERDUTY_API_URL:-}${PAGERDUTY_EVENTS_URL:-}" ]; then
        export PAGERDUTY_API_URL="http://127.0.0.1:$platform_port"
        export PAGERDUTY_EVENTS_URL="http://127.0.0.1:$platform_port"
        export PAGERDUTY_API_TOKEN="${PAGERDUTY_API_TOKEN:-local-trial-pd-token}"
        export PAGERDUTY_ROUTING_KEY="${PAGERDUTY_ROUTING_KEY:-local-trial-routing-key}"
        export PAGERDUTY_SLACK_CHANNEL="${PAGERDUTY_SLACK_CHANNEL:-C0LOCAL}"
        export HYBRIDBOT_PLATFORM_LOG="$dev_dir/platform.log"
    fi
fi
