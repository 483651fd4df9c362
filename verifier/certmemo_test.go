package verifier

import (
	"bytes"
	"compress/zlib"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
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

// TestInflatersAsNew holds reused decoders to new ones: read as a DCC and
// as a status list, every stream gives the same output and the same
// failure, in any order.
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
			want, wantErr := dccInflate(nil, s)
			got, gotErr := dccInflate(p, s)
			if !bytes.Equal(got, want) || (gotErr == nil) != (wantErr == nil) {
				t.Errorf("pass %d, stream %d: pooled %d bytes, %v; new %d bytes, %v", pass, i, len(got), gotErr, len(want), wantErr)
			}
			for _, at := range []int64{0, 7, 2999, 3000} {
				wantB, wantErr := zlibByteAt(nil, s, at)
				gotB, gotErr := zlibByteAt(p, s, at)
				if gotB != wantB || gotErr != wantErr {
					t.Errorf("pass %d, stream %d, byte %d: pooled %#x, %v; new %#x, %v", pass, i, at, gotB, gotErr, wantB, wantErr)
				}
			}
		}
	}
}

// zlibByteAt reads the byte at of the zlib stream s with a decoder from p,
// as a status list is read.
func zlibByteAt(p *inflaters, s []byte, at int64) (byte, error) {
	z := p.inflater()
	defer p.putInflater(z)
	return z.zlibByteAt(s, at)
}

// TestCertMemoLenient: through certMemo.parseCertificateLenient a
// certificate crypto/x509 parses is remembered;
// one with a negative RSA modulus parses with its own bytes, is never
// remembered, and so never reaches the strict parseCertificate.
func TestCertMemoLenient(t *testing.T) {
	good, negative := negativeModulusCert(t)
	m := newCertMemo()
	a, err := m.parseCertificateLenient(good)
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.parseCertificateLenient(bytes.Clone(good))
	if err != nil || a != b || len(m.m.entries) != 1 {
		t.Fatalf("a certificate crypto/x509 parses was not served from the memo (%v, %d entries)", err, len(m.m.entries))
	}
	if _, err := x509.ParseCertificate(negative); err == nil {
		t.Fatal("crypto/x509 parsed a negative modulus; the fixture proves nothing")
	}
	for pass := 0; pass < 2; pass++ {
		c, err := m.parseCertificateLenient(negative)
		if err != nil {
			t.Fatalf("pass %d: the negative modulus was refused: %v", pass, err)
		}
		if !bytes.Equal(c.Raw, negative) || c.PublicKey.(*rsa.PublicKey).N.Cmp(a.PublicKey.(*rsa.PublicKey).N) != 0 {
			t.Fatal("the lenient certificate is not the one issued")
		}
	}
	if len(m.m.entries) != 1 {
		t.Fatal("a certificate crypto/x509 refuses was remembered")
	}
	if _, err := m.parseCertificate(negative); err == nil {
		t.Fatal("the strict parse accepted a negative modulus")
	}
}

// negativeModulusCert issues an RSA certificate and re-encodes it with the
// modulus's leading zero byte dropped, as the 2011 ID cards did: every
// enclosing length (certificate, TBS, SPKI, BIT STRING, RSAPublicKey,
// INTEGER) shrinks by one; all are in the two-byte long form here.
func negativeModulusCert(t *testing.T) (good, negative []byte) {
	t.Helper()
	for {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ID card 2011"}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		spki := bytes.Index(der, c.RawSubjectPublicKeyInfo)
		algLen := 2 + int(c.RawSubjectPublicKeyInfo[5]) // SEQUENCE of the algorithm, short form
		bitStr := spki + 4 + algLen
		rsaKey := bitStr + 5
		n := rsaKey + 4
		if der[n] != 0x02 || der[n+1] != 0x82 || der[n+4] != 0 {
			t.Fatal("unexpected SPKI layout")
		}
		heads := []int{0, 4, spki, bitStr, rsaKey, n}
		ok := true
		for _, h := range heads {
			l := int(der[h+2])<<8 | int(der[h+3])
			if der[h+1] != 0x82 || l-1 < 0x100 {
				ok = false // the length would change form: issue another
			}
		}
		if !ok {
			continue
		}
		out := bytes.Clone(der)
		for _, h := range heads {
			l := int(out[h+2])<<8 | int(out[h+3]) - 1
			out[h+2], out[h+3] = byte(l>>8), byte(l)
		}
		return der, append(out[:n+4:n+4], der[n+5:]...)
	}
}

// TestCertMemoSignedBy holds signedBy to certSignedBy, issued or not, and
// checks that a remembered pair is answered without a signature check.
func TestCertMemoSignedBy(t *testing.T) {
	root := newCert(t, "Root", nil, caTemplate())
	other := newCert(t, "Other", nil, caTemplate())
	leaf := newCert(t, "Leaf", root, leafTemplate(x509.KeyUsageDigitalSignature))
	parse := func(der []byte) *x509.Certificate {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	rc, oc, lc := parse(root.der), parse(other.der), parse(leaf.der)
	checks := 0
	o := &Options{Crypto: func(alg string, spki, msg, sig []byte) (bool, bool) {
		checks++
		return false, false // counted, then left to the verifier's own crypto
	}}
	m := newCertMemo()
	for pass := 0; pass < 2; pass++ {
		for _, c := range []struct {
			child, parent *x509.Certificate
			want          bool
		}{{lc, rc, true}, {lc, oc, false}, {rc, rc, true}, {oc, rc, false}} {
			if got, direct := m.signedBy(o, c.child, c.parent), certSignedBy(&Options{}, c.child, c.parent); got != c.want || direct != c.want {
				t.Errorf("pass %d: %s by %s: memo %v, direct %v, want %v", pass, c.child.Subject.CommonName, c.parent.Subject.CommonName, got, direct, c.want)
			}
		}
		// Two pairs have chained names and need a check, once; the
		// other two fail on the names alone.
		if checks != 2 {
			t.Errorf("pass %d: %d signature checks, want 2 in all", pass, checks)
		}
	}
	var nilMemo *certMemo
	if !nilMemo.signedBy(o, lc, rc) {
		t.Error("without a trust's memo, signedBy does not check")
	}
}
