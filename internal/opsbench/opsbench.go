// Package opsbench times single Go operations, the same source natively and
// compiled to WebAssembly (internal/cmd/wasmops under wazero), so that the
// module's slowness can be read per kind of operation rather than per
// document: calls, allocations and maps cost the module far more than
// loops over bytes do (wasmbench -tables ops, docs/PERFORMANCE.md).
//
// Every op stands for something the verifier does on each document; its
// What says which. The bodies write their results to package-level sinks
// and call //go:noinline helpers where the compiler could otherwise drop or
// fold the work.
package opsbench

import (
	"fmt"
	"io"
	"runtime"
	"time"
)

// An Op is one timed operation.
type Op struct {
	Name string // short, no spaces: the first column of Run's output
	What string // what it stands for in the verifier
	run  func(n int)
}

// Ops lists the operations in the order Run times them.
var Ops = []Op{
	{"call", "a non-inlined call of a small function, per call: every parser step, the allocator's helpers", opCall},
	{"alloc-ptr", "a small struct with pointers kept alive briefly: a report check, a decoded value", opAllocPtr},
	{"alloc-bytes", "make([]byte, 48) kept alive briefly: a decoded segment, a digest's buffer", opAllocBytes},
	{"map-str", "lookup and increment in a map[string]int of 6 short keys: JSON object members", opMapStr},
	{"map-iter", "ranging over a 10-entry map[string]any: a token's decoded claims", opMapIter},
	{"byte-loop", "a table-lookup loop over 1 KiB, per KiB: the JSON and XML scanners", opByteLoop},
	{"bytes-count", "bytes.Count of '.' over 4 KiB: format detection (SIMD natively)", opBytesCount},
	{"base64", "base64.RawURLEncoding.Decode of 400 bytes: a JWS segment", opBase64},
	{"sha256-block", "sha256.Sum256 of 64 bytes: a tlog node, a disclosure digest (SHA-NI natively)", opSHA256},
	{"str-eq", "comparing two 41-byte strings that differ in the last byte: a kid, an issuer name", opStrEq},
	{"sort-16", "slices.Sort of 16 ints copied from a template: the report's and the trust's sorted keys", opSort16},
	{"strconv", "strconv.AppendInt of a 10-digit number: times and sizes in the report's JSON", opStrconv},
}

// Run times every op for about per of wall time each and writes one line
// per op, "name\tns" with ns the nanoseconds per operation.
//
// Every op first runs untimed for a quarter of per: a fresh module
// instance grows its linear memory, and the host faults its pages in, as
// the first ops allocate, a one-off cost that a long-lived instance (the
// verifier's) has paid before its first document. Timed cold, the first
// op to allocate measured 5–10× its steady cost, depending on the host
// process's earlier work.
func Run(w io.Writer, per time.Duration) error {
	for _, op := range Ops {
		Time(op, per/4)
	}
	for _, op := range Ops {
		if _, err := fmt.Fprintf(w, "%s\t%.3f\n", op.Name, Time(op, per)); err != nil {
			return err
		}
	}
	return nil
}

// Time runs op in growing batches until one batch takes at least per and
// returns that batch's nanoseconds per operation, as testing.B does. The
// garbage of earlier ops is collected first, so that an op pays for its own.
//
// The batch that counts must also have been sized from a batch long enough
// to tell the op's rate (a tenth of per): on a loaded machine a short batch
// can be descheduled for longer than per, and its figure would then be
// that pause divided by a handful of operations.
func Time(op Op, per time.Duration) float64 {
	runtime.GC()
	op.run(1) // warm
	n, sized := 1, false
	for {
		start := time.Now()
		op.run(n)
		d := time.Since(start)
		if (d >= per && sized) || n >= 1<<40 {
			return float64(d.Nanoseconds()) / float64(n)
		}
		sized = d >= per/10
		// Aim 20% past per from this batch's rate, growing at most 100×
		// at a time (a first batch can be too short to tell the rate).
		next := n * 100
		if d > 0 {
			if m := int(float64(n) * 1.2 * float64(per) / float64(d)); m < next {
				next = m
			}
		}
		n = max(next, n+1)
	}
}
