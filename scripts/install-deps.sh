#!/usr/bin/env bash
# Installs the Debian packages hybridbot needs, only those that are missing (so repeated runs stay fast).
set -euo pipefail
packages=(pkg-config libcurl4-openssl-dev libhiredis-dev libpq-dev libsqlite3-dev redis-server postgresql curl openssl)
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
# A new machine may have empty package lists: update once first.
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
