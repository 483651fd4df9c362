package trustlist

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/apostille/apostille/internal/atomicfile"
	"github.com/apostille/apostille/verifier"
)

// Updater fetches a signed bundle over HTTPS and keeps the last good one at
// Path. It fails closed: a bundle that does not verify, or is older than
// the one accepted, is refused and the file at Path stays as it was.
type Updater struct {
	URL    string
	Path   string // where the last good bundle is kept
	Keys   []*verifier.OperatorKey
	State  *State
	Client *http.Client
	Now    func() time.Time
}

// UpdateResult says what an update did.
type UpdateResult struct {
	NotModified bool            // the server answered 304; the kept bundle stands
	Trust       *verifier.Trust // the bundle now at Path
}

// meta is kept beside the bundle (Path + ".meta"): the ETag to send next.
type meta struct {
	URL       string `json:"url"`
	ETag      string `json:"etag,omitempty"`
	FetchedAt string `json:"fetched_at"`
}

// Update fetches the bundle once, with If-None-Match when a bundle from the
// same URL is kept. Refusals are *verifier.BundleError (trust_invalid,
// trust_rollback); other errors are transport or file errors.
func (u *Updater) Update(ctx context.Context) (*UpdateResult, error) {
	now := time.Now
	if u.Now != nil {
		now = u.Now
	}
	client := u.Client
	if client == nil {
		client = http.DefaultClient
	}
	var m meta
	kept, keptErr := os.ReadFile(u.Path)
	if b, err := os.ReadFile(u.Path + ".meta"); err == nil && keptErr == nil {
		if json.Unmarshal(b, &m) != nil || m.URL != u.URL {
			m = meta{}
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.URL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/jwt, application/"+verifier.BundleType)
	if m.ETag != "" {
		req.Header.Set("If-None-Match", m.ETag)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified && m.ETag != "":
		// The kept bundle is still the server's; it is checked again so
		// that a tampered file on disk does not pass for it.
		t, err := verifier.OpenBundle(kept, u.Keys)
		if err != nil {
			return nil, err
		}
		return &UpdateResult{NotModified: true, Trust: t}, nil
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("trust update: %s answered %s", u.URL, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, verifier.MaxBundleSize+1))
	if err != nil {
		return nil, err
	}
	if len(body) > verifier.MaxBundleSize {
		return nil, &verifier.BundleError{Reason: verifier.TrustInvalid, Detail: "the served bundle is too large"}
	}
	state := u.State
	if state == nil {
		state, _ = LoadState("")
	}
	t, err := Open(body, u.Keys, state, now())
	if err != nil {
		return nil, err
	}
	if err := atomicfile.Write(u.Path, body, 0o644); err != nil {
		return nil, err
	}
	m = meta{URL: u.URL, ETag: resp.Header.Get("ETag"), FetchedAt: now().UTC().Format(time.RFC3339)}
	mb, _ := json.MarshalIndent(m, "", "  ")
	if err := atomicfile.Write(u.Path+".meta", append(mb, '\n'), 0o644); err != nil {
		return nil, err
	}
	return &UpdateResult{Trust: t}, nil
}

// IsRefusal reports whether err is a bundle refused for its content (as
// opposed to a network or file error), and its reason.
func IsRefusal(err error) (verifier.Reason, bool) {
	var be *verifier.BundleError
	if errors.As(err, &be) {
		return be.Reason, true
	}
	return "", false
}
