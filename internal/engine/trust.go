package engine

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/apostille/apostille/internal/trustlist"
	"github.com/apostille/apostille/verifier"
	"github.com/apostille/apostille/wasm/host"
)

// Trust is one loaded trust: what an engine is made from, what every
// document is verified with, and what the service's GET /v1/trust
// describes. A load never changes one that was returned: requests still
// use it.
type Trust struct {
	// Parsed is every accepted source parsed and merged: the native
	// engine's trust.
	Parsed *verifier.Trust
	// Sources are the accepted sources as read, in order, for the module,
	// which parses them itself in each instance; OperatorKeys are the
	// pinned keys (public JWKs) signed sources verify with.
	Sources      []host.TrustSource
	OperatorKeys [][]byte
	// Refused, when set, is why a signed bundle was refused
	// (trust_invalid, trust_rollback); RefusedFile names it. Every document
	// gets a report that says so.
	Refused     error
	RefusedFile string
	// StatusLists are status list tokens handed to every verification.
	StatusLists [][]byte
	// Fingerprint identifies every byte read: a reload that reads the same
	// fingerprint can keep the engine it has.
	Fingerprint string
	// Kept, when set, says this is the last good trust that a Loader kept
	// (LoadKept), saved then, rather than the files it was given.
	Kept time.Time
	// KeepErr is why this trust, loaded in full, could not be kept.
	KeepErr error
}

// Files are the files a trust is read from.
type Files struct {
	// Trust are trust bundles (signed or not), JWK Sets, JWKs or PEM/DER
	// certificates.
	Trust []string
	// OperatorKeys are pinned trust-list operator keys (public JWKs) that
	// signed bundles must verify with.
	OperatorKeys []string
	// StatusLists are status list tokens.
	StatusLists []string
}

// Loader loads trust from files. One Loader serves a process: its rollback
// state remembers every signed bundle accepted, so that a reload never
// accepts one older than what this process already served.
type Loader struct {
	Files Files
	// State is the rollback state (OpenState); nil keeps one in memory,
	// for the life of the Loader.
	State *trustlist.State
	// Now is the clock for the freshness of signed bundles; nil means
	// time.Now.
	Now func() time.Time
	// Keep, when set, is a file where every trust loaded in full is kept,
	// for LoadKept.
	Keep string

	keptFingerprint string
}

// Load reads every file once and returns the trust. A bundle that is
// refused (not signed by a pinned key, a rollback, unsigned while a key is
// pinned) is not an error: it is Trust.Refused. Errors are unreadable files, sources that are not trust
// and a signed bundle without any pinned key. Loads must not overlap.
func (l *Loader) Load() (*Trust, error) {
	if l.State == nil {
		l.State, _ = trustlist.LoadState("") // in memory: cannot fail
	}
	fp := sha256.New()
	read := func(p string) ([]byte, error) {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(fp, "%q %x\n", p, sha256.Sum256(b))
		return b, nil
	}
	t := &Trust{Parsed: &verifier.Trust{}}
	keys, raw, err := readOperatorKeys(l.Files.OperatorKeys, read)
	if err != nil {
		return nil, err
	}
	t.OperatorKeys = raw
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	for _, p := range l.Files.Trust {
		data, err := read(p)
		if err != nil {
			return nil, &FileError{"trust", p, err}
		}
		name := filepath.Base(p)
		var one *verifier.Trust
		switch {
		case !verifier.IsSignedBundle(data):
			// As the module loads it: under a pinned key an unsigned
			// bundle is refused.
			one, err = verifier.LoadTrust(name, data, keys)
		case len(keys) == 0:
			return nil, &FileError{"trust", p, errors.New("a signed trust bundle: pin its operator with --trust-key")}
		default:
			one, err = trustlist.Open(data, keys, l.State, now())
		}
		if _, refused := trustlist.IsRefusal(err); refused {
			t.Refused, t.RefusedFile = err, p
			continue
		}
		if err != nil {
			return nil, &FileError{"trust", p, notTrust(data, err)}
		}
		t.Parsed.Add(one)
		t.Sources = append(t.Sources, host.TrustSource{Name: name, Data: data})
	}
	for _, p := range l.Files.StatusLists {
		b, err := read(p)
		if err != nil {
			return nil, &FileError{"status-list", p, err}
		}
		t.StatusLists = append(t.StatusLists, b)
	}
	t.Fingerprint = "sha256:" + hex.EncodeToString(fp.Sum(nil))
	// A trust that cannot be kept is still served: the service says so.
	t.KeepErr = l.keep(t)
	return t, nil
}

// ReadOperatorKeys reads pinned trust-list operator keys (public JWKs):
// parsed, and as read.
func ReadOperatorKeys(paths []string) ([]*verifier.OperatorKey, [][]byte, error) {
	return readOperatorKeys(paths, os.ReadFile)
}

func readOperatorKeys(paths []string, read func(string) ([]byte, error)) ([]*verifier.OperatorKey, [][]byte, error) {
	var keys []*verifier.OperatorKey
	var raw [][]byte
	for _, p := range paths {
		b, err := read(p)
		if err != nil {
			return nil, nil, &FileError{"trust-key", p, err}
		}
		k, err := verifier.ParseOperatorKey(b)
		if err != nil {
			return nil, nil, &FileError{"trust-key", p, fmt.Errorf("not a public operator key (a JWK, as `apostille trust keygen` writes PREFIX.pub.jwk): %w", err)}
		}
		keys = append(keys, k)
		raw = append(raw, b)
	}
	return keys, raw, nil
}

// OpenState opens the rollback state at path; "none" (or "") keeps none.
func OpenState(path string) (*trustlist.State, error) {
	if path == "none" {
		path = ""
	}
	return trustlist.LoadState(path)
}

// FileError is a trust file that could not be used: which of the files it
// is (its flag in `apostille verify` and `apostille serve`: "trust",
// "trust-key" or "status-list"), its path, and why.
type FileError struct {
	Flag string
	Path string
	Err  error
}

func (e *FileError) Error() string {
	var pe *fs.PathError
	if errors.As(e.Err, &pe) && pe.Path == e.Path {
		return "--" + e.Flag + ": " + e.Err.Error() // the OS error names the path
	}
	return "--" + e.Flag + " " + e.Path + ": " + e.Err.Error()
}

func (e *FileError) Unwrap() error { return e.Err }

// notTrust says what a trust file that does not parse is not, when it does
// not even look like one of the forms trust takes (JSON, PEM or a DER
// certificate): a parser's error about the form it tried last would
// mislead.
func notTrust(data []byte, err error) error {
	b := bytes.TrimSpace(data)
	switch {
	case len(b) > 0 && b[0] == '{', bytes.HasPrefix(b, []byte("-----BEGIN")):
		return err
	case len(b) > 0 && b[0] == 0x30:
		return fmt.Errorf("not a DER certificate: %w", err)
	}
	return errors.New("not a trust bundle, a JWK Set, a JWK, nor PEM or DER certificates")
}
