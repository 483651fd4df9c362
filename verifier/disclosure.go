package verifier

import (
	"crypto"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"hash"
	"unsafe"
)

// SD-JWT disclosures (RFC 9901 sections 4.2 and 7.1): each disclosure is
// hashed exactly as received, and its digest must appear exactly once in
// the issuer-signed payload or in another disclosure.

// maxSDDepth bounds how deeply disclosures and the objects they fill may
// nest, so that a chain of disclosures cannot exhaust the stack.
const maxSDDepth = 64

// sdHashes are the hash algorithms of _sd_alg, by their IANA "Named
// Information Hash Algorithm" names (RFC 9901 section 4.1.1).
var sdHashes = map[string]func() hash.Hash{
	"sha-256": sha256.New,
	"sha-384": sha512.New384,
	"sha-512": sha512.New,
}

// sdError is a failed disclosure rule with its reason.
type sdError struct {
	reason Reason
	msg    string
}

func (e *sdError) Error() string { return e.msg }

// Error constructors stay out of line (go:noinline): they run only on a
// failure, and a copy of Sprintf's call at each of dozens of call sites
// costs the WebAssembly module's download (docs/PERFORMANCE.md, Module size).
//
//go:noinline
func sdMismatch(format string, a ...any) error {
	return &sdError{DisclosureMismatch, fmt.Sprintf(format, a...)}
}

//go:noinline
func sdMalformed(format string, a ...any) error {
	return &sdError{Malformed, fmt.Sprintf(format, a...)}
}

// disclosure is one decoded disclosure.
type disclosure struct {
	name  string // empty for an array element
	array bool
	value any
	used  bool
}

// sdHashIDOf is the crypto.Hash of an sdHashes name, for a HashFunc; 0
// for another name.
func sdHashIDOf(name string) crypto.Hash {
	switch name {
	case "sha-256":
		return crypto.SHA256
	case "sha-384":
		return crypto.SHA384
	case "sha-512":
		return crypto.SHA512
	}
	return 0
}

// sdDigestWith is sdDigest with the host's digest when hf offers one: the
// key binding's sd_hash covers the whole presentation, kilobytes that the
// module's own SHA-256 hashes at about 45 µs a KiB.
func sdDigestWith(hf HashFunc, id crypto.Hash, s []byte) string {
	h := hf.new(id)
	h.Write(s)
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

// sdDigest is base64url(hash(ASCII(s))), over the string as received.
func sdDigest(newHash func() hash.Hash, s []byte) string {
	h := newHash()
	h.Write(s)
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

// sdDigester is sdDigest for many strings: one hash, reset between them,
// and one buffer for the sum and its base64url, so that a digest costs one
// allocation (its string) where sdDigest's cost four; a presentation
// carries a dozen disclosures.
type sdDigester struct {
	h   hash.Hash
	buf []byte
	// out holds the digests' text, each string a view of its part: the
	// digests of a presentation are one allocation. Appending never
	// writes the bytes of an earlier digest.
	out []byte
}

// newSDDigester makes a digester for n digests.
func newSDDigester(newHash func() hash.Hash, n int) *sdDigester {
	h := newHash()
	return &sdDigester{h: h, buf: make([]byte, 0, 64+88), out: make([]byte, 0, n*base64.RawURLEncoding.EncodedLen(h.Size()))}
}

// digest is sdDigest(newHash, s).
func (d *sdDigester) digest(s []byte) string {
	d.h.Reset()
	d.h.Write(s)
	sum := d.h.Sum(d.buf[:0])
	start := len(d.out)
	d.out = base64.RawURLEncoding.AppendEncode(d.out, sum)
	return unsafe.String(unsafe.SliceData(d.out[start:]), len(d.out)-start)
}

// decodeDisclosures decodes every disclosure and indexes it by digest. A
// disclosure presented twice is refused: it would be one claim said twice.
func decodeDisclosures(raws [][]byte, newHash func() hash.Hash) (map[string]*disclosure, error) {
	out := make(map[string]*disclosure, len(raws))
	digester := newSDDigester(newHash, len(raws))
	// One buffer for the decoded disclosures and one array for their
	// entries, rather than one allocation of each per disclosure.
	size := 0
	for _, raw := range raws {
		size += base64.RawURLEncoding.DecodedLen(len(raw))
	}
	decoded := make([]byte, size)
	entries := make([]disclosure, len(raws))
	for i, raw := range raws {
		n := base64.RawURLEncoding.DecodedLen(len(raw))
		b, err := b64urlInto(decoded[:n:n], raw)
		decoded = decoded[n:]
		if err != nil {
			return nil, sdMalformed("disclosure %d is not base64url", i)
		}
		// b is this function's own and never written again: the
		// claims' strings may be views of it.
		dj, err := parseDisclosureJSON(b)
		if err != nil {
			return nil, sdMalformed("disclosure %d is not valid JSON: %v", i, err)
		}
		if !dj.isArray {
			return nil, sdMalformed("disclosure %d is not a JSON array", i)
		}
		if dj.n < 2 || dj.n > 3 {
			return nil, sdMalformed("disclosure %d is not [salt, name, value] nor [salt, value]", i)
		}
		if !dj.saltText {
			return nil, sdMalformed("disclosure %d has a salt that is not text", i)
		}
		d := &entries[i]
		*d = disclosure{array: dj.n == 2, value: dj.value}
		if !d.array {
			if !dj.nameText {
				return nil, sdMalformed("disclosure %d has a claim name that is not text", i)
			}
			name := dj.name
			// These names are the mechanism's own (RFC 9901 section 7.1).
			if name == "_sd" || name == "..." {
				return nil, sdMalformed("disclosure %d discloses a claim named %q", i, name)
			}
			d.name = name
		}
		digest := digester.digest(raw)
		if _, dup := out[digest]; dup {
			return nil, sdMismatch("disclosure %d is presented twice", i)
		}
		out[digest] = d
	}
	return out, nil
}

// notDisclosable are the claims an SD-JWT VC never makes selectively
// disclosable (draft-ietf-oauth-sd-jwt-vc, "Claims" section): the verifier
// acts on each (issuer, validity, holder key, type, revocation), and a
// holder who could withhold one would withhold exp or status. Held to every
// SD-JWT, whose same claims the verifier acts on alike.
var notDisclosable = map[string]bool{
	"iss": true, "nbf": true, "exp": true, "cnf": true,
	"vct": true, "vct#integrity": true, "status": true,
}

// sdProcessor replaces digests by the disclosed claims.
type sdProcessor struct {
	disclosures map[string]*disclosure
	seen        map[string]bool
	undisclosed int // digests without a disclosure: withheld or decoys
}

// processSD applies the disclosures to the issuer-signed payload (RFC 9901
// section 7.1 step 3) and returns the processed payload. Every digest may
// occur once, every disclosure must be used once.
func processSD(payload map[string]any, disclosures map[string]*disclosure) (map[string]any, int, error) {
	p := &sdProcessor{disclosures: disclosures, seen: make(map[string]bool, len(disclosures))}
	out, err := p.object(payload, 0)
	if err != nil {
		return nil, 0, err
	}
	for _, d := range disclosures {
		if !d.used {
			name := d.name
			if d.array {
				name = "an array element"
			}
			return nil, 0, sdMismatch("the disclosure of %s is not referenced by the issuer-signed data", clip(name))
		}
	}
	return out, p.undisclosed, nil
}

// take looks up a digest, refusing one seen before.
func (p *sdProcessor) take(x any) (*disclosure, error) {
	digest, ok := x.(string)
	if !ok {
		return nil, sdMalformed("a digest is not text")
	}
	if p.seen[digest] {
		return nil, sdMismatch("a digest occurs twice in the issuer-signed data")
	}
	p.seen[digest] = true
	d := p.disclosures[digest]
	if d == nil {
		p.undisclosed++
		return nil, nil
	}
	d.used = true
	return d, nil
}

func (p *sdProcessor) value(x any, depth int) (any, error) {
	switch v := x.(type) {
	case map[string]any:
		return p.object(v, depth+1)
	case []any:
		return p.array(v, depth+1)
	}
	return x, nil
}

func (p *sdProcessor) object(m map[string]any, depth int) (map[string]any, error) {
	if depth > maxSDDepth {
		return nil, &sdError{LimitExceeded, fmt.Sprintf("disclosed claims nest deeper than %d", maxSDDepth)}
	}
	out := make(map[string]any, len(m))
	for k, x := range m {
		if k == "_sd" {
			continue
		}
		val, err := p.value(x, depth)
		if err != nil {
			return nil, err
		}
		out[k] = val
	}
	sd, present := m["_sd"]
	if !present {
		return out, nil
	}
	digests, ok := sd.([]any)
	if !ok {
		return nil, sdMalformed("_sd is not an array")
	}
	for _, x := range digests {
		d, err := p.take(x)
		if err != nil {
			return nil, err
		}
		if d == nil {
			continue
		}
		if d.array {
			return nil, sdMismatch("an array element's disclosure is referenced as an object property")
		}
		if depth == 0 && notDisclosable[d.name] {
			return nil, sdMalformed("%s is selectively disclosable; it must be in the issuer-signed claims", d.name)
		}
		if _, exists := out[d.name]; exists {
			return nil, sdMismatch("the disclosure of %q would overwrite a claim", clip(d.name))
		}
		val, err := p.value(d.value, depth)
		if err != nil {
			return nil, err
		}
		out[d.name] = val
	}
	return out, nil
}

func (p *sdProcessor) array(a []any, depth int) ([]any, error) {
	if depth > maxSDDepth {
		return nil, &sdError{LimitExceeded, fmt.Sprintf("disclosed claims nest deeper than %d", maxSDDepth)}
	}
	out := make([]any, 0, len(a))
	for _, x := range a {
		if m, ok := x.(map[string]any); ok && len(m) == 1 {
			if digest, isRef := m["..."]; isRef {
				d, err := p.take(digest)
				if err != nil {
					return nil, err
				}
				if d == nil {
					continue
				}
				if !d.array {
					return nil, sdMismatch("an object property's disclosure is referenced as an array element")
				}
				x = d.value
			}
		}
		val, err := p.value(x, depth)
		if err != nil {
			return nil, err
		}
		out = append(out, val)
	}
	return out, nil
}

// disclosureJSON is what decodeDisclosures reads of a disclosure's JSON:
// whether it is an array, its length, whether its first two elements are
// text, the second as text, and its last element (the value).
type disclosureJSON struct {
	isArray            bool
	n                  int
	saltText, nameText bool
	name               string
	value              any
}

// parseDisclosureJSON is parseJSONOwned(data, true) read as
// decodeDisclosures reads it, with the same acceptance and errors: a
// top-level array is parsed element by element, so that the salt and the
// name, text that is only looked at, are neither built into a []any nor
// boxed as values (inside the WebAssembly module each allocation costs
// more than parsing the string). Anything else is parsed by
// parseJSONOwned. data must not be written again.
func parseDisclosureJSON(data []byte) (disclosureJSON, error) {
	var dj disclosureJSON
	p := jsonParser{jsonDecoder: jsonDecoder{data: data, useNumber: true}}
	p.arena = unsafe.String(unsafe.SliceData(data), len(data))
	p.ws()
	if p.i >= len(data) || data[p.i] != '[' {
		v, err := parseJSONOwned(data, true)
		if err != nil {
			return dj, err
		}
		if arr, ok := v.([]any); ok { // not reached: an array starts with '['
			dj.isArray, dj.n = true, len(arr)
		}
		return dj, nil
	}
	// parray at depth 0, called by top: the same steps.
	dj.isArray = true
	var second any
	p.i++ // [
	p.ws()
	if p.i < len(data) && data[p.i] == ']' {
		p.i++
	} else {
		for p.err == nil {
			p.ws()
			var v any
			if dj.n < 2 && p.i < len(data) && data[p.i] == '"' {
				// pvalue(1) of a string, not boxed.
				s, _ := p.pstr(false)
				if dj.n == 0 {
					dj.saltText = true
				} else {
					dj.nameText, dj.name = true, s
				}
			} else {
				v = p.pvalue(1)
				if dj.n == 1 {
					second = v
				}
			}
			if p.err != nil {
				break
			}
			if dj.n == 2 {
				dj.value = v
			}
			dj.n++
			if p.next(']') {
				break
			}
		}
	}
	if p.err == nil {
		p.ws()
		if p.i != len(data) {
			p.err = errJSONSyntax
		}
	}
	if p.err != nil {
		return disclosureJSON{}, p.err
	}
	if dj.n == 2 {
		if dj.nameText {
			dj.value = dj.name
		} else {
			dj.value = second
		}
	}
	return dj, nil
}
