// Package tlog runs the transparency-log side of embassy attestations: an
// issuer's document log (stored with Tessera's POSIX driver as C2SP
// tlog-tiles), tlog proofs for documents, an embassy's cosigning key, and
// the embassy's mirror with its tlog-witness endpoint. It issues and
// cosigns, so it lives outside verifier/, which only checks.
package tlog

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/apostille/apostille/verifier"
	"golang.org/x/mod/sumdb/note"
)

// Kind is what a key is for. Logs and trust-list operators sign notes with
// Ed25519 (signature type 0x01); embassies cosign checkpoints with
// timestamped Ed25519 cosignatures (type 0x04, c2sp.org/tlog-cosignature).
type Kind string

const (
	KindLog      Kind = "log"
	KindEmbassy  Kind = "embassy"
	KindOperator Kind = "operator"
)

// Signature type bytes of c2sp.org/signed-note.
const (
	typeEd25519     = 0x01
	typeCosignature = 0x04
)

// ParseKind reads a kind name.
func ParseKind(s string) (Kind, error) {
	switch k := Kind(s); k {
	case KindLog, KindEmbassy, KindOperator:
		return k, nil
	}
	return "", fmt.Errorf("unknown key kind %q (log, embassy or operator)", s)
}

// GenerateKey makes a key named name. The private key (skey) is in x/mod's
// note format, "PRIVATE+KEY+<name>+<id>+<base64(0x01 || seed)>", for every
// kind: an embassy's cosignature identity is derived from the same Ed25519
// key with type 0x04, as github.com/transparency-dev/formats does. The
// verifier key (vkey) is the one a trust bundle or policy lists.
func GenerateKey(rand io.Reader, kind Kind, name string) (skey, vkey string, err error) {
	if _, err := ParseKind(string(kind)); err != nil {
		return "", "", err
	}
	if !validName(name) {
		return "", "", errors.New("a key name must be non-empty, without spaces or '+'")
	}
	seed := make([]byte, ed25519.SeedSize)
	if _, err := io.ReadFull(rand, seed); err != nil {
		return "", "", err
	}
	skey = SKey(name, seed)
	vkey, err = VKey(skey, kind)
	return skey, vkey, err
}

// SKey writes a private key for an Ed25519 seed.
func SKey(name string, seed []byte) string {
	pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	raw := append([]byte{typeEd25519}, seed...)
	return fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", name, keyID(name, typeEd25519, pub), base64.StdEncoding.EncodeToString(raw))
}

// VKey is the verifier key of skey for a kind of use.
func VKey(skey string, kind Kind) (string, error) {
	name, priv, err := parseSKey(skey)
	if err != nil {
		return "", err
	}
	typ := byte(typeEd25519)
	if kind == KindEmbassy {
		typ = typeCosignature
	}
	return vkeyFor(name, typ, priv.Public().(ed25519.PublicKey)), nil
}

func vkeyFor(name string, typ byte, pub ed25519.PublicKey) string {
	return fmt.Sprintf("%s+%08x+%s", name, keyID(name, typ, pub), base64.StdEncoding.EncodeToString(append([]byte{typ}, pub...)))
}

// NewLogSigner is the note signer of a log (or operator) key.
func NewLogSigner(skey string) (note.Signer, error) {
	return note.NewSigner(strings.TrimSpace(skey))
}

func parseSKey(skey string) (string, ed25519.PrivateKey, error) {
	parts := strings.SplitN(strings.TrimSpace(skey), "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" || !validName(parts[2]) || len(parts[3]) != 8 {
		return "", nil, errors.New("malformed private key")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != typeEd25519 {
		return "", nil, errors.New("malformed private key (Ed25519 expected)")
	}
	priv := ed25519.NewKeyFromSeed(raw[1:])
	id, err := strconv.ParseUint(parts[3], 16, 32)
	if err != nil || uint32(id) != keyID(parts[2], typeEd25519, priv.Public().(ed25519.PublicKey)) {
		return "", nil, errors.New("private key ID does not match the key")
	}
	return parts[2], priv, nil
}

func keyID(name string, typ byte, pub ed25519.PublicKey) uint32 {
	h := sha256.New()
	h.Write([]byte(name + "\n"))
	h.Write([]byte{typ})
	h.Write(pub)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

func validName(name string) bool {
	return name != "" && utf8.ValidString(name) && strings.IndexFunc(name, unicode.IsSpace) < 0 && !strings.Contains(name, "+")
}

// Cosigner makes an embassy's timestamped Ed25519 cosignatures
// (c2sp.org/tlog-cosignature, cosignature/v1). It is a note.Signer whose
// timestamp comes from Clock, so that tests and the demo are repeatable.
type Cosigner struct {
	name  string
	hash  uint32
	priv  ed25519.PrivateKey
	Clock func() time.Time
}

// NewCosigner reads an embassy's private key.
func NewCosigner(skey string) (*Cosigner, error) {
	name, priv, err := parseSKey(skey)
	if err != nil {
		return nil, err
	}
	return &Cosigner{name: name, priv: priv, hash: keyID(name, typeCosignature, priv.Public().(ed25519.PublicKey)), Clock: time.Now}, nil
}

func (c *Cosigner) Name() string    { return c.name }
func (c *Cosigner) KeyHash() uint32 { return c.hash }

// VKey is the cosigner's verifier key (type 0x04).
func (c *Cosigner) VKey() string {
	return vkeyFor(c.name, typeCosignature, c.priv.Public().(ed25519.PublicKey))
}

// Sign cosigns a checkpoint's note text at the clock's time: the 8-byte
// big-endian timestamp, then Ed25519 over the cosignature/v1 message.
func (c *Cosigner) Sign(text []byte) ([]byte, error) {
	t := c.Clock().Unix()
	if t < 0 {
		return nil, errors.New("cosigner clock before 1970")
	}
	sig := binary.BigEndian.AppendUint64(nil, uint64(t))
	return append(sig, ed25519.Sign(c.priv, verifier.CosignatureMessage(uint64(t), text))...), nil
}

// SignatureLine cosigns the note text of a checkpoint and returns the
// signature line to append to it ("— <name> <base64>\n").
func (c *Cosigner) SignatureLine(text []byte) (string, error) {
	sig, err := c.Sign(text)
	if err != nil {
		return "", err
	}
	return SignatureLine(c.name, c.hash, sig), nil
}

// SignatureLine formats a signed-note signature line.
func SignatureLine(name string, hash uint32, sig []byte) string {
	return "— " + name + " " + base64.StdEncoding.EncodeToString(append(binary.BigEndian.AppendUint32(nil, hash), sig...)) + "\n"
}
