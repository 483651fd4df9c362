package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRefused(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	write := func(path string, data []byte) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	big := make([]byte, MaxSize+1)
	write("apostille", append([]byte{0x7f, 'E', 'L', 'F'}, 1, 2, 3))
	write("tool.exe", []byte("MZ\x90\x00"))
	write("run.sh", []byte("#!/bin/sh\necho hi\n"))
	write("data.bin", []byte{1, 2, 3})
	write("big.json", big)
	write("verifier/testdata/big.json", big)
	write(Module, big)
	for _, c := range []struct {
		mode, path string
		refused    bool
	}{
		{"100644", "apostille", true},
		{"100755", "apostille", true},
		{"100644", "tool.exe", true},
		{"100755", "run.sh", false},
		{"100755", "data.bin", true},
		{"100644", "data.bin", false},
		{"100644", "big.json", true},
		{"100644", "verifier/testdata/big.json", false},
		{"100644", Module, false},
		{"100644", "gone.txt", false},
	} {
		if why := refused(c.mode, c.path); (why != "") != c.refused {
			t.Errorf("%s %s: refused %q, want refused %v", c.mode, c.path, why, c.refused)
		}
	}
}
