package verifier_test

import (
	"testing"

	"github.com/apostille/apostille/internal/corpus"
	"github.com/apostille/apostille/verifier"
)

// TestChainMemoCorpus: on the whole differential corpus, verified twice
// (the second time from the memo where a chain repeats), the reports with
// the trust's chain memo are the bytes of reports built afresh.
func TestChainMemoCorpus(t *testing.T) {
	sets, err := corpus.Collect("..", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, set := range sets {
		memo, fresh := &verifier.Trust{}, &verifier.Trust{}
		for _, s := range set.Trust {
			for _, into := range []*verifier.Trust{memo, fresh} {
				p, err := verifier.ParseTrust(s.Name, s.Data)
				if err != nil {
					t.Fatal(err)
				}
				into.Add(p)
			}
		}
		verifier.ForgetChains(fresh)
		for round := 0; round < 2; round++ {
			for _, c := range set.Cases {
				opts := c.VerifyOptions()
				opts.Trust = fresh
				want := verifier.Verify(c.Doc, opts).AppendJSON(nil)
				opts.Trust = memo
				if got := verifier.Verify(c.Doc, opts).AppendJSON(nil); string(got) != string(want) {
					t.Errorf("%s/%s (round %d):\n got %s\nwant %s", set.Name, c.Name, round, got, want)
				}
				n++
			}
		}
	}
	t.Logf("%d verifications, with and without the chain memo, identical", n)
}
