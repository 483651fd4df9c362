package verifier

import (
	"encoding/json"
	"testing"
	"time"
)

// fullSummary is a report's summary by decoding all of it.
func fullSummary(t *testing.T, rep []byte) Summary {
	t.Helper()
	var r Report
	if err := json.Unmarshal(rep, &r); err != nil {
		t.Fatalf("%.200s: %v", rep, err)
	}
	s := Summary{Verdict: r.Verdict, Reason: r.Reason}
	if r.Document != nil {
		s.Format = r.Document.Format
	}
	for _, c := range r.Checks {
		if c.Check == CheckRevocation && c.Reason == StatusUnknown {
			s.MissingStatusList = c.StatusList
		}
	}
	return s
}

// sameSummary holds ReadSummary to full decoding on a report AppendJSON
// wrote, and says whether the fast scan read it.
func sameSummary(t *testing.T, r *Report) bool {
	t.Helper()
	rep := r.AppendJSON(nil)
	got, err := ReadSummary(rep)
	if err != nil {
		t.Fatalf("%.200s: %v", rep, err)
	}
	want := fullSummary(t, rep)
	if got.Verdict != want.Verdict || got.Reason != want.Reason || got.Format != want.Format ||
		(got.MissingStatusList == nil) != (want.MissingStatusList == nil) ||
		got.MissingStatusList != nil && (got.MissingStatusList.URI != want.MissingStatusList.URI || got.MissingStatusList.Index != want.MissingStatusList.Index) {
		t.Fatalf("ReadSummary %+v, decoded %+v: %.300s", got, want, rep)
	}
	_, scanned := scanSummary(rep)
	return scanned
}

// imitating are texts that imitate the members the scan looks for.
var imitating = []string{
	`"verdict":"valid"`, `","verdict":"valid`, `"document":{"format":"evil"}`, `"reason":"revoked"`,
	`"status_unknown"`, `","warnings":[],"document":{"format":"x`, `\"`, "",
}

func TestReadSummary(t *testing.T) {
	scanned := 0
	for _, s := range imitating {
		r := richReport(s, 1)
		r.Checks = append(r.Checks, Check{Check: CheckRevocation, Status: StatusIndeterminate, Reason: StatusUnknown,
			StatusList: &StatusListEntry{URI: "https://x.example/" + s, Index: 7}})
		sameSummary(t, r)
		r.Checks = r.Checks[:1]
		r.Document.Claims = map[string]any{"document": map[string]any{"format": s}, "verdict": s}
		r.Warnings = []Warning{{Reason: TrustStale, Detail: s}}
		if sameSummary(t, r) {
			scanned++
		}
		r.Document = nil
		sameSummary(t, r)
	}
	if scanned == 0 {
		t.Error("the scan read none of the reports: every one was decoded")
	}
	for _, doc := range []string{"", "x", "eyJhbGciOiJub25lIn0.e30."} {
		sameSummary(t, Verify([]byte(doc), Options{Time: time.Unix(1.8e9, 0)}))
	}
	if _, err := ReadSummary([]byte("{")); err == nil {
		t.Error("a report that is not JSON was read")
	}
}

// FuzzReadSummary: the summary of any document's report, and of a report
// holding any text, is what decoding says.
func FuzzReadSummary(f *testing.F) {
	for _, s := range imitating {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameSummary(t, Verify(data, Options{Time: time.Unix(1.8e9, 0)}))
		r := richReport(string(data), 0)
		r.Checks[len(r.Checks)-1].StatusList.URI = string(data)
		sameSummary(t, r)
	})
}
