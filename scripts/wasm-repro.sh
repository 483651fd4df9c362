#!/usr/bin/env bash
# Rebuilds the WebAssembly module from a copy of the committed tree, at
# another path, with an empty Go build cache and every package rebuilt (-a),
# and requires the result to be byte-identical to the given module. Then
# requires the committed module (wasm/module/apostille.wasm.br, which
# `make wasm` rewrites when the source changed it) to be committed as it
# stands: a `go get` user receives what is committed, not what make built.
#   scripts/wasm-repro.sh bin/apostille.wasm
set -euo pipefail
want=$(realpath "$1")
cd "$(dirname "$0")/.."
root=$PWD
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src"
# The tracked files plus uncommitted edits: what the module was built from.
git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$tmp/src"
cd "$tmp/src"
GOCACHE="$tmp/gocache" go run ./internal/cmd/wasmbuild -o "$tmp/apostille.wasm" -embed "" -a -sizes=false
if cmp "$want" "$tmp/apostille.wasm"; then
  echo "reproducible: $(sha256sum < "$want" | cut -c1-64)"
else
  echo "NOT reproducible: $1 differs from a clean rebuild" >&2
  exit 1
fi
cd "$root"
committed=wasm/module/apostille.wasm.br
# `make wasm` rewrote the file from this build when it held another module;
# the Go test in wasm/module holds its content to the source.
if ! git ls-files --error-unmatch "$committed" >/dev/null 2>&1 || ! git diff --quiet -- "$committed"; then
  echo "$committed does not hold the module of this source as committed:" >&2
  echo "  the source changed the module and \`make wasm\` rewrote the file; commit it (git add $committed)" >&2
  exit 1
fi
echo "committed: $committed holds this module"
