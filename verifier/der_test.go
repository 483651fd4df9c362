package verifier

import (
	"crypto"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
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

// TestSignatureAlg: identifiers to the verifier's algorithm names, with
// the parameters each may have.
func TestSignatureAlg(t *testing.T) {
	pss := func(h oid, salt int64) []byte {
		b := cryptobyte.NewBuilder(nil)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { addAlgID(b, h, true) })
			b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					addOID(b, oidMGF1)
					addAlgID(b, h, true)
				})
			})
			b.AddASN1(cbasn1.Tag(2).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddASN1Int64(salt) })
		})
		return b.BytesOrPanic()
	}
	null := []byte{5, 0}
	for _, tc := range []struct {
		name   string
		a      algID
		digest crypto.Hash
		want   Alg
		reason Reason
	}{
		{"sha1WithRSA", algID{oidRSASHA1, null}, 0, RS1, ""},
		{"sha256WithRSA-no-params", algID{oidRSASHA256, nil}, 0, RS256, ""},
		{"rsaEncryption-with-cms-digest", algID{oidRSA, null}, crypto.SHA512, RS512, ""},
		{"rsaEncryption-without-digest", algID{oidRSA, null}, 0, "", UnsupportedAlg},
		{"hash-disagrees-with-digest", algID{oidRSASHA256, null}, crypto.SHA512, "", Malformed},
		{"ecdsa-with-params", algID{oidECDSA256, null}, 0, "", Malformed},
		{"ecdsa", algID{oidECDSA384, nil}, crypto.SHA384, ES384, ""},
		{"pss-sha256", algID{oidRSAPSS, pss(oidSHA256, 32)}, 0, PS256, ""},
		{"pss-short-salt", algID{oidRSAPSS, pss(oidSHA256, 20)}, 0, "", UnsupportedAlg},
		{"pss-sha1", algID{oidRSAPSS, pss(oidSHA1, 20)}, 0, "", UnsupportedAlg},
		{"pss-defaults", algID{oidRSAPSS, []byte{0x30, 0}}, 0, "", UnsupportedAlg},
		{"md5WithRSA", algID{oidOf(1, 2, 840, 113549, 1, 1, 4), null}, 0, "", UnsupportedAlg},
	} {
		got, err := signatureAlg(tc.a, tc.digest)
		if got != tc.want || (err == nil) != (tc.reason == "") || (err != nil && errReason(err) != tc.reason) {
			t.Errorf("%s: %s, %v; want %s, %s", tc.name, got, err, tc.want, tc.reason)
		}
	}
}
