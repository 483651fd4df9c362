// Package module holds the Apostille WebAssembly module embedded at build
// time, so that bin/apostille and programs using wasm/host are one
// self-contained file.
//
// `make wasm` builds bin/apostille.wasm reproducibly and copies it to
// blob/apostille.wasm, which is not committed. The embed names the blob
// directory rather than the file so that a clean checkout still builds
// (`go build ./...`, `go vet ./...`, `go install`): such a build holds no
// module, Bytes returns nil, and callers say so or fall back to the native
// verifier.
package module

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
)

//go:embed blob
var blob embed.FS

// Name is the module's file name in the blob directory and in releases.
const Name = "apostille.wasm"

// Bytes returns the embedded module, or nil when this binary was built
// without one (a plain `go build` on a clean checkout).
func Bytes() []byte {
	b, err := blob.ReadFile("blob/" + Name)
	if err != nil {
		return nil
	}
	return b
}

// SHA256 returns the hex SHA-256 of a module, as `make wasm` prints it.
func SHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
