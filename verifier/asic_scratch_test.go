package verifier_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestASiCScratchReuse verifies every container of testdata/asice under
// the "test" trust twice: with a trust of its own, whose pool of container
// memory (containerscratch.go) is empty, and with one trust shared by all,
// whose pool holds what the containers before it, valid or refused, left.
// The reports must be the same bytes.
func TestASiCScratchReuse(t *testing.T) {
	shared := trustFor(t, []string{"test"}, nil, "")
	n := 0
	for _, c := range loadContainerCases(t) {
		if !slices.Equal(c.Trust, []string{"test"}) || c.ValidationAt == "" {
			continue
		}
		data, err := os.ReadFile(filepath.Join("testdata/asice", c.File))
		if err != nil {
			t.Fatal(err)
		}
		want := verifyContainerAt(t, data, c.ValidationAt, trustFor(t, c.Trust, nil, "")).AppendJSON(nil)
		got := verifyContainerAt(t, data, c.ValidationAt, shared).AppendJSON(nil)
		if string(got) != string(want) {
			t.Errorf("%s: the report differs with a used pool:\n%s\n%s", c.ID, got, want)
		}
		n++
	}
	if n < 20 {
		t.Fatalf("only %d containers under the test trust", n)
	}
}
