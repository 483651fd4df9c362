package verifier_test

import (
	"os"
	"path/filepath"
	"testing"
)

func TestZZTable(t *testing.T) {
	for _, c := range loadContainerCases(t) {
		data, _ := os.ReadFile(filepath.Join("testdata/asice", c.File))
		r := verifyContainerAt(t, data, times(c)[0], trustFor(t, c.Trust, nil, ""))
		t.Logf("%-50.50s %-13s %-13s %-22s hint=%s%s", c.ID, c.Expected, r.Verdict, r.Reason, c.ReasonHint, sigSummary(r))
	}
}
