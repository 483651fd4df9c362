package verifier_test

// The DigiDoc containers of digidoc4j and libdigidocpp (testdata/asice,
// README.md there), verified end to end: every container is decided as its
// manifest's accept says, at validation_time and validation_time_alt,
// under its trust and each of its trust_variants. The trust comes from the
// trusted lists the manifest names (internal/tsl/testdata), read and
// turned into a bundle's services here as `apostille trust build --tl`
// does: this test is outside package verifier so that it may use
// internal/tsl and internal/importer, which import the verifier.

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apostille/apostille/internal/importer"
	"github.com/apostille/apostille/internal/reportschema"
	"github.com/apostille/apostille/internal/tsl"
	"github.com/apostille/apostille/verifier"
	"github.com/apostille/apostille/verifier/trustservices"
)

type containerCase struct {
	ID            string         `json:"id"`
	File          string         `json:"file"`
	Expected      string         `json:"expected"`
	Accept        []string       `json:"accept"`
	Trust         []string       `json:"trust"`
	TrustVariants []trustVariant `json:"trust_variants"`
	ValidationAt  string         `json:"validation_time"`
	ValidationAlt string         `json:"validation_time_alt"`
	ReasonHint    string         `json:"reason_hint"`
}

type trustVariant struct {
	Trust      []string `json:"trust"`
	TrustFiles []string `json:"trust_files"`
	Signer     string   `json:"trust_signer"`
	Expected   string   `json:"expected"`
	Accept     []string `json:"accept"`
	Why        string   `json:"why"`
}

func loadContainerCases(t testing.TB) []containerCase {
	b, err := os.ReadFile("testdata/asice/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Cases []containerCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m.Cases
}

// tslDir is where the trusted lists the manifest names as trust/... are.
const tslDir = "../internal/tsl/testdata"

func readCerts(t testing.TB, path string, lenient bool) []*x509.Certificate {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []*x509.Certificate
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil && !lenient {
			t.Fatal(err)
		}
		if err == nil {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		cs, err := importer.Certificates(b)
		if err != nil {
			t.Fatal(err)
		}
		out = cs
	}
	return out
}

var listServices sync.Map // path -> []trustservices.BundleService

// servicesOf reads one trusted list, verified against signers, at a time
// it was valid (Unsafe: libdigidocpp's re-signed copies are read after
// their NextUpdate too; the list's signature is still checked).
func servicesOf(t testing.TB, path string, signers []*x509.Certificate) []trustservices.BundleService {
	if v, ok := listServices.Load(path); ok {
		return v.([]trustservices.BundleService)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	if strings.Contains(path, "libdigidocpp") {
		at = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) // re-signed 2026
	}
	l, err := tsl.Read(data, tsl.Options{Signers: signers, At: at, Unsafe: true})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	s := importer.TrustedListServices(l)
	listServices.Store(path, s)
	return s
}

// liveSigners are the EE list's signers as the live LOTL of 2023 names
// them.
func liveSigners(t testing.TB) []*x509.Certificate {
	lotl, err := os.ReadFile(filepath.Join(tslDir, "live/eu-lotl.xml"))
	if err != nil {
		t.Fatal(err)
	}
	l, err := tsl.Read(lotl, tsl.Options{Signers: readCerts(t, filepath.Join(tslDir, "live/lotl-signers.pem"), true), At: time.Date(2023, 9, 28, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	var out []*x509.Certificate
	for _, p := range l.Pointers {
		if p.Territory == "EE" {
			out = append(out, p.Certificates...)
		}
	}
	return out
}

// trustFor builds the trust a case names: "test", "live", or trusted-list
// files with their signer.
func trustFor(t testing.TB, names, files []string, signer string) *verifier.Trust {
	var services []trustservices.BundleService
	for _, n := range names {
		switch n {
		case "test":
			services = append(services, servicesOf(t, filepath.Join(tslDir, "test/EE_T.xml"), readCerts(t, filepath.Join(tslDir, "test/trusted-test-tsl.crt"), false))...)
		case "live":
			services = append(services, servicesOf(t, filepath.Join(tslDir, "live/EE.xml"), liveSigners(t))...)
		default:
			t.Fatalf("unknown trust %q", n)
		}
	}
	for _, f := range files {
		p := filepath.Join(tslDir, strings.TrimPrefix(f, "trust/"))
		services = append(services, servicesOf(t, p, readCerts(t, filepath.Join(tslDir, strings.TrimPrefix(signer, "trust/")), false))...)
	}
	b, err := json.Marshal(map[string]any{"trust_bundle": verifier.TrustBundleVersion, "issuers": []any{}, "services": services})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := verifier.ParseTrust("tsl", b)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

var (
	schemaOnce sync.Once
	schema     *reportschema.Schema
	schemaErr  error
)

// verifyContainerAt verifies one container and returns its report, held
// to the report schema and to encoding/json's bytes.
func verifyContainerAt(t testing.TB, data []byte, at string, tr *verifier.Trust) *verifier.Report {
	t.Helper()
	when, err := time.Parse(time.RFC3339, at)
	if err != nil {
		t.Fatal(err)
	}
	// No MaxSize: the default for containers admits the largest vectors
	// (2.8 MB).
	r := verifier.Verify(data, verifier.Options{Time: when, Trust: tr})
	schemaOnce.Do(func() { schema, schemaErr = reportschema.Load() })
	if schemaErr != nil {
		t.Fatal(schemaErr)
	}
	b := r.AppendJSON(nil)
	if err := schema.Validate(b); err != nil {
		t.Fatalf("the report does not fit the schema: %v\n%s", err, b)
	}
	type plain verifier.Report
	if want, err := json.Marshal((*plain)(r)); err != nil || string(want) != string(b) {
		t.Fatalf("AppendJSON differs from encoding/json:\n%s\n%s", b, want)
	}
	return r
}

func TestASiCContainerVectors(t *testing.T) {
	cases := loadContainerCases(t)
	if len(cases) != 83 {
		t.Fatalf("%d cases, want 83", len(cases))
	}
	pass, variantPass, variants := 0, 0, 0
	for _, c := range cases {
		data, err := os.ReadFile(filepath.Join("testdata/asice", c.File))
		if err != nil {
			t.Fatal(err)
		}
		ok := true
		tr := trustFor(t, c.Trust, nil, "")
		for _, at := range times(c) {
			r := verifyContainerAt(t, data, at, tr)
			if !slices.Contains(c.Accept, string(r.Verdict)) {
				ok = false
				t.Errorf("%s at %s: %s (%s), accept %v (hint %s)%s", c.ID, at, r.Verdict, r.Reason, c.Accept, c.ReasonHint, sigSummary(r))
			}
		}
		if ok {
			pass++
		}
		for _, tv := range c.TrustVariants {
			variants++
			vtr := trustFor(t, tv.Trust, tv.TrustFiles, tv.Signer)
			vok := true
			for _, at := range times(c) {
				r := verifyContainerAt(t, data, at, vtr)
				if !slices.Contains(tv.Accept, string(r.Verdict)) {
					vok = false
					t.Errorf("%s under %v%v at %s: %s (%s), accept %v: %s%s", c.ID, tv.Trust, tv.TrustFiles, at, r.Verdict, r.Reason, tv.Accept, tv.Why, sigSummary(r))
				}
			}
			if vok {
				variantPass++
			}
		}
	}
	t.Logf("%d of %d containers and %d of %d trust variants decided as the manifest accepts", pass, len(cases), variantPass, variants)
}

// times are the case's verification times: a container without proofs of
// existence has no validation_time of its own, and the cases that need the
// live list of 2023 have no validation_time_alt (null in the manifest).
func times(c containerCase) []string {
	var out []string
	for _, at := range []string{c.ValidationAt, c.ValidationAlt} {
		if at != "" {
			out = append(out, at)
		}
	}
	return out
}

func sigSummary(r *verifier.Report) string {
	if r.Container == nil {
		if len(r.Checks) > 0 {
			c := r.Checks[len(r.Checks)-1]
			return " [" + c.Check + ": " + c.Detail + "]"
		}
		return ""
	}
	var b strings.Builder
	for _, c := range r.Checks {
		if c.Check == "signature" && c.Status != "passed" {
			b.WriteString("\n\t" + c.Detail)
		}
	}
	for _, s := range r.Container.Signatures {
		b.WriteString("\n\t" + s.File + " " + s.Level + " " + string(s.Verdict) + " " + string(s.Reason))
		for _, w := range s.Warnings {
			b.WriteString(" | " + string(w.Reason) + ": " + w.Detail)
		}
	}
	return b.String()
}
