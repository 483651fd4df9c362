package verifier

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"
)

func TestSmokeES256(t *testing.T) {
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	b := func(x []byte) string { return base64.RawURLEncoding.EncodeToString(x) }
	jwk := map[string]any{"kty": "EC", "crv": "P-256", "kid": "k1", "alg": "ES256",
		"x": b(priv.X.FillBytes(make([]byte, 32))), "y": b(priv.Y.FillBytes(make([]byte, 32)))}
	jb, _ := json.Marshal(map[string]any{"keys": []any{jwk}})
	tr, err := ParseTrust("test", jb)
	if err != nil {
		t.Fatal(err)
	}
	h := b([]byte(`{"alg":"ES256","kid":"k1","typ":"JWT"}`))
	p := b([]byte(`{"iss":"x","iat":1700000000,"exp":1900000000,"name":"Mari Maasikas"}`))
	d := sha256.Sum256([]byte(h + "." + p))
	r, s, _ := ecdsa.Sign(rand.Reader, priv, d[:])
	sig := append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
	tok := h + "." + p + "." + b(sig)
	rep := Verify([]byte(tok), Options{Trust: tr, Time: time.Unix(1800000000, 0)})
	out, _ := json.MarshalIndent(rep, "", " ")
	t.Log(string(out))
	if rep.Verdict != Valid {
		t.Fatal("not valid")
	}
}
