package host

import (
	"context"
	"testing"

	"github.com/apostille/apostille/internal/benchdocs"
	"github.com/apostille/apostille/internal/wasmbuild"
	"github.com/apostille/apostille/verifier"
)

// BenchmarkVerify verifies each benchmark document one at a time through
// the native verifier, the module with host crypto and the module without.
// `make bench` prints the same comparison as documents/s with ratios
// (internal/cmd/wasmbench); this is the form benchstat and pprof take.
func BenchmarkVerify(b *testing.B) {
	set, err := benchdocs.Make()
	if err != nil {
		b.Fatal(err)
	}
	mod := wasmbuild.ForTest(b)
	trust, err := verifier.ParseTrust("bench", set.Trust)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	engines := map[string]*Engine{}
	for _, name := range []string{"module", "module-nohostcrypto"} {
		e, err := New(ctx, Config{Module: mod, Trust: []TrustSource{{"bench", set.Trust}}, Instances: 1, DisableHostCrypto: name != "module", CacheDir: cacheDir(b)})
		if err != nil {
			b.Fatal(err)
		}
		defer e.Close(ctx)
		engines[name] = e
	}
	opts := verifier.Options{Time: benchdocs.At}
	for _, d := range set.Docs {
		b.Run(d.Name+"/native", func(b *testing.B) {
			o := opts
			o.Trust = trust
			var buf []byte
			for b.Loop() {
				buf = verifier.Verify(d.Data, o).AppendJSON(buf[:0])
			}
		})
		for _, name := range []string{"module", "module-nohostcrypto"} {
			e := engines[name]
			b.Run(d.Name+"/"+name, func(b *testing.B) {
				for b.Loop() {
					e.Verify(ctx, d.Data, opts)
				}
			})
		}
	}
}

// BenchmarkWarmStart is what a one-document `apostille verify` pays with a
// warm compilation cache: New (decode and validate the module, load the
// compiled code, one instance, the trust), one verification, Close.
func BenchmarkWarmStart(b *testing.B) {
	set, err := benchdocs.Make()
	if err != nil {
		b.Fatal(err)
	}
	cfg := Config{Module: wasmbuild.ForTest(b), Trust: []TrustSource{{"bench", set.Trust}}, Instances: 1, CacheDir: b.TempDir()}
	ctx := context.Background()
	e, err := New(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	e.Close(ctx)
	for b.Loop() {
		e, err := New(ctx, cfg)
		if err != nil {
			b.Fatal(err)
		}
		e.Verify(ctx, set.Docs[0].Data, verifier.Options{Time: benchdocs.At})
		e.Close(ctx)
	}
}
