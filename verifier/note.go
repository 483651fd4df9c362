package verifier

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
)

// Signature types of signed-note verifier keys (c2sp.org/signed-note).
const (
	sigTypeEd25519     = 0x01 // a log's checkpoint signature
	sigTypeCosignature = 0x04 // a timestamped Ed25519 cosignature (c2sp.org/tlog-cosignature)
)

// noteKey is a parsed signed-note verifier key (vkey):
// <name>+<hex key ID>+base64(<type byte> || <public key>).
type noteKey struct {
	name    string
	hash    uint32 // the key ID: SHA-256(name || "\n" || type || key)[:4]
	sigType byte
	pub     ed25519.PublicKey
	spki    []byte // for the host's CryptoFunc
}

var errVKey = errors.New("malformed verifier key")

// parseVKey reads a vkey of one of the two types attestations use. The key
// ID must be the one the name and key imply, so that a vkey cannot claim
// another key's identity.
func parseVKey(vkey string) (*noteKey, error) {
	name, rest, ok1 := strings.Cut(vkey, "+")
	id, b64, ok2 := strings.Cut(rest, "+")
	if !ok1 || !ok2 || !validKeyName(name) || len(id) != 8 {
		return nil, errVKey
	}
	hash, err := strconv.ParseUint(id, 16, 32)
	if err != nil || strings.ToLower(id) != id {
		return nil, errVKey
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(b64)
	if err != nil || len(raw) != 1+ed25519.PublicKeySize {
		return nil, errVKey
	}
	if raw[0] != sigTypeEd25519 && raw[0] != sigTypeCosignature {
		return nil, errors.New("verifier key type not supported (Ed25519 0x01 and cosignature 0x04 are)")
	}
	if uint32(hash) != keyID(name, raw) {
		return nil, errors.New("verifier key ID does not match its name and key")
	}
	k := &noteKey{name: name, hash: uint32(hash), sigType: raw[0], pub: ed25519.PublicKey(raw[1:])}
	if k.spki, err = publicKeySPKI(k.pub); err != nil {
		return nil, errVKey
	}
	return k, nil
}

// keyID is the signed-note key ID of a name and its typed public key.
func keyID(name string, typedKey []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{'\n'})
	h.Write(typedKey)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// validKeyName is the signed-note rule: non-empty, no Unicode space, no "+".
func validKeyName(name string) bool {
	return name != "" && utf8.ValidString(name) && strings.IndexFunc(name, unicode.IsSpace) < 0 && !strings.Contains(name, "+")
}

// verifyEd25519 checks an Ed25519 signature, offering it to the host first
// like every other signature check of the verifier.
func (k *noteKey) verifyEd25519(o *Options, msg, sig []byte) bool {
	if len(sig) != ed25519.SignatureSize {
		return false
	}
	if o != nil && o.Crypto != nil {
		if valid, handled := o.Crypto(string(EdDSA), k.spki, msg, sig); handled {
			return valid
		}
	}
	return VerifyPrimitive(string(EdDSA), k.pub, msg, sig) == nil
}

// noteVerifier adapts a log key to golang.org/x/mod/sumdb/note, which
// parses the signed note and dispatches signature lines by name and key ID.
type noteVerifier struct {
	k    *noteKey
	opts *Options
}

func (v noteVerifier) Name() string    { return v.k.name }
func (v noteVerifier) KeyHash() uint32 { return v.k.hash }
func (v noteVerifier) Verify(msg, sig []byte) bool {
	return v.k.verifyEd25519(v.opts, msg, sig)
}

// openNote parses a signed note and verifies the signatures of the given
// log keys. Signatures of other keys (cosignatures among them) come back
// unverified in Note.UnverifiedSigs. Errors are x/mod's: a malformed note,
// *note.UnverifiedNoteError (no known key signed) or
// *note.InvalidSignatureError (a known key's signature is bad).
func openNote(msg []byte, logs []*noteKey, o *Options) (*note.Note, error) {
	vs := make([]note.Verifier, 0, len(logs))
	for _, k := range logs {
		vs = append(vs, noteVerifier{k: k, opts: o})
	}
	return note.Open(msg, note.VerifierList(vs...))
}
