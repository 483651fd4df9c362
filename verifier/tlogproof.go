package verifier

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math/bits"

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
// index line, hash lines, an empty line, then the checkpoint. It reads the
// lines in place and decodes the hashes into one array: an attestation is
// checked for most documents, and inside the WebAssembly module each
// allocation costs more than decoding a hash.
func parseTLogProof(b []byte) (*tlogProof, error) {
	if len(b) > maxProofSize {
		return nil, fmt.Errorf("tlog proof larger than %d bytes", maxProofSize)
	}
	head, cp, ok := bytes.Cut(b, []byte("\n\n"))
	if !ok || len(cp) == 0 {
		return nil, errors.New("malformed tlog proof: no checkpoint after an empty line")
	}
	line, rest, more := bytes.Cut(head, []byte{'\n'})
	if string(line) != tlogProofHeader {
		return nil, errors.New("malformed tlog proof: not c2sp.org/tlog-proof@v1")
	}
	p := &tlogProof{checkpoint: cp}
	// next takes the following line, reporting false after the last.
	next := func() bool {
		if !more {
			return false
		}
		line, rest, more = bytes.Cut(rest, []byte{'\n'})
		return true
	}
	have := next()
	if have && bytes.HasPrefix(line, []byte("extra ")) {
		extra, err := base64.StdEncoding.Strict().DecodeString(string(line[len("extra "):]))
		if err != nil || bytes.IndexByte(line, '\r') >= 0 {
			return nil, errors.New("malformed tlog proof: extra data is not base64")
		}
		p.extra, p.hasExtra = extra, true
		have = next()
	}
	if !have || !bytes.HasPrefix(line, []byte("index ")) {
		return nil, errors.New("malformed tlog proof: no index line")
	}
	idx, ok := parseDecimal(string(line[len("index "):]))
	if !ok {
		return nil, errors.New("malformed tlog proof: bad index")
	}
	p.index = idx
	n := 0
	if more {
		n = bytes.Count(rest, []byte{'\n'}) + 1
	}
	if n > maxProofHashes {
		return nil, fmt.Errorf("malformed tlog proof: more than %d hashes", maxProofHashes)
	}
	if n == 0 {
		return p, nil
	}
	hashes := make([]byte, n*sha256.Size)
	p.path = make([][]byte, 0, n)
	for i := 0; next(); i++ {
		h := hashes[i*sha256.Size : (i+1)*sha256.Size : (i+1)*sha256.Size]
		if !decodeHash(h, line) {
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
func verifyInclusion(hf HashFunc, leaf []byte, index, size uint64, path [][]byte, root []byte) error {
	switch {
	case index >= size:
		return fmt.Errorf("index %d is not in a tree of %d entries", index, size)
	case len(path) != inclusionSize(index, size):
		return fmt.Errorf("the inclusion path has %d hashes; index %d of %d needs %d", len(path), index, size, inclusionSize(index, size))
	}
	if !inclusionLeadsTo(hf, leaf, index, size, path, root) {
		return errors.New("the inclusion path does not lead to the checkpoint's root")
	}
	return nil
}

// inclusionLeadsTo is proof.VerifyInclusion with RFC 6962 hashing for a
// path of inclusionSize(index, size) hashes, index < size: whether the
// path climbs from leaf to root. It hashes with one digest of hf's (a
// level's node crosses to the host in the module: digestIs says why), where
// the library allocates two digests a level.
func inclusionLeadsTo(hf HashFunc, leaf []byte, index, size uint64, path [][]byte, root []byte) bool {
	if len(leaf) != sha256.Size {
		return false
	}
	for _, h := range path {
		if len(h) != sha256.Size {
			return false
		}
	}
	// The levels below where the paths to index and to the last leaf part
	// (inner): the node is the left or right child by index's bit; above,
	// the path's hashes are complete subtrees on the left (border).
	inner := bits.Len64(index ^ (size - 1))
	var node [sha256.Size]byte
	copy(node[:], leaf)
	var buf [1 + 2*sha256.Size]byte
	buf[0] = rfc6962.RFC6962NodeHashPrefix
	d := hf.new(crypto.SHA256)
	for i, h := range path {
		if i < inner && (index>>uint(i))&1 == 0 {
			copy(buf[1:], node[:])
			copy(buf[1+sha256.Size:], h)
		} else {
			copy(buf[1:], h)
			copy(buf[1+sha256.Size:], node[:])
		}
		d.Reset()
		d.Write(buf[:])
		d.Sum(node[:0])
	}
	return bytes.Equal(node[:], root)
}

// decodeHash decodes one SHA-256 hash in standard, padded base64 into dst
// (sha256.Size bytes), as parseHash reads it.
func decodeHash(dst, s []byte) bool {
	if len(s) != 44 {
		return false
	}
	var b [33]byte // base64's decoded length of 44 characters
	n, err := base64.StdEncoding.Strict().Decode(b[:], s)
	if err != nil || n != sha256.Size {
		return false
	}
	copy(dst, b[:n])
	return true
}
