package server

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/apostille/apostille/internal/demo"
	"github.com/apostille/apostille/internal/engine"
	"github.com/apostille/apostille/verifier"
)

// TestVerifyEverySample posts every demo document in a JSON request (base64,
// with its detached proof when it has one), and those that need no proof
// also raw, and gets the verdict and reason the demo lists.
func TestVerifyEverySample(t *testing.T) {
	srv := start(t, Config{}, ServeOptions{})
	for _, s := range world.man.Samples {
		code, hdr, env := post(t, srv.url+"/v1/verify", "application/json", sampleRequest(t, s))
		if code != http.StatusOK || hdr.Get("Content-Type") != "application/json" {
			t.Fatalf("%s JSON: %d %s", s.File, code, hdr.Get("Content-Type"))
		}
		reps := [][]byte{env}
		if s.Proof == "" && s.Payload == "" {
			code, _, raw := post(t, srv.url+"/v1/verify", "application/octet-stream", doc(filepath.Base(s.File)))
			if code != http.StatusOK {
				t.Fatalf("%s raw: %d", s.File, code)
			}
			reps = append(reps, raw)
		}
		for _, rep := range reps {
			got := decide(t, rep)
			if string(got.Verdict) != s.Verdict || string(got.Reason) != s.Reason {
				t.Errorf("%s: %s/%s, want %s/%s", s.File, got.Verdict, got.Reason, s.Verdict, s.Reason)
			}
		}
	}
}

// TestVerifyRequestMembers: the JSON request's document as text, its time
// (at), and its id ignored outside a batch.
func TestVerifyRequestMembers(t *testing.T) {
	srv := start(t, Config{}, ServeOptions{})
	d := b64(doc(good))
	for _, c := range []struct {
		name    string
		body    map[string]any
		verdict verifier.Verdict
		reason  verifier.Reason
	}{
		{"text", map[string]any{"document": d}, verifier.Valid, ""},
		{"id", map[string]any{"document": d, "id": 7}, verifier.Valid, ""},
		{"unknown members ignored", map[string]any{"document": d, "note": "x"}, verifier.Valid, ""},
		{"after expiry", map[string]any{"document": d, "at": demo.Until.AddDate(1, 0, 0).Format("2006-01-02T15:04:05Z")}, verifier.Invalid, verifier.Expired},
		{"before issue", map[string]any{"document": d, "at": "2020-01-01T00:00:00Z"}, verifier.Invalid, verifier.NotYetValid},
	} {
		b, _ := json.Marshal(c.body)
		code, _, rep := post(t, srv.url+"/v1/verify", "application/json; charset=utf-8", b)
		got := decide(t, rep)
		if code != http.StatusOK || got.Verdict != c.verdict || got.Reason != c.reason {
			t.Errorf("%s: %d %s/%s, want 200 %s/%s", c.name, code, got.Verdict, got.Reason, c.verdict, c.reason)
		}
	}
}

// TestVerifyBadRequests: a request that holds no document to judge gets a
// report saying why, with 400 or 413.
func TestVerifyBadRequests(t *testing.T) {
	srv := start(t, Config{MaxDocument: 4096}, ServeOptions{})
	big := strings.Repeat("A", 4097)
	for _, c := range []struct {
		name, ctype, body string
		code              int
		reason            verifier.Reason
	}{
		{"not JSON", "application/json", "{", 400, verifier.Malformed},
		{"no document", "application/json", `{"payload":"x"}`, 400, verifier.Malformed},
		{"bad base64", "application/json", `{"document":"base64:!!"}`, 400, verifier.Malformed},
		{"bad at", "application/json", `{"document":"x","at":"yesterday"}`, 400, verifier.Malformed},
		{"object id", "application/json", `{"document":"x","id":{}}`, 400, verifier.Malformed},
		{"raw too large", "application/octet-stream", big, 413, verifier.TooLarge},
		{"JSON too large", "application/json", `{"document":"` + strings.Repeat(big, 5) + `"}`, 413, verifier.TooLarge},
	} {
		code, _, rep := post(t, srv.url+"/v1/verify", c.ctype, []byte(c.body))
		got := decide(t, rep)
		if code != c.code || got.Reason != c.reason || got.Verdict == verifier.Valid {
			t.Errorf("%s: %d %s/%s, want %d %s", c.name, code, got.Verdict, got.Reason, c.code, c.reason)
		}
	}
	// A raw document within the limit that the verifier cannot read is a
	// judged document: 200 with its report.
	code, _, rep := post(t, srv.url+"/v1/verify", "text/plain", []byte("hello"))
	if got := decide(t, rep); code != 200 || got.Verdict == verifier.Valid {
		t.Errorf("garbage: %d %+v", code, got)
	}
	// Only POST verifies.
	if code, _ := get(t, srv.url+"/v1/verify"); code != http.StatusMethodNotAllowed {
		t.Errorf("GET /v1/verify: %d", code)
	}
}

// batchRecord is one line of a batch answer.
type batchRecord struct {
	Type   string          `json:"type"`
	Line   int             `json:"line"`
	ID     json.RawMessage `json:"id"`
	Report json.RawMessage `json:"report"`
}

// trailer is the record that ends a batch stream.
type trailer struct {
	Type    string `json:"type"`
	Lines   int    `json:"lines"`
	Records int    `json:"records"`
	End     string `json:"end"`
}

// readRecords reads a batch answer to its end and returns its answers; the
// stream must end with a trailer that counts them and says it is complete.
func readRecords(t testing.TB, body io.Reader) []batchRecord {
	t.Helper()
	recs, tr, err := readStream(body)
	if err != nil {
		t.Fatal(err)
	}
	if tr == nil || tr.End != "complete" || tr.Records != len(recs) {
		t.Fatalf("stream of %d records ends with %+v", len(recs), tr)
	}
	return recs
}

// readStream reads a batch answer: its answers, its trailer (nil when
// none came last) and the read error.
func readStream(body io.Reader) ([]batchRecord, *trailer, error) {
	var out []batchRecord
	var tr *trailer
	sc := bufio.NewScanner(body)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		if tr != nil {
			return out, nil, fmt.Errorf("a record after the trailer: %.200s", sc.Bytes())
		}
		var r batchRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return out, nil, fmt.Errorf("record is not JSON: %v: %.200s", err, sc.Bytes())
		}
		if r.Type != "" {
			tr = &trailer{}
			if err := json.Unmarshal(sc.Bytes(), tr); err != nil || tr.Type != "trailer" {
				return out, nil, fmt.Errorf("not a trailer: %.200s", sc.Bytes())
			}
			continue
		}
		out = append(out, r)
	}
	return out, tr, sc.Err()
}

// TestBatch: one record per non-blank line, in order, with the line number
// and the id; malformed and overlong lines get a report and the stream
// goes on.
func TestBatch(t *testing.T) {
	srv := start(t, Config{MaxDocument: 4096}, ServeOptions{})
	var body strings.Builder
	type want struct {
		line    int
		id      string
		verdict verifier.Verdict
		reason  verifier.Reason
	}
	var wants []want
	line := 0
	add := func(s string, w *want) {
		line++
		body.WriteString(s + "\n")
		if w != nil {
			w.line = line
			wants = append(wants, *w)
		}
	}
	rec := func(id any, name string) string {
		b, _ := json.Marshal(map[string]any{"id": id, "document": "base64:" + base64.StdEncoding.EncodeToString(doc(name))})
		return string(b)
	}
	for i := 0; i < 30; i++ {
		add(rec(i, good), &want{id: fmt.Sprint(i), verdict: verifier.Valid})
		add(rec(fmt.Sprintf("t%d", i), "lu-residence-attestation-tampered.cwt"), &want{id: fmt.Sprintf(`"t%d"`, i), verdict: verifier.Invalid, reason: verifier.SignatureInvalid})
		switch i {
		case 3:
			add("this is not JSON", &want{verdict: verifier.Invalid, reason: verifier.Malformed})
		case 5:
			add("   ", nil) // blank: no record
			add("", nil)
			// Not blank to JSON: a line of other white space is a
			// line, and is answered.
			add("\f", &want{verdict: verifier.Invalid, reason: verifier.Malformed})
			add("\u00a0", &want{verdict: verifier.Invalid, reason: verifier.Malformed})
		case 7:
			add(`{"id":"no-doc"}`, &want{id: `"no-doc"`, verdict: verifier.Invalid, reason: verifier.Malformed})
		case 9:
			add(`{"id":"long","document":"`+strings.Repeat("x", 5*4096+4096)+`"}`, &want{verdict: verifier.TooLarge.Verdict(), reason: verifier.TooLarge})
		case 11:
			add(`{"document":"`+string(doc("unknown-issuer.jwt"))+`"}`+"\r", &want{verdict: verifier.Indeterminate, reason: verifier.IssuerUnknown})
		}
	}
	body.WriteString(rec("last-without-newline", good))
	line++
	wants = append(wants, want{line: line, id: `"last-without-newline"`, verdict: verifier.Valid})

	resp, err := http.Post(srv.url+"/v1/verify/batch", "application/x-ndjson", strings.NewReader(body.String()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	recs := readRecords(t, resp.Body)
	if len(recs) != len(wants) {
		t.Fatalf("%d records for %d lines", len(recs), len(wants))
	}
	for i, w := range wants {
		r := recs[i]
		got := decide(t, r.Report)
		if r.Line != w.line || string(r.ID) != w.id || got.Verdict != w.verdict || got.Reason != w.reason {
			t.Errorf("record %d: line %d id %s %s/%s, want line %d id %s %s/%s", i, r.Line, r.ID, got.Verdict, got.Reason, w.line, w.id, w.verdict, w.reason)
		}
	}
}

// TestBatchStreams: records come back while the request is still being
// sent, so a client can stream without holding all its answers back.
func TestBatchStreams(t *testing.T) {
	srv := start(t, Config{}, ServeOptions{})
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", srv.url+"/v1/verify/batch", pr)
	req.Header.Set("Content-Type", "application/x-ndjson")
	type result struct {
		resp *http.Response
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		got <- result{resp, err}
	}()
	line, _ := json.Marshal(map[string]any{"id": 1, "document": b64(doc(good))})
	pw.Write(append(line, '\n'))
	r := <-got
	if r.err != nil {
		t.Fatal(r.err)
	}
	defer r.resp.Body.Close()
	br := bufio.NewReader(r.resp.Body)
	for i := 1; i <= 3; i++ {
		rec, err := br.ReadBytes('\n')
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		var br batchRecord
		json.Unmarshal(rec, &br)
		if br.Line != i || decide(t, br.Report).Verdict != verifier.Valid {
			t.Fatalf("record %d: %s", i, rec)
		}
		// The next line is sent only once this record has arrived.
		line, _ := json.Marshal(map[string]any{"id": i + 1, "document": b64(doc(good))})
		pw.Write(append(line, '\n'))
	}
	pw.Close()
	if rest, tr, err := readStream(br); err != nil || len(rest) != 1 || rest[0].Line != 4 || tr == nil || tr.Records != 4 || tr.End != "complete" {
		t.Fatalf("after close: %+v %+v %v", rest, tr, err)
	}
}

// TestTrustEndpoint describes the trust in use.
func TestTrustEndpoint(t *testing.T) {
	srv := start(t, Config{}, ServeOptions{})
	code, body := get(t, srv.url+"/v1/trust")
	if code != 200 {
		t.Fatalf("%d", code)
	}
	var v trustView
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Sources) != 1 || v.Sources[0].Name != "trust.json" || v.Bundle.Signed || v.Refused != nil {
		t.Errorf("sources/bundle: %+v %+v", v.Sources, v.Bundle)
	}
	var b verifier.Bundle
	json.Unmarshal(world.trust, &b)
	if len(v.Issuers) != len(b.Issuers) || len(v.Issuers) == 0 {
		t.Fatalf("%d issuers, want %d", len(v.Issuers), len(b.Issuers))
	}
	for i, is := range b.Issuers {
		if v.Issuers[i].ID != is.ID || len(v.Issuers[i].Keys) != len(is.Keys) {
			t.Errorf("issuer %d: %+v", i, v.Issuers[i])
		}
	}
	if v.StatusLists != len(b.StatusLists) {
		t.Errorf("status lists %d, want %d", v.StatusLists, len(b.StatusLists))
	}
}

// fakeStatus answers status list fetches from a map.
type fakeStatus struct {
	lists map[string][]byte
	calls atomic.Int64
}

func (f *fakeStatus) Get(_ context.Context, uri string) ([]byte, error) {
	f.calls.Add(1)
	if l, ok := f.lists[uri]; ok {
		return l, nil
	}
	return nil, fmt.Errorf("statusfetch: %s answered 404 Not Found", uri) // as the real fetcher says it
}

// TestStatusFetch: a document whose status list the trust does not carry
// is decided with the list the fetcher gets; without it, status_unknown.
func TestStatusFetch(t *testing.T) {
	var b verifier.Bundle
	if err := json.Unmarshal(world.trust, &b); err != nil {
		t.Fatal(err)
	}
	list := []byte(b.StatusLists[0])
	b.StatusLists = nil
	stripped, _ := json.Marshal(b)
	ts := trustSet(t, "trust.json", stripped)
	load := func(context.Context) (*engine.Trust, error) { return ts, nil }

	fetch := &fakeStatus{lists: map[string][]byte{demo.StatusListURI: list}}
	srv := start(t, Config{LoadTrust: load, Status: fetch}, ServeOptions{})
	samples := map[string]demo.Sample{}
	for _, s := range world.man.Samples {
		samples[filepath.Base(s.File)] = s
	}
	for name, want := range map[string]verifier.Reason{"ee-residence-certificate-revoked.jwt": verifier.Revoked, "ee-residence-certificate.jwt": ""} {
		_, _, rep := post(t, srv.url+"/v1/verify", "application/json", sampleRequest(t, samples[name]))
		if got := decide(t, rep); got.Reason != want {
			t.Errorf("%s: %+v, want %q", name, got, want)
		}
	}
	if fetch.calls.Load() != 2 {
		t.Errorf("%d fetches, want 2", fetch.calls.Load())
	}

	none := start(t, Config{LoadTrust: load, Status: &fakeStatus{}}, ServeOptions{})
	_, _, rep := post(t, none.url+"/v1/verify", "application/json", sampleRequest(t, samples["ee-residence-certificate-revoked.jwt"]))
	if got := decide(t, rep); got.Verdict != verifier.Indeterminate || got.Reason != verifier.StatusUnknown {
		t.Errorf("without the list: %+v", got)
	}
	// The address comes from the document: the failure is logged without it.
	warned := false
	for _, l := range none.logs.lines(t) {
		if l["msg"] == "status list fetch failed" {
			warned = true
		}
	}
	if !warned {
		t.Error("no log line for the failed fetch")
	}
	if strings.Contains(none.logs.String(), demo.StatusListURI) || strings.Contains(none.logs.String(), "rahvastikuregister") {
		t.Error("the log names the status list's address")
	}
}
