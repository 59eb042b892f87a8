#!/usr/bin/env python3
"""Shows that every check of scripts/crash_tests.py can fail: runs it against scripts/crash_tests_mock_bot.py (a
stand-in relay/core) once as written, where every check must pass, and once per injected defect, where the checks
named for that defect must FAIL and the run must exit non-zero. Not part of `make test` (about 1.5 minutes).

    scripts/crash_tests_selftest.py .build/debug/hybridbot [SCENARIO…]

The real binary is needed for `audit verify` (the mock writes the real hash chain and hands verification over).
"""
import os
import re
import stat
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

# name: (MOCK_BUG, checks to run, extra environment for the driver, substrings of checks that must FAIL)
SCENARIOS = {
    "clean": ("", "1,2,3", {}, []),
    "ack-before-store": ("ack-before-store", "1", {}, ["every trigger_id answered 200 is stored"]),
    "no-dedupe": ("no-dedupe", "1", {}, ["no trigger_id is stored twice", "one `command` audit record per"]),
    "audit-skip": ("audit-skip", "1", {}, ["one `command` audit record per stored delivery"]),
    "audit-break": ("audit-break", "1", {}, ["audit verify"]),
    "relay-never-killed": ("", "1", {"CRASH_CHECK1_KILL_AFTER": "5000"}, ["the relay died of the kill -9"]),
    "no-claim": ("no-claim", "2", {}, ["no command executed twice", "held at the kill was reported interrupted"]),
    "rerun-interrupted": ("rerun-interrupted", "2", {}, ["no command executed twice"]),
    "core-never-killed": ("", "2", {"CRASH_CHECK2_KILL_AT_PATCH": "5000"}, ["was killed by kill -9 while a scale PATCH was held"]),
    "no-ack": ("no-ack", "2", {"CRASH_DONE_TIMEOUT": "8"}, ["every delivery is done"]),
    "lost-reply": ("lost-reply", "2", {}, ["every command got one final reply"]),
    "no-lease": ("no-lease", "3", {}, ["none reported interrupted"]),
    "crossed-reply": ("crossed-reply", "3", {}, ["every command got one final reply"]),
}


def run(real_bin, name, workdir):
    bug, only, extra, must_fail = SCENARIOS[name]
    wrapper = os.path.join(workdir, f"mock-{name}")
    with open(wrapper, "w") as f:
        f.write("#!/bin/sh\n"
                f"MOCK_BUG='{bug}' MOCK_REAL_BIN='{real_bin}' exec python3 '{HERE}/crash_tests_mock_bot.py' \"$@\"\n")
    os.chmod(wrapper, os.stat(wrapper).st_mode | stat.S_IXUSR)
    env = dict(os.environ, **extra)
    out = subprocess.run([sys.executable, os.path.join(HERE, "crash_tests.py"), wrapper, "--only", only],
                         env=env, capture_output=True, text=True, timeout=300)
    failed = re.findall(r"^  FAIL (.*)$", out.stdout, re.M)
    problems = []
    if must_fail:
        if out.returncode == 0:
            problems.append("exited 0")
        for want in must_fail:
            if not any(want in line for line in failed):
                problems.append(f"no FAIL line contains {want!r}")
    elif out.returncode != 0 or failed:
        problems.append(f"exited {out.returncode} with {len(failed)} FAIL lines")
    print(f"{'ok  ' if not problems else 'BAD '} {name:20} exit {out.returncode}, FAIL: "
          + ("; ".join(sorted({re.sub(r' \(.*', '', f) for f in failed})) or "none"), flush=True)
    for p in problems:
        print(f"       {p}")
    if problems:
        print("\n".join("       | " + line for line in out.stdout.splitlines()[-40:]))
    return not problems


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    real_bin = os.path.abspath(sys.argv[1])
    names = sys.argv[2:] or list(SCENARIOS)
    with tempfile.TemporaryDirectory(prefix="hybridbot-crash-selftest-") as workdir:
        results = [run(real_bin, n, workdir) for n in names]
    print(f"selftest: {sum(results)} passed, {len(results) - sum(results)} failed")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
