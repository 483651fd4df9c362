package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apostille/apostille/internal/engine"
	"github.com/apostille/apostille/verifier"
	"github.com/apostille/apostille/wasm/module"
)

// helpArgs are every command and subcommand, as a user would ask for help.
func helpArgs() [][]string {
	all := [][]string{{}, {"help"}, {"help", "verify"}}
	for _, c := range commands {
		all = append(all, []string{c.name})
	}
	for _, c := range trustCommands {
		all = append(all, []string{"trust", c.name})
	}
	for _, sub := range []string{"generate", "vkey"} {
		all = append(all, []string{"keys", sub})
	}
	for _, sub := range []string{"init", "append", "publish", "prove"} {
		all = append(all, []string{"log", sub})
	}
	return all
}

// TestHelpEveryCommand: --help and -h print the usage on standard output
// and exit 0, for every command and subcommand.
func TestHelpEveryCommand(t *testing.T) {
	for _, args := range helpArgs() {
		for _, h := range []string{"--help", "-h"} {
			a := append(append([]string{}, args...), h)
			if len(args) > 0 && args[0] == "help" {
				a = args
			}
			code, out, errOut := runCLI(a...)
			if code != exitOK || !strings.HasPrefix(out, "usage: apostille") || errOut != "" {
				t.Errorf("%v: exit %d, stdout %.60q, stderr %.60q", a, code, out, errOut)
			}
		}
	}
}

// TestUsageErrorsSayWhy: a usage error is exit 2 with its reason on the
// first line of standard error, then the synopsis, and nothing on standard
// output; no page of flags.
func TestUsageErrorsSayWhy(t *testing.T) {
	w := buildWorld(t)
	for _, args := range [][]string{
		{"verify", "--trust", w.trust},                                // no input
		{"verify", "--jsonl", "-", w.doc("ee-birth-certificate.jwt")}, // --jsonl with inputs
		{"verify", "--bogus", w.doc("ee-birth-certificate.jwt")},      // unknown flag
		{"verify", "--at", "yesterday", w.doc("ee-birth-certificate.jwt")},
		{"trust", "sign", "bundle.json"}, // no --key
		{"keys", "generate", "--kind", "log"},
		{"log", "append", "--key", "k", "dir"}, // no document
		{"serve", "extra"},
		{"merge"},
	} {
		code, out, errOut := runCLI(args...)
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		if code != exitUsage || out != "" || len(lines) != 3 || !strings.HasPrefix(lines[0], "apostille "+args[0]) || !strings.HasPrefix(lines[1], "usage: ") {
			t.Errorf("%v: exit %d, stderr:\n%s", args, code, errOut)
		}
	}
}

// TestFlagsAfterInputs: flags after the inputs are flags; after "--" they
// are inputs.
func TestFlagsAfterInputs(t *testing.T) {
	w := buildWorld(t)
	doc := w.doc("ee-birth-certificate.jwt")
	code, out, _ := runCLI("verify", "--trust", w.trust, doc, "--format", "jsonl", "--at", verifyAt)
	if recs := jsonlRecords(t, out); code != exitOK || len(recs) != 1 || recs[0]["verdict"] != "valid" {
		t.Fatalf("flags after the input: exit %d, %v", code, recs)
	}
	code, out, _ = runCLI("verify", "--trust", w.trust, "--format", "jsonl", "--at", verifyAt, doc, "--", "--jobs")
	recs := jsonlRecords(t, out)
	if code != exitUsage || len(recs) != 2 || recs[1]["input"] != "--jobs" || recs[1]["reason"] != string(verifier.InputUnreadable) {
		t.Fatalf("after --: exit %d, %v", code, recs)
	}
}

// TestVersion: --version names the module this binary verifies with, by
// the SHA-256 `make wasm` prints.
func TestVersion(t *testing.T) {
	for _, arg := range []string{"--version", "version"} {
		code, out, _ := runCLI(arg)
		if code != exitOK || !strings.HasPrefix(out, "apostille ") || !strings.Contains(out, "module sha256:"+module.SHA256(testModule)) {
			t.Errorf("%s: exit %d\n%s", arg, code, out)
		}
	}
}

// TestVerifyAtDate: --at takes a date, meaning its midnight UTC.
func TestVerifyAtDate(t *testing.T) {
	w := buildWorld(t)
	code, out, errOut := runCLI("verify", "--trust", w.trust, "--at", "2026-11-27", "--format", "jsonl", w.doc("ee-birth-certificate.jwt"))
	recs := jsonlRecords(t, out)
	if code != exitOK || len(recs) != 1 || recs[0]["verified_at"] != "2026-11-27T00:00:00Z" {
		t.Fatalf("exit %d, %v %s", code, recs, errOut)
	}
}

// TestTrustErrors: every trust error is exit 2 before a document is read
// and names the flag whose file it is; a refused bundle (a wrong pinned
// key) is one.
func TestTrustErrors(t *testing.T) {
	w := buildWorld(t)
	doc := w.doc("ee-birth-certificate.jwt")
	signed := filepath.Join(w.dir, w.man.SignedTrust)
	garbage := writeFile(t, filepath.Join(t.TempDir(), "garbage.pem"), []byte("not a trust file at all"))
	other := filepath.Join(t.TempDir(), "other")
	if code, _, errOut := runCLI("trust", "keygen", "--out", other); code != exitOK {
		t.Fatal(errOut)
	}
	for _, c := range []struct {
		name, flag string
		args       []string
	}{
		{"missing key", "--trust-key", []string{"--trust", signed, "--trust-key", filepath.Join(w.dir, "nope.jwk")}},
		{"key that is no key", "--trust-key", []string{"--trust", signed, "--trust-key", garbage}},
		{"garbage trust", "--trust", []string{"--trust", garbage}},
		{"wrong pinned key", "--trust", []string{"--trust", signed, "--trust-key", other + ".pub.jwk"}},
	} {
		code, out, errOut := runCLI(append(append([]string{"verify", "--trust-state", "none", "--at", verifyAt, "--format", "jsonl"}, c.args...), doc)...)
		if code != exitUsage || out != "" || !strings.HasPrefix(errOut, "apostille verify: "+c.flag+" ") && !strings.HasPrefix(errOut, "apostille verify: "+c.flag+":") {
			t.Errorf("%s: exit %d, records %q, stderr %q", c.name, code, out, errOut)
		}
	}
	// The engine says which file it is, by flag, as the service shows it.
	_, err := (&engine.Loader{Files: engine.Files{Trust: []string{garbage}}}).Load()
	var fe *engine.FileError
	if !errors.As(err, &fe) || fe.Flag != "trust" || fe.Path != garbage {
		t.Errorf("garbage trust: %v", err)
	}
}

// shardInput writes a JSON Lines input of every demo document, with lines
// that are blank, not JSON, without an id, with an id that looks like a
// line number, and repeated.
func shardInput(t *testing.T, w *world) string {
	t.Helper()
	var b strings.Builder
	for round := 0; round < 3; round++ {
		for i, s := range w.man.Samples {
			doc, err := os.ReadFile(filepath.Join(w.dir, s.File))
			if err != nil {
				t.Fatal(err)
			}
			rec := map[string]any{"document": "base64:" + base64.StdEncoding.EncodeToString(doc)}
			if proof, err := os.ReadFile(filepath.Join(w.dir, s.File) + ProofSuffix); err == nil {
				rec["proof"] = string(proof)
			}
			switch i % 4 {
			case 0:
				rec["id"] = fmt.Sprintf("%s#%d", s.File, round)
			case 1:
				rec["id"] = i
			case 2:
				rec["id"] = fmt.Sprintf("line %d", i) // an id cannot pass for a line
			}
			line, _ := json.Marshal(rec)
			b.Write(line)
			b.WriteString("\n")
			if i%7 == 3 {
				b.WriteString("\n")
			}
			if i%9 == 5 {
				b.WriteString("{not json\n")
			}
		}
	}
	return writeFile(t, filepath.Join(t.TempDir(), "in.jsonl"), []byte(b.String()))
}

// TestShardsMerge: three shards of one input, merged, are the single run,
// byte for byte; so are eight shards, some of them empty.
func TestShardsMerge(t *testing.T) {
	w := buildWorld(t)
	in := shardInput(t, w)
	dir := t.TempDir()
	single := filepath.Join(dir, "single.jsonl")
	_, errOut, code := cli(t, "", "--trust", w.trust, "--format", "jsonl", "--jsonl", in, "--output", single)
	if code != exitInvalid {
		t.Fatalf("single run: exit %d\n%s", code, errOut)
	}
	want, err := os.ReadFile(single)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{3, 8} {
		var outs []string
		seen := 0
		for k := 0; k < n; k++ {
			out := filepath.Join(dir, fmt.Sprintf("n%d-shard-%d.jsonl", n, k))
			if _, errOut, code := cli(t, "", "--trust", w.trust, "--jsonl", in, "--shard", fmt.Sprintf("%d/%d", k, n), "--output", out); code == exitUsage {
				t.Fatalf("shard %d/%d: exit %d\n%s", k, n, code, errOut)
			}
			b, _ := os.ReadFile(out)
			recs := jsonlRecords(t, string(b))
			for _, r := range recs {
				if l := int(r["line"].(float64)); (l-1)%n != k {
					t.Errorf("shard %d/%d holds line %d", k, n, l)
				}
			}
			seen += len(recs)
			outs = append(outs, out)
		}
		merged := filepath.Join(dir, fmt.Sprintf("merged-%d.jsonl", n))
		code, _, errOut := runCLI(append([]string{"merge", "--output", merged}, outs...)...)
		got, _ := os.ReadFile(merged)
		if code != exitInvalid || string(got) != string(want) {
			t.Errorf("%d shards (%d records) merged: exit %d, %d bytes, want %d records, %d bytes\n%s", n, seen, code, len(got), len(jsonlRecords(t, string(want))), len(want), errOut)
		}
	}
	// Merge refuses what is not N shards of one input: a shard twice, a
	// shard out of order, records of file inputs.
	s0 := filepath.Join(dir, "n3-shard-0.jsonl")
	b, _ := os.ReadFile(s0)
	lines := strings.SplitAfter(strings.TrimSpace(string(b)), "\n")
	reversed := writeFile(t, filepath.Join(dir, "reversed"), []byte(lines[1]+"\n"+lines[0]+"\n"))
	code, fileOut, _ := runCLI("verify", "--trust", w.trust, "--at", verifyAt, "--format", "jsonl", w.doc("ee-birth-certificate.jwt"))
	if code != exitOK {
		t.Fatal(code)
	}
	fileRecs := writeFile(t, filepath.Join(dir, "files"), []byte(fileOut))
	for _, args := range [][]string{{s0, s0}, {reversed}, {fileRecs}, {filepath.Join(dir, "nope")}} {
		if code, out, _ := runCLI(append([]string{"merge"}, args...)...); code != exitUsage {
			t.Errorf("merge %v: exit %d\n%s", args, code, out)
		}
	}
}

// TestVerifyLimitsAndExit: --max-document-size makes a larger document
// too_large; --exit-zero turns "some not valid" into 0 and leaves 2 alone.
func TestVerifyLimitsAndExit(t *testing.T) {
	w := buildWorld(t)
	doc := w.doc("ee-birth-certificate.jwt")
	code, out, _ := runCLI("verify", "--trust", w.trust, "--at", verifyAt, "--format", "jsonl", "--max-document-size", "100", doc)
	if recs := jsonlRecords(t, out); code != exitInvalid || len(recs) != 1 || recs[0]["reason"] != string(verifier.TooLarge) {
		t.Errorf("--max-document-size 100: exit %d, %v", code, recs)
	}
	if code, _, _ := runCLI("verify", "--trust", w.trust, "--at", verifyAt, "--exit-zero", w.doc("ee-birth-certificate-tampered.jwt")); code != exitOK {
		t.Errorf("--exit-zero with an invalid document: exit %d", code)
	}
	if code, _, _ := runCLI("verify", "--trust", w.trust, "--at", verifyAt, "--exit-zero", filepath.Join(w.dir, "nope.jwt")); code != exitUsage {
		t.Errorf("--exit-zero with an unreadable input: exit %d", code)
	}
	if code, _, _ := runCLI("serve", "--addr", "127.0.0.1:0", "--tls-cert", doc); code != exitUsage {
		t.Errorf("--tls-cert without --tls-key: exit %d", code)
	}
}
