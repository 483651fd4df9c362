package verifier

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"
)

// parseJWSCompactOracle is parseJWSCompact as it was before it cut at the
// two dots in one pass: a count of the dots, then a split.
func parseJWSCompactOracle(data []byte, hm *headerMemo) (*jws, error) {
	if n := bytes.Count(data, []byte{'.'}); n != 2 {
		return nil, jwsErr("a compact JWS has three parts separated by two dots; this has %d dots", n)
	}
	p := bytes.SplitN(data, []byte{'.'}, 3)
	n := len(p[0]) + 1 + len(p[1])
	j := &jws{format: formatJWSCompact, protectedB: p[0], payloadSeg: p[1], signedIn: data[:n:n]}
	var err error
	if j.ph, err = hm.decode(p[0]); err != nil {
		return nil, err
	}
	j.protected = j.ph.members
	if j.sig, err = b64urlBytes(p[2]); err != nil {
		return nil, jwsErr("the signature is not base64url")
	}
	return j, nil
}

// checkJWSCut holds parseJWSCompact to its oracle: the same error, or the
// same parts, signing input and signature.
func checkJWSCut(t *testing.T, data []byte) {
	t.Helper()
	got, gotErr := parseJWSCompact(data, nil)
	want, wantErr := parseJWSCompactOracle(data, nil)
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || (got == nil) != (want == nil) {
		t.Fatalf("%q: error %v, want %v", data, gotErr, wantErr)
	}
	if got != nil && (!bytes.Equal(got.protectedB, want.protectedB) || !bytes.Equal(got.payloadSeg, want.payloadSeg) ||
		!bytes.Equal(got.signedIn, want.signedIn) || cap(got.signedIn) != cap(want.signedIn) ||
		!bytes.Equal(got.sig, want.sig) || !reflect.DeepEqual(got.protected, want.protected)) {
		t.Fatalf("%q: parts differ from the oracle's", data)
	}
}

func TestJWSCompactCut(t *testing.T) {
	for _, d := range vectorDocuments(t) {
		checkJWSCut(t, d)
	}
	for _, s := range []string{"", ".", "..", "...", "a.b", "a.b.c", "a.b.c.", ".b.c", "a..c", "eyJhbGciOiJub25lIn0.e30.", "eyJhbGciOiJub25lIn0.e30.AA.AA"} {
		checkJWSCut(t, []byte(s))
	}
}

func FuzzJWSCompactCut(f *testing.F) {
	for _, d := range vectorDocuments(f) {
		f.Add(d)
	}
	f.Add([]byte("a.b.c.d"))
	f.Fuzz(func(t *testing.T, data []byte) { checkJWSCut(t, data) })
}
