package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apostille/apostille/internal/demo"
	"github.com/apostille/apostille/internal/wasmbuild"
	"github.com/apostille/apostille/verifier"
)

var cacheDir string

func TestMain(m *testing.M) {
	mod, err := wasmbuild.FromSource()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	testModule = mod
	cacheDir, _ = os.MkdirTemp("", "apostille-cli-test-")
	code := m.Run()
	os.RemoveAll(cacheDir)
	os.Exit(code)
}

func demoWorld(t *testing.T) *world { return buildWorld(t) }

// cli runs apostille verify and returns stdout, stderr and the exit status.
func cli(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	args = append([]string{"--cache-dir", cacheDir, "--at", verifyAt}, args...)
	code := runVerifyIO(args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

// record is an output record, its report's verdict and reason beside the
// members that name the input.
type record struct {
	Input   string
	Line    int
	ID      json.RawMessage
	Verdict string
	Reason  string
}

func records(t *testing.T, out string) []record {
	t.Helper()
	var rs []record
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r struct {
			Input  string          `json:"input"`
			Line   int             `json:"line"`
			ID     json.RawMessage `json:"id"`
			Report struct{ Verdict, Reason string }
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("not a JSON record: %q", line)
		}
		rs = append(rs, record{r.Input, r.Line, r.ID, r.Report.Verdict, r.Report.Reason})
	}
	return rs
}

// TestEnginesAgree: the module and the native verifier write the same
// records for the demo world, which decide as its manifest says.
func TestEnginesAgree(t *testing.T) {
	w := demoWorld(t)
	docs := filepath.Join(w.dir, "documents")
	wasmOut, _, code := cli(t, "", "--trust", w.trust, "--format", "jsonl", docs)
	if code != exitInvalid {
		t.Errorf("exit status %d, want %d (the demo has invalid documents)", code, exitInvalid)
	}
	nativeOut, _, _ := cli(t, "", "--engine", "native", "--trust", w.trust, "--format", "jsonl", docs)
	if wasmOut != nativeOut {
		t.Fatalf("engines differ:\nwasm   %s\nnative %s", wasmOut, nativeOut)
	}
	want := map[string]demo.Sample{}
	for _, s := range w.man.Samples {
		want[filepath.Join(w.dir, s.File)] = s
	}
	rs := records(t, wasmOut)
	if len(rs) != len(w.man.Samples) {
		t.Fatalf("%d records for %d documents", len(rs), len(w.man.Samples))
	}
	for i, r := range rs {
		s := want[r.Input]
		if r.Verdict != s.Verdict || r.Reason != s.Reason {
			t.Errorf("%s: %s/%s, want %s/%s", r.Input, r.Verdict, r.Reason, s.Verdict, s.Reason)
		}
		if i > 0 && rs[i-1].Input > r.Input {
			t.Errorf("records out of lexical order: %s before %s", rs[i-1].Input, r.Input)
		}
	}
}

// TestJSONLines: text and base64 documents, a per-record time, blank lines,
// a bad line and many records over several workers: one record per input,
// in input order, carrying the id.
func TestJSONLines(t *testing.T) {
	w := demoWorld(t)
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(w.dir, "documents", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	jwt, cwt := read("ee-birth-certificate.jwt"), read("lu-residence-attestation.cwt")
	// The register's policy requires an embassy attestation: its records
	// carry their tlog proof.
	proof := read("ee-birth-certificate.jwt.tlog-proof")
	var in strings.Builder
	var want []record
	lines := 0
	add := func(line, verdict, reason string, id json.RawMessage) {
		in.WriteString(line + "\n")
		lines++
		want = append(want, record{Line: lines, ID: id, Verdict: verdict, Reason: reason})
	}
	for i := 0; i < 40; i++ {
		id := fmt.Sprintf(`"jwt-%d"`, i)
		add(fmt.Sprintf(`{"id":%s,"document":%q,"proof":%q}`, id, jwt, proof), "valid", "", json.RawMessage(id))
		add(fmt.Sprintf(`{"id":%d,"document":"base64:%s"}`, i, base64.StdEncoding.EncodeToString(cwt)), "valid", "", json.RawMessage(fmt.Sprint(i)))
		if i == 7 {
			in.WriteString("\n   \n")
			lines += 2 // blank lines count, and get no record
			// A form feed is not JSON's white space: its line is answered.
			add("\f", "invalid", "malformed", nil)
			add(`{"id":"late","document":`+fmt.Sprintf("%q", jwt)+`,"proof":`+fmt.Sprintf("%q", proof)+`,"at":"2040-01-01T00:00:00Z"}`, "invalid", "expired", json.RawMessage(`"late"`))
			// A line without an id is named by its line only: no id is
			// invented that could clash with a real one.
			add(`this is not JSON`, "invalid", "malformed", nil)
			add(`{"id":"nodoc"}`, "invalid", "malformed", json.RawMessage(`"nodoc"`))
			add(`{"id":"b64","document":"base64:!!"}`, "invalid", "malformed", json.RawMessage(`"b64"`))
		}
	}
	out, stderr, code := cli(t, in.String(), "--trust", w.trust, "--format", "jsonl", "--jobs", "3", "--jsonl", "-")
	if code != exitInvalid {
		t.Errorf("exit status %d, want %d", code, exitInvalid)
	}
	if strings.Contains(stderr, "\r") {
		t.Error("a progress line went to a stderr that is not a terminal")
	}
	rs := records(t, out)
	if len(rs) != len(want) {
		t.Fatalf("%d records for %d inputs", len(rs), len(want))
	}
	for i := range want {
		if string(rs[i].ID) != string(want[i].ID) || rs[i].Verdict != want[i].Verdict || rs[i].Reason != want[i].Reason || rs[i].Line != want[i].Line {
			t.Errorf("record %d: line %d %s %s/%s, want line %d %s %s/%s", i, rs[i].Line, rs[i].ID, rs[i].Verdict, rs[i].Reason, want[i].Line, want[i].ID, want[i].Verdict, want[i].Reason)
		}
	}
	if !strings.Contains(stderr, fmt.Sprintf("%d documents:", len(want))) || !strings.Contains(stderr, "malformed") {
		t.Errorf("the summary lacks counts per verdict and reason: %s", stderr)
	}
	csvOut, _, _ := cli(t, in.String(), "--trust", w.trust, "--format", "csv", "--jsonl", "-")
	csvLines := strings.Split(strings.TrimSpace(csvOut), "\n")
	if len(csvLines) != len(want)+1 || !strings.HasPrefix(csvLines[1], ",1,jwt-0,valid,") || !strings.HasPrefix(csvLines[2], ",2,0,valid,") {
		t.Errorf("CSV records: %d lines for %d inputs, starting %q", len(csvLines), len(want), csvLines[:min(3, len(csvLines))])
	}
}

// TestExitStatus: 0 when every input is valid, 1 when one is not, 2 on
// usage and I/O errors (which still get their record).
func TestExitStatus(t *testing.T) {
	w := demoWorld(t)
	good := filepath.Join(w.dir, "documents", "ee-birth-certificate.jwt")
	if _, _, code := cli(t, "", "--trust", w.trust, good); code != exitOK {
		t.Errorf("a valid document: exit %d", code)
	}
	doc, _ := os.ReadFile(good)
	if out, _, code := cli(t, string(doc), "--trust", w.trust, "--format", "csv", "--proof", good+".tlog-proof", "-"); code != exitOK || !strings.HasPrefix(out, "input,line,id,verdict") || !strings.Contains(out, "\n-,,,valid,") {
		t.Errorf("stdin as CSV: exit %d, %q", code, out)
	}
	out, _, code := cli(t, "", "--trust", w.trust, "--format", "jsonl", good, filepath.Join(w.dir, "missing.jwt"))
	if rs := records(t, out); code != exitUsage || len(rs) != 2 || rs[1].Reason != string(verifier.InputUnreadable) {
		t.Errorf("a missing file: exit %d, records %+v", code, rs)
	}
	for _, args := range [][]string{
		{"--format", "xml", good},
		{"--engine", "quantum", good},
		{"--jsonl", "-", good},
		{},
	} {
		if _, _, code := cli(t, "", args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
}

// TestColdCacheSaysSo: the first run with an empty cache says on stderr
// that it compiles the module; the next does not.
func TestColdCacheSaysSo(t *testing.T) {
	w := demoWorld(t)
	dir := t.TempDir()
	good := filepath.Join(w.dir, "documents", "ee-birth-certificate.jwt")
	var errb bytes.Buffer
	runVerifyIO([]string{"--cache-dir", dir, "--at", verifyAt, "--trust", w.trust, good}, nil, &bytes.Buffer{}, &errb)
	if !strings.Contains(errb.String(), "compiling the verification module once") {
		t.Errorf("cold run said: %s", errb.String())
	}
	errb.Reset()
	runVerifyIO([]string{"--cache-dir", dir, "--at", verifyAt, "--trust", w.trust, good}, nil, &bytes.Buffer{}, &errb)
	if strings.Contains(errb.String(), "compiling") {
		t.Errorf("warm run said: %s", errb.String())
	}
}
