#!/usr/bin/env bash
# Installs the Debian packages Common Ground needs when they are missing.
#   scripts/system-packages.sh base      python3-venv, Node.js and npm (for `make demo`)
#   scripts/system-packages.sh test      base + Chromium (for the browser tests)
# As root it installs them with apt-get; otherwise it says which command to run.
set -euo pipefail
need=()
has_venv() { python3 -c 'import ensurepip, venv' >/dev/null 2>&1; }
has_venv || need+=(python3-venv)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
if [ "${1:-base}" = "test" ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  fc-list >/dev/null 2>&1 || need+=(fontconfig)
fi
[ ${#need[@]} -eq 0 ] && exit 0
echo "Installing system packages: ${need[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "Please run: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}"
