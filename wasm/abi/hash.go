package abi

// Host hashing (docs/abi.md, apostille_host.hash_update): the module's
// SHA-2 is Go's generic code compiled to wasm, 20-40 times slower than the
// host's native SHA, and a container's data files are tens of MiB of it.
// The host's primitive is stateless: the module hands it a digest's state
// in the marshalled form of Go's crypto/sha256 and crypto/sha512 digests
// (encoding.BinaryMarshaler: a versioned magic, the chaining values, the
// pending partial block and the length), the data, and a buffer for the new
// state. The host keeps nothing between calls, and the module finishes
// every digest itself from the last state, so a host that does not answer
// costs one call and nothing else.
//
// Both sides are here: HashUpdate is what the Go host computes, HostHasher
// the module's digests around the import.

import (
	"crypto"
	"crypto/sha256"
	"crypto/sha512"
	"encoding"
	"hash"
)

// The host's hash update, which the module imports, and the algorithms it
// carries. A negative answer (HashNotHandled) says the host did not hash:
// the module hashes the data itself.
const (
	ImportHashUpdate = "hash_update"

	HashSHA256 = 1
	HashSHA384 = 2
	HashSHA512 = 3

	HashNotHandled = -1

	// HashStateCap is the size of the buffer the module gives for the new
	// state: room for the largest state, SHA-512's 204 bytes.
	HashStateCap = 256
)

// HashAlg is h's algorithm number for hash_update, 0 for one the import
// does not carry.
func HashAlg(h crypto.Hash) uint32 {
	switch h {
	case crypto.SHA256:
		return HashSHA256
	case crypto.SHA384:
		return HashSHA384
	case crypto.SHA512:
		return HashSHA512
	}
	return 0
}

// newHash is the digest of an algorithm number, nil for an unknown one.
func newHash(alg uint32) hash.Hash {
	switch alg {
	case HashSHA256:
		return sha256.New()
	case HashSHA384:
		return sha512.New384()
	case HashSHA512:
		return sha512.New()
	}
	return nil
}

// HashUpdate is the host's side of hash_update: it restores a digest of
// algorithm alg from state, writes data to it and appends the new state to
// out. ok is false, and the host answers HashNotHandled, for an unknown
// algorithm or a state that is not one of alg's (the digest's own
// UnmarshalBinary checks its magic and length).
func HashUpdate(alg uint32, state, data, out []byte) (_ []byte, ok bool) {
	d := newHash(alg)
	if d == nil || d.(encoding.BinaryUnmarshaler).UnmarshalBinary(state) != nil {
		return out, false
	}
	d.Write(data)
	out, err := d.(encoding.BinaryAppender).AppendBinary(out)
	return out, err == nil
}

// Sizes of the module's side. Writes are gathered into hostChunk bytes
// before they cross (a call costs a state round trip, and inflating hands
// a container's entries over in pieces of up to 32 KiB); a digest that
// never gathers hostChunk bytes is hashed in the module alone, as is a
// final remainder of less than hostTail bytes.
const (
	hostChunk = 64 << 10
	hostTail  = 4 << 10
)

// HashUpdateFunc calls the host's hash_update: alg, the state, the data and
// the buffer for the new state; it returns the new state's length or a
// negative number.
type HashUpdateFunc func(alg uint32, state, data, out []byte) int32

// HostHasher makes the module's digests that hand large writes to the host.
// After one answer that is not a state it can restore (a host without
// native hashing, as browsers are), every digest it makes or made is the
// module's own: a HostHasher belongs to one instance, whose calls never
// run concurrently.
type HostHasher struct {
	Update HashUpdateFunc
	off    bool
}

// New returns a digest of h that hands large writes to the host, or nil
// (the verifier's own digest) when the import does not carry h or the host
// does not hash. It fits verifier.HashFunc.
func (hh *HostHasher) New(h crypto.Hash) hash.Hash {
	alg := HashAlg(h)
	if hh.off || alg == 0 {
		return nil
	}
	return &hostHash{hh: hh, alg: alg, own: newHash(alg)}
}

// hostHash is a digest whose state is own's, but for the bytes gathered in
// buf: the host's answers are restored into own, so that Sum, a refused
// answer and a host that gives up all continue from own.
type hostHash struct {
	hh    *HostHasher
	alg   uint32
	own   hash.Hash
	buf   []byte
	state [HashStateCap]byte
	next  [HashStateCap]byte
}

func (d *hostHash) Write(p []byte) (int, error) {
	n := len(p)
	if d.hh.off {
		d.drain()
		d.own.Write(p)
		return n, nil
	}
	if len(d.buf)+len(p) < hostChunk {
		d.buf = append(d.buf, p...)
		return n, nil
	}
	if len(d.buf) > 0 {
		k := hostChunk - len(d.buf)
		d.buf = append(d.buf, p[:k]...)
		p = p[k:]
		d.send(d.buf)
		d.buf = d.buf[:0]
	}
	if len(p) >= hostChunk {
		// Large writes (a stored entry is one) cross as they are.
		d.send(p)
		p = nil
	}
	d.buf = append(d.buf, p...)
	return n, nil
}

// send hashes data through the host, or in the module when the host does
// not answer with a state own can restore.
func (d *hostHash) send(data []byte) {
	if !d.hh.off {
		st, err := d.own.(encoding.BinaryAppender).AppendBinary(d.state[:0])
		if err == nil && len(st) <= len(d.state) {
			n := d.hh.Update(d.alg, st, data, d.next[:])
			if n > 0 && int(n) <= len(d.next) && d.own.(encoding.BinaryUnmarshaler).UnmarshalBinary(d.next[:n]) == nil {
				return
			}
		}
		// The digest's UnmarshalBinary checks the magic and the size before
		// it changes anything, so own still holds the state before data.
		d.hh.off = true
	}
	d.own.Write(data)
}

// drain writes the gathered bytes into own.
func (d *hostHash) drain() {
	d.own.Write(d.buf)
	d.buf = d.buf[:0]
}

// Sum finishes in the module from the last state. The gathered bytes are
// hashed first (by the host when there are enough of them) and the buffer
// is released: a container's data file is summed once, right after it was
// inflated.
func (d *hostHash) Sum(b []byte) []byte {
	if len(d.buf) >= hostTail {
		d.send(d.buf)
	} else {
		d.own.Write(d.buf)
	}
	d.buf = nil
	return d.own.Sum(b)
}

func (d *hostHash) Reset() {
	d.own.Reset()
	d.buf = d.buf[:0]
}

func (d *hostHash) Size() int      { return d.own.Size() }
func (d *hostHash) BlockSize() int { return d.own.BlockSize() }
