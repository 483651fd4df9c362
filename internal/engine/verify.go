package engine

import (
	"context"

	"github.com/apostille/apostille/verifier"
)

// Fetch gets the status list token at uri (internal/statusfetch's
// Fetcher.Get, or a host's wrapper around it).
type Fetch func(ctx context.Context, uri string) ([]byte, error)

// Verify verifies one document as every host does, and returns its report
// JSON. A refused trust answers with the refusal. Otherwise the engine
// verifies doc with opts and the trust's status lists; when the report says
// the document's status list is missing (its revocation check is
// status_unknown and names the list) and fetch is not nil, fetch gets that
// list and the document is verified once more with it. A list that cannot
// be fetched leaves the first report: its status stays unknown.
func Verify(ctx context.Context, e Engine, t *Trust, doc []byte, opts verifier.Options, fetch Fetch) []byte {
	if t.Refused != nil {
		return verifier.TrustErrorReport(t.Refused, opts.Time).AppendJSON(nil)
	}
	switch {
	case len(opts.StatusLists) == 0:
		opts.StatusLists = t.StatusLists
	case len(t.StatusLists) > 0:
		opts.StatusLists = append(opts.StatusLists[:len(opts.StatusLists):len(opts.StatusLists)], t.StatusLists...)
	}
	rep := e.Verify(ctx, doc, opts)
	if fetch == nil {
		return rep
	}
	sum, err := verifier.ReadSummary(rep)
	if err != nil || sum.MissingStatusList == nil {
		return rep
	}
	list, err := fetch(ctx, sum.MissingStatusList.URI)
	if err != nil {
		return rep
	}
	opts.StatusLists = append(opts.StatusLists[:len(opts.StatusLists):len(opts.StatusLists)], list)
	return e.Verify(ctx, doc, opts)
}
