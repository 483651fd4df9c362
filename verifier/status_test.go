package verifier_test

import (
	"bytes"
	"runtime"
	"testing"
	"time"

	"github.com/apostille/apostille/internal/demo"
	"github.com/apostille/apostille/internal/statuslist"
	"github.com/apostille/apostille/verifier"
	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"
)

const listURI = "https://issuer.example/statuslists/1"

// statusFixture is a list of 100 two-bit statuses: 3 revoked, 5 suspended,
// 7 application-specific.
func statusList(t *testing.T) *statuslist.List {
	t.Helper()
	l, err := statuslist.New(2, 100)
	if err != nil {
		t.Fatal(err)
	}
	l.Set(3, statuslist.Invalid)
	l.Set(5, statuslist.Suspended)
	l.Set(7, 3)
	return l
}

func (f *fixture) listJWT(tok statuslist.Token, kid string) []byte {
	f.t.Helper()
	key := f.issuer
	if kid == "other-1" {
		key = f.other
	}
	b, err := statuslist.SignJWT(tok, "ES256", kid, key)
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

func token(l *statuslist.List) statuslist.Token {
	return statuslist.Token{URI: listURI, IssuedAt: fxAt.Add(-time.Hour), Expires: fxAt.Add(24 * time.Hour), TTL: time.Hour, Bits: l.Bits, Lst: l.Compressed()}
}

func statusClaim(idx any, uri string) map[string]any {
	return map[string]any{"status": map[string]any{"status_list": map[string]any{"idx": idx, "uri": uri}}}
}

func (f *fixture) trust() *verifier.Trust {
	f.t.Helper()
	tr, err := verifier.OpenBundle(f.sign(f.bundle(1, fxAt.AddDate(1, 0, 0))), f.pinned())
	if err != nil {
		f.t.Fatal(err)
	}
	return tr
}

func TestStatusList(t *testing.T) {
	f := newFixture(t)
	trust := f.trust()
	l := statusList(t)
	good := f.listJWT(token(l), "iss-1")
	stale := token(l)
	stale.Expires = fxAt.Add(-2 * time.Hour)
	future := token(l)
	future.IssuedAt = fxAt.Add(time.Hour)
	wrongURI := token(l)
	wrongURI.URI = "https://issuer.example/statuslists/2"
	cases := []struct {
		name    string
		claims  map[string]any
		lists   [][]byte
		verdict verifier.Verdict
		reason  verifier.Reason
	}{
		{"valid", statusClaim(0, listURI), [][]byte{good}, verifier.Valid, ""},
		{"valid last index", statusClaim(99, listURI), [][]byte{good}, verifier.Valid, ""},
		{"revoked", statusClaim(3, listURI), [][]byte{good}, verifier.Invalid, verifier.Revoked},
		{"suspended", statusClaim(5, listURI), [][]byte{good}, verifier.Invalid, verifier.Revoked},
		{"application-specific", statusClaim(7, listURI), [][]byte{good}, verifier.Indeterminate, verifier.StatusUnknown},
		// 100 two-bit statuses fill 25 bytes: index 100..103 share no byte.
		{"index out of range", statusClaim(104, listURI), [][]byte{good}, verifier.Indeterminate, verifier.StatusUnknown},
		{"index far out of range", statusClaim(1<<40, listURI), [][]byte{good}, verifier.Indeterminate, verifier.LimitExceeded},
		{"no list", statusClaim(0, listURI), nil, verifier.Indeterminate, verifier.StatusUnknown},
		{"stale list", statusClaim(0, listURI), [][]byte{f.listJWT(stale, "iss-1")}, verifier.Indeterminate, verifier.StatusUnknown},
		{"list from the future", statusClaim(0, listURI), [][]byte{f.listJWT(future, "iss-1")}, verifier.Indeterminate, verifier.StatusUnknown},
		{"wrong uri", statusClaim(0, listURI), [][]byte{f.listJWT(wrongURI, "iss-1")}, verifier.Indeterminate, verifier.StatusUnknown},
		{"list by another issuer", statusClaim(0, listURI), [][]byte{f.listJWT(token(l), "other-1")}, verifier.Indeterminate, verifier.StatusUnknown},
		{"tampered list", statusClaim(0, listURI), [][]byte{flipLast(good)}, verifier.Indeterminate, verifier.StatusUnknown},
		{"stale and good list", statusClaim(3, listURI), [][]byte{f.listJWT(stale, "iss-1"), good}, verifier.Invalid, verifier.Revoked},
		{"negative index", statusClaim(-1, listURI), [][]byte{good}, verifier.Invalid, verifier.Malformed},
		{"text index", statusClaim("3", listURI), [][]byte{good}, verifier.Invalid, verifier.Malformed},
		{"other mechanism", map[string]any{"status": map[string]any{"crl": "x"}}, [][]byte{good}, verifier.Indeterminate, verifier.StatusUnknown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := verifier.Verify(f.document(c.claims), verifier.Options{Trust: trust, Time: f.at, StatusLists: c.lists})
			if rep.Verdict != c.verdict || rep.Reason != c.reason {
				t.Fatalf("got %s/%s, want %s/%s: %+v", rep.Verdict, rep.Reason, c.verdict, c.reason, rep.Checks)
			}
			if c.verdict == verifier.Valid && !hasCheck(rep, verifier.CheckRevocation, verifier.Passed, "") {
				t.Fatalf("no passed revocation check: %+v", rep.Checks)
			}
			// The check names the entry it looked up, whatever it found,
			// unless the claim could not be read as one.
			sl, _ := c.claims["status"].(map[string]any)["status_list"].(map[string]any)
			idx, isIndex := sl["idx"].(int)
			wantEntry := isIndex && idx >= 0
			if e := statusEntry(rep); wantEntry != (e != nil) || e != nil && (e.URI != listURI || e.Index != uint64(idx)) {
				t.Fatalf("status list entry %+v, want one: %v", e, wantEntry)
			}
			// A host reads which list to fetch from the report's summary.
			sum, err := verifier.ReadSummary(rep.AppendJSON(nil))
			if missing := wantEntry && c.reason == verifier.StatusUnknown; err != nil || missing != (sum.MissingStatusList != nil) ||
				missing && (sum.MissingStatusList.URI != listURI || sum.MissingStatusList.Index != statusEntry(rep).Index) {
				t.Fatalf("summary %+v (%v), want a missing list: %v", sum, err, missing)
			}
		})
	}
}

// statusEntry is the status list entry the report's revocation check names.
func statusEntry(rep *verifier.Report) *verifier.StatusListEntry {
	for _, c := range rep.Checks {
		if c.Check == verifier.CheckRevocation {
			return c.StatusList
		}
	}
	return nil
}

func flipLast(tok []byte) []byte {
	b := bytes.Clone(tok)
	b[len(b)-3] ^= 0x01
	return b
}

// TestStatusListFromBundle takes the list shipped in the signed bundle.
func TestStatusListFromBundle(t *testing.T) {
	f := newFixture(t)
	l := statusList(t)
	b := f.bundle(1, fxAt.AddDate(1, 0, 0))
	b.StatusLists = []string{string(f.listJWT(token(l), "iss-1"))}
	trust, err := verifier.OpenBundle(f.sign(b), f.pinned())
	if err != nil {
		t.Fatal(err)
	}
	rep := verifier.Verify(f.document(statusClaim(3, listURI)), verifier.Options{Trust: trust, Time: f.at})
	if rep.Reason != verifier.Revoked {
		t.Fatalf("got %s/%s", rep.Verdict, rep.Reason)
	}
	info, err := verifier.ReadStatusListInfo([]byte(b.StatusLists[0]))
	if err != nil || info.URI != listURI || info.TTL != time.Hour || !info.Expires.Equal(fxAt.Add(24*time.Hour)) {
		t.Fatalf("ReadStatusListInfo = %+v, %v", info, err)
	}
}

// TestStatusListCWT checks a CWT document against a CWT status list.
func TestStatusListCWT(t *testing.T) {
	f := newFixture(t)
	trust := f.trust()
	l := statusList(t)
	list, err := statuslist.SignCWT(token(l), cose.AlgorithmES256, []byte("iss-1"), f.issuer)
	if err != nil {
		t.Fatal(err)
	}
	for idx, want := range map[int]verifier.Reason{0: "", 3: verifier.Revoked, 104: verifier.StatusUnknown} {
		claims := map[any]any{1: "https://issuer.example", 6: fxIssued.Unix(), 4: fxIssued.AddDate(1, 0, 0).Unix(),
			65535: map[any]any{"status_list": map[any]any{"idx": idx, "uri": listURI}}}
		payload, err := canonical(claims)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := demo.SignCOSE(payload, cose.AlgorithmES256, f.issuer, nil, map[any]any{cose.HeaderLabelKeyID: []byte("iss-1")})
		if err != nil {
			t.Fatal(err)
		}
		rep := verifier.Verify(doc, verifier.Options{Trust: trust, Time: f.at, StatusLists: [][]byte{list}})
		if rep.Reason != want || (want == "" && rep.Verdict != verifier.Valid) {
			t.Errorf("idx %d: got %s/%s, want %q: %+v", idx, rep.Verdict, rep.Reason, want, rep.Checks)
		}
		// Claim 65535 is read for the host: no host digs in claims.
		if e := statusEntry(rep); e == nil || e.URI != listURI || e.Index != uint64(idx) {
			t.Errorf("idx %d: status list entry %+v", idx, e)
		}
	}
}

// TestStatusListZlibBomb hands in a list that decompresses to 64 MiB of
// zeros. The verifier reads only as far as the index, never past
// MaxStatusListBytes, and allocates little whatever it reads.
func TestStatusListZlibBomb(t *testing.T) {
	f := newFixture(t)
	trust := f.trust()
	bomb := statuslist.Compress(make([]byte, 64<<20))
	tok := statuslist.Token{URI: listURI, IssuedAt: fxAt.Add(-time.Hour), Bits: 1, Lst: bomb}
	list := f.listJWT(tok, "iss-1")
	near := f.document(statusClaim((verifier.MaxStatusListBytes-1)*8, listURI))
	far := f.document(statusClaim(verifier.MaxStatusListBytes*8, listURI))
	opts := verifier.Options{Trust: trust, Time: f.at, StatusLists: [][]byte{list}}

	rep := verifier.Verify(far, opts)
	if rep.Verdict != verifier.Indeterminate || rep.Reason != verifier.LimitExceeded {
		t.Fatalf("beyond the limit: %s/%s", rep.Verdict, rep.Reason)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	rep = verifier.Verify(near, opts)
	runtime.ReadMemStats(&after)
	if rep.Verdict != verifier.Valid {
		t.Fatalf("last byte within the limit: %s/%s %+v", rep.Verdict, rep.Reason, rep.Checks)
	}
	// 16 MiB were decompressed; the verification allocated a small
	// fraction of that (the token, its decoding, the decompressor).
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 2<<20 {
		t.Fatalf("reading a 16 MiB status list allocated %d bytes", alloc)
	}
}

// TestStatusListBits refuses lists whose bits is not 1, 2, 4 or 8.
func TestStatusListBits(t *testing.T) {
	f := newFixture(t)
	tok := token(statusList(t))
	tok.Bits = 3
	rep := verifier.Verify(f.document(statusClaim(0, listURI)), verifier.Options{Trust: f.trust(), Time: f.at, StatusLists: [][]byte{f.listJWT(tok, "iss-1")}})
	if rep.Reason != verifier.StatusUnknown {
		t.Fatalf("bits 3: %s/%s", rep.Verdict, rep.Reason)
	}
}

func canonical(v any) ([]byte, error) {
	em, err := cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		return nil, err
	}
	return em.Marshal(v)
}
