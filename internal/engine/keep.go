package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/apostille/apostille/internal/atomicfile"
	"github.com/apostille/apostille/internal/trustlist"
	"github.com/apostille/apostille/verifier"
	"github.com/apostille/apostille/wasm/host"
)

// kept is the file Loader.Keep names: the sources and status lists of the
// last trust loaded in full, as read.
type kept struct {
	SavedAt     time.Time          `json:"saved_at"`
	Fingerprint string             `json:"fingerprint"`
	Sources     []host.TrustSource `json:"sources"`
	StatusLists [][]byte           `json:"status_lists,omitempty"`
}

// keep saves t as the last good trust when it differs from the one kept.
// Only a trust loaded in full (no file refused) is kept.
func (l *Loader) keep(t *Trust) error {
	if l.Keep == "" || t.Refused != nil || t.Fingerprint == l.keptFingerprint {
		return nil
	}
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	b, err := json.Marshal(kept{SavedAt: now().UTC(), Fingerprint: t.Fingerprint, Sources: t.Sources, StatusLists: t.StatusLists})
	if err != nil {
		return err
	}
	if err := atomicfile.Write(l.Keep, b, 0o600); err != nil {
		return fmt.Errorf("keeping the last good trust: %w", err)
	}
	l.keptFingerprint = t.Fingerprint
	return nil
}

// ErrNoneKept is LoadKept's error when no good trust was kept.
var ErrNoneKept = errors.New("no last good trust kept")

// LoadKept loads the last good trust that Load kept (Loader.Keep): for a
// service whose trust files cannot be used at start, so that it serves
// what it served before rather than nothing. Signed bundles are verified
// again, with the pinned keys and the rollback state as they are now: a
// kept bundle that no pinned key signs any more is not used. Trust.Kept
// says when it was kept.
func (l *Loader) LoadKept() (*Trust, error) {
	if l.Keep == "" {
		return nil, ErrNoneKept
	}
	if l.State == nil {
		l.State, _ = trustlist.LoadState("")
	}
	b, err := os.ReadFile(l.Keep)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoneKept
	}
	if err != nil {
		return nil, err
	}
	var k kept
	if err := json.Unmarshal(b, &k); err != nil || len(k.Sources) == 0 {
		return nil, fmt.Errorf("%s is not a kept trust", l.Keep)
	}
	keys, raw, err := ReadOperatorKeys(l.Files.OperatorKeys)
	if err != nil {
		return nil, err
	}
	t := &Trust{Parsed: &verifier.Trust{}, OperatorKeys: raw, StatusLists: k.StatusLists, Kept: k.SavedAt, Fingerprint: "kept:" + k.Fingerprint}
	for _, s := range k.Sources {
		var one *verifier.Trust
		if verifier.IsSignedBundle(s.Data) {
			if one, err = verifier.OpenBundle(s.Data, keys); err == nil {
				err = l.State.Check(one, trustlist.Digest(s.Data))
			}
		} else {
			one, err = verifier.LoadTrust(s.Name, s.Data, keys)
		}
		if err != nil {
			return nil, fmt.Errorf("the kept trust %s: %w", s.Name, err)
		}
		t.Parsed.Add(one)
		t.Sources = append(t.Sources, s)
	}
	return t, nil
}
