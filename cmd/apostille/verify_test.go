package main

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apostille/apostille/internal/demo"
	"github.com/apostille/apostille/internal/reportschema"
	"github.com/apostille/apostille/verifier"
)

// The CLI runs in-process through run(), on the demo world: its manifest
// says what each document must decide.

const verifyAt = "2026-11-27T12:00:00Z"

type world struct {
	dir   string
	trust string
	man   demo.Manifest
}

func buildWorld(t *testing.T) *world {
	t.Helper()
	dir := t.TempDir()
	w, err := demo.Build(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	return &world{dir: dir, trust: filepath.Join(dir, w.Man.Trust), man: w.Man}
}

func (w *world) doc(name string) string { return filepath.Join(w.dir, "documents", name) }

// bundle reads the demo trust bundle.
func (w *world) bundle(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile(w.trust)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// issuer returns one issuer of the demo bundle.
func (w *world) issuer(t *testing.T, id string) map[string]any {
	t.Helper()
	for _, is := range w.bundle(t)["issuers"].([]any) {
		if m := is.(map[string]any); m["id"] == id {
			return m
		}
	}
	t.Fatalf("no issuer %s", id)
	return nil
}

func writeFile(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// jsonlRecords splits jsonl output, checks every line against the output
// record schema (docs/record.schema.json, which holds the report schema)
// and returns the reports, each with the record's "input", "line" and "id"
// beside its own members.
func jsonlRecords(t *testing.T, out string) []map[string]any {
	t.Helper()
	sch, err := reportschema.LoadRecord()
	if err != nil {
		t.Fatal(err)
	}
	var recs []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		if !strings.HasPrefix(line, `{"input":`) && !strings.HasPrefix(line, `{"line":`) {
			t.Errorf("input or line is not the first member: %.60s", line)
		}
		if err := sch.Validate([]byte(line)); err != nil {
			t.Errorf("record does not match the record schema: %v", err)
		}
		report, _ := rec["report"].(map[string]any)
		if report == nil {
			t.Fatalf("no report: %.80s", line)
		}
		for _, k := range []string{"input", "line", "id"} {
			if v, ok := rec[k]; ok {
				report[k] = v
			}
		}
		recs = append(recs, report)
	}
	return recs
}

func TestVerifyJSONL(t *testing.T) {
	w := buildWorld(t)
	args := []string{"verify", "--trust", w.trust, "--at", verifyAt, "--format", "jsonl"}
	for _, s := range w.man.Samples {
		args = append(args, filepath.Join(w.dir, s.File))
	}
	code, out, stderr := runCLI(args...)
	if code != exitInvalid {
		t.Fatalf("exit %d, want %d (some samples are not valid)\n%s", code, exitInvalid, stderr)
	}
	recs := jsonlRecords(t, out)
	if len(recs) != len(w.man.Samples) {
		t.Fatalf("%d records for %d inputs", len(recs), len(w.man.Samples))
	}
	for i, s := range w.man.Samples {
		r := recs[i]
		if r["input"] != filepath.Join(w.dir, s.File) {
			t.Errorf("record %d is for %v, want %s (input order)", i, r["input"], s.File)
		}
		reason, _ := r["reason"].(string)
		if r["verdict"] != s.Verdict || reason != s.Reason {
			t.Errorf("%s: %v/%v, manifest says %s/%s", s.File, r["verdict"], reason, s.Verdict, s.Reason)
		}
	}
	if !strings.Contains(stderr, "documents:") {
		t.Errorf("no summary on stderr: %q", stderr)
	}
}

func TestVerifyExitCodes(t *testing.T) {
	w := buildWorld(t)
	valid := w.doc("ee-birth-certificate.jwt")
	garbage := writeFile(t, filepath.Join(t.TempDir(), "garbage.json"), []byte("not trust"))
	cases := []struct {
		name string
		args []string
		code int
	}{
		{"all valid", []string{"verify", "--trust", w.trust, "--at", verifyAt, valid, w.doc("lu-residence-attestation.cwt")}, exitOK},
		{"one invalid", []string{"verify", "--trust", w.trust, "--at", verifyAt, valid, w.doc("ee-birth-certificate-tampered.jwt")}, exitInvalid},
		{"one indeterminate", []string{"verify", "--trust", w.trust, "--at", verifyAt, w.doc("unknown-issuer.jwt")}, exitInvalid},
		{"no trust: indeterminate", []string{"verify", "--at", verifyAt, valid}, exitInvalid},
		{"no command", nil, exitUsage},
		{"unknown command", []string{"frobnicate"}, exitUsage},
		{"no input", []string{"verify", "--trust", w.trust}, exitUsage},
		{"unknown flag", []string{"verify", "--bogus", valid}, exitUsage},
		{"bad --at", []string{"verify", "--at", "yesterday", valid}, exitUsage},
		{"unknown --format", []string{"verify", "--format", "xml", valid}, exitUsage},
		{"missing input file", []string{"verify", "--trust", w.trust, "--at", verifyAt, valid, filepath.Join(w.dir, "nope.jwt")}, exitUsage},
		{"missing trust file", []string{"verify", "--trust", filepath.Join(w.dir, "nope.json"), valid}, exitUsage},
		{"unreadable trust", []string{"verify", "--trust", garbage, valid}, exitUsage},
		{"missing payload file", []string{"verify", "--payload", filepath.Join(w.dir, "nope"), valid}, exitUsage},
		{"help", []string{"--help"}, exitOK},
		{"empty directory", []string{"verify", "--trust", w.trust, t.TempDir()}, exitUsage},
		{"--shard without --jsonl", []string{"verify", "--shard", "0/2", valid}, exitUsage},
		{"bad --shard", []string{"verify", "--jsonl", "-", "--shard", "2/2"}, exitUsage},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runCLI(c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d\n%s", code, c.code, stderr)
			}
		})
	}
	// An unreadable input among good ones: it gets its own record
	// (input_unreadable, with the OS error), and the others theirs, in
	// order.
	code, out, _ := runCLI("verify", "--trust", w.trust, "--at", verifyAt, "--format", "jsonl", valid, filepath.Join(w.dir, "nope.jwt"), valid)
	recs := jsonlRecords(t, out)
	if code != exitUsage || len(recs) != 3 || recs[1]["reason"] != string(verifier.InputUnreadable) || recs[0]["verdict"] != "valid" || recs[2]["verdict"] != "valid" {
		t.Errorf("exit %d with %d records, want %d with 3", code, len(recs), exitUsage)
	}
}

func TestVerifyCSV(t *testing.T) {
	w := buildWorld(t)
	code, out, _ := runCLI("verify", "--trust", w.trust, "--at", verifyAt, "--format", "csv",
		w.doc("ee-birth-certificate.jwt"), w.doc("ee-residence-certificate-expired.jwt"))
	if code != exitInvalid {
		t.Fatalf("exit %d", code)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := "input,line,id,verdict,reason,detail,format,type,issuer,country,signed_at,valid_until,warnings,signatures,signers"
	if len(rows) != 3 || strings.Join(rows[0], ",") != header {
		t.Fatalf("rows %q", rows)
	}
	// The detail column says what the deciding check said.
	if rows[1][3] != "valid" || rows[1][4] != "" || rows[1][5] != "" || rows[1][9] != "EE" || rows[2][3] != "invalid" || rows[2][4] != "expired" || rows[2][5] == "" {
		t.Errorf("records %q", rows[1:])
	}
	if rows[1][0] != w.doc("ee-birth-certificate.jwt") {
		t.Errorf("input column %q", rows[1][0])
	}
}

func TestVerifyText(t *testing.T) {
	w := buildWorld(t)
	code, out, _ := runCLI("verify", "--trust", w.trust, "--at", verifyAt,
		w.doc("ee-birth-certificate.jwt"), w.doc("unknown-issuer.jwt"))
	if code != exitInvalid {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"ee-birth-certificate.jwt: VALID", "Rahvastikuregister", "unknown-issuer.jwt: COULD NOT VERIFY (issuer_unknown)"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
}

// TestVerifyTrustForms gives trust as a JWK Set, PEM and DER certificates
// instead of a bundle, alone and repeated.
func TestVerifyTrustForms(t *testing.T) {
	w := buildWorld(t)
	tmp := t.TempDir()
	ee := w.issuer(t, demo.IssuerEEPopulation)
	jwk := ee["keys"].([]any)[0].(map[string]any)["jwk"]
	jwks, _ := json.Marshal(map[string]any{"keys": []any{jwk}})
	jwksPath := writeFile(t, filepath.Join(tmp, "ee.jwks"), jwks)
	anchor := w.issuer(t, demo.IssuerEERIA)["anchors"].([]any)[0].(string)
	der, err := base64.StdEncoding.DecodeString(anchor)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x509.ParseCertificate(der); err != nil {
		t.Fatal(err)
	}
	derPath := writeFile(t, filepath.Join(tmp, "ria-root.der"), der)
	pemPath := writeFile(t, filepath.Join(tmp, "ria-root.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))

	eeDoc, riaDoc := w.doc("ee-birth-certificate.jwt"), w.doc("ee-ria-certificate-chain.jwt")
	cases := []struct {
		name  string
		trust []string
		doc   string
		code  int
	}{
		{"JWKS", []string{jwksPath}, eeDoc, exitOK},
		{"JWKS, other issuer", []string{jwksPath}, riaDoc, exitInvalid},
		{"PEM anchor", []string{pemPath}, riaDoc, exitOK},
		{"DER anchor", []string{derPath}, riaDoc, exitOK},
		{"PEM anchor, other issuer", []string{pemPath}, eeDoc, exitInvalid},
		{"JWKS and PEM", []string{jwksPath, pemPath}, eeDoc, exitOK},
		{"PEM and JWKS", []string{pemPath, jwksPath}, riaDoc, exitOK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := []string{"verify", "--at", verifyAt, "--format", "jsonl"}
			for _, tr := range c.trust {
				args = append(args, "--trust", tr)
			}
			code, out, stderr := runCLI(append(args, c.doc)...)
			if code != c.code {
				t.Errorf("exit %d, want %d\n%s%s", code, c.code, out, stderr)
			}
			jsonlRecords(t, out)
		})
	}
}

// TestVerifyInputs reads a directory (recursively, in lexical order),
// standard input and a detached payload.
func TestVerifyInputs(t *testing.T) {
	w := buildWorld(t)
	code, out, _ := runCLI("verify", "--trust", w.trust, "--at", verifyAt, "--format", "jsonl", filepath.Join(w.dir, "documents"))
	recs := jsonlRecords(t, out)
	if code != exitInvalid || len(recs) != len(w.man.Samples) {
		t.Fatalf("directory: exit %d, %d records", code, len(recs))
	}
	for i := 1; i < len(recs); i++ {
		if recs[i-1]["input"].(string) >= recs[i]["input"].(string) {
			t.Errorf("records not in lexical order: %v before %v", recs[i-1]["input"], recs[i]["input"])
		}
	}

	// Standard input.
	f, err := os.Open(w.doc("ee-birth-certificate.jwt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	stdin := os.Stdin
	os.Stdin = f
	// Standard input has no neighbour to take a .tlog-proof from: the
	// register's policy requires one, so it is given with --proof.
	code, out, _ = runCLI("verify", "--trust", w.trust, "--at", verifyAt, "--format", "jsonl", "--proof", w.doc("ee-birth-certificate.jwt")+".tlog-proof", "-")
	os.Stdin = stdin
	if recs := jsonlRecords(t, out); code != exitOK || len(recs) != 1 || recs[0]["input"] != "-" {
		t.Errorf("stdin: exit %d, %v", code, recs)
	}

	// A detached payload: a valid JWT with its payload segment removed
	// (RFC 7515 appendix F), the payload given with --payload. Its issuer
	// (the RIA, by certificate chain) keeps no log, so no proof is needed.
	tok, err := os.ReadFile(w.doc("ee-ria-certificate-chain.jwt"))
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(strings.TrimSpace(string(tok)), ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	detached := writeFile(t, filepath.Join(tmp, "detached.jws"), []byte(parts[0]+".."+parts[2]))
	payloadPath := writeFile(t, filepath.Join(tmp, "payload.json"), payload)
	if code, out, _ := runCLI("verify", "--trust", w.trust, "--at", verifyAt, "--payload", payloadPath, detached); code != exitOK {
		t.Errorf("detached with --payload: exit %d\n%s", code, out)
	}
	if code, _, _ := runCLI("verify", "--trust", w.trust, "--at", verifyAt, detached); code != exitInvalid {
		t.Errorf("detached without --payload: exit %d", code)
	}
}
