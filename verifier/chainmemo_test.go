package verifier

import (
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"testing"
	"time"
)

// TestChainMemoExact holds the chain memo to building every chain afresh:
// certificates whose validity windows overlap in every way (an
// intermediate that expires before the leaf, a second root valid later,
// an anchor trusted by two issuers), verified at every validity boundary
// and a nanosecond on either side, in an order that puts memo hits on both
// sides of each boundary.
func TestChainMemoExact(t *testing.T) {
	base := testTime
	win := func(from, until time.Time) x509.Certificate {
		c := caTemplate()
		c.NotBefore, c.NotAfter = from, until
		return c
	}
	rootA := newCert(t, "Root A", nil, win(base.AddDate(-5, 0, 0), base.AddDate(5, 0, 0)))
	rootB := newCert(t, "Root B", nil, win(base.AddDate(-1, 0, 0), base.AddDate(1, 0, 0)))
	interA := newCert(t, "Inter", rootA, win(base.AddDate(-2, 0, 0), base.AddDate(0, 6, 0)))
	interB := newCert(t, "Inter B", rootB, win(base.AddDate(0, -6, 0), base.AddDate(2, 0, 0)))
	lt := leafTemplate(x509.KeyUsageDigitalSignature)
	lt.NotBefore, lt.NotAfter = base.AddDate(-1, 0, 0).Add(500*time.Millisecond), base.AddDate(1, 0, 0).Add(-time.Second)
	leafA := newCert(t, "Leaf", interA, lt)
	leafB := newCert(t, "Leaf B", interB, lt)
	trust := trustBundle(t,
		issuerSpec{id: "a", name: "A", anchors: [][]byte{rootA.der}},
		issuerSpec{id: "b", name: "B", anchors: [][]byte{rootB.der, rootA.der}},
	)
	fresh := trustBundle(t,
		issuerSpec{id: "a", name: "A", anchors: [][]byte{rootA.der}},
		issuerSpec{id: "b", name: "B", anchors: [][]byte{rootB.der, rootA.der}},
	)
	fresh.chainMemo = nil
	var times []time.Time
	for _, c := range []*testCert{rootA, rootB, interA, interB, leafA, leafB} {
		for _, b := range []time.Time{c.cert.NotBefore, c.cert.NotAfter} {
			times = append(times, b.Add(-time.Nanosecond), b, b.Add(time.Nanosecond), b.Add(time.Second))
		}
	}
	chains := [][]*testCert{{leafA, interA}, {leafB, interB}, {leafA}, {leafA, interA, interB}, {leafB, interA, interB}}
	// What chainKey reads of an outcome: the issuer, or the kind of
	// failure (the error's text names the time and is not reported).
	describe := func(is *Issuer, err error) string {
		if is != nil {
			return is.ID
		}
		if ce, ok := err.(x509.CertificateInvalidError); ok {
			return fmt.Sprintf("invalid %d", ce.Reason)
		}
		return fmt.Sprintf("%T", err)
	}
	hits := 0
	for pass := 0; pass < 2; pass++ {
		for _, ch := range chains {
			var certs []*x509.Certificate
			for _, c := range ch {
				certs = append(certs, c.cert)
			}
			for i := range times {
				at := times[i]
				if pass == 1 {
					at = times[len(times)-1-i]
				}
				sums := make([][32]byte, len(certs))
				for i, c := range certs {
					sums[i] = sha256.Sum256(c.Raw)
				}
				_, hit := trust.chainMemo.get(chainMemoKey(sums), at)
				if hit {
					hits++
				}
				memo := &verification{opts: &Options{Trust: trust}}
				plain := &verification{opts: &Options{Trust: fresh}}
				got, want := describe(memo.buildChain(certs, sums, at)), describe(plain.buildChain(certs, sums, at))
				if got != want {
					t.Errorf("%d certificates at %s (memo hit %v): %s, afresh %s", len(certs), at.Format(time.RFC3339Nano), hit, got, want)
				}
			}
		}
	}
	if hits == 0 {
		t.Fatal("the memo was never used")
	}
}

// TestChainMemoBounded: the memo forgets its oldest entries beyond
// maxChainMemo.
func TestChainMemoBounded(t *testing.T) {
	m := newChainMemo(nil)
	key := func(i int) [32]byte { return [32]byte{byte(i), byte(i >> 8)} }
	keyOf := func(i int) string { k := key(i); return string(k[:]) }
	const n = 3 * maxChainMemo
	for i := 0; i < n; i++ {
		m.put(key(i), chainOutcome{})
	}
	if len(m.outcomes.entries) != maxChainMemo || len(m.outcomes.order) != maxChainMemo {
		t.Fatalf("%d entries, %d in order", len(m.outcomes.entries), len(m.outcomes.order))
	}
	if _, ok := m.outcomes.entries[keyOf(n-1)]; !ok {
		t.Fatal("the newest entry was forgotten")
	}
	if _, ok := m.outcomes.entries[keyOf(0)]; ok {
		t.Fatal("the oldest entry was kept")
	}
}
