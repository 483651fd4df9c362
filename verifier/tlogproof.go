package verifier

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math/bits"
	"strings"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// tlogProofHeader is the first line of a c2sp.org/tlog-proof@v1.
const tlogProofHeader = "c2sp.org/tlog-proof@v1"

// Limits on untrusted proofs. A tree of fewer than 2^64 leaves has
// inclusion paths of at most 64 hashes; the size bound leaves room for a
// checkpoint with the 100 signature lines x/mod's note parser accepts.
const (
	maxProofHashes = 64
	maxProofSize   = 128 << 10
)

// tlogProof is a parsed c2sp.org/tlog-proof@v1.
type tlogProof struct {
	// extra is the optional opaque data. It is not authenticated by
	// anything, so the verifier never reads meaning into it.
	extra      []byte
	hasExtra   bool
	index      uint64
	path       [][]byte // inclusion proof, leaf's sibling first
	checkpoint []byte   // the signed checkpoint note, verbatim
}

// parseTLogProof reads a proof strictly: header, optional extra line,
// index line, hash lines, an empty line, then the checkpoint.
func parseTLogProof(b []byte) (*tlogProof, error) {
	if len(b) > maxProofSize {
		return nil, fmt.Errorf("tlog proof larger than %d bytes", maxProofSize)
	}
	head, cp, ok := bytes.Cut(b, []byte("\n\n"))
	if !ok || len(cp) == 0 {
		return nil, errors.New("malformed tlog proof: no checkpoint after an empty line")
	}
	lines := strings.Split(string(head), "\n")
	if lines[0] != tlogProofHeader {
		return nil, errors.New("malformed tlog proof: not c2sp.org/tlog-proof@v1")
	}
	p := &tlogProof{checkpoint: cp}
	lines = lines[1:]
	if len(lines) > 0 && strings.HasPrefix(lines[0], "extra ") {
		extra, err := base64.StdEncoding.Strict().DecodeString(lines[0][len("extra "):])
		if err != nil || strings.ContainsAny(lines[0], "\r") {
			return nil, errors.New("malformed tlog proof: extra data is not base64")
		}
		p.extra, p.hasExtra = extra, true
		lines = lines[1:]
	}
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "index ") {
		return nil, errors.New("malformed tlog proof: no index line")
	}
	idx, ok := parseDecimal(lines[0][len("index "):])
	if !ok {
		return nil, errors.New("malformed tlog proof: bad index")
	}
	p.index = idx
	lines = lines[1:]
	if len(lines) > maxProofHashes {
		return nil, fmt.Errorf("malformed tlog proof: more than %d hashes", maxProofHashes)
	}
	for i, l := range lines {
		h, ok := parseHash(l)
		if !ok {
			return nil, fmt.Errorf("malformed tlog proof: hash line %d", i+1)
		}
		p.path = append(p.path, h)
	}
	return p, nil
}

// EntryHash is the log entry of a document: SHA-256 of the document's bytes
// exactly as received (no trimming, no decoding). docs/embassy-attestations.md.
func EntryHash(doc []byte) []byte {
	h := sha256.Sum256(doc)
	return h[:]
}

// LeafHash is the RFC 6962 leaf hash of a document's entry:
// SHA-256(0x00 || SHA-256(document)).
func LeafHash(doc []byte) []byte {
	return rfc6962.DefaultHasher.HashLeaf(EntryHash(doc))
}

// leafHash is LeafHash with the entry hash made by hf: an attested
// document may be a container of tens of MiB.
func leafHash(doc []byte, hf HashFunc) []byte {
	d := hf.new(crypto.SHA256)
	d.Write(doc)
	return rfc6962.DefaultHasher.HashLeaf(d.Sum(nil))
}

// inclusionSize is the length of the inclusion path of index in a tree of
// size leaves (RFC 6962 section 2.1.1), for index < size: the levels below
// where the paths to index and to the last leaf part (inner), plus one hash
// per complete subtree to the right of that point on the way up (border).
func inclusionSize(index, size uint64) int {
	inner := bits.Len64(index ^ (size - 1))
	return inner + bits.OnesCount64(index>>uint(inner))
}

// verifyInclusion checks that leaf is at index in the tree of size leaves
// with the given root. Malformed input (index out of range, a path of the
// wrong length, hashes of the wrong size) and a root mismatch both fail;
// the error says which.
func verifyInclusion(leaf []byte, index, size uint64, path [][]byte, root []byte) error {
	switch {
	case index >= size:
		return fmt.Errorf("index %d is not in a tree of %d entries", index, size)
	case len(path) != inclusionSize(index, size):
		return fmt.Errorf("the inclusion path has %d hashes; index %d of %d needs %d", len(path), index, size, inclusionSize(index, size))
	}
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, index, size, leaf, path, root); err != nil {
		return errors.New("the inclusion path does not lead to the checkpoint's root")
	}
	return nil
}
