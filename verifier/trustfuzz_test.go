package verifier_test

import (
	"errors"
	"testing"

	"github.com/apostille/apostille/verifier"
)

// FuzzOpenBundle: any input is refused with trust_invalid or opens into
// trust that Verify can use, never a panic.
func FuzzOpenBundle(f *testing.F) {
	fx := newFixture(f)
	good := fx.sign(fx.bundle(3, fxAt.AddDate(1, 0, 0)))
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte("eyJhbGciOiJFZERTQSJ9.e30.AA"))
	f.Add([]byte(`{"trust_bundle":"v1","issuers":[]}`))
	k, _ := fx.operator.Operator()
	keys := []*verifier.OperatorKey{k}
	doc := fx.document(nil)
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := verifier.OpenBundle(data, keys)
		if err != nil {
			var be *verifier.BundleError
			if !errors.As(err, &be) || be.Reason != verifier.TrustInvalid {
				t.Fatalf("refusal without trust_invalid: %v", err)
			}
			return
		}
		if !tr.Info.Signed {
			t.Fatal("opened trust is not marked signed")
		}
		verifier.Verify(doc, verifier.Options{Trust: tr, Time: fxAt})
	})
}
