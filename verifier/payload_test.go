package verifier

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestPayloadKinds checks how a payload is told to be claims or content,
// and how an empty JWS payload segment is read.
func TestPayloadKinds(t *testing.T) {
	k := newTestKey(t, "es", ES256)
	trust := trustOf(t, k)
	hb := b64([]byte(`{"alg":"ES256","kid":"es"}`))
	cases := []struct {
		name    string
		doc     []byte
		opts    Options
		verdict Verdict
		reason  Reason
		claims  bool
	}{
		{name: "JWT claims", doc: []byte(signJWS(t, k, nil, []byte(`{"iss":"ee"}`))), verdict: Valid, claims: true},
		{name: "RTF is content", doc: []byte(signJWS(t, k, nil, []byte(`{\rtf1\ansi hello}`))), verdict: Valid},
		{name: "RTF typed JWT is malformed", doc: []byte(signJWS(t, k, map[string]any{"typ": "JWT"}, []byte(`{\rtf1\ansi hello}`))), verdict: Invalid, reason: Malformed},
		{name: "text typed vc+jwt is malformed", doc: []byte(signJWS(t, k, map[string]any{"typ": "vc+jwt"}, []byte(`hello`))), verdict: Invalid, reason: Malformed},
		{name: "JSON array is content", doc: []byte(signJWS(t, k, nil, []byte(`[1,2]`))), verdict: Valid},
		{name: "CWT claims", doc: signCOSE(t, k, cwtPayload(t, map[any]any{int64(1): "ee"})), verdict: Valid, claims: true},
		{name: "binary starting like a CBOR map is content", doc: signCOSE(t, k, []byte{0xa5, 0x00, 0xff, 0x13}), verdict: Valid},
		{name: "CBOR map with a duplicate key is malformed", doc: signCOSE(t, k, []byte{0xa2, 0x01, 0x61, 0x61, 0x01, 0x61, 0x62}), verdict: Invalid, reason: Malformed},
		{name: "CBOR map with indefinite length is malformed", doc: signCOSE(t, k, []byte{0xbf, 0x01, 0x61, 0x61, 0xff}), verdict: Invalid, reason: Malformed},
		{name: "CWT tag around content is malformed", doc: append([]byte{0xd8, 0x3d}, signCOSE(t, k, []byte("hello"))...), verdict: Invalid, reason: Malformed},

		// An empty payload segment: empty content, or detached content.
		{name: "empty payload, compact", doc: []byte(jwsWith(t, k, []byte(`{"alg":"ES256","kid":"es"}`), "")), verdict: Valid},
		{name: "empty payload, JSON", doc: []byte(`{"protected":"` + hb + `","payload":"","signature":"` + b64(k.sign(t, []byte(hb+"."))) + `"}`), verdict: Valid},
		{name: "detached, not supplied, compact", doc: []byte(hb + ".." + b64(k.sign(t, []byte(hb+"."+b64([]byte("content")))))), verdict: Indeterminate, reason: PayloadMissing},
		{name: "detached, not supplied, JSON", doc: []byte(`{"protected":"` + hb + `","signature":"` + b64(k.sign(t, []byte(hb+"."+b64([]byte("content"))))) + `"}`), verdict: Indeterminate, reason: PayloadMissing},
		{name: "detached, supplied", doc: []byte(hb + ".." + b64(k.sign(t, []byte(hb+"."+b64([]byte("content")))))), opts: Options{Payload: []byte("content")}, verdict: Valid},
		{name: "detached COSE, supplied", doc: detachedCOSE(t, k, []byte("content")), opts: Options{Payload: []byte("content")}, verdict: Valid},
		{name: "detached COSE, not supplied", doc: detachedCOSE(t, k, []byte("content")), verdict: Indeterminate, reason: PayloadMissing},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opts.Trust, c.opts.Time = trust, testTime
			rep := verify(c.doc, c.opts)
			wantReport(t, rep, c.verdict, c.reason)
			if got := rep.Document != nil && rep.Document.Claims != nil; got != c.claims && c.verdict == Valid {
				t.Errorf("claims reported: %v, want %v", got, c.claims)
			}
		})
	}
}

// detachedCOSE signs payload and leaves it out of the COSE_Sign1 (nil).
func detachedCOSE(t *testing.T, k *testKey, payload []byte) []byte {
	t.Helper()
	prot := mustCBOR(t, map[any]any{int64(labelAlg): coseAlgNumber(k.alg)})
	tbs := mustCBOR(t, []any{"Signature1", prot, []byte{}, payload})
	return append([]byte{0xd2}, mustCBOR(t, []any{prot, map[any]any{int64(labelKid): []byte(k.kid)}, nil, k.sign(t, tbs)})...)
}

// TestHeaderReportBounded checks what a report repeats of a hostile header:
// at most 32 parameters, long values clipped, the same on every run.
func TestHeaderReportBounded(t *testing.T) {
	k := newTestKey(t, "es", ES256)
	trust := trustOf(t, k)
	extra := map[string]any{"big": strings.Repeat("x", 100000)}
	for i := range 200 {
		extra["p"+itoa(1000+i)] = i
	}
	doc := []byte(signJWS(t, k, extra, []byte(`{}`)))
	var first []byte
	for i := range 5 {
		rep := verify(doc, Options{Trust: trust, Time: testTime})
		wantReport(t, rep, Valid, "")
		h := rep.Document.Technical.Headers
		if len(h) != maxReportHeaders {
			t.Fatalf("%d headers reported", len(h))
		}
		if s, ok := h["big"].(string); !ok || len(s) > maxDetail+4 {
			t.Errorf("a 100 KB header value is reported as %d bytes", len(s))
		}
		b, _ := json.Marshal(h)
		if i == 0 {
			first = b
		} else if string(b) != string(first) {
			t.Fatal("the reported headers differ between runs")
		}
	}
}
