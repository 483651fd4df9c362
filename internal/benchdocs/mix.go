package benchdocs

import (
	"encoding/base64"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/apostille/apostille/internal/demo"
)

// MixDoc is one document of the demo world, what it carries and what
// verifying it at At must say (the demo manifest's verdict and reason).
type MixDoc struct {
	Name    string // the demo file's name, e.g. lu-mdl.mdoc
	Format  string // the group it is measured in: the manifest's format, jws-x5c for a JWS with a chain
	Data    []byte
	Proof   []byte // its detached tlog proof, if any
	Payload []byte // its detached payload, if any
	Verdict string
	Reason  string
}

// Mix is the realistic mix: every document of the demo world — the
// valid ones with their proofs, and the tampered, expired, revoked and
// unknown ones — with the demo trust bundle (JSON). Verified at At, each
// decides as the demo manifest says.
type Mix struct {
	Trust []byte
	Docs  []MixDoc
}

// Formats are the mix's groups in the order tables show them.
func (m *Mix) Formats() []string {
	var out []string
	seen := map[string]bool{}
	for _, d := range m.Docs {
		if !seen[d.Format] {
			seen[d.Format] = true
			out = append(out, d.Format)
		}
	}
	return out
}

// MakeMix builds the demo world from its default seed in a temporary
// directory and reads it back: the same bytes every time.
func MakeMix() (*Mix, error) {
	dir, err := os.MkdirTemp("", "apostille-benchmix-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	w, err := demo.Build(dir, demo.DefaultSeed)
	if err != nil {
		return nil, err
	}
	read := func(name string) ([]byte, error) {
		if name == "" {
			return nil, nil
		}
		return os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
	}
	m := &Mix{}
	if m.Trust, err = read(w.Man.Trust); err != nil {
		return nil, err
	}
	for _, s := range w.Man.Samples {
		d := MixDoc{Name: path.Base(s.File), Format: s.Format, Verdict: s.Verdict, Reason: s.Reason}
		if d.Data, err = read(s.File); err != nil {
			return nil, err
		}
		if d.Proof, err = read(s.Proof); err != nil {
			return nil, err
		}
		if d.Payload, err = read(s.Payload); err != nil {
			return nil, err
		}
		if s.Format == "jws-compact" && hasX5c(d.Data) {
			d.Format = "jws-x5c"
		}
		m.Docs = append(m.Docs, d)
	}
	if len(m.Docs) == 0 {
		return nil, fmt.Errorf("benchdocs: the demo world has no documents")
	}
	return m, nil
}

// hasX5c says whether a compact JWS's protected header names a chain.
func hasX5c(tok []byte) bool {
	h, _, _ := strings.Cut(string(tok), ".")
	b, err := base64.RawURLEncoding.DecodeString(h)
	return err == nil && strings.Contains(string(b), `"x5c"`)
}
