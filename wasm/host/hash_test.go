package host

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding"
	"hash"
	"hash/crc32"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/apostille/apostille/internal/benchdocs"
	"github.com/apostille/apostille/internal/wasmbuild"
	"github.com/apostille/apostille/verifier"
	"github.com/apostille/apostille/wasm/abi"
)

// memoryModule is the smallest module with an exported memory of one page:
// what hash_update reads and writes, without the Go runtime around it.
var memoryModule = []byte{
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // \0asm, version 1
	0x05, 0x03, 0x01, 0x00, 0x01, // memory section: one memory, min 1 page
	0x07, 0x0a, 0x01, 0x06, 'm', 'e', 'm', 'o', 'r', 'y', 0x02, 0x00, // export "memory"
}

// TestHashUpdateImport calls the host's hash_update as the module does,
// across a module's memory: a digest fed in uneven pieces through it sums
// as crypto's own for SHA-256/384/512, and whatever the host cannot answer
// within bounds is answered "not handled" with the memory untouched.
func TestHashUpdateImport(t *testing.T) {
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	mod, err := rt.Instantiate(ctx, memoryModule)
	if err != nil {
		t.Fatal(err)
	}
	mem := mod.Memory()
	e := &Engine{hashing: true}
	const stateAt, outAt, dataAt = 0, 1024, 2048
	call := func(e *Engine, alg, state, stateLen, data, dataLen, out, outCap uint32) int32 {
		stack := []uint64{uint64(alg), uint64(state), uint64(stateLen), uint64(data), uint64(dataLen), uint64(out), uint64(outCap)}
		e.hashUpdateImport(ctx, mod, stack)
		return api.DecodeI32(stack[0])
	}

	rng := rand.New(rand.NewPCG(5, 6))
	for _, a := range []struct {
		name string
		new  func() hash.Hash
	}{
		{"SHA-256", sha256.New}, {"SHA-384", sha512.New384}, {"SHA-512", sha512.New},
		{"CRC-32", func() hash.Hash { return crc32.NewIEEE() }},
	} {
		alg := abi.HashAlg(a.name)
		// The states docs/abi.md gives: Go's marshalled digest, the CRC
		// so far in 4 bytes.
		st := []byte{0, 0, 0, 0}
		if alg != abi.HashCRC32 {
			st, _ = a.new().(encoding.BinaryMarshaler).MarshalBinary()
		}
		want := a.new()
		for range 40 {
			piece := make([]byte, rng.IntN(int(mem.Size()-dataAt)))
			for i := range piece {
				piece[i] = byte(rng.Uint32())
			}
			want.Write(piece)
			mem.Write(stateAt, st)
			mem.Write(dataAt, piece)
			n := call(e, alg, stateAt, uint32(len(st)), dataAt, uint32(len(piece)), outAt, abi.HashStateCap)
			if n != int32(len(st)) {
				t.Fatalf("%s: a valid state of %d bytes answered %d", a.name, len(st), n)
			}
			next, _ := mem.Read(outAt, uint32(n))
			st = bytes.Clone(next)
		}
		got := st
		if alg != abi.HashCRC32 {
			d := a.new()
			if err := d.(encoding.BinaryUnmarshaler).UnmarshalBinary(st); err != nil {
				t.Fatalf("%s: the host's state does not restore: %v", a.name, err)
			}
			got = d.Sum(nil)
		}
		if !bytes.Equal(got, want.Sum(nil)) {
			t.Fatalf("%s: hashed through the import differs from crypto's", a.name)
		}
		// The new state may overwrite the old one in place.
		mem.Write(stateAt, st)
		if n := call(e, alg, stateAt, uint32(len(st)), dataAt, 100, stateAt, abi.HashStateCap); n != int32(len(st)) {
			t.Fatalf("%s: out over state answered %d", a.name, n)
		}
		// An empty state asks for the sum of the data, which may be empty
		// and may be overwritten by it.
		for _, size := range []int{0, 1, 55, 56, 64, 1000, 60000} {
			piece := make([]byte, size)
			for i := range piece {
				piece[i] = byte(rng.Uint32())
			}
			sum := a.new()
			sum.Write(piece)
			for _, out := range []uint32{outAt, dataAt} {
				mem.Write(dataAt, piece)
				n := call(e, alg, stateAt, 0, dataAt, uint32(size), out, abi.HashStateCap)
				if got, _ := mem.Read(out, uint32(max(n, 0))); !bytes.Equal(got, sum.Sum(nil)) {
					t.Fatalf("%s: the sum of %d bytes answered %d, not crypto's sum", a.name, size, n)
				}
			}
		}
	}

	st, _ := sha512.New().(encoding.BinaryMarshaler).MarshalBinary()
	mem.Write(stateAt, st)
	size := mem.Size()
	off := &Engine{}
	for _, tc := range []struct {
		name                                                string
		e                                                   *Engine
		alg, state, stateLen, data, dataLen, out, outCapLen uint32
	}{
		{"hashing off", off, abi.HashSHA512, stateAt, uint32(len(st)), dataAt, 10, outAt, abi.HashStateCap},
		{"unknown algorithm", e, 9, stateAt, uint32(len(st)), dataAt, 10, outAt, abi.HashStateCap},
		{"state of another algorithm", e, abi.HashSHA256, stateAt, uint32(len(st)), dataAt, 10, outAt, abi.HashStateCap},
		{"truncated state", e, abi.HashSHA512, stateAt, uint32(len(st)) - 1, dataAt, 10, outAt, abi.HashStateCap},
		{"CRC-32 state of 5 bytes", e, abi.HashCRC32, stateAt, 5, dataAt, 10, outAt, abi.HashStateCap},
		{"CRC-32 out of 3 bytes", e, abi.HashCRC32, stateAt, 4, dataAt, 10, outAt, 3},
		{"state longer than any", e, abi.HashSHA512, stateAt, abi.HashStateCap + 1, dataAt, 10, outAt, abi.HashStateCap},
		{"state beyond memory", e, abi.HashSHA512, size - 10, uint32(len(st)), dataAt, 10, outAt, abi.HashStateCap},
		{"data beyond memory", e, abi.HashSHA512, stateAt, uint32(len(st)), dataAt, size, outAt, abi.HashStateCap},
		{"data length wraps", e, abi.HashSHA512, stateAt, uint32(len(st)), dataAt, 0xffffffff, outAt, abi.HashStateCap},
		{"out beyond memory", e, abi.HashSHA512, stateAt, uint32(len(st)), dataAt, 10, size - 100, abi.HashStateCap},
		{"out too small", e, abi.HashSHA512, stateAt, uint32(len(st)), dataAt, 10, outAt, uint32(len(st)) - 1},
		{"sum with hashing off", off, abi.HashSHA256, stateAt, 0, dataAt, 10, outAt, abi.HashStateCap},
		{"sum of an unknown algorithm", e, 9, stateAt, 0, dataAt, 10, outAt, abi.HashStateCap},
		{"sum with out too small", e, abi.HashSHA512, stateAt, 0, dataAt, 10, outAt, 63},
		{"sum of data beyond memory", e, abi.HashSHA256, stateAt, 0, dataAt, size, outAt, abi.HashStateCap},
	} {
		mem.Write(outAt, make([]byte, abi.HashStateCap))
		if n := call(tc.e, tc.alg, tc.state, tc.stateLen, tc.data, tc.dataLen, tc.out, tc.outCapLen); n != abi.HashNotHandled {
			t.Errorf("%s: answered %d, want %d", tc.name, n, abi.HashNotHandled)
		}
		if out, _ := mem.Read(outAt, abi.HashStateCap); !bytes.Equal(out, make([]byte, abi.HashStateCap)) {
			t.Errorf("%s: the host wrote a state it refused", tc.name)
		}
	}
}

// nativeReport is the native verifier's report on doc with the benchmark
// trust, which benchEngine loads.
func nativeReport(t testing.TB, doc []byte, opts verifier.Options) []byte {
	t.Helper()
	opts.Trust = benchTrust(t)
	return verifier.Verify(doc, opts).AppendJSON(nil)
}

func benchTrust(t testing.TB) *verifier.Trust {
	t.Helper()
	set, err := benchdocs.Make()
	if err != nil {
		t.Fatal(err)
	}
	p, err := verifier.ParseTrust("bench", set.Trust)
	if err != nil {
		t.Fatal(err)
	}
	// Added as an instance adds it (apostille_trust_add), so that the
	// report names the bundle's operator as the module's does.
	tr := &verifier.Trust{}
	tr.Add(p)
	return tr
}

// TestLargeContainerHostHash: large containers, one stored (handed to the
// host in one write) and one deflated (in uneven pieces), get the native
// verifier's report byte for byte through the module with host hashing,
// without it and with no host crypto at all; the report carries each data
// file's SHA-256, and only the first engine hashes through the host.
func TestLargeContainerHostHash(t *testing.T) {
	src := vectorContainer(t, "one_signature.bdoc")
	engines := []struct {
		name string
		e    *Engine
		host bool
	}{
		{"host hashing", benchEngine(t, Config{Instances: 1}), true},
		{"no host hashing", benchEngine(t, Config{Instances: 1, DisableHostHash: true}), false},
		{"no host crypto", benchEngine(t, Config{Instances: 1, DisableHostCrypto: true}), false},
	}
	opts := verifier.Options{Time: benchdocs.At}
	for _, doc := range []struct {
		name string
		data []byte
	}{
		{"stored 16 MiB", withDataFile(t, src, 16<<20)},
		{"deflated 24 MiB", withDeflatedDataFile(t, src, 24<<20+777)},
	} {
		want := nativeReport(t, doc.data, opts)
		if v := decide(t, want); v.Reason != verifier.DigestMismatch {
			t.Fatalf("%s: native %+v, want a digest mismatch (the data file was replaced)", doc.name, v)
		}
		for _, x := range engines {
			before := x.e.hashed.Load()
			start := time.Now()
			got := x.e.Verify(context.Background(), doc.data, opts)
			elapsed := time.Since(start)
			if !bytes.Equal(got, want) {
				t.Fatalf("%s, %s:\n got %s\nwant %s", doc.name, x.name, got, want)
			}
			hashed := x.e.hashed.Load() - before
			if x.host && hashed < int64(len(doc.data))/2 || !x.host && hashed != 0 {
				t.Errorf("%s, %s: the host hashed %d bytes", doc.name, x.name, hashed)
			}
			t.Logf("%s, %s: %s", doc.name, x.name, elapsed.Round(time.Millisecond))
		}
	}
}

// BenchmarkLargeContainer verifies a 48 MiB container with its data file
// stored, and a 24 MiB one with it deflated, natively, through the module
// with host hashing, with host crypto but the module's own hashing, and
// with the module's own crypto and hashing (as in a browser). Besides wall
// time it reports the process's CPU time per verification (cpu-ms/op),
// which other load on a shared machine does not inflate.
func BenchmarkLargeContainer(b *testing.B) {
	src := vectorContainer(b, "one_signature.bdoc")
	opts := verifier.Options{Time: benchdocs.At}
	native := opts
	native.Trust = benchTrust(b)
	var engines []*Engine
	configs := []struct {
		name string
		cfg  Config
	}{
		{"module", Config{Instances: 1}},
		{"module-nohosthash", Config{Instances: 1, DisableHostHash: true}},
		{"module-nohostcrypto", Config{Instances: 1, DisableHostCrypto: true}},
	}
	for _, c := range configs {
		engines = append(engines, benchEngine(b, c.cfg))
	}
	for _, d := range []struct {
		name string
		doc  []byte
	}{
		{"stored-48MiB", withDataFile(b, src, 48<<20)},
		{"deflated-24MiB", withDeflatedDataFile(b, src, 24<<20)},
	} {
		b.Run(d.name+"/native", func(b *testing.B) {
			start := cpuTime(b)
			for b.Loop() {
				verifier.Verify(d.doc, native)
			}
			b.ReportMetric(float64(cpuTime(b)-start)/1e6/float64(b.N), "cpu-ms/op")
		})
		for i, c := range configs {
			e := engines[i]
			b.Run(d.name+"/"+c.name, func(b *testing.B) {
				start := cpuTime(b)
				for b.Loop() {
					e.Verify(context.Background(), d.doc, opts)
				}
				b.ReportMetric(float64(cpuTime(b)-start)/1e6/float64(b.N), "cpu-ms/op")
			})
		}
	}
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// FuzzHashUpdate: whatever state and algorithm a module hands over,
// hash_update's work answers without panicking, and a state it accepts is
// one its digest restores.
func FuzzHashUpdate(f *testing.F) {
	for _, alg := range []uint32{abi.HashSHA256, abi.HashSHA384, abi.HashSHA512} {
		d := []func() hash.Hash{sha256.New, sha512.New384, sha512.New}[alg-1]()
		st, _ := d.(encoding.BinaryMarshaler).MarshalBinary()
		f.Add(alg, st, []byte("abc"))
	}
	f.Add(uint32(abi.HashCRC32), []byte{0, 0, 0, 0}, []byte("abc"))
	f.Add(uint32(0), []byte("sha\x03"), []byte{})
	f.Add(uint32(abi.HashSHA256), []byte{}, []byte("abc"))
	f.Fuzz(func(t *testing.T, alg uint32, state, data []byte) {
		next, ok := hashUpdate(alg, state, data, nil)
		if !ok {
			if len(next) != 0 {
				t.Fatal("a refused update wrote a state")
			}
			return
		}
		if len(next) > abi.HashStateCap {
			t.Fatalf("a state of %d bytes", len(next))
		}
		if len(state) == 0 {
			// An empty state asks for the sum of the data.
			d := []func() hash.Hash{sha256.New, sha512.New384, sha512.New, func() hash.Hash { return crc32.NewIEEE() }}[alg-1]()
			d.Write(data)
			if !bytes.Equal(next, d.Sum(nil)) {
				t.Fatal("the sum differs from crypto's")
			}
			return
		}
		if again, ok := hashUpdate(alg, next, nil, nil); !ok || !bytes.Equal(again, next) {
			t.Fatal("the new state does not restore as itself")
		}
	})
}

// TestSmallDigestsCross: the small digests of valid documents (SD-JWT
// disclosures, mdoc items, a container's certificates and references)
// cross to the host as sums, several a document, and so does an attested
// document's entry hash; the reports are the native verifier's.
func TestSmallDigestsCross(t *testing.T) {
	mix, err := benchdocs.MakeMix()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	e, err := New(ctx, Config{Module: wasmbuild.ForTest(t), Trust: []TrustSource{{Name: "demo", Data: mix.Trust}},
		Instances: 1, CacheDir: cacheDir(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close(ctx)
	parsed, err := verifier.ParseTrust("demo", mix.Trust)
	if err != nil {
		t.Fatal(err)
	}
	trust := &verifier.Trust{}
	trust.Add(parsed)
	seen := map[string]bool{}
	for _, d := range mix.Docs {
		if d.Verdict != "valid" {
			continue
		}
		opts := verifier.Options{Time: benchdocs.At, Proof: d.Proof, Payload: d.Payload}
		before := e.summed.Load()
		got := e.Verify(ctx, d.Data, opts)
		sums := e.summed.Load() - before
		native := opts
		native.Trust = trust
		if want := verifier.Verify(d.Data, native).AppendJSON(nil); string(got) != string(want) {
			t.Errorf("%s: the module's report differs from the native one", d.Name)
		}
		switch d.Format {
		case "sd-jwt", "mdoc", "asice", "bdoc":
			if sums < 2 {
				t.Errorf("%s (%s): %d sums through the host", d.Name, d.Format, sums)
			}
			seen[d.Format] = true
		}
		if d.Proof != nil && sums < 1 {
			t.Errorf("%s: a document with a log proof made no sum through the host", d.Name)
		}
	}
	for _, f := range []string{"sd-jwt", "mdoc", "asice", "bdoc"} {
		if !seen[f] {
			t.Errorf("the mix has no valid %s document", f)
		}
	}
}
