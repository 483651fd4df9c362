package verifier

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

// Test helpers for embassy attestations: an in-memory log with a reference
// RFC 6962 tree (written from the RFC, independent of transparency-dev/merkle
// which the verifier uses), checkpoint signing with x/mod's note package, and
// cosigning written from c2sp.org/tlog-cosignature.

func seedKey(seed string) ed25519.PrivateKey {
	s := sha256.Sum256([]byte(seed))
	return ed25519.NewKeyFromSeed(s[:])
}

// typedVKey writes a vkey for an Ed25519 key of the given signature type.
func typedVKey(name string, typ byte, pub ed25519.PublicKey) string {
	raw := append([]byte{typ}, pub...)
	return fmt.Sprintf("%s+%08x+%s", name, keyID(name, raw), base64.StdEncoding.EncodeToString(raw))
}

// testLog is a log built in memory.
type testLog struct {
	origin string
	signer note.Signer
	vkey   string
	leaves [][]byte
}

func newTestLog(t testing.TB, origin, seed string) *testLog {
	t.Helper()
	priv := seedKey(seed)
	raw := append([]byte{sigTypeEd25519}, priv.Seed()...)
	pub := priv.Public().(ed25519.PublicKey)
	skey := fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", origin, keyID(origin, append([]byte{sigTypeEd25519}, pub...)), base64.StdEncoding.EncodeToString(raw))
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return &testLog{origin: origin, signer: s, vkey: typedVKey(origin, sigTypeEd25519, pub)}
}

// add logs documents and returns the index of the first.
func (l *testLog) add(docs ...[]byte) uint64 {
	first := uint64(len(l.leaves))
	for _, d := range docs {
		e := sha256.Sum256(d)
		l.leaves = append(l.leaves, refLeaf(e[:]))
	}
	return first
}

func refLeaf(entry []byte) []byte {
	h := sha256.Sum256(append([]byte{0}, entry...))
	return h[:]
}

func refNode(l, r []byte) []byte {
	h := sha256.Sum256(append(append([]byte{1}, l...), r...))
	return h[:]
}

// refSplit is the largest power of two smaller than n (RFC 6962 2.1).
func refSplit(n int) int {
	k := 1
	for k<<1 < n {
		k <<= 1
	}
	return k
}

// refRoot is MTH(D[n]).
func refRoot(leaves [][]byte) []byte {
	switch len(leaves) {
	case 0:
		h := sha256.Sum256(nil)
		return h[:]
	case 1:
		return leaves[0]
	}
	k := refSplit(len(leaves))
	return refNode(refRoot(leaves[:k]), refRoot(leaves[k:]))
}

// refPath is PATH(m, D[n]) (RFC 6962 2.1.1).
func refPath(m int, leaves [][]byte) [][]byte {
	if len(leaves) <= 1 {
		return nil
	}
	k := refSplit(len(leaves))
	if m < k {
		return append(refPath(m, leaves[:k]), refRoot(leaves[k:]))
	}
	return append(refPath(m-k, leaves[k:]), refRoot(leaves[:k]))
}

func (l *testLog) text(size int) string {
	return fmt.Sprintf("%s\n%d\n%s\n", l.origin, size, base64.StdEncoding.EncodeToString(refRoot(l.leaves[:size])))
}

// checkpoint signs the tree at size with the log key.
func (l *testLog) checkpoint(t testing.TB, size int) []byte {
	t.Helper()
	return signText(t, l.text(size), l.signer)
}

func signText(t testing.TB, text string, s note.Signer) []byte {
	t.Helper()
	b, err := note.Sign(&note.Note{Text: text}, s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// proofFor writes a tlog proof of index against a signed checkpoint of size.
func (l *testLog) proofFor(index, size int, cp []byte) []byte {
	return formatProof(uint64(index), refPath(index, l.leaves[:size]), cp, "")
}

func formatProof(index uint64, path [][]byte, cp []byte, extra string) []byte {
	var b strings.Builder
	b.WriteString(tlogProofHeader + "\n")
	if extra != "" {
		b.WriteString("extra " + extra + "\n")
	}
	fmt.Fprintf(&b, "index %d\n", index)
	for _, h := range path {
		b.WriteString(base64.StdEncoding.EncodeToString(h) + "\n")
	}
	b.WriteString("\n")
	b.Write(cp)
	return []byte(b.String())
}

// testCosigner is an embassy's cosigning key.
type testCosigner struct {
	name string
	priv ed25519.PrivateKey
	vkey string
	hash uint32
}

func newCosigner(name, seed string) *testCosigner {
	priv := seedKey(seed)
	pub := priv.Public().(ed25519.PublicKey)
	return &testCosigner{name: name, priv: priv, vkey: typedVKey(name, sigTypeCosignature, pub),
		hash: keyID(name, append([]byte{sigTypeCosignature}, pub...))}
}

// line cosigns a checkpoint's text at time ts and returns the signature line.
func (c *testCosigner) line(text string, ts uint64) string {
	sig := binary.BigEndian.AppendUint32(nil, c.hash)
	sig = binary.BigEndian.AppendUint64(sig, ts)
	sig = append(sig, ed25519.Sign(c.priv, CosignatureMessage(ts, []byte(text)))...)
	return "— " + c.name + " " + base64.StdEncoding.EncodeToString(sig) + "\n"
}

// cosign appends cosignatures to a signed checkpoint.
func cosign(cp []byte, ts uint64, cs ...*testCosigner) []byte {
	text := string(cp[:strings.LastIndex(string(cp), "\n\n")+1])
	out := append([]byte(nil), cp...)
	for _, c := range cs {
		out = append(out, c.line(text, ts)...)
	}
	return out
}
