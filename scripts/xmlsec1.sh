#!/usr/bin/env bash
# Debian's xmlsec1 (libxml2's C14N and XML Signature), the oracle of
# verifier/xmlsec_oracle_test.go and internal/demo's container test (make xmlsec1).
exec "$(dirname "$0")/debian-tool.sh" xmlsec1 "${XMLSEC1:-/usr/bin/xmlsec1}"
