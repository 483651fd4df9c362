package verifier

import (
	"bytes"
	"compress/zlib"
	"crypto/x509"
	"fmt"
	"testing"
)

// TestCertMemoParsesAsX509 holds the memo to crypto/x509: the same
// certificate, the same failure, no memory shared with the caller's
// buffer, errors never remembered.
func TestCertMemoParsesAsX509(t *testing.T) {
	root := newCert(t, "Root", nil, caTemplate())
	leaf := newCert(t, "Leaf", root, leafTemplate(x509.KeyUsageDigitalSignature))
	m := newCertMemo()
	for pass := 0; pass < 2; pass++ {
		buf := bytes.Clone(leaf.der)
		e, err := m.parseCertificate(buf)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := x509.ParseCertificate(leaf.der)
		if !e.cert.Equal(want) || e.info != certificateInfo(want) {
			t.Fatalf("pass %d: the memo's certificate differs from crypto/x509's", pass)
		}
		for i := range buf {
			buf[i] = 0
		}
		if !bytes.Equal(e.cert.Raw, leaf.der) {
			t.Fatal("the memo's certificate shares the caller's buffer")
		}
	}
	if len(m.m.entries) != 1 {
		t.Fatalf("%d entries for one certificate", len(m.m.entries))
	}
	bad := append(bytes.Clone(leaf.der), 0)
	for pass := 0; pass < 2; pass++ {
		if _, err := m.parseCertificate(bad); err == nil {
			t.Fatal("trailing data parsed")
		}
	}
	if len(m.m.entries) != 1 {
		t.Fatal("a certificate that does not parse was remembered")
	}
	if info := m.describe(root.cert); info != certificateInfo(root.cert) {
		t.Fatal("describe differs from certificateInfo")
	}
}

// TestCertMemoBounded fills the memo past its bound.
func TestCertMemoBounded(t *testing.T) {
	m := newCertMemo()
	const n = 3 * maxCertMemo
	for i := 0; i < n; i++ {
		m.m.put(fmt.Sprint(i), &memoCert{})
	}
	if len(m.m.entries) != maxCertMemo || len(m.m.order) != maxCertMemo {
		t.Fatalf("%d entries, %d in order", len(m.m.entries), len(m.m.order))
	}
	if _, ok := m.m.entries[fmt.Sprint(n-1)]; !ok {
		t.Fatal("the newest entry was forgotten")
	}
	if _, ok := m.m.entries["0"]; ok {
		t.Fatal("the oldest entry was kept")
	}
}

// TestInflatersAsNew holds reused zlib readers to new ones: the same
// output and the same failure for every stream, in any order.
func TestInflatersAsNew(t *testing.T) {
	var good bytes.Buffer
	w := zlib.NewWriter(&good)
	w.Write(bytes.Repeat([]byte("apostille "), 300))
	w.Close()
	g := good.Bytes()
	corrupt := bytes.Clone(g)
	corrupt[len(corrupt)/2] ^= 0xff
	badSum := bytes.Clone(g)
	badSum[len(badSum)-1] ^= 1
	streams := [][]byte{g, nil, {0x78}, []byte("not zlib"), corrupt, append(bytes.Clone(g), 0), g[:len(g)-3], badSum, g}
	p := newInflaters()
	for pass := 0; pass < 3; pass++ {
		for i, s := range streams {
			want, wantErr := dccInflate(s)
			got, gotErr := dccInflateWith(p, s)
			if !bytes.Equal(got, want) || (gotErr == nil) != (wantErr == nil) {
				t.Errorf("pass %d, stream %d: pooled %d bytes, %v; new %d bytes, %v", pass, i, len(got), gotErr, len(want), wantErr)
			}
		}
	}
}
