#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests when it is missing. Test
# tools never download a browser of their own (that fails on this network).
set -euo pipefail
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "chromium.sh: $CHROMIUM is missing; install Debian's chromium (as root: apt-get install -y chromium)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
"$CHROMIUM" --version
