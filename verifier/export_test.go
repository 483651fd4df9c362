package verifier

// Test hooks for the external tests (package verifier_test), which may
// import the generators under internal/ that import this package.

// ChainBuilds verifies like Verify and also says how many certificate
// chains the verification built (docs/security.md, "Work per document").
func ChainBuilds(input []byte, opts Options) (*Report, int) {
	rep, work := verifyMetered(input, opts)
	return rep, work.chainBuilds
}

// MaxChainCerts and MaxUnnamedKeys are the bounds the work test holds.
const (
	MaxChainCerts  = maxChainCerts
	MaxUnnamedKeys = maxUnnamedKeys
)

// ForgetChains makes t build every certificate chain afresh (no memo), for
// the test that holds the memo to uncached validation.
func ForgetChains(t *Trust) { t.chainMemo = nil }

// CBORPlainMismatches holds the hand-read CBOR (cbordec.go) to the library
// on a document and every item inside it (an HC1 text is decoded first):
// what differed, and how many decodings the hand path took.
func CBORPlainMismatches(doc []byte) (problems []string, taken int) {
	if cose, err := dccDecode(nil, doc); err == nil {
		doc = cose
	}
	for _, item := range cborItems(doc) {
		p, n := cborPlainMismatches(item)
		problems, taken = append(problems, p...), taken+n
	}
	return problems, taken
}

// ClaimsPlainMismatches holds the CWT claims and mdoc element values read
// by hand (cborclaims.go) to the general path on every item inside a
// document (an HC1 text is decoded first): what differed, and how many
// items the hand paths read as claims and as element values.
func ClaimsPlainMismatches(doc []byte) (problems []string, claims, elements int) {
	if cose, err := dccDecode(nil, doc); err == nil {
		doc = cose
	}
	for _, item := range cborItems(doc) {
		p1, n1 := cwtClaimsPlainMismatch(item)
		p2, n2 := mdocClaimPlainMismatch(item)
		problems, claims, elements = append(append(problems, p1...), p2...), claims+n1, elements+n2
	}
	return problems, claims, elements
}

// ForgetListSigners makes t check its status lists' signatures afresh for
// every document (no memo), for the test that holds the memo to that.
func ForgetListSigners(t *Trust) {
	for _, ls := range t.listsByURI {
		for _, l := range ls {
			l.signers = nil
		}
	}
}
