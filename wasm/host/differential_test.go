package host

import (
	"context"
	"os"
	"testing"

	"github.com/apostille/apostille/internal/corpus"
	"github.com/apostille/apostille/internal/wasmbuild"
	"github.com/apostille/apostille/verifier"
)

// TestDifferential verifies every document of the corpus (demo world,
// benchmark documents and their mutations, every testdata file and fuzz
// seed, hostile inputs) three ways: the native verifier, the module with
// host crypto (signatures and hashing) and the module with its own crypto
// (DisableHostCrypto, as in a browser). The reports must be the same bytes,
// and the corpus's containers must have been hashed through the host.
func TestDifferential(t *testing.T) {
	mod := wasmbuild.ForTest(t)
	root, err := wasmbuild.Root()
	if err != nil {
		t.Fatal(err)
	}
	sets, err := corpus.Collect(root, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	n := 0
	var hostHashed int64
	for _, set := range sets {
		trust := &verifier.Trust{}
		var sources []TrustSource
		for _, s := range set.Trust {
			p, err := verifier.ParseTrust(s.Name, s.Data)
			if err != nil {
				t.Fatal(err)
			}
			trust.Add(p)
			sources = append(sources, TrustSource{s.Name, s.Data})
		}
		var engines []*Engine
		for _, disable := range []bool{false, true} {
			e, err := New(ctx, Config{Module: mod, Trust: sources, Instances: 1, DisableHostCrypto: disable, CacheDir: cacheDir(t)})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close(ctx)
			engines = append(engines, e)
		}
		for _, c := range set.Cases {
			opts := c.VerifyOptions()
			native := opts
			native.Trust = trust
			rep := verifier.Verify(c.Doc, native)
			want := rep.AppendJSON(nil)
			if c.Verdict != "" && (rep.Verdict != c.Verdict || rep.Reason != c.Reason) {
				t.Errorf("%s/%s: %s/%s, want %s/%s", set.Name, c.Name, rep.Verdict, rep.Reason, c.Verdict, c.Reason)
			}
			for i, e := range engines {
				got := e.Verify(ctx, c.Doc, opts)
				if string(got) != string(want) {
					t.Errorf("%s/%s, module (host crypto %v):\n got %s\nwant %s", set.Name, c.Name, i == 0, got, want)
				}
			}
			n++
		}
		hostHashed += engines[0].hashed.Load()
		if h := engines[1].hashed.Load(); h != 0 {
			t.Errorf("%s: the module hashed %d bytes through a host with host crypto disabled", set.Name, h)
		}
	}
	if n < 50 {
		t.Fatalf("the corpus has only %d documents", n)
	}
	if hostHashed == 0 {
		t.Fatal("no document of the corpus was hashed through the host")
	}
	t.Logf("%d documents, three ways, identical; %d bytes hashed through the host", n, hostHashed)
}

// cacheDir is a compilation cache shared by the tests of one run, so that
// the module is compiled once.
func cacheDir(t testing.TB) string {
	dir := os.Getenv("APOSTILLE_TEST_CACHE")
	if dir == "" {
		dir = sharedCache
	}
	return dir
}
