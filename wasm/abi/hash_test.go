package abi

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding"
	"encoding/binary"
	"hash"
	"hash/crc32"
	"math/rand/v2"
	"testing"

	"github.com/apostille/apostille/internal/crc32ieee"
)

// algs are the algorithms of hash_update with crypto's own digests.
var algs = []struct {
	name string
	new  func() hash.Hash
}{
	{"SHA-256", sha256.New},
	{"SHA-384", sha512.New384},
	{"SHA-512", sha512.New},
	{"CRC-32", func() hash.Hash { return crc32.NewIEEE() }},
}

// hostUpdate answers as a host that hashes (wasm/host's, written again
// from crypto's digests and docs/abi.md's states), sums included, with a
// count of the calls.
func hostUpdate(calls *int) HashUpdateFunc { return hostUpdateSums(calls, true) }

// hostUpdateSums is hostUpdate, or with sums false a host that answers
// states only, as before sums (an empty state is then not one it restores).
func hostUpdateSums(calls *int, sums bool) HashUpdateFunc {
	return func(alg uint32, state, data, out []byte) int32 {
		*calls++
		var next []byte
		if len(state) == 0 && sums && alg >= 1 && alg <= 4 {
			d := algs[alg-1].new()
			d.Write(data)
			next = d.Sum(nil)
		} else if alg == HashCRC32 {
			if len(state) != 4 {
				return HashNotHandled
			}
			next = binary.BigEndian.AppendUint32(nil, crc32.Update(binary.BigEndian.Uint32(state), crc32.IEEETable, data))
		} else {
			if alg < 1 || alg > 3 {
				return HashNotHandled
			}
			d := algs[alg-1].new()
			if d.(encoding.BinaryUnmarshaler).UnmarshalBinary(state) != nil {
				return HashNotHandled
			}
			d.Write(data)
			next, _ = d.(encoding.BinaryMarshaler).MarshalBinary()
		}
		if len(next) > len(out) {
			return HashNotHandled
		}
		return int32(copy(out, next))
	}
}

// unevenly writes data to d in pieces of varied sizes, from a byte to
// more than a chunk, as inflating and stored entries hand them over.
func unevenly(d interface{ Write([]byte) (int, error) }, data []byte, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0))
	sizes := []int{1, 7, 63, 64, 65, 4095, 32 << 10, hostChunk - 1, hostChunk, hostChunk + 1, 3 * hostChunk}
	for len(data) > 0 {
		n := min(sizes[rng.IntN(len(sizes))], len(data))
		d.Write(data[:n])
		data = data[n:]
	}
}

// TestHostHash: a digest whose writes go through the host in uneven pieces
// sums as crypto's own, for each algorithm and sizes around the module's
// thresholds, with a host that sums and with one that does not. A digest
// of fewer than hostChunk bytes crosses once, as a sum; without sums, one
// of at most hostMin bytes never crosses with a state, one of twice as
// many always does.
func TestHostHash(t *testing.T) {
	data := make([]byte, 1<<20+12345)
	rand.NewChaCha8([32]byte{1}).Read(data)
	for _, sums := range []bool{true, false} {
		for _, a := range algs {
			h := a.name
			for _, n := range []int{0, 1, hostMin, hostMin + 1, 2 * hostMin, hostChunk - 1, hostChunk, hostChunk + hostMin - 1, hostChunk + hostMin, len(data)} {
				for seed := range uint64(3) {
					calls, sumCalls := 0, 0
					update := hostUpdateSums(&calls, sums)
					hh := &HostHasher{Update: func(alg uint32, state, data, out []byte) int32 {
						if len(state) == 0 {
							sumCalls++
						}
						return update(alg, state, data, out)
					}}
					d := hh.New(h)
					unevenly(d, data[:n], seed)
					want := a.new()
					want.Write(data[:n])
					if got := d.Sum(nil); !bytes.Equal(got, want.Sum(nil)) {
						t.Fatalf("%v, %d bytes, seed %d, sums %v: the host's digest differs from crypto's", h, n, seed, sums)
					}
					if n < hostChunk && (sumCalls != 1 || sums && calls != 1) {
						t.Errorf("%v, %d bytes, sums %v: %d host calls, %d sums; want one sum", h, n, sums, calls, sumCalls)
					}
					if n >= hostChunk && sumCalls != 0 {
						t.Errorf("%v, %d bytes, sums %v: a sum asked for a digest that crossed with its state", h, n, sums)
					}
					if n <= hostMin && calls-sumCalls != 0 {
						t.Errorf("%v, %d bytes: %d host calls with a state for a digest of at most hostMin bytes", h, n, calls-sumCalls)
					}
					if n >= 2*hostMin && calls == 0 {
						t.Errorf("%v, %d bytes: no host call", h, n)
					}
					if !sums && n < hostChunk {
						// The refused sum is remembered: the next small digest
						// is the module's without a call, a large one still
						// crosses with its state.
						calls = 0
						small := hh.New(h)
						small.Write(data[:hostMin])
						small.Sum(nil)
						if calls != 0 {
							t.Errorf("%v: %d host calls for a small digest after a refused sum", h, calls)
						}
						large := hh.New(h)
						large.Write(data[:2*hostChunk])
						want := a.new()
						want.Write(data[:2*hostChunk])
						if !bytes.Equal(large.Sum(nil), want.Sum(nil)) || calls == 0 {
							t.Errorf("%v: after a refused sum a large digest sums wrong or does not cross (%d calls)", h, calls)
						}
					}
					// Sum leaves the digest usable, as hash.Hash requires.
					d.Write(data[:hostChunk])
					want.Write(data[:hostChunk])
					if !bytes.Equal(d.Sum(nil), want.Sum(nil)) {
						t.Fatalf("%v, %d bytes: writing after Sum differs", h, n)
					}
					d.Reset()
					if !bytes.Equal(d.Sum(nil), a.new().Sum(nil)) {
						t.Fatalf("%v: Reset does not start over", h)
					}
					if _, ok := d.(hash.Hash32); ok != (h == "CRC-32") {
						t.Fatalf("%v: a hash.Hash32 %v", h, ok)
					}
				}
			}
		}
	}
	if (&HostHasher{}).New("SHA-1") != nil || (&HostHasher{}).New("SHA-224") != nil {
		t.Error("a digest the import does not carry must be left to the verifier")
	}
}

// TestHostHashRefused: whatever a host answers that is not a state of the
// digest's own algorithm (not handled, a garbled state, another
// algorithm's state, a length beyond the buffer), the digest continues in
// the module from its last state and sums right; the hasher then stops
// asking, and makes no host digests any more.
func TestHostHashRefused(t *testing.T) {
	data := make([]byte, 5*hostChunk+99)
	rand.NewChaCha8([32]byte{2}).Read(data)
	sha512State := func() []byte {
		s, _ := sha512.New().(encoding.BinaryMarshaler).MarshalBinary()
		return s
	}()
	for name, answer := range map[string]func(out []byte) int32{
		"not handled":   func([]byte) int32 { return HashNotHandled },
		"zero":          func([]byte) int32 { return 0 },
		"garbled state": func(out []byte) int32 { return int32(copy(out, bytes.Repeat([]byte{0xa5}, 108))) },
		"another alg":   func(out []byte) int32 { return int32(copy(out, sha512State)) },
		"too long":      func([]byte) int32 { return HashStateCap + 1 },
		"short state":   func(out []byte) int32 { return int32(copy(out, "sha\x03")) },
	} {
		for _, after := range []int{0, 1, 3} {
			// The host answers right after calls, then badly.
			calls, good := 0, 0
			honest := hostUpdate(&good)
			hh := &HostHasher{Update: func(alg uint32, state, d, out []byte) int32 {
				calls++
				if calls <= after {
					return honest(alg, state, d, out)
				}
				return answer(out)
			}}
			d := hh.New("SHA-256")
			unevenly(d, data, uint64(after))
			want := sha256.Sum256(data)
			if !bytes.Equal(d.Sum(nil), want[:]) {
				t.Fatalf("%s after %d good answers: the digest differs from crypto's", name, after)
			}
			if calls != after+1 {
				t.Errorf("%s after %d good answers: %d calls; the hasher must stop asking after a refusal", name, after, calls)
			}
			if hh.New("SHA-256") != nil {
				t.Errorf("%s: the hasher still makes host digests after a refusal", name)
			}
		}
	}
}

// TestHostCRC32Refused: a CRC-32 the host stops answering continues with
// the module's own from its last state.
func TestHostCRC32Refused(t *testing.T) {
	data := make([]byte, 3*hostChunk+5)
	rand.NewChaCha8([32]byte{3}).Read(data)
	calls, good := 0, 0
	honest := hostUpdate(&good)
	hh := &HostHasher{Update: func(alg uint32, state, d, out []byte) int32 {
		if calls++; calls == 1 {
			return honest(alg, state, d, out)
		}
		return HashNotHandled
	}}
	d := hh.New("CRC-32").(hash.Hash32)
	unevenly(d, data, 7)
	if got, want := d.Sum32(), crc32.ChecksumIEEE(data); got != want {
		t.Fatalf("CRC-32 %08x, want %08x", got, want)
	}
	if calls != 2 {
		t.Errorf("%d calls, want 2", calls)
	}
}

// TestHashStates: the states are the layouts docs/abi.md gives, which
// other hosts rely on and which a Go release must not change under a
// module built with an older one (Go's marshalled digests are versioned by
// their magic).
func TestHashStates(t *testing.T) {
	for _, s := range []struct {
		new   func() hash.Hash
		magic string
		size  int
	}{
		{sha256.New, "sha\x03", 108},
		{sha512.New384, "sha\x04", 204},
		{sha512.New, "sha\x07", 204},
	} {
		d := s.new()
		d.Write([]byte("abc"))
		st, err := d.(encoding.BinaryMarshaler).MarshalBinary()
		if err != nil || !bytes.HasPrefix(st, []byte(s.magic)) || len(st) != s.size || len(st) > HashStateCap {
			t.Errorf("%q: a state of %d bytes starting %q", s.magic, len(st), st[:min(4, len(st))])
		}
		// The length in bytes ends the state, big-endian.
		if binary.BigEndian.Uint64(st[len(st)-8:]) != 3 {
			t.Errorf("%q: the state does not end with the length", s.magic)
		}
	}
	var c crc32IEEE
	c.t = crc32ieee.MakeTable()
	c.Write([]byte("abc"))
	if st, _ := c.MarshalBinary(); len(st) != 4 || binary.BigEndian.Uint32(st) != crc32.ChecksumIEEE([]byte("abc")) {
		t.Errorf("CRC-32 state %x", st)
	}
}

// TestHostHashInterleaved: digests of one hasher written in turns, with
// states and sums crossing through the hasher's one answer buffer, each
// sum as crypto's own.
func TestHostHashInterleaved(t *testing.T) {
	data := make([]byte, 3*hostChunk+77)
	rand.NewChaCha8([32]byte{4}).Read(data)
	calls := 0
	hh := &HostHasher{Update: hostUpdate(&calls)}
	var ds []hash.Hash
	var wants []hash.Hash
	early := make([][]byte, 2*len(algs))
	for i, a := range algs {
		ds = append(ds, hh.New(a.name))
		wants = append(wants, a.new())
		ds = append(ds, hh.New(a.name)) // a small one, summed
		wants = append(wants, a.new())
		ds[2*i+1].Write(data[:100+i])
		wants[2*i+1].Write(data[:100+i])
	}
	for off := 0; off < len(data); off += 5000 {
		piece := data[off:min(off+5000, len(data))]
		for i := 0; i < len(ds); i += 2 {
			ds[i].Write(piece)
			wants[i].Write(piece)
		}
		if off == 20000 {
			// Summed between the others' writes, and compared after them:
			// a sum must not share the answer buffer the next calls fill.
			for i := 1; i < len(ds); i += 2 {
				early[i] = ds[i].Sum(nil)
			}
		}
	}
	for i := 1; i < len(ds); i += 2 {
		if !bytes.Equal(early[i], wants[i].Sum(nil)) {
			t.Fatalf("digest %d summed between others' writes differs from crypto's", i)
		}
	}
	for i := range ds {
		if !bytes.Equal(ds[i].Sum(nil), wants[i].Sum(nil)) {
			t.Fatalf("digest %d differs from crypto's", i)
		}
	}
	if calls == 0 {
		t.Fatal("no host call")
	}
}
