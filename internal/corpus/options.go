package corpus

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/apostille/apostille/internal/demo"
	"github.com/apostille/apostille/verifier"
)

// OptionSet is documents verified with options a host hands the module:
// each case sends some members of verifier.Options across the module
// boundary (wasm/abi), and the sets together send every one, each in a case
// where it changes the report. The Go host and the JS loader must give the
// native verifier's report on each (wasm/host, wasm/js/test).
type OptionSet struct {
	Name  string
	Trust []Trust
	// OperatorKeys are pinned keys (public JWKs) for signed trust.
	OperatorKeys [][]byte
	Cases        []OptionCase
}

// OptionCase is one document with its options (Trust and Crypto unset).
type OptionCase struct {
	Name    string
	Doc     []byte
	Options verifier.Options
}

// NativeTrust is the set's trust as the module loads it, parsed natively
// (verifier.LoadTrust, as wasm/guest does).
func (s OptionSet) NativeTrust() (*verifier.Trust, error) {
	var keys []*verifier.OperatorKey
	for _, k := range s.OperatorKeys {
		p, err := verifier.ParseOperatorKey(k)
		if err != nil {
			return nil, err
		}
		keys = append(keys, p)
	}
	t := &verifier.Trust{}
	for _, src := range s.Trust {
		one, err := verifier.LoadTrust(src.Name, src.Data, keys)
		if err != nil {
			return nil, err
		}
		t.Add(one)
	}
	return t, nil
}

// OptionSets gathers the option cases from the demo world (built in tmp)
// and the external vectors under root.
func OptionSets(root, tmp string) ([]OptionSet, error) {
	w, err := demo.Build(tmp, "")
	if err != nil {
		return nil, err
	}
	read := func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(tmp, name)) }
	files := map[string][]byte{}
	for _, name := range []string{
		w.Man.Trust, w.Man.SignedTrust, w.Man.OperatorKey, "status/ee-population-register-1.jwt",
		"documents/ee-birth-certificate.jwt", "documents/ee-birth-certificate.jwt.tlog-proof",
		"documents/ee-residence-certificate.jwt", "documents/ee-residence-certificate.jwt.tlog-proof",
		"documents/ee-residence-certificate-revoked.jwt", "documents/ee-residence-certificate-revoked.jwt.tlog-proof",
		"documents/ee-residence-certificate-expired.jwt", "documents/ee-residence-certificate-expired.jwt.tlog-proof",
		"documents/ee-pid.sd-jwt",
	} {
		if files[name], err = read(name); err != nil {
			return nil, err
		}
	}
	doc := func(name string) []byte { return files["documents/"+name] }
	proof := func(name string) []byte { return files["documents/"+name+".tlog-proof"] }
	list := files["status/ee-population-register-1.jwt"]

	// The demo bundle without the status list it ships: the list comes
	// with the options.
	var b verifier.Bundle
	if err := json.Unmarshal(files[w.Man.Trust], &b); err != nil {
		return nil, err
	}
	b.StatusLists = nil
	bare, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	birth, residence, revoked, expired := "ee-birth-certificate.jwt", "ee-residence-certificate.jwt", "ee-residence-certificate-revoked.jwt", "ee-residence-certificate-expired.jwt"
	// The expired certificate ran out at the end of 2025: 90 s later it is
	// expired with the default skew of 60 s, not with two minutes.
	justExpired := time.Date(2026, 1, 1, 0, 1, 29, 0, time.UTC)
	// The PID presentation without its key binding JWT (what follows the
	// last "~").
	pid := doc("ee-pid.sd-jwt")
	unbound := pid[:strings.LastIndexByte(string(pid), '~')+1]
	holder := verifier.HolderOptions{Audience: "https://verifier.example.lu", Nonce: "demo-nonce-2026", RequireBinding: true}
	// The presentation was made when the demo's documents were issued.
	presented := demo.Issued.Add(time.Minute)
	sets := []OptionSet{{
		Name:  "demo",
		Trust: []Trust{{"trust.json", bare}},
		Cases: []OptionCase{
			{"proof", doc(birth), verifier.Options{Time: At, Proof: proof(birth)}},
			{"no proof", doc(birth), verifier.Options{Time: At}},
			{"format jws", doc(birth), verifier.Options{Time: At, Proof: proof(birth), Format: verifier.FormatJWS}},
			{"format cose", doc(birth), verifier.Options{Time: At, Proof: proof(birth), Format: verifier.FormatCOSE}},
			{"max size below the document", doc(birth), verifier.Options{Time: At, MaxSize: 100}},
			{"status list given", doc(residence), verifier.Options{Time: At, Proof: proof(residence), StatusLists: [][]byte{list}}},
			{"status list given, revoked", doc(revoked), verifier.Options{Time: At, Proof: proof(revoked), StatusLists: [][]byte{list}}},
			{"no status list", doc(residence), verifier.Options{Time: At, Proof: proof(residence)}},
			{"clock skew", doc(expired), verifier.Options{Time: justExpired, Proof: proof(expired), ClockSkew: 2 * time.Minute}},
			{"default clock skew", doc(expired), verifier.Options{Time: justExpired, Proof: proof(expired)}},
			{"no clock skew", doc(expired), verifier.Options{Time: justExpired.Add(-45 * time.Second), Proof: proof(expired), ClockSkew: -1}},
			{"holder binding", doc("ee-pid.sd-jwt"), verifier.Options{Time: presented, Holder: holder}},
			{"holder binding, other audience", doc("ee-pid.sd-jwt"), verifier.Options{Time: presented, Holder: verifier.HolderOptions{Audience: "https://other.example", RequireBinding: true}}},
			{"holder binding, other nonce", doc("ee-pid.sd-jwt"), verifier.Options{Time: presented, Holder: verifier.HolderOptions{Nonce: "replayed"}}},
			{"holder binding required, none", unbound, verifier.Options{Time: presented, Holder: verifier.HolderOptions{RequireBinding: true}}},
		},
	}, {
		// Signed trust: the bundle's freshness decides, unless stale
		// trust is accepted.
		Name:         "demo-signed",
		Trust:        []Trust{{"trust.jws", files[w.Man.SignedTrust]}},
		OperatorKeys: [][]byte{files[w.Man.OperatorKey]},
		Cases: []OptionCase{
			{"fresh", doc(birth), verifier.Options{Time: At, Proof: proof(birth)}},
			{"stale", doc(birth), verifier.Options{Time: demo.Until.Add(time.Hour), Proof: proof(birth)}},
			{"stale accepted", doc(birth), verifier.Options{Time: demo.Until.Add(time.Hour), Proof: proof(birth), AcceptStaleTrustUnsafe: true}},
		},
	}}
	for _, f := range []func(string) (OptionSet, error){detachedSet, externalAADSet, mdocSet} {
		s, err := f(root)
		if err != nil {
			return nil, err
		}
		sets = append(sets, s)
	}
	return sets, nil
}

// detachedSet is RFC 7520 example 4.1 with its content detached (4.5),
// signed with the cookbook's RSA key.
func detachedSet(root string) (OptionSet, error) {
	dir := filepath.Join(root, "verifier/testdata/jose-cookbook")
	var key map[string]any
	if err := readJSON(filepath.Join(dir, "jwk/3_3.rsa_public_key.json"), &key); err != nil {
		return OptionSet{}, err
	}
	key["alg"] = "RS256"
	jwks, err := json.Marshal(map[string]any{"keys": []any{key}})
	if err != nil {
		return OptionSet{}, err
	}
	var ex struct {
		Input struct {
			Payload string `json:"payload"`
		} `json:"input"`
		Output struct {
			Compact string `json:"compact"`
		} `json:"output"`
	}
	if err := readJSON(filepath.Join(dir, "jws/4_1.rsa_v15_signature.json"), &ex); err != nil {
		return OptionSet{}, err
	}
	parts := strings.Split(ex.Output.Compact, ".")
	if len(parts) != 3 {
		return OptionSet{}, fmt.Errorf("corpus: cookbook 4.1 is not a compact JWS")
	}
	detached := []byte(parts[0] + ".." + parts[2])
	at := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	return OptionSet{
		Name:  "jose-cookbook-detached",
		Trust: []Trust{{"cookbook.jwks", jwks}},
		Cases: []OptionCase{
			{"payload", detached, verifier.Options{Time: at, Payload: []byte(ex.Input.Payload)}},
			{"no payload", detached, verifier.Options{Time: at}},
		},
	}, nil
}

// externalAADSet is the COSE WG example sign-pass-02, signed over external
// additional authenticated data.
func externalAADSet(root string) (OptionSet, error) {
	var ex struct {
		Input struct {
			Sign0 struct {
				Key      map[string]any `json:"key"`
				External string         `json:"external"`
			} `json:"sign0"`
		} `json:"input"`
		Output struct {
			CBOR string `json:"cbor"`
		} `json:"output"`
	}
	if err := readJSON(filepath.Join(root, "verifier/testdata/cose-examples/sign1-tests/sign-pass-02.json"), &ex); err != nil {
		return OptionSet{}, err
	}
	key := map[string]any{"alg": "ES256"}
	for _, m := range []string{"kty", "kid", "crv", "x", "y"} {
		key[m] = ex.Input.Sign0.Key[m]
	}
	jwks, err := json.Marshal(map[string]any{"keys": []any{key}})
	if err != nil {
		return OptionSet{}, err
	}
	doc, err1 := hex.DecodeString(ex.Output.CBOR)
	aad, err2 := hex.DecodeString(ex.Input.Sign0.External)
	if err1 != nil || err2 != nil {
		return OptionSet{}, fmt.Errorf("corpus: sign-pass-02 is not hex")
	}
	at := time.Date(2015, 10, 5, 12, 0, 0, 0, time.UTC)
	return OptionSet{
		Name:  "cose-external-aad",
		Trust: []Trust{{"cose-wg.jwks", jwks}},
		Cases: []OptionCase{
			{"external aad", doc, verifier.Options{Time: at, ExternalAAD: aad}},
			{"no external aad", doc, verifier.Options{Time: at}},
		},
	}, nil
}

// mdocSet is the ISO/IEC 18013-5 Annex D device response: device
// authentication by MAC, which needs the session transcript and the
// reader's ephemeral private key.
func mdocSet(root string) (OptionSet, error) {
	var f struct {
		Vectors map[string]string `json:"vectors"`
	}
	if err := readJSON(filepath.Join(root, "verifier/testdata/mdoc/iso18013-5-annex-d.json"), &f); err != nil {
		return OptionSet{}, err
	}
	v := func(name string) []byte {
		b, _ := hex.DecodeString(f.Vectors["ISO_18013_5_ANNEX_D_"+name])
		return b
	}
	doc, transcript, readerKey := v("DEVICE_RESPONSE"), v("SESSION_TRANSCRIPT_BYTES"), v("EPHEMERAL_READER_KEY_D")
	if len(doc) == 0 || len(transcript) == 0 || len(readerKey) == 0 {
		return OptionSet{}, fmt.Errorf("corpus: the Annex D vectors are incomplete")
	}
	at := time.Date(2021, 3, 1, 12, 0, 0, 0, time.UTC)
	return OptionSet{
		Name:  "mdoc-annex-d",
		Trust: []Trust{{"utopia-ds", v("DS_CERT")}},
		Cases: []OptionCase{
			{"transcript and reader key", doc, verifier.Options{Time: at, Format: verifier.FormatMDoc,
				Holder: verifier.HolderOptions{SessionTranscript: transcript, ReaderKey: readerKey}}},
			{"transcript, no reader key", doc, verifier.Options{Time: at, Holder: verifier.HolderOptions{SessionTranscript: transcript}}},
			{"no transcript", doc, verifier.Options{Time: at}},
		},
	}, nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
