package engine

import (
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/apostille/apostille/internal/trustlist"
	"github.com/apostille/apostille/verifier"
)

func TestLoad(t *testing.T) {
	l := &Loader{Files: Files{
		Trust:        []string{path(world.man.SignedTrust), path(world.man.OperatorKey)},
		OperatorKeys: []string{path(world.man.OperatorKey)},
		StatusLists:  []string{path("status/ee-population-register-1.jwt")},
	}}
	tr, err := l.Load()
	if err != nil {
		t.Fatal(err)
	}
	if tr.Refused != nil || len(tr.Sources) != 2 || len(tr.OperatorKeys) != 1 || len(tr.StatusLists) != 1 {
		t.Fatalf("loaded %d sources, %d keys, %d lists, refused %v", len(tr.Sources), len(tr.OperatorKeys), len(tr.StatusLists), tr.Refused)
	}
	if tr.Sources[0].Name != "trust.jws" || !tr.Parsed.Info.Signed {
		t.Errorf("signed source %q, info %+v", tr.Sources[0].Name, tr.Parsed.Info)
	}
	again, err := l.Load()
	if err != nil || again.Fingerprint != tr.Fingerprint {
		t.Fatalf("the same files: fingerprint %s, then %s (%v)", tr.Fingerprint, again.Fingerprint, err)
	}
	// Any file that changes changes the fingerprint.
	for _, f := range []*[]string{&l.Files.Trust, &l.Files.OperatorKeys, &l.Files.StatusLists} {
		orig := (*f)[0]
		b, _ := os.ReadFile(orig)
		cp := filepath.Join(t.TempDir(), filepath.Base(orig))
		os.WriteFile(cp, append(b, '\n'), 0o644)
		(*f)[0] = cp
		changed, err := l.Load()
		(*f)[0] = orig
		if err != nil {
			t.Fatalf("%s with a newline: %v", orig, err)
		}
		if changed.Fingerprint == tr.Fingerprint {
			t.Errorf("%s changed, the fingerprint did not", orig)
		}
	}
}

// TestLoadRefused: a signed bundle that no pinned key verifies is refused
// (not an error: every document says so); without any pinned key it is a
// usage error; a file that is not trust is an error.
func TestLoadRefused(t *testing.T) {
	other, err := trustlist.GenerateKey("EdDSA", rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := other.PublicJWK()
	otherKey := filepath.Join(t.TempDir(), "other.pub.jwk")
	os.WriteFile(otherKey, pub, 0o644)

	l := &Loader{Files: Files{Trust: []string{path(world.man.SignedTrust)}, OperatorKeys: []string{otherKey}}}
	tr, err := l.Load()
	if err != nil {
		t.Fatal(err)
	}
	var be *verifier.BundleError
	if !errors.As(tr.Refused, &be) || be.Reason != verifier.TrustInvalid || tr.RefusedFile != path(world.man.SignedTrust) {
		t.Fatalf("refused %v (%s)", tr.Refused, tr.RefusedFile)
	}
	if len(tr.Sources) != 0 {
		t.Errorf("a refused bundle is a source: %+v", tr.Sources)
	}
	// Under a pinned key an unsigned bundle is refused too, as the module
	// refuses it.
	l = &Loader{Files: Files{Trust: []string{path(world.man.Trust)}, OperatorKeys: []string{path(world.man.OperatorKey)}}}
	if tr, err = l.Load(); err != nil {
		t.Fatal(err)
	}
	if !errors.As(tr.Refused, &be) || be.Reason != verifier.TrustInvalid || len(tr.Sources) != 0 {
		t.Fatalf("an unsigned bundle under a pinned key: refused %v, sources %d", tr.Refused, len(tr.Sources))
	}

	for name, files := range map[string]Files{
		"signed, nothing pinned": {Trust: []string{path(world.man.SignedTrust)}},
		"not trust":              {Trust: []string{path("status/ee-population-register-1.jwt")}},
		"missing":                {Trust: []string{path("nothing-here.json")}},
		"key not a key":          {OperatorKeys: []string{path(world.man.Trust)}},
	} {
		if _, err := (&Loader{Files: files}).Load(); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
}

// TestKeep: a trust loaded in full is kept; LoadKept gives it back, its
// signed bundle verified again, when the files no longer load; a kept
// bundle that no pinned key verifies any more is not used; nothing kept is
// ErrNoneKept.
func TestKeep(t *testing.T) {
	dir := t.TempDir()
	trust := filepath.Join(dir, "trust.jws")
	b, err := os.ReadFile(path(world.man.SignedTrust))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(trust, b, 0o644)
	keep := filepath.Join(dir, "kept.json")
	l := &Loader{Files: Files{Trust: []string{trust}, OperatorKeys: []string{path(world.man.OperatorKey)}}, Keep: keep}
	if _, err := l.LoadKept(); !errors.Is(err, ErrNoneKept) {
		t.Fatalf("nothing kept: %v", err)
	}
	good, err := l.Load()
	if err != nil || good.KeepErr != nil {
		t.Fatal(err, good.KeepErr)
	}
	os.WriteFile(trust, []byte("garbage"), 0o644)
	if _, err := l.Load(); err == nil {
		t.Fatal("garbage loaded")
	}
	k, err := l.LoadKept()
	if err != nil {
		t.Fatal(err)
	}
	if k.Kept.IsZero() || !k.Parsed.Info.Signed || k.Parsed.Info.Sequence != good.Parsed.Info.Sequence || len(k.Sources) != 1 {
		t.Fatalf("kept %+v", k.Parsed.Info)
	}
	// Another operator key pinned now: the kept bundle is not used.
	other, err := trustlist.GenerateKey("EdDSA", rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := other.PublicJWK()
	otherKey := filepath.Join(dir, "other.jwk")
	os.WriteFile(otherKey, pub, 0o644)
	l.Files.OperatorKeys = []string{otherKey}
	if _, err := l.LoadKept(); err == nil {
		t.Fatal("a kept bundle that no pinned key verifies was used")
	}
}
