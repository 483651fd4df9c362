#!/usr/bin/env bash
# Usage: debian-tool.sh PACKAGE BINARY
# Installs a Debian package a test needs when its binary is missing:
# chromium for the browser tests, xmlsec1 as the independent oracle of the
# verifier's C14N and reference digests. Test tools never download tools of
# their own (that fails on this network); nothing is installed when the
# binary is already there.
set -euo pipefail
pkg=$1
bin=$2
if [ -x "$bin" ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "debian-tool.sh: $bin is missing; install Debian's $pkg (as root: apt-get install -y $pkg)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "$pkg" >/dev/null
"$bin" --version
