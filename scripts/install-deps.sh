#!/usr/bin/env bash
# Installs the Debian packages hybridbot needs, only those that are missing (so repeated runs stay fast).
#
# Services: redis-server, postgresql and prometheus ship init scripts / systemd units that their postinst
# starts (prometheus: `invoke-rc.d prometheus start`, i.e. a daemon on 0.0.0.0:9090, and `|| exit 1` if that
# fails). The tests start their own throwaway servers on free loopback ports, so none of these services is
# wanted: while installing, a policy-rc.d answering 101 ("action forbidden") stops invoke-rc.d and
# deb-systemd-invoke from starting anything (Docker images ship one already; we add ours only when there is
# none, and remove it after). Afterwards a freshly installed prometheus is also disabled at boot, and a
# prometheus daemon that got started anyway is stopped, so nothing listens on :9090.
set -euo pipefail
packages=(pkg-config libcurl4-openssl-dev libhiredis-dev libpq-dev libsqlite3-dev redis-server postgresql prometheus curl openssl python3)
missing=()
for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
    exit 0
fi
echo "installing missing Debian packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive

policy=/usr/sbin/policy-rc.d
own_policy=""
if [ ! -e "$policy" ]; then
    own_policy="$policy"
    printf '#!/bin/sh\n# temporary, from hybridbot scripts/install-deps.sh: start no service while installing\nexit 101\n' \
        | $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
fi
remove_policy() { [ -z "$own_policy" ] || $sudo rm -f "$own_policy"; }
trap remove_policy EXIT

# A new machine may have empty package lists: update once first.
$sudo apt-get update -qq
# --no-install-recommends also keeps out prometheus-node-exporter (another service, on :9100).
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"

if [[ " ${missing[*]} " == *" prometheus "* ]]; then
    # Not at boot either (sysvinit links; on systemd update-rc.d also disables the unit).
    $sudo update-rc.d prometheus disable >/dev/null 2>&1 || true
    if [ -d /run/systemd/system ]; then
        $sudo systemctl disable --now prometheus.service >/dev/null 2>&1 || true
    fi
    # Started by an init script despite all that (no policy-rc.d honoured): stop it.
    if [ -s /run/prometheus/prometheus.pid ]; then
        $sudo start-stop-daemon --stop --quiet --oknodo --retry=TERM/10/KILL/5 --exec /usr/bin/prometheus \
            --pidfile /run/prometheus/prometheus.pid --remove-pidfile || true
    fi
fi
