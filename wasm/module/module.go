// Package module holds the Apostille WebAssembly module, so that
// bin/apostille and every program using wasm/host carry it: a program that
// imports wasm/host from a clean checkout or with `go get` has the module
// without building it.
//
// The module is committed brotli-compressed (apostille.wasm.br, about a
// fifth of its size), and decompressed once per process. It is the
// reproducible build of wasm/guest (`make wasm` writes it when the source
// changed it; `make test` fails when the committed file differs from a
// fresh reproducible build), so any change to verifier/ comes with the
// regenerated file (CONTRIBUTING.md).
package module

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"io"
	"sync"

	"github.com/andybalholm/brotli"
)

// Name is the module's file name in releases and in the npm package.
const Name = "apostille.wasm"

// Compressed is the committed file in this directory: the module,
// brotli-compressed.
const Compressed = Name + ".br"

// maxSize bounds the decompressed module (it is 7.7 MB).
const maxSize = 64 << 20

//go:embed apostille.wasm.br
var compressed []byte

var decompressed = sync.OnceValues(func() ([]byte, error) {
	return Decompress(compressed)
})

// Key identifies the embedded module without decompressing it: the hex
// SHA-256 of the compressed file.
func Key() string { return SHA256(compressed) }

// Bytes returns the module, decompressed at the first call. It is nil only
// if the embedded file cannot be decompressed, which a test rules out.
func Bytes() []byte {
	b, err := decompressed()
	if err != nil {
		return nil
	}
	return b
}

// Decompress returns the module a compressed file holds.
func Decompress(br []byte) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(brotli.NewReader(bytes.NewReader(br)), maxSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxSize {
		return nil, errors.New("module: the decompressed module is too large")
	}
	return b, nil
}

// SHA256 returns the hex SHA-256 of a module, as `make wasm` prints it.
func SHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
