#!/usr/bin/env bash
# Runs the Swift test suite, then kills any test redis-server a crashed or killed run left behind
# (they block SIGTERM, inherited from the spawning thread, so only SIGKILL stops them).
set -uo pipefail
pids_dir="${TMPDIR:-/tmp}/hybridbot-test-redis"
cleanup() {
    for f in "$pids_dir"/*.pid; do
        [ -e "$f" ] || continue
        kill -9 "$(cat "$f")" 2>/dev/null
        rm -f "$f"
    done
}
trap cleanup EXIT
swift test --skip-build "$@"
