package tsl

import (
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
)

// TestFetcherCache: a downloaded list is kept in the cache; when the
// server is gone, or offline, the cache answers; without a cache nothing
// does. Only https is fetched.
func TestFetcherCache(t *testing.T) {
	list := mustRead(t, "testdata/test/tl-mp-test-EE.xml")
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/EE.xml" {
			http.NotFound(w, r)
			return
		}
		w.Write(list)
	}))
	cache := t.TempDir()
	f := &Fetcher{Cache: cache, Client: srv.Client()}
	got, err := f.Fetch(srv.URL + "/EE.xml")
	if err != nil || string(got) != string(list) {
		t.Fatalf("download: %v", err)
	}
	if _, err := f.Fetch(srv.URL + "/missing.xml"); err == nil {
		t.Fatal("a 404 was a list")
	}
	srv.Close()
	if got, err := f.Fetch(srv.URL + "/EE.xml"); err != nil || string(got) != string(list) {
		t.Fatalf("from the cache after the server went: %v", err)
	}
	off := &Fetcher{Cache: cache, Offline: true}
	if got, err := off.Fetch(srv.URL + "/EE.xml"); err != nil || string(got) != string(list) {
		t.Fatalf("offline: %v", err)
	}
	if _, err := (&Fetcher{Offline: true}).Fetch(srv.URL + "/EE.xml"); err == nil {
		t.Fatal("offline without a cache answered")
	}
	if _, err := (&Fetcher{}).Fetch("http://example.invalid/EE.xml"); err == nil {
		t.Fatal("http was fetched")
	}
	entries, _ := os.ReadDir(cache)
	if len(entries) != 1 {
		t.Fatalf("%d cache entries", len(entries))
	}
}

// TestImportLOTLFetch: national lists come from the pointer's location
// through Fetch when none is given offline.
func TestImportLOTLFetch(t *testing.T) {
	signer := mustCerts(t, "testdata/test/trusted-test-tsl.crt")
	lotl := mustRead(t, "testdata/test/tl-mp-test-EE.xml")
	eeT := mustRead(t, "testdata/test/EE_T.xml")
	var asked []string
	fetch := func(loc string) ([]byte, error) {
		asked = append(asked, loc)
		return eeT, nil
	}
	top, out, err := Import(lotl, ImportOptions{LOTLSigners: signer, At: at("2025-07-01T00:00:00Z"), Fetch: fetch})
	if err != nil {
		t.Fatal(err)
	}
	if top.Sequence != 7 || len(out) != 1 || out[0].Err != nil || out[0].List.Territory != "EE_T" || len(asked) != 1 || asked[0] != "https://open-eid.github.io/test-TL/EE_T.xml" {
		t.Fatalf("%+v %v", out, asked)
	}
	// A country the LOTL does not point to is reported.
	_, out, err = Import(lotl, ImportOptions{LOTLSigners: signer, At: at("2025-07-01T00:00:00Z"), Fetch: fetch, Countries: []string{"LV"}})
	if err != nil || len(out) != 1 || out[0].Err == nil || out[0].Err.Reason != ReasonTerritory {
		t.Fatalf("LV: %+v", out)
	}
	// The state refuses an older LOTL.
	st := &State{Lists: map[string]ListState{"LOTL": {Sequence: 8}}}
	if _, _, err := Import(lotl, ImportOptions{LOTLSigners: signer, At: at("2025-07-01T00:00:00Z"), State: st}); reasonOf(err) != ReasonSequenceRollback {
		t.Fatalf("LOTL rollback: %v", err)
	}
}
