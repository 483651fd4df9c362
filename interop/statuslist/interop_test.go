// Package interop checks the verifier against status lists made by an
// independent implementation: @sd-jwt/jwt-status-list 0.19.0, driven by
// make-list.mjs under Node. `make test` runs `npm ci` here first.
package interop

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/apostille/apostille/internal/demo"
	"github.com/apostille/apostille/internal/importer"
	"github.com/apostille/apostille/verifier"
)

var (
	issued = time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	at     = issued.Add(time.Hour)
)

const uri = "https://issuer.example/statuslists/interop"

func TestStatusListFromSDJWTLibrary(t *testing.T) {
	if _, err := os.Stat("node_modules/@sd-jwt/jwt-status-list"); err != nil {
		t.Fatal("node_modules missing: run `make test` (it runs `npm ci` in interop/statuslist)")
	}
	d := sha256.Sum256([]byte("interop issuer"))
	key, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d[:])
	if err != nil {
		t.Fatal(err)
	}
	jwk := importer.PublicJWK(key.Public(), "interop-1", "ES256")
	bundle, _ := json.Marshal(verifier.Bundle{TrustBundle: verifier.TrustBundleVersion,
		Issuers: []verifier.BundleIssuer{{ID: "iss", Name: "Interop Issuer", Keys: []verifier.BundleKey{{JWK: jwk}}}}})
	trust, err := verifier.ParseTrust("interop", bundle)
	if err != nil {
		t.Fatal(err)
	}
	priv := map[string]string{"kty": "EC", "crv": "P-256", "x": jwk.X, "y": jwk.Y, "d": base64.RawURLEncoding.EncodeToString(d[:])}

	for _, bits := range []int{1, 2, 4, 8} {
		t.Run(fmt.Sprintf("bits=%d", bits), func(t *testing.T) {
			statuses := make([]int, 1003)
			for i := range statuses {
				statuses[i] = (i*7 + i/5) % (1 << bits)
				if bits > 2 && statuses[i] > 3 {
					statuses[i] = 0
				}
			}
			statuses[0], statuses[1002] = 1, 2%(1<<bits)
			req, _ := json.Marshal(map[string]any{"jwk": priv, "kid": "interop-1", "uri": uri, "iat": issued.Unix(),
				"exp": issued.Add(24 * time.Hour).Unix(), "ttl": 3600, "bits": bits, "statuses": statuses})
			cmd := exec.Command("node", "make-list.mjs")
			cmd.Stdin = bytes.NewReader(req)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("node: %v: %s", err, stderr.String())
			}
			var res struct {
				JWT  string `json:"jwt"`
				Read []int  `json:"read"`
			}
			if err := json.Unmarshal(out, &res); err != nil {
				t.Fatal(err)
			}
			for _, idx := range []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 417, 1000, 1001, 1002} {
				if res.Read[idx] != statuses[idx] {
					t.Fatalf("the library reads back %d at %d, wrote %d", res.Read[idx], idx, statuses[idx])
				}
				claims, _ := json.Marshal(map[string]any{"iat": issued.Unix(), "status": map[string]any{"status_list": map[string]any{"idx": idx, "uri": uri}}})
				doc, err := demo.SignJWS(claims, "ES256", key, map[string]any{"kid": "interop-1", "typ": "JWT"})
				if err != nil {
					t.Fatal(err)
				}
				rep := verifier.Verify(doc, verifier.Options{Trust: trust, Time: at, StatusLists: [][]byte{[]byte(res.JWT)}})
				want := map[int]verifier.Reason{0: "", 1: verifier.Revoked, 2: verifier.Revoked, 3: verifier.StatusUnknown}[statuses[idx]]
				if rep.Reason != want || (want == "" && rep.Verdict != verifier.Valid) {
					t.Errorf("index %d (status %d): got %s/%s, want %q: %+v", idx, statuses[idx], rep.Verdict, rep.Reason, want, rep.Checks)
				}
			}
			// Past the end of the list: 1003 statuses of `bits` bits.
			end := (1003*bits + 7) / 8 * 8 / bits
			claims, _ := json.Marshal(map[string]any{"iat": issued.Unix(), "status": map[string]any{"status_list": map[string]any{"idx": end, "uri": uri}}})
			doc, _ := demo.SignJWS(claims, "ES256", key, map[string]any{"kid": "interop-1", "typ": "JWT"})
			if rep := verifier.Verify(doc, verifier.Options{Trust: trust, Time: at, StatusLists: [][]byte{[]byte(res.JWT)}}); rep.Reason != verifier.StatusUnknown {
				t.Errorf("index %d past the end: %s/%s", end, rep.Verdict, rep.Reason)
			}
		})
	}
}
