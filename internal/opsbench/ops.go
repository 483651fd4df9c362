package opsbench

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
)

// Sinks: results stored here cannot be optimised away, and pointers stored
// here make their targets escape to the heap. Nothing reads them; that is
// their point.
var (
	//lint:ignore U1000 written so that the compiler keeps the work
	sinkInt int
	//lint:ignore U1000 written so that the allocation escapes
	sinkEntry *entry
	//lint:ignore U1000 written so that the allocation escapes
	sinkBytes []byte
)

// ring keeps the last 16 allocations of an alloc op alive, as a report
// keeps its checks until it is written out.
const ring = 16

//go:noinline
func add(a, b int) int { return a + b }

func opCall(n int) {
	s := 0
	for i := range n {
		s = add(s, i)
	}
	sinkInt = s
}

// entry is shaped like a report check: strings and a slice, all pointers
// the garbage collector must scan.
type entry struct {
	name, status, reason string
	detail               []byte
}

var detail = []byte("detail")

func opAllocPtr(n int) {
	var kept [ring]*entry
	for i := range n {
		kept[i%ring] = &entry{name: "signature", status: "passed", reason: "ok", detail: detail}
	}
	sinkEntry = kept[n%ring]
}

func opAllocBytes(n int) {
	var kept [ring][]byte
	for i := range n {
		b := make([]byte, 48)
		b[0] = byte(i)
		kept[i%ring] = b
	}
	sinkBytes = kept[n%ring]
}

// memberKeys are a JWS header's members, built at run time so that no
// lookup is of a constant.
var memberKeys = strings.Fields("alg kid typ crit x5c cty")

func opMapStr(n int) {
	m := make(map[string]int, len(memberKeys))
	for _, k := range memberKeys {
		m[k] = 0
	}
	j := 0
	for range n {
		m[memberKeys[j]]++
		if j++; j == len(memberKeys) {
			j = 0
		}
	}
	sinkInt = m["alg"]
}

var claims = map[string]any{
	"iss": "https://issuer.example", "sub": "EE38001085718", "aud": "verifier", "iat": 1764244800.0,
	"nbf": 1764244800.0, "exp": 1795780800.0, "jti": "a1b2c3", "name": "Mari Maasikas",
	"birthdate": "1980-01-08", "nationality": []any{"EE"},
}

func opMapIter(n int) {
	s := 0
	for range n {
		for k, v := range claims {
			if v != nil {
				s += len(k)
			}
		}
	}
	sinkInt = s
}

// jsonText is 1 KiB of a JSON token's claims; class is a scanner's
// character table.
var (
	jsonText = bytes.Repeat([]byte(`{"iss":"https://issuer.example","exp":1795780800,"name":"Mari"}`), 17)[:1024]
	class    = func() (t [256]uint8) {
		for _, c := range []byte(`{}[]:,"\`) {
			t[c] = 1
		}
		return t
	}()
)

func opByteLoop(n int) {
	s := 0
	for range n {
		for _, c := range jsonText {
			s += int(class[c])
		}
	}
	sinkInt = s
}

// compact is 4 KiB of base64url text with a dot every 512 bytes.
var compact = func() []byte {
	b := bytes.Repeat([]byte("eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0"), 120)[:4096]
	for i := 511; i < len(b); i += 512 {
		b[i] = '.'
	}
	return b
}()

func opBytesCount(n int) {
	s := 0
	for range n {
		s += bytes.Count(compact, []byte{'.'})
	}
	sinkInt = s
}

// segment is 300 bytes encoded as 400 characters of unpadded base64url.
var (
	segment   = []byte(base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb, 0xef, 0x01}, 100)))
	segmentTo = make([]byte, 300)
)

func opBase64(n int) {
	s := 0
	for range n {
		m, _ := base64.RawURLEncoding.Decode(segmentTo, segment)
		s += m
	}
	sinkInt = s
}

// node is two 32-byte hashes, as a Merkle tree's interior node hashes
// them.
var node = bytes.Repeat([]byte{0x5a}, 64)

func opSHA256(n int) {
	s := 0
	for i := range n {
		node[0] = byte(i)
		h := sha256.Sum256(node)
		s += int(h[0])
	}
	sinkInt = s
}

// kidA and kidB hold 41-byte strings equal but for the last byte, built at
// run time; two of them, so that the comparison is not loop-invariant.
var (
	kidA = strings.Repeat("k", 40) + "1"
	kidB = [2]string{strings.Repeat("k", 40) + "2", strings.Repeat("k", 40) + "3"}
)

func opStrEq(n int) {
	s := 0
	for i := range n {
		if kidA == kidB[i&1] {
			s++
		}
	}
	sinkInt = s + len(kidA)
}

var (
	unsorted = [16]int{13, 2, 9, 15, 0, 7, 11, 4, 14, 1, 8, 5, 12, 3, 10, 6}
	sorted   [16]int
)

func opSort16(n int) {
	for range n {
		sorted = unsorted
		slices.Sort(sorted[:])
	}
	sinkInt = sorted[0]
}

var digits = make([]byte, 0, 20)

func opStrconv(n int) {
	s := 0
	for i := range n {
		b := strconv.AppendInt(digits[:0], 1764244800+int64(i&7), 10)
		s += len(b)
	}
	sinkInt = s
}
