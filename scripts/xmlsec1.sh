#!/usr/bin/env bash
# Installs Debian's xmlsec1 (libxml2's C14N and XML Signature) when it is
# missing: the independent oracle of the verifier's C14N and reference
# digests (verifier/xmlsec_oracle_test.go). Nothing is downloaded otherwise.
set -euo pipefail
XMLSEC1=${XMLSEC1:-/usr/bin/xmlsec1}
if [ -x "$XMLSEC1" ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "xmlsec1.sh: $XMLSEC1 is missing; install Debian's xmlsec1 (as root: apt-get install -y xmlsec1)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq xmlsec1 >/dev/null
"$XMLSEC1" --version
