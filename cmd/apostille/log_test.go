package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apostille/apostille/internal/tlog"
)

// TestLogAppendAgain: documents an append logged but wrote no proofs for
// (the process was killed between the two) get their proofs from the next
// append of the same documents, at their existing indices, and the log does
// not grow.
func TestLogAppendAgain(t *testing.T) {
	w := buildWorld(t)
	dir := t.TempDir()
	key := filepath.Join(dir, "log.key")
	if code, _, errOut := runCLI("keys", "generate", "--kind", "log", "--name", "log.example/again", "--out", key); code != exitOK {
		t.Fatal(errOut)
	}
	logDir := filepath.Join(dir, "log")
	var docs []string
	for i, name := range []string{"ee-birth-certificate.jwt", "lu-residence-attestation.cwt"} {
		b, err := os.ReadFile(w.doc(name))
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, writeFile(t, filepath.Join(dir, strings.Repeat("x", i+1)+"-"+name), b))
	}
	code, first, errOut := runCLI(append([]string{"log", "append", "--key", key, logDir}, docs...)...)
	if code != exitOK {
		t.Fatal(errOut)
	}
	// The crash: the entries are logged, the proofs are gone.
	for _, d := range docs {
		if err := os.Remove(d + ProofSuffix); err != nil {
			t.Fatal(err)
		}
	}
	code, again, errOut := runCLI(append([]string{"log", "append", "--key", key, logDir}, docs...)...)
	if code != exitOK {
		t.Fatal(errOut)
	}
	if again != first {
		t.Errorf("the second append says\n%s\nthe first\n%s", again, first)
	}
	for _, d := range docs {
		if _, err := os.Stat(d + ProofSuffix); err != nil {
			t.Errorf("no proof after the second append: %v", err)
		}
	}
	cp, err := os.ReadFile(tlog.CheckpointPath(logDir))
	if err != nil {
		t.Fatal(err)
	}
	if size, err := tlog.CheckpointSize(cp); err != nil || size != uint64(len(docs)) {
		t.Fatalf("the log holds %d entries (%v), want %d", size, err, len(docs))
	}
}
