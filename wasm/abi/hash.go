package abi

// Host hashing (docs/abi.md, apostille_host.hash_update): the module's
// SHA-2 and CRC-32 are Go code compiled to wasm, many times slower than the
// host's native instructions, and a container's entries are tens of MiB of
// them. The host's primitive is stateless: the module hands it a digest's
// state, the data, and a buffer for the new state. A SHA-2 state is the
// marshalled form of Go's crypto/sha256 and crypto/sha512 digests
// (encoding.BinaryMarshaler: a versioned magic, the chaining values, the
// pending partial block and the length); a CRC-32 state is the checksum so
// far, 4 bytes big-endian. The host keeps nothing between calls, and the
// module finishes every digest itself from the last state, so a host that
// does not answer costs one call and nothing else.
//
// The module's side is here (HostHasher); the Go host's is wasm/host's.

import (
	"crypto"
	_ "crypto/sha256" // the digests New makes
	_ "crypto/sha512"
	"encoding"
	"encoding/binary"
	"errors"
	"hash"

	"github.com/apostille/apostille/internal/crc32ieee"
)

// The host's hash update, which the module imports, and the algorithms it
// carries. A negative answer (HashNotHandled) says the host did not hash:
// the module hashes the data itself.
const (
	ImportHashUpdate = "hash_update"

	HashSHA256 = 1
	HashSHA384 = 2
	HashSHA512 = 3
	HashCRC32  = 4 // IEEE, as ZIP uses it

	HashNotHandled = -1

	// HashStateCap is the size of the buffer the module gives for the new
	// state: room for the largest state, SHA-512's 204 bytes.
	HashStateCap = 256
)

// HashAlg is the algorithm number of a verifier.HashFunc's algorithm name,
// 0 for one the import does not carry.
func HashAlg(name string) uint32 {
	switch name {
	case "SHA-256":
		return HashSHA256
	case "SHA-384":
		return HashSHA384
	case "SHA-512":
		return HashSHA512
	case "CRC-32":
		return HashCRC32
	}
	return 0
}

// Sizes of the module's side. A digest's bytes are gathered until
// hostChunk of them are waiting. A digest summed before that, which is most
// of them (a disclosure, a tree node, an mdoc item, a certificate, an XML
// reference), crosses once, whole, with an empty state: the host answers
// its sum (docs/abi.md), with no state to encode or restore. In the module
// SHA-256 costs about 3 µs a 64-byte block, a crossing well under one.
// Longer digests cross in hostChunk pieces with their state (a call costs
// a state round trip, and inflating hands a container's entries over in
// pieces of up to 32 KiB); a final remainder crosses when it has more than
// hostMin bytes, else the module hashes it. A host that does not sum (an
// older one) leaves the module hashing the first hostMin bytes itself, as
// they come, without a copy.
const (
	hostChunk = 64 << 10
	hostMin   = 1 << 10
)

// HashUpdateFunc calls the host's hash_update: alg, the state, the data and
// the buffer for the new state; it returns the new state's length or a
// negative number.
type HashUpdateFunc func(alg uint32, state, data, out []byte) int32

// HostHasher makes the module's digests that hand their bytes to the host.
// After one answer that is not a state it can restore (a host without
// native hashing, as browsers are), every digest it makes or made is the
// module's own: a HostHasher belongs to one instance, whose calls never
// run concurrently.
type HostHasher struct {
	Update HashUpdateFunc
	off    bool
	// noSum: the host answered a sum (an empty state) other than with a
	// sum; it may still take states.
	noSum bool
	crcs  *crc32ieee.Table
	// next takes the host's answer, which is copied out before the next
	// call: the instance's digests share it.
	next [HashStateCap]byte
}

// New returns a digest of alg (a verifier.HashFunc's name) that hands large
// writes to the host, or nil (the verifier's own digest) when the import
// does not carry alg or the host does not hash. It fits verifier.HashFunc;
// its CRC-32 is a hash.Hash32.
func (hh *HostHasher) New(alg string) hash.Hash {
	if hh.off {
		return nil
	}
	// The SHA-2 digests come from crypto's registry (crypto.Hash.New,
	// which the verifier links anyway): calling sha256.New and sha512.New
	// here would inline them, 1.5 KB of the module.
	switch n := HashAlg(alg); n {
	case HashSHA256, HashSHA384, HashSHA512:
		return &hostHash{hh: hh, alg: n}
	case HashCRC32:
		if hh.crcs == nil {
			hh.crcs = crc32ieee.MakeTable()
		}
		return &hostCRC32{hostHash{hh: hh, alg: n}}
	}
	return nil
}

// hashSizes are the sums' sizes by algorithm number.
var hashSizes = [...]int{HashSHA256: 32, HashSHA384: 48, HashSHA512: 64, HashCRC32: 4}

// hostHash is a digest whose state is own's, but for the bytes gathered in
// buf: the host's answers are restored into own, so that Sum, a refused
// answer and a host that gives up all continue from own. own is made when
// first needed (digest): a digest the host sums never needs it.
type hostHash struct {
	hh   *HostHasher
	alg  uint32
	own  hash.Hash
	buf  []byte
	head int // bytes written to own directly, up to hostMin
	// crossed: some bytes went to the host with a state.
	crossed bool
}

// digest returns own, made on first use.
func (d *hostHash) digest() hash.Hash {
	if d.own == nil {
		switch d.alg {
		case HashSHA256:
			d.own = crypto.SHA256.New()
		case HashSHA384:
			d.own = crypto.SHA384.New()
		case HashSHA512:
			d.own = crypto.SHA512.New()
		default:
			d.own = &crc32IEEE{t: d.hh.crcs}
		}
	}
	return d.own
}

func (d *hostHash) Write(p []byte) (int, error) {
	n := len(p)
	if d.hh.off {
		d.drain()
		d.digest().Write(p)
		return n, nil
	}
	// With nothing gathered, own holds every byte so far, so writing to it
	// keeps the order. A host that sums gets every byte gathered instead.
	if d.hh.noSum && len(d.buf) == 0 && d.head+len(p) <= hostMin {
		d.digest().Write(p)
		d.head += len(p)
		return n, nil
	}
	d.head = hostMin
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
	d.crossed = true
	if !d.hh.off {
		// MarshalBinary rather than AppendBinary: the module already calls
		// it through an interface, and a call of AppendBinary would link
		// every hash's AppendBinary into the module (6 KB).
		st, err := d.digest().(encoding.BinaryMarshaler).MarshalBinary()
		if err == nil && len(st) <= HashStateCap {
			n := d.hh.Update(d.alg, st, data, d.hh.next[:])
			if n > 0 && int(n) <= len(d.hh.next) && d.digest().(encoding.BinaryUnmarshaler).UnmarshalBinary(d.hh.next[:n]) == nil {
				return
			}
		}
		// The digest's UnmarshalBinary checks the magic and the size before
		// it changes anything, so own still holds the state before data.
		d.hh.off = true
	}
	d.digest().Write(data)
}

// drain writes the gathered bytes into own.
func (d *hostHash) drain() {
	d.digest().Write(d.buf)
	d.buf = d.buf[:0]
}

// Sum asks the host for the sum of a digest that never crossed with a
// state; otherwise, or when the host does not sum, it finishes in the
// module from the last state. The gathered bytes are hashed first (by the
// host when there are enough of them; a digest of at most hostMin bytes
// never crosses with a state) and the buffer is released: a container's
// data file is summed once, right after it was inflated.
func (d *hostHash) Sum(b []byte) []byte {
	if !d.crossed && !d.hh.off && !d.hh.noSum {
		// Every byte is gathered: one crossing, and buf is kept, so
		// that Sum may be called again or writing go on.
		if n := d.hh.Update(d.alg, nil, d.buf, d.hh.next[:]); int(n) == d.Size() {
			return append(b, d.hh.next[:n]...)
		}
		d.hh.noSum = true
	}
	if len(d.buf) > hostMin {
		d.send(d.buf)
	} else {
		d.digest().Write(d.buf)
	}
	d.buf = nil
	return d.digest().Sum(b)
}

func (d *hostHash) Reset() {
	if d.own != nil {
		d.own.Reset()
	}
	d.buf = d.buf[:0]
	d.head = 0
	d.crossed = false
}

func (d *hostHash) Size() int      { return hashSizes[d.alg] }
func (d *hostHash) BlockSize() int { return d.digest().BlockSize() }

// hostCRC32 is a CRC-32 through the host.
type hostCRC32 struct{ hostHash }

func (d *hostCRC32) Sum32() uint32 { return binary.BigEndian.Uint32(d.Sum(nil)) }

// crc32IEEE is the module's own CRC-32, which a CRC the host refused
// continues with: a byte-wise table, as the verifier's (hash/crc32 would
// add 12 KB to the module). Its state is the checksum so far, 4 bytes
// big-endian.
type crc32IEEE struct {
	t   *crc32ieee.Table
	crc uint32
}

func (d *crc32IEEE) Write(p []byte) (int, error) {
	d.crc = crc32ieee.Update(d.crc, d.t, p)
	return len(p), nil
}

func (d *crc32IEEE) Sum(b []byte) []byte { return binary.BigEndian.AppendUint32(b, d.crc) }
func (d *crc32IEEE) Reset()              { d.crc = 0 }
func (d *crc32IEEE) Size() int           { return 4 }
func (d *crc32IEEE) BlockSize() int      { return 1 }

func (d *crc32IEEE) MarshalBinary() ([]byte, error) { return d.Sum(nil), nil }

func (d *crc32IEEE) UnmarshalBinary(b []byte) error {
	if len(b) != 4 {
		return errors.New("abi: a CRC-32 state is 4 bytes")
	}
	d.crc = binary.BigEndian.Uint32(b)
	return nil
}
