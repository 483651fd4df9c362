#!/usr/bin/env bash
# Runs every Go fuzz target in the module for a given time each.
#   scripts/fuzz.sh 3s     (the smoke run in `make test`)
#   scripts/fuzz.sh 5m     (`make fuzz FUZZTIME=5m`)
# New crashers land in the package's testdata/fuzz/<Target>/ and must be
# committed: they become regression inputs that plain `go test` replays.
set -euo pipefail
time=${1:-10s}
cd "$(dirname "$0")/.."
status=0
for pkg in $(go list ./...); do
  for target in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
    echo "fuzz $pkg $target ($time)"
    # Minimizing each new interesting input may take 60s by default, which
    # for kilobyte-sized seeds (mdoc, SD-JWT) stalls fuzzing for minutes.
    if ! go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$time" -fuzzminimizetime 5s -parallel 2 >/tmp/fuzz.$$.log 2>&1; then
      cat /tmp/fuzz.$$.log
      status=1
    fi
  done
done
rm -f /tmp/fuzz.$$.log
exit $status
