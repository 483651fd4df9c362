package verifier

import "testing"

// BenchmarkVerifyAttested measures what an embassy attestation adds to a
// document's verification: the same EdDSA JWT verified without a policy
// (baseline) and with a proof cosigned by two embassies under a policy
// requiring both (one log signature, two cosignatures, an inclusion path).
func BenchmarkVerifyAttested(b *testing.B) {
	w, doc, proof := loggedWorld(b, "both")
	p := proof(w.ee, w.lu)
	attested := attestTrust(b, w, "both", true)
	plain := attestTrust(b, w, "both", true)
	plain.Issuers[0].policy = nil
	b.Run("baseline", func(b *testing.B) {
		for b.Loop() {
			if r := Verify(doc, Options{Trust: plain, Time: attestNow}); r.Verdict != Valid {
				b.Fatal(r.Reason)
			}
		}
	})
	b.Run("attested", func(b *testing.B) {
		for b.Loop() {
			if r := Verify(doc, Options{Trust: attested, Time: attestNow, Proof: p}); r.Verdict != Valid {
				b.Fatal(r.Reason)
			}
		}
	})
}
