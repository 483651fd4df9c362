package sdjwtinterop

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apostille/apostille/verifier"
)

type interopCase struct {
	Name      string         `json:"name"`
	SDJWT     string         `json:"sdjwt"`
	Disclosed map[string]any `json:"disclosed"`
	Withheld  []string       `json:"withheld"`
	Aud       string         `json:"aud"`
	Nonce     string         `json:"nonce"`
}

// at is a minute after the key binding JWTs issue.mjs makes.
var at = time.Unix(1767229200, 0).Add(time.Minute)

// issue runs issue.mjs and returns the issuer's trust and the cases.
func issue(t *testing.T) (*verifier.Trust, []interopCase) {
	if _, err := os.Stat("node_modules/@sd-jwt/sd-jwt-vc"); err != nil {
		t.Fatal("the npm packages are not installed: run `make interop-deps` (npm ci in interop/sdjwt)")
	}
	dir := t.TempDir()
	cmd := exec.Command("node", "issue.mjs", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("node issue.mjs: %v\n%s", err, out)
	}
	jwk, err := os.ReadFile(filepath.Join(dir, "issuer.jwk"))
	if err != nil {
		t.Fatal(err)
	}
	trust, err := verifier.ParseTrust("interop-issuer", jwk)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []interopCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 4 {
		t.Fatalf("issue.mjs made %d cases", len(cases))
	}
	return trust, cases
}

func status(r *verifier.Report, check string) verifier.Status {
	for _, c := range r.Checks {
		if c.Check == check {
			return c.Status
		}
	}
	return ""
}

func normal(x any) any {
	b, _ := json.Marshal(x)
	var out any
	json.Unmarshal(b, &out)
	return out
}

// TestInteropSDJWTVC verifies every SD-JWT VC the independent issuer made,
// compares the disclosed claims, and checks that spoilt copies fail.
func TestInteropSDJWTVC(t *testing.T) {
	trust, cases := issue(t)
	for _, c := range cases {
		opts := verifier.Options{Trust: trust, Time: at, Holder: verifier.HolderOptions{Audience: c.Aud, Nonce: c.Nonce}}
		r := verifier.Verify([]byte(c.SDJWT), opts)
		if r.Verdict != verifier.Valid {
			t.Errorf("%s: %s/%s %+v", c.Name, r.Verdict, r.Reason, r.Checks)
			continue
		}
		if r.Document.Type != "urn:eudi:pid:interop:1" {
			t.Errorf("%s: type %q", c.Name, r.Document.Type)
		}
		want := verifier.Passed
		if c.Nonce == "" {
			want = verifier.Skipped
		}
		if got := status(r, verifier.CheckHolderBinding); got != want {
			t.Errorf("%s: holder binding %s, want %s", c.Name, got, want)
		}
		for k, v := range c.Disclosed {
			if got := normal(r.Document.Claims[k]); !reflect.DeepEqual(got, normal(v)) {
				t.Errorf("%s: %s = %v, want %v", c.Name, k, got, v)
			}
		}
		for _, k := range c.Withheld {
			if _, shown := r.Document.Claims[k]; shown {
				t.Errorf("%s: %s is shown but was withheld", c.Name, k)
			}
		}
	}

	// Spoilt copies of the independent issuer's documents.
	issued, presented := cases[0].SDJWT, cases[1]
	parts := strings.Split(issued, "~")
	for _, tc := range []struct {
		name   string
		doc    string
		holder verifier.HolderOptions
		reason verifier.Reason
	}{
		{"disclosure presented twice", issued + parts[1] + "~", verifier.HolderOptions{}, verifier.DisclosureMismatch},
		{"disclosure altered", strings.Replace(issued, parts[1], alter(t, parts[1]), 1), verifier.HolderOptions{}, verifier.DisclosureMismatch},
		{"another verifier's nonce", presented.SDJWT, verifier.HolderOptions{Audience: presented.Aud, Nonce: "not-" + presented.Nonce}, verifier.HolderBindingInvalid},
		{"key binding cut off, binding required", presented.SDJWT[:strings.LastIndexByte(presented.SDJWT, '~')+1], verifier.HolderOptions{RequireBinding: true}, verifier.HolderBindingInvalid},
	} {
		r := verifier.Verify([]byte(tc.doc), verifier.Options{Trust: trust, Time: at, Holder: tc.holder})
		if r.Verdict != verifier.Invalid || r.Reason != tc.reason {
			t.Errorf("%s: %s/%s, want invalid/%s", tc.name, r.Verdict, r.Reason, tc.reason)
		}
	}
}

// alter changes the value of a disclosure and encodes it again.
func alter(t *testing.T, d string) string {
	raw, err := base64.RawURLEncoding.DecodeString(d)
	if err != nil {
		t.Fatal(err)
	}
	var arr []any
	if err := json.Unmarshal(raw, &arr); err != nil {
		t.Fatal(err)
	}
	arr[len(arr)-1] = "altered"
	b, _ := json.Marshal(arr)
	return base64.RawURLEncoding.EncodeToString(b)
}
