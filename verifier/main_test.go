package verifier

import (
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/apostille/apostille/internal/reportschema"
)

// Every report the test suite produces goes through verify (not Verify
// directly), which keeps a copy; TestMain validates them all against
// docs/report.schema.json once the tests have run. The schema validator is
// a test dependency only: verifier/ itself never imports it.

const reportSchemaPath = "../" + reportschema.Path

var collected struct {
	sync.Mutex
	seen    map[[32]byte]bool
	reports [][]byte
	calls   int
}

// verify is Verify for tests: it records the report for schema validation.
func verify(input []byte, opts Options) *Report {
	rep := Verify(input, opts)
	collect(rep)
	return rep
}

func collect(rep *Report) {
	b, err := json.Marshal(rep)
	if err != nil {
		// A report that cannot be marshalled fails validation below.
		b = []byte(fmt.Sprintf("unmarshalable report: %v", err))
	}
	sum := sha256.Sum256(b)
	collected.Lock()
	defer collected.Unlock()
	collected.calls++
	if collected.seen == nil {
		collected.seen = map[[32]byte]bool{}
	}
	if !collected.seen[sum] {
		collected.seen[sum] = true
		collected.reports = append(collected.reports, b)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	// A fuzzing worker runs no ordinary test; its coordinator does.
	if f := flag.Lookup("test.fuzzworker"); f != nil && f.Value.String() == "true" {
		os.Exit(code)
	}
	if code == 0 {
		code = validateCollected()
	}
	os.Exit(code)
}

// validateCollected validates every distinct collected report.
func validateCollected() int {
	collected.Lock()
	defer collected.Unlock()
	if len(collected.reports) == 0 {
		return 0
	}
	sch, err := compileReportSchema()
	if err != nil {
		fmt.Fprintln(os.Stderr, "report schema:", err)
		return 1
	}
	bad := 0
	for _, b := range collected.reports {
		if err := validateReport(sch, b); err != nil {
			bad++
			if bad <= 5 {
				fmt.Fprintf(os.Stderr, "report does not match %s: %v\n%s\n", reportSchemaPath, err, b)
			}
		}
	}
	if bad > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: %d of %d distinct reports do not match the report schema\n", bad, len(collected.reports))
		return 1
	}
	if testing.Verbose() {
		fmt.Printf("report schema: %d distinct reports of %d Verify calls are valid\n", len(collected.reports), collected.calls)
	}
	return 0
}

func compileReportSchema() (*reportschema.Schema, error) { return reportschema.Load() }

func validateReport(sch *reportschema.Schema, b []byte) error { return sch.Validate(b) }

// TestReportSchemaRejects shows the schema can fail: reports that break the
// rules a reader relies on are refused.
func TestReportSchemaRejects(t *testing.T) {
	sch, err := compileReportSchema()
	if err != nil {
		t.Fatal(err)
	}
	good := `{"report":"v1","verdict":"invalid","reason":"malformed","warnings":[],"checks":[{"check":"decode","status":"failed","reason":"malformed"}],"verified_at":"2026-01-15T12:00:00Z"}`
	if err := validateReport(sch, []byte(good)); err != nil {
		t.Fatalf("a well-formed report is refused: %v", err)
	}
	bad := map[string]string{
		"unknown verdict":         `{"report":"v1","verdict":"maybe","reason":"malformed","warnings":[],"checks":[{"check":"decode","status":"failed","reason":"malformed"}],"verified_at":""}`,
		"invalid without reason":  `{"report":"v1","verdict":"invalid","warnings":[],"checks":[{"check":"decode","status":"failed","reason":"malformed"}],"verified_at":""}`,
		"valid with reason":       `{"report":"v1","verdict":"valid","reason":"malformed","warnings":[],"checks":[{"check":"signature","status":"passed"}],"verified_at":""}`,
		"valid without signature": `{"report":"v1","verdict":"valid","warnings":[],"checks":[{"check":"decode","status":"passed"}],"verified_at":""}`,
		"failed check no reason":  `{"report":"v1","verdict":"invalid","reason":"malformed","warnings":[],"checks":[{"check":"decode","status":"failed"}],"verified_at":""}`,
		"reason not snake_case":   `{"report":"v1","verdict":"invalid","reason":"Bad Sig","warnings":[],"checks":[{"check":"decode","status":"failed","reason":"Bad Sig"}],"verified_at":""}`,
		"unknown member":          `{"report":"v1","verdict":"invalid","reason":"malformed","warnings":[],"checks":[{"check":"decode","status":"failed","reason":"malformed"}],"verified_at":"","extra":1}`,
		"local time":              `{"report":"v1","verdict":"invalid","reason":"malformed","warnings":[],"checks":[{"check":"decode","status":"failed","reason":"malformed"}],"verified_at":"2026-01-15T14:00:00+02:00"}`,
		"no checks":               `{"report":"v1","verdict":"invalid","reason":"malformed","warnings":[],"checks":[],"verified_at":""}`,
	}
	for name, b := range bad {
		if validateReport(sch, []byte(b)) == nil {
			t.Errorf("%s: the schema accepts it", name)
		}
	}
}

// TestReportReasonsAreKnown checks the reason codes of every report
// collected so far are codes reasons.go lists (the schema only checks their
// shape, so that codes added by other issues need no schema change).
func TestReportReasonsAreKnown(t *testing.T) {
	known := map[Reason]bool{}
	for _, r := range Reasons() {
		known[r] = true
	}
	// Produce one report of each verdict here, so the test does not depend
	// on which tests ran before it.
	verify(nil, Options{})
	verify([]byte("x"), Options{Time: testTime})
	collected.Lock()
	defer collected.Unlock()
	for _, b := range collected.reports {
		var r Report
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("report does not decode: %v", err)
		}
		codes := []Reason{r.Reason}
		for _, c := range r.Checks {
			codes = append(codes, c.Reason)
		}
		for _, w := range r.Warnings {
			codes = append(codes, w.Reason)
		}
		for _, c := range codes {
			if c != "" && !known[c] {
				t.Errorf("reason %q is not in reasons.go", c)
			}
		}
	}
}
