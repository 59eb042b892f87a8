#!/usr/bin/env bash
# Process-level crash-safety tests of the relay/core split (scripts/crash_tests.py says what each check asserts):
#   1. the relay is killed -9 during a burst of 1,000 signed slash commands, restarted, and Slack's retries re-sent;
#   2. a core is killed -9 in the middle of a scale action and another core takes over;
#   3. two cores share 300 commands.
# All on 127.0.0.1 with free ports and a temp dir, removed at exit; about 20 s, never more than 110 s.
# Usage: scripts/crash-tests.sh PATH/TO/hybridbot [--only 1,2,3] [--keep] [--relay-subcommand serve]
set -uo pipefail
bin="$(realpath "${1:?usage: crash-tests.sh PATH/TO/hybridbot [--only 1,2,3] [--keep]}")"
shift
root="$(cd "$(dirname "$0")/.." && pwd)"
echo "crash tests ($bin)"
# The hard bound: a relay or core that hangs must not hang `make test`. On SIGTERM the driver kills what it started.
timeout --signal=TERM --kill-after=10 110 python3 "$root/scripts/crash_tests.py" "$bin" "$@"
rc=$?
[ "$rc" = 124 ] && echo "crash tests: FAIL, stopped after 110 s"
exit "$rc"
