package server

import (
	"os"
	"testing"

	"github.com/apostille/apostille/verifier"
)

// TestContainerSize: the service keeps its 1 MiB for containers too (its
// memory is bounded by connections × MaxDocument), and a raised
// MaxDocument admits them.
func TestContainerSize(t *testing.T) {
	container, err := os.ReadFile("../../verifier/testdata/asice/files/digidoc4j/valid-containers/asice-with-large-data-file.asice")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		max    int
		code   int
		reason verifier.Reason
	}{
		{"default", 0, 413, verifier.TooLarge},
		{"raised to 4 MiB", 4 << 20, 200, verifier.ChainUntrusted},
	} {
		srv := start(t, Config{MaxDocument: c.max}, ServeOptions{})
		code, _, rep := post(t, srv.url+"/v1/verify", "application/octet-stream", container)
		if got := decide(t, rep); code != c.code || got.Reason != c.reason {
			t.Errorf("%s: %d %s/%s, want %d %s", c.name, code, got.Verdict, got.Reason, c.code, c.reason)
		}
	}
}
