package wasmbuild

import (
	"strings"
	"testing"
)

// TestToolchainPinned runs the go command in the module's build
// environment and asks which release it is: the pinned one, whatever Go
// runs the test (a go command of another release switches to it).
func TestToolchainPinned(t *testing.T) {
	out, err := goCommand(testRoot(t), "env", "GOVERSION").Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != Toolchain {
		t.Fatalf("the module's build runs %s, want %s", got, Toolchain)
	}
}

// testRoot is Root for a test.
func testRoot(t *testing.T) string {
	t.Helper()
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	return root
}
