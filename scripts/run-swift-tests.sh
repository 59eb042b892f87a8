#!/usr/bin/env bash
# Runs the Swift test suite, then kills any test redis-server, postgres or prometheus a crashed or killed run left
# behind (redis-servers block SIGTERM, inherited from the spawning thread, so only SIGKILL stops them).
set -uo pipefail
pids_dir="${TMPDIR:-/tmp}/hybridbot-test-redis"
pg_pids_dir="${TMPDIR:-/tmp}/hybridbot-test-postgres"
prom_pids_dir="${TMPDIR:-/tmp}/hybridbot-test-prometheus"
cleanup() {
    for f in "$pids_dir"/*.pid; do
        [ -e "$f" ] || continue
        kill -9 "$(cat "$f")" 2>/dev/null
        rm -f "$f"
    done
    # Each file: the postmaster's pid, then the server's temp directory (see Tests/TestSupport/PostgresTestServer.swift).
    for f in "$pg_pids_dir"/*.pid; do
        [ -e "$f" ] || continue
        pid=$(sed -n 1p "$f")
        dir=$(sed -n 2p "$f")
        if [[ "$pid" =~ ^[0-9]+$ ]] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "postgres" ]; then
            kill -QUIT "$pid" 2>/dev/null  # immediate shutdown: the postmaster ends its backends too
            for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
            kill -9 "$pid" 2>/dev/null
        fi
        case "$dir" in
            */hybridbot-pg-*) rm -rf -- "$dir" ;;
        esac
        rm -f "$f"
    done
    # Each file: prometheus' pid, then its temp directory (see Tests/TestSupport/PrometheusTestServer.swift).
    # Only orphans: one whose parent is still a test binary belongs to a test run going on in another worktree
    # (the pid directory is shared through $TMPDIR), so it and its pid file are left alone.
    for f in "$prom_pids_dir"/*.pid; do
        [ -e "$f" ] || continue
        pid=$(sed -n 1p "$f")
        dir=$(sed -n 2p "$f")
        if [[ "$pid" =~ ^[0-9]+$ ]] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "prometheus" ]; then
            parent=$(awk '{print $4}' "/proc/$pid/stat" 2>/dev/null)
            case "$(readlink "/proc/$parent/exe" 2>/dev/null)" in
                *.xctest) continue ;;
            esac
            kill -9 "$pid" 2>/dev/null
        fi
        case "$dir" in
            */hybridbot-prometheus-*) rm -rf -- "$dir" ;;
        esac
        rm -f "$f"
    done
}
trap cleanup EXIT
swift test --skip-build "$@"
