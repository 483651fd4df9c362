package verifier

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"github.com/apostille/apostille/verifier/trustservices"
	"strings"
	"time"

	"github.com/cloudflare/circl/sign/ed448"
)

// TrustBundleVersion is the value of Bundle.TrustBundle.
const TrustBundleVersion = "v1"

// Bundle is a trust bundle v1 as JSON: who issues which documents with which
// keys, which logs record them and which embassies attest to those logs.
// docs/trust-bundle.md describes it. Nothing in a document decides whom to
// trust; a bundle does.
type Bundle struct {
	TrustBundle string `json:"trust_bundle"`
	// Operator, Sequence, IssuedAt and NextUpdate describe a signed bundle;
	// they are informative in an unsigned one.
	Operator   string          `json:"operator,omitempty"`
	Sequence   uint64          `json:"sequence,omitempty"`
	IssuedAt   string          `json:"issued_at,omitempty"`
	NextUpdate string          `json:"next_update,omitempty"`
	Issuers    []BundleIssuer  `json:"issuers"`
	Embassies  []BundleEmbassy `json:"embassies,omitempty"`
	// StatusLists are status list tokens (JWT compact, or CWT as base64)
	// shipped with the bundle for hosts that cannot fetch them.
	StatusLists []string `json:"status_lists,omitempty"`
	// Services are the trust services of EU trusted lists (ETSI TS 119
	// 612): what decides a DigiDoc container's signer, OCSP responder and
	// time-stamping authority (asicverify.go).
	Services []trustservices.BundleService `json:"services,omitempty"`
}

// BundleIssuer is one issuing authority.
type BundleIssuer struct {
	ID      string      `json:"id"`
	Name    string      `json:"name"`
	Country string      `json:"country,omitempty"`
	Keys    []BundleKey `json:"keys,omitempty"`
	// Anchors are X.509 trust anchors (base64 DER) to which certificates in
	// documents (x5c, x5chain) must chain.
	Anchors []string `json:"anchors,omitempty"`
	// DocumentTypes, when not empty, are the only document types this
	// issuer is trusted for.
	DocumentTypes []string `json:"document_types,omitempty"`
	// Attestation is the issuer's embassy attestation policy.
	Attestation *BundleAttestation `json:"attestation,omitempty"`
}

// BundleKey is a trusted key: a public JWK with mandatory "alg" and "kid",
// and the window in which it may sign.
type BundleKey struct {
	JWK       JWK    `json:"jwk"`
	NotBefore string `json:"not_before,omitempty"`
	NotAfter  string `json:"not_after,omitempty"`
}

// BundleAttestation says which logs record an issuer's documents and how
// many embassies must attest, in the c2sp.org/tlog-policy format.
type BundleAttestation struct {
	Policy   string `json:"policy"`
	Required bool   `json:"required"`
}

// BundleEmbassy names a data embassy (a tlog witness that keeps a copy of
// the log) by its signed-note verifier key.
type BundleEmbassy struct {
	Name    string `json:"name"`
	Country string `json:"country,omitempty"`
	Key     string `json:"key"`
}

// Trust is parsed, ready-to-use trust. Build it with ParseTrust and Add; it
// is read-only afterwards and safe for concurrent use.
type Trust struct {
	Issuers     []*Issuer
	Embassies   []*Embassy
	StatusLists [][]byte
	// Services are the bundle's trust services, parsed.
	Services []*trustservices.Service
	// Info describes the bundle that decided, for the report.
	Info       TrustInfo
	IssuedAt   time.Time
	NextUpdate time.Time

	kids map[string][]*Key
	// keysByAlg lists the keys that allow each algorithm, in trust order,
	// for documents that name no key: found without a walk of the trust.
	keysByAlg map[Alg][]*Key
	// anchorPool holds every issuer's anchors, so that a document's chain
	// is built once (signed.go, buildChain); anchorIssuers maps an anchor
	// (its DER) back to the issuers that trust it, issuerIndex an issuer
	// to its place in trust order.
	anchorPool    *x509.CertPool
	anchorIssuers map[string][]*Issuer
	issuerIndex   map[*Issuer]int
	// listsByURI are StatusLists read once, by their uri (not verified:
	// each verification checks a list's signature by its own issuer).
	listsByURI map[string][]*statusList
	// chainMemo remembers the certificate chains built against this
	// trust's anchors (chainmemo.go); nil builds every chain afresh.
	chainMemo *chainMemo
	// certMemo remembers the certificates documents carried, parsed
	// (certmemo.go); nil parses every certificate afresh.
	certMemo *certMemo
	// headerMemo remembers the JWS protected headers documents carried,
	// decoded (headermemo.go); nil decodes every header afresh.
	headerMemo *headerMemo
	// checkpointMemo remembers the tlog checkpoints proofs carried,
	// opened (checkpointmemo.go); nil opens every checkpoint afresh.
	checkpointMemo *checkpointMemo
	// inflaters are decoders kept for EU DCCs and status lists
	// (inflaters.go).
	inflaters *inflaters
	// scratch is the working memory of container verifications
	// (containerscratch.go).
	scratch *scratchPool
}

// Issuer is one trusted issuing authority.
type Issuer struct {
	ID            string
	Name          string
	Country       string
	Keys          []*Key
	Anchors       []*x509.Certificate
	DocumentTypes []string
	Attestation   *BundleAttestation

	anchors *x509.CertPool
	// policy is Attestation.Policy, parsed once when the trust is loaded.
	policy *tlogPolicy
}

// Embassy is a trusted data embassy.
type Embassy struct {
	Name    string
	Country string
	Key     string // signed-note verifier key (vkey)

	key *noteKey
}

// Key is a trusted public key.
type Key struct {
	ID string
	// Algs are the algorithms the key may be used with: exactly the JWK's
	// "alg" for a bundle key; those of the key type for a key taken from a
	// certificate given as trust.
	Algs      []Alg
	Public    crypto.PublicKey
	NotBefore time.Time
	NotAfter  time.Time
	// Certificate is the key's certificate, when the trust names one (x5c of
	// the JWK, or a certificate given as trust).
	Certificate *x509.Certificate
	Issuer      *Issuer

	spki []byte
}

func (k *Key) allows(alg Alg) bool {
	for _, a := range k.Algs {
		if a == alg {
			return true
		}
	}
	return false
}

// ParseTrust reads trust from a trust bundle v1 (JSON), a JWK Set, a single
// JWK, or X.509 certificates (PEM, one or many, or DER). name labels issuers
// that the source does not name (a JWKS, a certificate without subject).
func ParseTrust(name string, data []byte) (*Trust, error) {
	t := &Trust{}
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		return nil, errors.New("trust: empty")
	case trimmed[0] == '{':
		probe, err := parseJSONMembers(trimmed)
		if err != nil {
			return nil, fmt.Errorf("trust: %w", err)
		}
		switch {
		case probe["trust_bundle"] != nil:
			var b Bundle
			if err := strictUnmarshal(trimmed, &b); err != nil {
				return nil, fmt.Errorf("trust: %w", err)
			}
			if err := t.addBundle(&b); err != nil {
				return nil, err
			}
		case probe["keys"] != nil:
			if err := t.addJWKS(name, trimmed); err != nil {
				return nil, err
			}
		case probe["kty"] != nil:
			if err := t.addJWKS(name, []byte(`{"keys":[`+string(trimmed)+`]}`)); err != nil {
				return nil, err
			}
		default:
			return nil, errors.New("trust: JSON is neither a trust bundle, a JWK Set nor a JWK")
		}
	case bytes.HasPrefix(trimmed, []byte("-----BEGIN")):
		n := 0
		for rest := trimmed; ; {
			var blk *pem.Block
			blk, rest = pem.Decode(rest)
			if blk == nil {
				break
			}
			if blk.Type != "CERTIFICATE" {
				continue
			}
			if err := t.addCertificate(name, blk.Bytes); err != nil {
				return nil, err
			}
			n++
		}
		if n == 0 {
			return nil, errors.New("trust: no CERTIFICATE in PEM")
		}
	default:
		if err := t.addCertificate(name, data); err != nil {
			return nil, err
		}
	}
	t.index()
	return t, nil
}

// Add merges other into t. The first signed bundle's metadata describes
// the result.
func (t *Trust) Add(other *Trust) {
	if other == nil {
		return
	}
	t.Issuers = append(t.Issuers, other.Issuers...)
	t.Embassies = append(t.Embassies, other.Embassies...)
	t.StatusLists = append(t.StatusLists, other.StatusLists...)
	t.Services = append(t.Services, other.Services...)
	if !t.Info.Signed && other.Info.Signed {
		t.Info, t.IssuedAt, t.NextUpdate = other.Info, other.IssuedAt, other.NextUpdate
	}
	t.index()
}

func (t *Trust) index() {
	t.kids = make(map[string][]*Key)
	t.keysByAlg = make(map[Alg][]*Key)
	t.anchorPool, t.anchorIssuers = nil, make(map[string][]*Issuer)
	t.issuerIndex = make(map[*Issuer]int, len(t.Issuers))
	for i, is := range t.Issuers {
		t.issuerIndex[is] = i
		for _, a := range is.Anchors {
			if t.anchorPool == nil {
				t.anchorPool = x509.NewCertPool()
			}
			if len(t.anchorIssuers[string(a.Raw)]) == 0 {
				t.anchorPool.AddCert(a)
			}
			t.anchorIssuers[string(a.Raw)] = append(t.anchorIssuers[string(a.Raw)], is)
		}
	}
	for _, is := range t.Issuers {
		for _, k := range is.Keys {
			for _, a := range k.Algs {
				t.keysByAlg[a] = append(t.keysByAlg[a], k)
			}
			t.kids[k.ID] = append(t.kids[k.ID], k)
			if k.Certificate != nil {
				for _, alias := range certKIDs(k.Certificate) {
					if alias != k.ID {
						t.kids[alias] = append(t.kids[alias], k)
					}
				}
			}
		}
	}
	var anchors []*x509.Certificate
	for _, is := range t.Issuers {
		anchors = append(anchors, is.Anchors...)
	}
	t.chainMemo = newChainMemo(anchors)
	t.certMemo = newCertMemo()
	t.headerMemo = newHeaderMemo()
	t.checkpointMemo = newCheckpointMemo()
	t.inflaters = newInflaters()
	t.scratch = &scratchPool{}
	t.listsByURI = make(map[string][]*statusList)
	for _, tok := range t.StatusLists {
		if l, err := parseStatusList(tok, t); err == nil {
			l.signers = &listSigners{}
			t.listsByURI[l.sub] = append(t.listsByURI[l.sub], l)
		}
	}
}

// KeysByID returns the trusted keys with this key identifier, in trust order.
func (t *Trust) KeysByID(kid string) []*Key {
	if t == nil {
		return nil
	}
	return t.kids[kid]
}

// certKIDs are the identifiers by which documents name a certificate's key:
// the EU DCC kid (first 8 bytes of the certificate's SHA-256, base64) and
// the JOSE x5t#S256 (the whole SHA-256, base64url).
func certKIDs(c *x509.Certificate) []string {
	sum := sha256.Sum256(c.Raw)
	return []string{
		base64.StdEncoding.EncodeToString(sum[:8]),
		base64.RawURLEncoding.EncodeToString(sum[:]),
	}
}

func parseBundleTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("trust: bad %s time", field)
	}
	return v, nil
}

func (t *Trust) addBundle(b *Bundle) error {
	if b.TrustBundle != TrustBundleVersion {
		return fmt.Errorf("trust: unsupported trust_bundle %q", clip(b.TrustBundle))
	}
	var err error
	if t.IssuedAt, err = parseBundleTime("issued_at", b.IssuedAt); err != nil {
		return err
	}
	if t.NextUpdate, err = parseBundleTime("next_update", b.NextUpdate); err != nil {
		return err
	}
	t.Info = TrustInfo{Operator: b.Operator, Sequence: b.Sequence, IssuedAt: b.IssuedAt, NextUpdate: b.NextUpdate}
	ids := map[string]bool{}
	for i := range b.Issuers {
		bi := &b.Issuers[i]
		if bi.ID == "" || bi.Name == "" {
			return fmt.Errorf("trust: issuer %d needs an id and a name", i)
		}
		if ids[bi.ID] {
			return fmt.Errorf("trust: duplicate issuer id %q", clip(bi.ID))
		}
		ids[bi.ID] = true
		is := &Issuer{ID: bi.ID, Name: bi.Name, Country: bi.Country, DocumentTypes: bi.DocumentTypes, Attestation: bi.Attestation}
		if bi.Attestation != nil {
			if is.policy, err = attestationPolicy(bi.Attestation); err != nil {
				return fmt.Errorf("trust: issuer %q attestation: %w", clip(bi.ID), err)
			}
		}
		for j := range bi.Keys {
			k, err := bundleKey(&bi.Keys[j])
			if err != nil {
				return fmt.Errorf("trust: issuer %q key %d: %w", clip(bi.ID), j, err)
			}
			k.Issuer = is
			is.Keys = append(is.Keys, k)
		}
		for j, a := range bi.Anchors {
			der, err := base64.StdEncoding.DecodeString(a)
			if err != nil {
				return fmt.Errorf("trust: issuer %q anchor %d: bad base64", clip(bi.ID), j)
			}
			c, err := x509.ParseCertificate(der)
			if err != nil {
				return fmt.Errorf("trust: issuer %q anchor %d: %w", clip(bi.ID), j, err)
			}
			is.Anchors = append(is.Anchors, c)
		}
		is.pool()
		t.Issuers = append(t.Issuers, is)
	}
	for _, e := range b.Embassies {
		if e.Name == "" || e.Key == "" {
			return errors.New("trust: an embassy needs a name and a key")
		}
		k, err := parseVKey(e.Key)
		if err != nil || k.sigType != sigTypeCosignature {
			return fmt.Errorf("trust: embassy %q: the key must be a cosignature (type 0x04) vkey", clip(e.Name))
		}
		t.Embassies = append(t.Embassies, &Embassy{Name: e.Name, Country: e.Country, Key: e.Key, key: k})
	}
	for _, s := range b.StatusLists {
		t.StatusLists = append(t.StatusLists, []byte(s))
	}
	for i := range b.Services {
		s, err := trustservices.ParseService(&b.Services[i])
		if err != nil {
			return fmt.Errorf("trust: service %d: %w", i, err)
		}
		t.Services = append(t.Services, s)
	}
	return nil
}

func (is *Issuer) pool() {
	is.anchors = x509.NewCertPool()
	for _, c := range is.Anchors {
		is.anchors.AddCert(c)
	}
}

// bundleKey turns a bundle key entry into a Key.
func bundleKey(bk *BundleKey) (*Key, error) {
	j := &bk.JWK
	if j.Kid == "" || j.Alg == "" {
		return nil, errors.New("a trusted key needs kid and alg")
	}
	k, err := jwkKey(j)
	if err != nil {
		return nil, err
	}
	if k.NotBefore, err = parseBundleTime("not_before", bk.NotBefore); err != nil {
		return nil, err
	}
	if k.NotAfter, err = parseBundleTime("not_after", bk.NotAfter); err != nil {
		return nil, err
	}
	return k, nil
}

// jwkKey turns a JWK into a Key whose only algorithm is the JWK's alg (or,
// without alg, the algorithms of its key type).
func jwkKey(j *JWK) (*Key, error) {
	pub, err := j.PublicKey()
	if err != nil {
		return nil, err
	}
	k := &Key{ID: j.Kid, Public: pub}
	if j.Alg != "" {
		if forbiddenAlg(j.Alg) {
			return nil, fmt.Errorf("alg %q is not allowed", clip(j.Alg))
		}
		if !algFitsKey(Alg(j.Alg), pub) {
			return nil, fmt.Errorf("alg %q does not fit the key", clip(j.Alg))
		}
		k.Algs = []Alg{Alg(j.Alg)}
	} else {
		k.Algs = keyTypeAlgs(pub)
	}
	if k.Certificate, err = j.certificate(); err != nil {
		return nil, err
	}
	if isEd448(pub) {
		// crypto/x509 cannot encode Ed448, so a host could not read the
		// key either: Ed448 signatures are always checked in the verifier
		// (checkSig offers the host only keys with an SPKI).
		return k, nil
	}
	if k.spki, err = publicKeySPKI(pub); err != nil {
		return nil, err
	}
	return k, nil
}

// keyTypeAlgs are the algorithms a key may be used with when the trust does
// not fix one (a certificate given as trust): by curve for ECDSA.
func keyTypeAlgs(pub crypto.PublicKey) []Alg {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return []Alg{ES256}
		case elliptic.P384():
			return []Alg{ES384}
		case elliptic.P521():
			return []Alg{ES512}
		}
	case ed25519.PublicKey:
		return []Alg{EdDSA}
	case ed448.PublicKey:
		return []Alg{EdDSA}
	case *rsa.PublicKey:
		return []Alg{PS256, PS384, PS512, RS256, RS384, RS512}
	}
	return nil
}

func (t *Trust) addJWKS(name string, data []byte) error {
	var set jwkSet
	if err := strictUnmarshal(data, &set); err != nil {
		return fmt.Errorf("trust: JWK Set: %w", err)
	}
	if len(set.Keys) == 0 {
		return errors.New("trust: JWK Set without keys")
	}
	is := &Issuer{ID: name, Name: name}
	seen := map[string]bool{}
	for i, raw := range set.Keys {
		j, err := ParseJWK(raw)
		if err != nil {
			return fmt.Errorf("trust: JWK %d: %w", i, err)
		}
		// A set whose kids collide cannot say which key a document means
		// (Wycheproof: DuplicateKid).
		if seen[j.Kid] {
			return fmt.Errorf("trust: JWK %d: duplicate kid", i)
		}
		seen[j.Kid] = true
		k, err := jwkKey(j)
		if err != nil {
			return fmt.Errorf("trust: JWK %d: %w", i, err)
		}
		k.Issuer = is
		is.Keys = append(is.Keys, k)
	}
	is.pool()
	t.Issuers = append(t.Issuers, is)
	return nil
}

// addCertificate trusts one certificate: as an anchor for chains and as a
// key that documents may name by kid.
func (t *Trust) addCertificate(name string, der []byte) error {
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return fmt.Errorf("trust: not a trust bundle, JWK Set or certificate: %w", err)
	}
	if k, ok := c.PublicKey.(*rsa.PublicKey); ok && rocaVulnerable(k.N) {
		return errors.New("trust: certificate with an RSA key with the ROCA weakness (CVE-2017-15361)")
	}
	is := &Issuer{ID: name, Name: certName(c, name), Country: firstOf(c.Subject.Country), Anchors: []*x509.Certificate{c}}
	kids := certKIDs(c)
	k := &Key{ID: kids[0], Algs: keyTypeAlgs(c.PublicKey), Public: c.PublicKey, Certificate: c, Issuer: is, spki: c.RawSubjectPublicKeyInfo}
	if len(k.Algs) == 0 {
		return errors.New("trust: certificate key type not supported")
	}
	is.Keys = []*Key{k}
	is.pool()
	t.Issuers = append(t.Issuers, is)
	return nil
}

func certName(c *x509.Certificate, fallback string) string {
	if o := firstOf(c.Subject.Organization); o != "" {
		return o
	}
	if c.Subject.CommonName != "" {
		return c.Subject.CommonName
	}
	return fallback
}

func firstOf(s []string) string {
	if len(s) > 0 {
		return strings.TrimSpace(s[0])
	}
	return ""
}
