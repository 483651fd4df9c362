package verifier

import (
	"crypto/sha256"
	"crypto/x509"
	"slices"
	"time"
)

// Certificate chains are built by crypto/x509, whose signature checks run
// inside the WebAssembly module in its own Go crypto, ten to twenty times
// slower than natively; and the documents of one issuer carry the same
// chain over and over. A trust therefore remembers the chains it built:
// keyed by the exact certificates a document carried, the outcome of one
// build holds for every time in a window around the time it was built at.
//
// The window is exact. x509.Verify depends on its CurrentTime only through
// each certificate's validity (NotBefore ≤ t ≤ NotAfter); between two
// consecutive validity boundaries of the certificates that can take part
// (those of the document and every anchor of the trust), every certificate
// is valid or not alike, so the same build finds the same chains. The memo
// is bounded (maxChainMemo entries) and belongs to one Trust: a new trust
// starts empty.

// maxChainMemo bounds the chains one trust remembers.
const maxChainMemo = 1024

// chainMemo remembers chain builds. Safe for concurrent use.
type chainMemo struct {
	// bounds are the validity boundaries of every anchor of the trust,
	// sorted: the instants at which an anchor becomes valid (NotBefore)
	// or stops being valid (just after NotAfter: x509 refuses a time
	// after it).
	bounds []time.Time

	outcomes *memo // chainOutcome by the certificates' key
}

// chainOutcome is a chain build's result and the window in which it holds.
type chainOutcome struct {
	from, until time.Time // from ≤ t < until
	issuer      *Issuer
	err         error
}

func newChainMemo(anchors []*x509.Certificate) *chainMemo {
	m := &chainMemo{outcomes: newMemo(maxChainMemo)}
	for _, a := range anchors {
		m.bounds = append(m.bounds, validityBounds(a)...)
	}
	b := m.bounds
	m.bounds = make([]time.Time, 0, len(b))
	for _, i := range sortIndex(len(b), func(i, j int) int { return b[i].Compare(b[j]) }, nil) {
		m.bounds = append(m.bounds, b[i])
	}
	return m
}

// validityBounds are the instants at which c's validity changes: valid
// from NotBefore on, invalid from the first instant after NotAfter on.
func validityBounds(c *x509.Certificate) []time.Time {
	return []time.Time{c.NotBefore, c.NotAfter.Add(time.Nanosecond)}
}

// chainMemoKey identifies the certificates of a document, in order, by
// their SHA-256 digests sums: the SHA-256 of the digests, so that a
// certificate's digest is computed once (certmemo.go) rather than for
// every document.
func chainMemoKey(sums [][32]byte) [32]byte {
	h := sha256.New()
	for i := range sums {
		h.Write(sums[i][:])
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// window is the largest interval [from, until) around at in which no
// certificate of certs nor any anchor changes validity.
func (m *chainMemo) window(certs []*x509.Certificate, at time.Time) (from, until time.Time) {
	consider := func(b time.Time) {
		switch {
		case !b.After(at): // b ≤ at: the window starts at b or later
			if b.After(from) {
				from = b
			}
		case until.IsZero() || b.Before(until):
			until = b
		}
	}
	from = time.Time{}
	// The anchors' boundaries: the nearest on each side of at.
	i, _ := slices.BinarySearchFunc(m.bounds, at, func(b, t time.Time) int {
		if b.After(t) {
			return 1
		}
		return -1
	})
	if i > 0 {
		consider(m.bounds[i-1])
	}
	if i < len(m.bounds) {
		consider(m.bounds[i])
	}
	for _, c := range certs {
		for _, b := range validityBounds(c) {
			consider(b)
		}
	}
	return from, until
}

// get returns the outcome remembered for certs at time at.
func (m *chainMemo) get(key [32]byte, at time.Time) (chainOutcome, bool) {
	v, ok := m.outcomes.getBytes(key[:])
	o, _ := v.(chainOutcome)
	if !ok || at.Before(o.from) || (!o.until.IsZero() && !at.Before(o.until)) {
		return chainOutcome{}, false
	}
	return o, true
}

// put remembers an outcome, forgetting the oldest beyond maxChainMemo.
func (m *chainMemo) put(key [32]byte, o chainOutcome) {
	m.outcomes.put(string(key[:]), o)
}
