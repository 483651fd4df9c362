#!/usr/bin/env bash
# Debian's Chromium for the browser tests (make browser).
exec "$(dirname "$0")/debian-tool.sh" chromium "${CHROMIUM:-/usr/bin/chromium}"
