package verifier

import (
	"testing"

	"golang.org/x/crypto/cryptobyte"
)

// TestOIDs holds the DER constants to their dotted names (encoding/asn1
// encodes the arcs) and the reader to minimal encodings.
func TestOIDs(t *testing.T) {
	for o, arcs := range map[oid][]int{
		oidSHA1: {1, 3, 14, 3, 2, 26}, oidSHA256: {2, 16, 840, 1, 101, 3, 4, 2, 1}, oidSHA512: {2, 16, 840, 1, 101, 3, 4, 2, 3},
		oidRSASHA1: {1, 2, 840, 113549, 1, 1, 5}, oidRSAPSS: {1, 2, 840, 113549, 1, 1, 10}, oidECDSA512: {1, 2, 840, 10045, 4, 3, 4},
		oidEd25519: {1, 3, 101, 112}, oidOCSPNonce: {1, 3, 6, 1, 5, 5, 7, 48, 1, 2}, oidTSTInfo: {1, 2, 840, 113549, 1, 9, 16, 1, 4},
		oidAttrSigningCertV2: {1, 2, 840, 113549, 1, 9, 16, 2, 47}, oidAttrAlgProtection: {1, 2, 840, 113549, 1, 9, 52},
	} {
		if o != oidOf(arcs...) {
			t.Errorf("%s: constant differs from encoding/asn1's encoding", o)
		}
	}
	if s := oidSHA256.String(); s != "2.16.840.1.101.3.4.2.1" {
		t.Errorf("String %s", s)
	}
	if s := oidOf(2, 999, 3).String(); s != "2.999.3" {
		t.Errorf("String %s", s)
	}
	for name, der := range map[string][]byte{
		"leading-0x80": {0x06, 0x03, 0x2b, 0x80, 0x01},
		"first-0x80":   {0x06, 0x02, 0x80, 0x01},
		"unterminated": {0x06, 0x02, 0x2b, 0x81},
		"empty":        {0x06, 0x00},
	} {
		var o oid
		s := cryptobyte.String(der)
		if readOID(&s, &o) {
			t.Errorf("%s: accepted", name)
		}
	}
}
