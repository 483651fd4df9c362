package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/apostille/apostille/verifier"
)

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// loadTrust reads every --trust source: a trust bundle, a JWK Set, a JWK, or
// PEM/DER certificates. Each file's name labels issuers it does not name.
// baseName labels a trust source by its file name, as ParseTrust names
// issuers that the source does not name.
func baseName(p string) string { return filepath.Base(p) }

func loadTrust(paths []string) (*verifier.Trust, [][]byte, error) {
	t := &verifier.Trust{}
	var raw [][]byte
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, nil, err
		}
		one, err := verifier.ParseTrust(baseName(p), data)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", p, err)
		}
		t.Add(one)
		raw = append(raw, data)
	}
	return t, raw, nil
}
