package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/apostille/apostille/internal/engine"
)

// FuzzRecord: any bytes as a JSON request decode to a request or an error,
// never a panic; an id kept is one JSON string or number.
func FuzzRecord(f *testing.F) {
	for _, s := range world.man.Samples {
		f.Add(sampleRequest(f, s))
	}
	for _, s := range []string{`{"document":"x","id":1}`, `{"id":"a","document":"base64:AAAA","at":"2026-01-01T00:00:00Z"}`, `{"document":null}`, `[]`, `{"id":{}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := parseRecord(b)
		if err == nil && req.Doc == nil {
			t.Fatal("a request without a document")
		}
		if req != nil && req.ID != nil {
			var v any
			if json.Unmarshal(req.ID, &v) != nil {
				t.Fatalf("id %q is not JSON", req.ID)
			}
			switch v.(type) {
			case string, float64:
			default:
				t.Fatalf("id %q", req.ID)
			}
		}
	})
}

// FuzzBatch: any body gets exactly one record per non-blank line, in
// order, each with its line number and a report.
func FuzzBatch(f *testing.F) {
	var all bytes.Buffer
	for _, s := range world.man.Samples {
		line := append(sampleRequest(f, s), '\n')
		f.Add(line)
		all.Write(line)
	}
	f.Add(all.Bytes())
	f.Add([]byte("not json\n\n  \n{\"document\":\"x\"}\r\n{\"id\":2"))
	f.Add([]byte("\f\n\v\n\u00a0\n\t\n"))
	ts := trustSet(f, "trust.json", world.trust)
	s, err := New(Config{
		LoadTrust: func(context.Context) (*engine.Trust, error) { return ts, nil },
		NewEngine: func(_ context.Context, t *engine.Trust) (engine.Engine, error) {
			return engine.Native{Trust: t.Parsed}, nil
		},
		MaxDocument: 1 << 12,
		Logger:      slog.New(slog.NewJSONHandler(io.Discard, nil)),
	})
	if err != nil {
		f.Fatal(err)
	}
	if err := s.Reload(context.Background(), true); err != nil {
		f.Fatal(err)
	}
	h := s.Handler()
	f.Fuzz(func(t *testing.T, body []byte) {
		// Time grows with the lines (5 µs each, more under coverage): a
		// megabyte of newlines would take the fuzzer's whole budget.
		if len(body) > 16<<10 {
			return
		}
		var want []int
		for n, line := range bytes.Split(body, []byte("\n")) {
			// Blank is JSON's white space only (RFC 8259): a form feed or
			// a no-break space is a line, and gets its record.
			if len(bytes.Trim(line, " \t\r\n")) > 0 || len(line) > s.maxRequest() {
				want = append(want, n+1)
			}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/verify/batch", bytes.NewReader(body)))
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d", rec.Code)
		}
		sc := bufio.NewScanner(rec.Body)
		sc.Buffer(nil, 1<<24)
		i := 0
		for sc.Scan() {
			var r batchRecord
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				t.Fatalf("record %d is not JSON: %v", i, err)
			}
			if r.Type != "" {
				continue // the trailer
			}
			if i >= len(want) || r.Line != want[i] {
				t.Fatalf("record %d has line %d; want lines %v", i, r.Line, want)
			}
			decide(t, r.Report)
			i++
		}
		if i != len(want) {
			t.Fatalf("%d records for lines %v", i, want)
		}
	})
}
