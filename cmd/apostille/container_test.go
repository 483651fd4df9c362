package main

import (
	"bufio"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apostille/apostille/internal/demo"
	"github.com/apostille/apostille/verifier"
)

// containerSamples are the demo world's DigiDoc containers.
func containerSamples(w *world) []demo.Sample {
	var out []demo.Sample
	for _, s := range w.man.Samples {
		if s.Format == "asice" || s.Format == "bdoc" {
			out = append(out, s)
		}
	}
	return out
}

// TestContainerInputs verifies the demo's containers given as files, as a
// directory and as JSON Lines base64: records, one per container, decide as
// the manifest says and carry one result per signature.
func TestContainerInputs(t *testing.T) {
	w := buildWorld(t)
	samples := containerSamples(w)
	if len(samples) == 0 {
		t.Fatal("the demo has no containers")
	}
	dir := t.TempDir()
	var files []string
	var lines strings.Builder
	for _, s := range samples {
		b, err := os.ReadFile(filepath.Join(w.dir, s.File))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, filepath.Join(w.dir, s.File))
		writeFile(t, filepath.Join(dir, filepath.Base(s.File)), b)
		rec, _ := json.Marshal(map[string]any{"id": filepath.Base(s.File), "document": "base64:" + base64.StdEncoding.EncodeToString(b)})
		lines.Write(append(rec, '\n'))
	}
	in := writeFile(t, filepath.Join(t.TempDir(), "in.jsonl"), []byte(lines.String()))
	byName := map[string]demo.Sample{}
	for _, s := range samples {
		byName[filepath.Base(s.File)] = s
	}
	for _, c := range []struct {
		name string
		args []string
		key  func(map[string]any) string
	}{
		{"files", files, func(r map[string]any) string { return filepath.Base(r["input"].(string)) }},
		{"directory", []string{dir}, func(r map[string]any) string { return filepath.Base(r["input"].(string)) }},
		{"jsonl", []string{"--jsonl", in}, func(r map[string]any) string { return r["id"].(string) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"verify", "--trust", w.trust, "--at", verifyAt, "--format", "jsonl"}, c.args...)
			_, out, stderr := runCLI(args...)
			recs := jsonlRecords(t, out)
			if len(recs) != len(samples) {
				t.Fatalf("%d records for %d containers\n%s", len(recs), len(samples), stderr)
			}
			for _, r := range recs {
				s, ok := byName[c.key(r)]
				if !ok {
					t.Fatalf("a record for %v", c.key(r))
				}
				reason, _ := r["reason"].(string)
				if r["verdict"] != s.Verdict || reason != s.Reason {
					t.Errorf("%s: %v/%v, manifest says %s/%s", s.File, r["verdict"], reason, s.Verdict, s.Reason)
				}
				doc, _ := r["document"].(map[string]any)
				if doc == nil || doc["format"] != s.Format {
					t.Errorf("%s: document %v, want format %s", s.File, doc, s.Format)
				}
				cont, _ := r["container"].(map[string]any)
				if cont == nil {
					t.Errorf("%s: no container in the report", s.File)
					continue
				}
				sigs, _ := cont["signatures"].([]any)
				if len(sigs) == 0 {
					t.Errorf("%s: no signature results", s.File)
				}
				for _, x := range sigs {
					sig := x.(map[string]any)
					if sig["verdict"] == nil || sig["level"] == nil || sig["indication"] == nil {
						t.Errorf("%s: a signature without verdict, level or indication: %v", s.File, sig)
					}
				}
			}
		})
	}
}

// TestContainerCSVAndText: a container is one CSV row with its signatures
// counted and its signers named; the text output lists files and signers.
func TestContainerCSVAndText(t *testing.T) {
	w := buildWorld(t)
	contract := w.doc("digidoc-contract-b-lt.asice")
	code, out, stderr := runCLI("verify", "--trust", w.trust, "--at", verifyAt, "--format", "csv", contract, w.doc("digidoc-bad-file-changed.asice"))
	if code != exitInvalid {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][13] != "signatures" || rows[0][14] != "signers" {
		t.Fatalf("rows %q", rows)
	}
	if rows[1][3] != "valid" || rows[1][6] != "asice" || rows[1][13] != "2" ||
		rows[1][14] != "MÄNNIK,MARI-LIIS,47101010033 (PNOEE-47101010033); JÕEORG,JAAK-KRISTJAN,38001085718 (PNOEE-38001085718)" {
		t.Errorf("the contract's row %q", rows[1])
	}
	if rows[2][3] != "invalid" || rows[2][13] != "1" {
		t.Errorf("the changed container's row %q", rows[2])
	}
	_, out, _ = runCLI("verify", "--trust", w.trust, "--at", verifyAt, "--format", "text", contract)
	for _, want := range []string{"leping.txt (text/plain", "lisa-1.csv (text/csv", "MÄNNIK,MARI-LIIS,47101010033 (PNOEE-47101010033)", "JÕEORG,JAAK-KRISTJAN", "B-LT"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
}

// TestContainerRecordShape holds the csv row and the text to the container
// report's shape alone, whatever the verifier decides of the demo.
func TestContainerRecordShape(t *testing.T) {
	rep := &verifier.Report{Verdict: verifier.Invalid, Reason: "digest_mismatch",
		Document: &verifier.Document{Format: "asice", Type: "ASiC-E"},
		Container: &verifier.Container{MediaType: "application/vnd.etsi.asic-e+zip",
			DataFiles: []verifier.DataFile{{Name: "a.txt", MediaType: "text/plain", Size: 3, SHA256: strings.Repeat("0", 64)}, {Name: "b.txt", MediaType: "text/plain", Size: 1}},
			Signatures: []verifier.ContainerSignature{
				{File: "META-INF/signatures0.xml", Verdict: verifier.Valid, Level: "B-LT", Qualified: "qes", SigningTime: "2026-02-02T10:00:03Z",
					Signer: &verifier.Signer{Name: "TAMM,MARI,48001010000", PersonalCode: "PNOEE-48001010000"}, TimeStamp: "Demo TSA", OCSPResponder: "Demo OCSP",
					Files: []string{"a.txt", "b.txt"}},
				{File: "META-INF/signatures1.xml", Verdict: verifier.Invalid, Reason: "digest_mismatch", Level: "B-T", ClaimedTime: "2026-02-02T10:00:00Z",
					Signer: &verifier.Signer{Name: "Seal"}, Files: []string{"a.txt"}},
				{File: "META-INF/signatures2.xml", Verdict: verifier.Invalid, Reason: "malformed"},
			}}}
	row := csvRecord(&job{name: "x.asice"}, rep)
	if len(row) != len(csvHeader) || row[13] != "3" || row[14] != "TAMM,MARI,48001010000 (PNOEE-48001010000); Seal; ?" {
		t.Errorf("row %q", row)
	}
	var b strings.Builder
	bw := bufio.NewWriter(&b)
	writeText(bw, "x.asice", rep)
	bw.Flush()
	for _, want := range []string{"file:      a.txt (text/plain, 3 bytes)", "signature: META-INF/signatures0.xml VALID", "signer:  TAMM,MARI,48001010000 (PNOEE-48001010000)",
		"level:   B-LT, qes", "tsa:     Demo TSA", "ocsp:    Demo OCSP", "signature: META-INF/signatures1.xml INVALID (digest_mismatch)",
		"claimed: 2026-02-02T10:00:00Z (not proven)", "covers:  a.txt", "signer:  ?"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
	// A document that is not a container keeps the two columns empty.
	row = csvRecord(&job{name: "x.jwt"}, &verifier.Report{Verdict: verifier.Valid})
	if row[13] != "" || row[14] != "" {
		t.Errorf("row %q", row)
	}
}
