package abi

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/sha512"
	"encoding"
	"math/rand/v2"
	"testing"
)

// hostUpdate is the Go host's answer, as wasm/host gives it across the
// module's memory, with a count of the calls.
func hostUpdate(calls *int) HashUpdateFunc {
	return func(alg uint32, state, data, out []byte) int32 {
		*calls++
		next, ok := HashUpdate(alg, state, data, nil)
		if !ok || len(next) > len(out) {
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
// thresholds; a digest of less than hostTail bytes never calls the host.
func TestHostHash(t *testing.T) {
	data := make([]byte, 1<<20+12345)
	rand.NewChaCha8([32]byte{1}).Read(data)
	for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512} {
		for _, n := range []int{0, 1, hostTail - 1, hostTail, hostChunk - 1, hostChunk, hostChunk + hostTail - 1, hostChunk + hostTail, len(data)} {
			for seed := range uint64(3) {
				calls := 0
				hh := &HostHasher{Update: hostUpdate(&calls)}
				d := hh.New(h)
				unevenly(d, data[:n], seed)
				want := h.New()
				want.Write(data[:n])
				if got := d.Sum(nil); !bytes.Equal(got, want.Sum(nil)) {
					t.Fatalf("%v, %d bytes, seed %d: the host's digest differs from crypto's", h, n, seed)
				}
				if n < hostTail && calls != 0 {
					t.Errorf("%v, %d bytes: %d host calls for a digest below the tail", h, n, calls)
				}
				if n >= hostTail && calls == 0 {
					t.Errorf("%v, %d bytes: no host call", h, n)
				}
				// Sum leaves the digest usable, as hash.Hash requires.
				d.Write(data[:hostChunk])
				want.Write(data[:hostChunk])
				if !bytes.Equal(d.Sum(nil), want.Sum(nil)) {
					t.Fatalf("%v, %d bytes: writing after Sum differs", h, n)
				}
				d.Reset()
				if !bytes.Equal(d.Sum(nil), h.New().Sum(nil)) {
					t.Fatalf("%v: Reset does not start over", h)
				}
			}
		}
	}
	if (&HostHasher{}).New(crypto.SHA1) != nil || (&HostHasher{}).New(crypto.SHA224) != nil {
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
			d := hh.New(crypto.SHA256)
			unevenly(d, data, uint64(after))
			want := sha256.Sum256(data)
			if !bytes.Equal(d.Sum(nil), want[:]) {
				t.Fatalf("%s after %d good answers: the digest differs from crypto's", name, after)
			}
			if calls != after+1 {
				t.Errorf("%s after %d good answers: %d calls; the hasher must stop asking after a refusal", name, after, calls)
			}
			if hh.New(crypto.SHA256) != nil {
				t.Errorf("%s: the hasher still makes host digests after a refusal", name)
			}
		}
	}
}

// TestHashUpdate: the host's side refuses what it cannot restore.
func TestHashUpdate(t *testing.T) {
	st256, _ := sha256.New().(encoding.BinaryMarshaler).MarshalBinary()
	st384, _ := sha512.New384().(encoding.BinaryMarshaler).MarshalBinary()
	for _, tc := range []struct {
		name  string
		alg   uint32
		state []byte
		ok    bool
	}{
		{"SHA-256", HashSHA256, st256, true},
		{"SHA-384", HashSHA384, st384, true},
		{"unknown algorithm", 0, st256, false},
		{"algorithm 4", 4, st256, false},
		{"SHA-384 state as SHA-512", HashSHA512, st384, false},
		{"SHA-256 state as SHA-384", HashSHA384, st256, false},
		{"truncated", HashSHA256, st256[:len(st256)-1], false},
		{"longer", HashSHA256, append(bytes.Clone(st256), 0), false},
		{"empty", HashSHA256, nil, false},
	} {
		next, ok := HashUpdate(tc.alg, tc.state, []byte("abc"), nil)
		if ok != tc.ok {
			t.Errorf("%s: ok %v, want %v", tc.name, ok, tc.ok)
		}
		if ok && len(next) > HashStateCap {
			t.Errorf("%s: a state of %d bytes exceeds HashStateCap", tc.name, len(next))
		}
	}
}
