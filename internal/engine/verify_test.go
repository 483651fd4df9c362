package engine

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/apostille/apostille/verifier"
)

// TestVerifyStatusPass: a document whose list the trust does not ship is
// status_unknown; with a fetch, the list it names is fetched and decides;
// a fetch that fails leaves status_unknown; documents that need no list
// fetch nothing.
func TestVerifyStatusPass(t *testing.T) {
	bundle, list := withoutLists(t)
	tr, err := (&Loader{Files: Files{Trust: []string{bundle}}}).Load()
	if err != nil {
		t.Fatal(err)
	}
	e := Native{tr.Parsed}
	var asked []string
	fetch := func(_ context.Context, uri string) ([]byte, error) {
		asked = append(asked, uri)
		return list, nil
	}
	failing := func(context.Context, string) ([]byte, error) { return nil, errors.New("offline") }
	for _, c := range []struct {
		file  string
		fetch Fetch
		want  verifier.Reason
		asks  int
	}{
		{"ee-residence-certificate.jwt", nil, verifier.StatusUnknown, 0},
		{"ee-residence-certificate.jwt", fetch, "", 1},
		{"ee-residence-certificate-revoked.jwt", fetch, verifier.Revoked, 1},
		{"ee-residence-certificate-revoked.jwt", failing, verifier.StatusUnknown, 0},
		{"ee-birth-certificate.jwt", fetch, "", 0},
	} {
		asked = nil
		doc, opts := sample(t, c.file)
		rep := Verify(context.Background(), e, tr, doc, opts, c.fetch)
		if got := decision(t, rep); got.Reason != c.want {
			t.Errorf("%s: %s/%s, want %q", c.file, got.Verdict, got.Reason, c.want)
		}
		if len(asked) != c.asks || c.asks > 0 && asked[0] != "https://rahvastikuregister.example.ee/statuslists/1" {
			t.Errorf("%s: fetched %v", c.file, asked)
		}
	}
	// A list given with the trust (--status-list) decides without a fetch.
	tr.StatusLists = [][]byte{list}
	doc, opts := sample(t, "ee-residence-certificate-revoked.jwt")
	if got := decision(t, Verify(context.Background(), e, tr, doc, opts, failing)); got.Reason != verifier.Revoked {
		t.Errorf("with the trust's list: %s", got.Reason)
	}
}

// TestVerifyRefused: a refused trust answers every document with the
// refusal, without asking the engine.
func TestVerifyRefused(t *testing.T) {
	tr := &Trust{Refused: &verifier.BundleError{Reason: verifier.TrustRollback, Detail: "older"}}
	var calls atomic.Int64
	e := countingEngine{&calls}
	doc, opts := sample(t, "ee-birth-certificate.jwt")
	if got := decision(t, Verify(context.Background(), e, tr, doc, opts, nil)); got.Reason != verifier.TrustRollback {
		t.Errorf("refused trust: %s/%s", got.Verdict, got.Reason)
	}
	if calls.Load() != 0 {
		t.Error("the engine verified under a refused trust")
	}
}

type countingEngine struct{ n *atomic.Int64 }

func (c countingEngine) Verify(ctx context.Context, doc []byte, opts verifier.Options) []byte {
	c.n.Add(1)
	return Native{}.Verify(ctx, doc, opts)
}
func (countingEngine) Name() string                { return "counting" }
func (countingEngine) Close(context.Context) error { return nil }
