package verifier_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/apostille/apostille/verifier"
)

// TestListSignersMemo holds the trust's memo of who signed its status
// lists (status.go, listSigners) to checking every time: the same report
// for lists of the document's issuer and of another, at times around the
// lists' validity, verified twice.
func TestListSignersMemo(t *testing.T) {
	f := newFixture(t)
	l := statusList(t)
	b := f.bundle(1, fxAt.AddDate(1, 0, 0))
	tok := token(l)
	expired := tok
	expired.Expires = fxAt.Add(-time.Minute)
	newer := tok
	newer.IssuedAt = tok.IssuedAt.Add(time.Minute)
	others := tok
	others.URI = "https://issuer.example/others"
	b.StatusLists = []string{string(f.listJWT(tok, "iss-1")), string(f.listJWT(newer, "other-1")), string(f.listJWT(expired, "iss-1")), string(f.listJWT(others, "other-1"))}
	open := func() *verifier.Trust {
		tr, err := verifier.OpenBundle(f.sign(b), f.pinned())
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	memo, plain := open(), open()
	verifier.ForgetListSigners(plain)
	n := 0
	for _, idx := range []any{0, 3, 5, 7, 99, 100} {
		for _, uri := range []string{listURI, "https://issuer.example/none", "https://issuer.example/others"} {
			doc := f.document(statusClaim(idx, uri))
			for _, at := range []time.Time{f.at, f.at.Add(-2 * time.Hour), f.at.Add(48 * time.Hour)} {
				want := verifier.Verify(doc, verifier.Options{Trust: plain, Time: at}).AppendJSON(nil)
				for pass := range 2 {
					got := verifier.Verify(doc, verifier.Options{Trust: memo, Time: at}).AppendJSON(nil)
					if !bytes.Equal(got, want) {
						t.Fatalf("idx %v, %s, %v, pass %d:\n%s\n%s", idx, uri, at, pass, got, want)
					}
				}
				n++
			}
		}
	}
	if n == 0 {
		t.Fatal("nothing verified")
	}
}
