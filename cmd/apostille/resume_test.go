package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// resumeInput writes a JSON Lines input of n records cycling through the
// demo documents, with a blank line now and then, and returns its lines.
func resumeInput(t *testing.T, w *world, n int) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(w.dir, "documents"))
	if err != nil {
		t.Fatal(err)
	}
	var docs [][]byte
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tlog-proof") || e.IsDir() {
			continue
		}
		b, err := os.ReadFile(w.doc(e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, b)
	}
	var lines []string
	for i := 0; i < n; i++ {
		if i%97 == 50 {
			lines = append(lines, "")
		}
		b, _ := json.Marshal(map[string]any{"id": i, "document": "base64:" + base64.StdEncoding.EncodeToString(docs[i%len(docs)])})
		lines = append(lines, string(b))
	}
	return lines
}

// withoutVerifiedAt reads an output file's records, each with its
// report's verified_at taken out (a resumed run verifies later).
func withoutVerifiedAt(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		t.Fatalf("%s ends with a torn record", path)
	}
	var out []string
	for i, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("%s line %d: %v", path, i+1, err)
		}
		rep, _ := rec["report"].(map[string]any)
		if rep == nil {
			t.Fatalf("%s line %d: no report", path, i+1)
		}
		delete(rep, "verified_at")
		m, _ := json.Marshal(rec)
		out = append(out, string(m))
	}
	return out
}

// TestResumeAfterKill: a `verify --jsonl --output` process killed with
// SIGKILL mid-run leaves an output that --resume completes: the same
// records as an uninterrupted run, in the same order (verified_at aside),
// a torn last record dropped, and a --summary of the whole run.
func TestResumeAfterKill(t *testing.T) {
	w := buildWorld(t)
	bin := buildBinary(t)
	dir := t.TempDir()
	lines := resumeInput(t, w, 600)
	input := writeFile(t, filepath.Join(dir, "in.jsonl"), []byte(strings.Join(lines, "\n")+"\n"))
	common := []string{"verify", "--trust", w.trust, "--at", verifyAt, "--cache-dir", cacheDir, "--format", "jsonl", "--jobs", "2"}

	full := filepath.Join(dir, "full.jsonl")
	runBin(t, bin, exitInvalid, append(common, "--jsonl", input, "--output", full, "--summary", filepath.Join(dir, "full.json"))...)

	// The killed run reads its input from a pipe that the test feeds with
	// the first half only, so it is surely mid-run when it is killed.
	out := filepath.Join(dir, "out.jsonl")
	cmd := exec.Command(bin, append(common, "--jsonl", "-", "--output", out)...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	half := len(lines) / 2
	go func() {
		// The pipe holds what the process has not read yet; it is never
		// closed before the kill.
		fmt.Fprint(stdin, strings.Join(lines[:half], "\n")+"\n")
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		b, _ := os.ReadFile(out)
		if bytes.Count(b, []byte("\n")) >= 20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the run wrote no records; stderr:\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	killed = true
	cut, _ := os.ReadFile(out)
	if bytes.Count(cut, []byte("\n")) >= len(lines) {
		t.Fatalf("the killed run had written everything")
	}
	if len(cut) > 0 && cut[len(cut)-1] == '\n' {
		// The kill fell between records: tear one, as a kill mid-write does.
		f, _ := os.OpenFile(out, os.O_APPEND|os.O_WRONLY, 0)
		f.WriteString(`{"line":9999,"id":12,"report":{"report":"v1","verd`)
		f.Close()
	}

	runBin(t, bin, exitInvalid, append(common, "--jsonl", input, "--output", out, "--resume", "--summary", filepath.Join(dir, "out.json"))...)
	want, got := withoutVerifiedAt(t, full), withoutVerifiedAt(t, out)
	if len(got) != len(want) {
		t.Fatalf("resumed output has %d records, the uninterrupted run %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("record %d differs:\n got %.300s\nwant %.300s", i+1, got[i], want[i])
		}
	}

	// The summaries agree on the whole run; the resumed one says how much
	// the earlier run had done.
	var fs, rs runSummary
	for p, s := range map[string]*runSummary{"full.json": &fs, "out.json": &rs} {
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, s); err != nil {
			t.Fatal(err)
		}
	}
	if fs.Documents != len(want) || rs.Documents != fs.Documents || rs.Valid != fs.Valid || rs.Invalid != fs.Invalid ||
		rs.Indeterminate != fs.Indeterminate || rs.Exit != exitInvalid || !rs.Complete || rs.Resumed == 0 || rs.Resumed >= rs.Documents ||
		rs.LastLine != len(lines) || fs.LastLine != len(lines) {
		t.Fatalf("summaries: full %+v, resumed %+v", fs, rs)
	}

	// Resuming a finished output changes nothing.
	runBin(t, bin, exitInvalid, append(common, "--jsonl", input, "--output", out, "--resume")...)
	if again := withoutVerifiedAt(t, out); len(again) != len(want) {
		t.Fatalf("resuming a finished output: %d records, want %d", len(again), len(want))
	}
}

// TestResumeRefuses: --resume needs a JSON Lines input and an output file,
// and refuses a file that is not the output of such a run.
func TestResumeRefuses(t *testing.T) {
	w := buildWorld(t)
	dir := t.TempDir()
	input := writeFile(t, filepath.Join(dir, "in.jsonl"), []byte(strings.Join(resumeInput(t, w, 3), "\n")+"\n"))
	notOutput := writeFile(t, filepath.Join(dir, "other.txt"), []byte("hello\nworld\n"))
	outOfOrder := writeFile(t, filepath.Join(dir, "order.jsonl"), []byte(`{"line":2,"report":{}}`+"\n"+`{"line":1,"report":{}}`+"\n"))
	for _, args := range [][]string{
		{"verify", "--trust", w.trust, "--resume", "--jsonl", input},                                         // no --output
		{"verify", "--trust", w.trust, "--resume", "--output", notOutput, w.doc("ee-birth-certificate.jwt")}, // not --jsonl
		{"verify", "--trust", w.trust, "--resume", "--jsonl", input, "--output", notOutput},
		{"verify", "--trust", w.trust, "--resume", "--jsonl", input, "--output", outOfOrder},
		{"verify", "--trust", w.trust, "--resume", "--jsonl", input, "--output", filepath.Join(dir, "x"), "--format", "csv"},
	} {
		if code, _, _ := runCLI(args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args[3:], code, exitUsage)
		}
	}
	if b, _ := os.ReadFile(notOutput); string(b) != "hello\nworld\n" {
		t.Error("a refused --resume changed the file")
	}
}
