// Package statusfetch fetches and caches IETF status list tokens for hosts
// of the verifier (the CLI, the HTTP service). The verifier never fetches:
// a host reads which list a document refers to from its report (the
// revocation check's status_list, verifier.ReadSummary),
// gets it here, and hands it in (verifier.Options.StatusLists).
//
// A cached list is fresh for its ttl from when it was fetched (the
// draft's caching rule; one hour when the list states none) and never past
// its exp. When a list cannot be refetched, the cached copy is returned and
// the verifier, which enforces exp at the verification time, decides
// whether it is still usable.
package statusfetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/apostille/apostille/internal/atomicfile"
	"github.com/apostille/apostille/verifier"
)

// DefaultTTL is how long a list without ttl is cached.
const DefaultTTL = time.Hour

// maxToken bounds a fetched status list token.
const maxToken = 8 << 20

// ErrOffline says a list is not cached and fetching is off.
var ErrOffline = errors.New("statusfetch: the list is not cached and fetching is off (--offline)")

// Fetcher gets status list tokens by uri, from its cache or over HTTPS.
// It is safe for concurrent use.
type Fetcher struct {
	Client    *http.Client
	Dir       string // cache directory; "" keeps lists in memory only
	Offline   bool   // never fetch; use what is cached
	AllowHTTP bool   // accept http:// uris (tests); https only otherwise
	Now       func() time.Time

	mu  sync.Mutex
	mem map[string]*entry
}

type entry struct {
	URI       string `json:"uri"`
	FetchedAt string `json:"fetched_at"`
	ETag      string `json:"etag,omitempty"`
	token     []byte
	fetched   time.Time
}

func (f *Fetcher) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// Get returns the status list token for uri.
func (f *Fetcher) Get(ctx context.Context, uri string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e := f.cached(uri)
	if e != nil && (f.Offline || f.fresh(e)) {
		return e.token, nil
	}
	if f.Offline {
		return nil, ErrOffline
	}
	fetched, err := f.fetch(ctx, uri, e)
	if err != nil {
		if e != nil {
			return e.token, nil // the verifier judges the list's exp
		}
		return nil, err
	}
	return fetched.token, nil
}

// fresh reports whether a cached list need not be fetched again.
func (f *Fetcher) fresh(e *entry) bool {
	info, err := verifier.ReadStatusListInfo(e.token)
	if err != nil {
		return false
	}
	ttl := info.TTL
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	now := f.now()
	if !info.Expires.IsZero() && !now.Before(info.Expires) {
		return false
	}
	return now.Before(e.fetched.Add(ttl))
}

func (f *Fetcher) path(uri string) string {
	sum := sha256.Sum256([]byte(uri))
	return filepath.Join(f.Dir, hex.EncodeToString(sum[:16]))
}

// cached returns the list from memory or disk, or nil.
func (f *Fetcher) cached(uri string) *entry {
	if e, ok := f.mem[uri]; ok {
		return e
	}
	if f.Dir == "" {
		return nil
	}
	p := f.path(uri)
	mb, err1 := os.ReadFile(p + ".json")
	tok, err2 := os.ReadFile(p + ".token")
	if err1 != nil || err2 != nil {
		return nil
	}
	var e entry
	if json.Unmarshal(mb, &e) != nil || e.URI != uri {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, e.FetchedAt)
	if err != nil {
		return nil
	}
	e.token, e.fetched = tok, t
	f.remember(&e)
	return &e
}

func (f *Fetcher) remember(e *entry) {
	if f.mem == nil {
		f.mem = map[string]*entry{}
	}
	f.mem[e.URI] = e
}

func (f *Fetcher) fetch(ctx context.Context, uri string, old *entry) (*entry, error) {
	u, err := url.Parse(uri)
	if err != nil || (u.Scheme != "https" && !(f.AllowHTTP && u.Scheme == "http")) || u.Host == "" {
		return nil, fmt.Errorf("statusfetch: %q is not an https URL", uri)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/statuslist+jwt, application/statuslist+cwt")
	if old != nil && old.ETag != "" {
		req.Header.Set("If-None-Match", old.ETag)
	}
	client := f.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	now := f.now()
	switch {
	case resp.StatusCode == http.StatusNotModified && old != nil:
		e := *old
		e.fetched, e.FetchedAt = now, now.UTC().Format(time.RFC3339Nano)
		return &e, f.store(&e)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("statusfetch: %s answered %s", uri, resp.Status)
	}
	tok, err := io.ReadAll(io.LimitReader(resp.Body, maxToken+1))
	if err != nil {
		return nil, err
	}
	if len(tok) > maxToken {
		return nil, fmt.Errorf("statusfetch: the list at %s is larger than %d bytes", uri, maxToken)
	}
	info, err := verifier.ReadStatusListInfo(tok)
	if err != nil {
		return nil, fmt.Errorf("statusfetch: %s: %w", uri, err)
	}
	if info.URI != uri {
		return nil, fmt.Errorf("statusfetch: the list at %s names itself %q", uri, info.URI)
	}
	e := &entry{URI: uri, ETag: resp.Header.Get("ETag"), token: tok, fetched: now, FetchedAt: now.UTC().Format(time.RFC3339Nano)}
	return e, f.store(e)
}

// store keeps a list in memory and, with a cache directory, on disk.
func (f *Fetcher) store(e *entry) error {
	f.remember(e)
	if f.Dir == "" {
		return nil
	}
	if err := os.MkdirAll(f.Dir, 0o755); err != nil {
		return err
	}
	p := f.path(e.URI)
	mb, _ := json.Marshal(e)
	if err := atomicfile.Write(p+".token", e.token, 0o644); err != nil {
		return err
	}
	return atomicfile.Write(p+".json", mb, 0o644)
}
