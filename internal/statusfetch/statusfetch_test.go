package statusfetch

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/apostille/apostille/internal/statuslist"
)

// TestFetcherRespectsTTL: a list is served from the cache within its ttl,
// asked again (If-None-Match) after it, and kept on disk across fetchers.
func TestFetcherRespectsTTL(t *testing.T) {
	d := sha256.Sum256([]byte("statusfetch test"))
	key, _ := ecdsa.ParseRawPrivateKey(elliptic.P256(), d[:])
	var requests, conditional int
	var uri string
	var list []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests++
		if r.Header.Get("If-None-Match") == `"v1"` {
			conditional++
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Write(list)
	}))
	defer srv.Close()
	uri = srv.URL + "/lists/1"
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	l, _ := statuslist.New(1, 8)
	var err error
	list, err = statuslist.SignJWT(statuslist.Token{URI: uri, IssuedAt: now, Expires: now.Add(48 * time.Hour), TTL: time.Hour, Bits: 1, Lst: l.Compressed()}, "ES256", "k", key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f := &Fetcher{Dir: dir, AllowHTTP: true, Now: func() time.Time { return now }}
	get := func(f *Fetcher) {
		t.Helper()
		got, err := f.Get(context.Background(), uri)
		if err != nil || string(got) != string(list) {
			t.Fatalf("Get: %v", err)
		}
	}
	get(f)
	get(f)
	if requests != 1 {
		t.Fatalf("%d requests within the ttl", requests)
	}
	// Another fetcher (another run) finds it on disk.
	get(&Fetcher{Dir: dir, AllowHTTP: true, Now: func() time.Time { return now.Add(30 * time.Minute) }})
	if requests != 1 {
		t.Fatalf("%d requests with a cached list", requests)
	}
	now = now.Add(61 * time.Minute)
	get(f)
	if requests != 2 || conditional != 1 {
		t.Fatalf("after the ttl: %d requests, %d conditional", requests, conditional)
	}
	// Offline, nothing cached for another uri.
	off := &Fetcher{Dir: t.TempDir(), Offline: true}
	if _, err := off.Get(context.Background(), uri); err != ErrOffline {
		t.Fatalf("offline without cache: %v", err)
	}
	// http is refused unless allowed; a list naming another uri is not cached.
	if _, err := (&Fetcher{}).Get(context.Background(), uri); err == nil {
		t.Fatal("fetched over http")
	}
	if _, err := (&Fetcher{AllowHTTP: true}).Get(context.Background(), srv.URL+"/other"); err == nil {
		t.Fatal("took a list that names another uri")
	}
}
