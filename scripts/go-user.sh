#!/usr/bin/env bash
# What a Go user receives: clones this repository's committed HEAD into a
# temporary directory, builds examples/verify in a module outside it that
# requires github.com/apostille/apostille through a replace directive, and
# verifies demo documents with it. Nothing is built with make first: the
# WebAssembly module comes committed (wasm/module), as it does with go get.
#   scripts/go-user.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT

git clone --quiet --no-checkout "$root" "$tmp/apostille"
# HEAD itself, which a clone lacks when it is on no branch (CI checks out
# a commit).
git -C "$tmp/apostille" fetch --quiet "$root" HEAD
git -C "$tmp/apostille" checkout --quiet --detach FETCH_HEAD

mkdir "$tmp/user"
cp "$tmp/apostille/examples/verify/main.go" "$tmp/user/"
# The user's module needs a subset of the repository's dependencies.
cp "$tmp/apostille/go.sum" "$tmp/user/"
goversion=$(awk '$1 == "go" { print $2; exit }' "$tmp/apostille/go.mod")
cat > "$tmp/user/go.mod" <<MOD
module example.com/user

go $goversion

require github.com/apostille/apostille v0.0.0

replace github.com/apostille/apostille => ../apostille
MOD
cd "$tmp/user"
export GOFLAGS=-mod=mod
go mod tidy
go build -o verify .
td=../apostille/wasm/host/testdata
set +e
out=$(./verify -trust $td/trust.jws -trust-key $td/operator.pub.jwk -at 2026-11-27T12:00:00Z \
  $td/eu-dcc-vaccination.hc1 $td/ee-birth-certificate.jwt $td/eu-dcc-vaccination-tampered.hc1)
code=$?
set -e
want='eu-dcc-vaccination.hc1: valid
ee-birth-certificate.jwt: valid
eu-dcc-vaccination-tampered.hc1: invalid (signature_invalid)'
if [ "$code" != 1 ] || [ "$out" != "$want" ]; then
  echo "a Go program outside the repository did not verify as expected (exit $code):" >&2
  echo "$out" >&2
  exit 1
fi
echo "a Go program outside a clone of $(git -C "$root" rev-parse --short HEAD) verified the demo documents through wasm/host"
