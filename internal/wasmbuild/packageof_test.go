package wasmbuild

import "testing"

func TestPackageOf(t *testing.T) {
	for sym, want := range map[string]string{
		"crypto_x509.(*Certificate).Verify":                      "crypto_x509",
		"github.com_fxamacker_cbor_v2.Unmarshal":                 "github.com_fxamacker_cbor_v2",
		"github.com_apostille_apostille_verifier.(*report).pass": "github.com_apostille_apostille_verifier",
		"runtime.mallocgc":                                       "runtime",
		"golang.org_x_mod_sumdb_note.Open":                       "golang.org_x_mod_sumdb_note",
		"gcWriteBarrier":                                         "gcWriteBarrier",
	} {
		if got := PackageOf(sym); got != want {
			t.Errorf("PackageOf(%q) = %q, want %q", sym, got, want)
		}
	}
}
