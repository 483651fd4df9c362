package host

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apostille/apostille/internal/demo"
	"github.com/apostille/apostille/internal/wasmbuild"
	"github.com/apostille/apostille/verifier"
)

func TestSmoke(t *testing.T) {
	mod := wasmbuild.ForTest(t)
	dir := t.TempDir()
	w, err := demo.Build(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	tb, _ := os.ReadFile(filepath.Join(dir, "trust.json"))
	ctx := context.Background()
	start := time.Now()
	e, err := New(ctx, Config{Module: mod, Trust: []TrustSource{{"trust.json", tb}}, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("new: %v", time.Since(start))
	defer e.Close(ctx)
	trust, _ := verifier.ParseTrust("trust.json", tb)
	at := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	for _, s := range w.Man.Samples {
		doc, _ := os.ReadFile(filepath.Join(dir, s.File))
		got := e.Verify(ctx, doc, verifier.Options{Time: at})
		want := verifier.Verify(doc, verifier.Options{Time: at, Trust: trust}).AppendJSON(nil)
		if string(got) != string(want) {
			t.Errorf("%s:\n got %s\nwant %s", s.File, got, want)
		}
	}
}
