// Command wasmbench measures documents/s through the native verifier, the
// module with host crypto and the module with its own crypto, and prints
// the ratios, for two sets (internal/benchdocs): the demo world's mix
// (chains, CBOR, digests, tlog proofs; per format and overall) and the five
// kid-named tokens (ES256, EdDSA, RS256, PS256 JWS and ES256 COSE_Sign1).
// `make bench` runs it.
//
// The machine is shared and noisy: each configuration is measured in
// several short rounds, interleaved with the others so that a burst of
// load hits all of them alike, and the median round is reported. A second
// table splits a document's cost: signature crypto, the verifier's other
// work natively, the same work in the module, and the call floor. The ops
// table times single Go operations (internal/opsbench) natively and in a
// module built as the verifier's is, which says where the module's
// slowness comes from.
package main

import (
	"context"
	"crypto/x509"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/apostille/apostille/internal/benchdocs"
	"github.com/apostille/apostille/internal/wasmbuild"
	"github.com/apostille/apostille/verifier"
	"github.com/apostille/apostille/wasm/host"
)

func main() {
	rounds := flag.Int("rounds", 7, "measurement rounds per configuration")
	per := flag.Duration("round", 200*time.Millisecond, "length of one round")
	flag.StringVar(&moduleFile, "module", "", "benchmark this module file instead of one built from source (to compare builds)")
	flag.StringVar(&againstFile, "against", "", "mix table: also measure this module file with host crypto, in the same rounds, "+
		"and print the module's rate over its rate per round (an A/B of two builds that the machine's drift hits alike)")
	opPer := flag.Duration("op", 50*time.Millisecond, "ops table: wall time to time each op for, per round")
	flag.StringVar(&tables, "tables", "mix,tokens,ops", "tables to measure: mix (the demo world's documents), tokens (the five kid-named tokens), ops (single Go operations)")
	flag.Parse()
	if err := run(*rounds, *per, *opPer); err != nil {
		fmt.Fprintln(os.Stderr, "wasmbench:", err)
		os.Exit(1)
	}
}

// moduleFile, when set, is the module to benchmark.
var moduleFile string

// againstFile, when set, is a second module the mix table compares the
// first with, round by round.
var againstFile string

// tables names the tables to measure.
var tables string

// engine verifies one document and returns its report JSON.
type engine func(doc []byte) []byte

func run(rounds int, per, opPer time.Duration) error {
	fmt.Printf("# apostille wasmbench: %s, %d CPU, GOMAXPROCS %d, %s/%s\n", cpuModel(), runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH)
	if strings.Contains(tables, "mix") || strings.Contains(tables, "tokens") {
		if err := runDocs(rounds, per); err != nil {
			return err
		}
	}
	if strings.Contains(tables, "ops") {
		return runOps(rounds, opPer)
	}
	return nil
}

// runDocs measures the mix and tokens tables.
func runDocs(rounds int, per time.Duration) error {
	set, err := benchdocs.Make()
	if err != nil {
		return err
	}
	var mod []byte
	if moduleFile != "" {
		mod, err = os.ReadFile(moduleFile)
	} else {
		mod, err = wasmbuild.FromSource()
	}
	if err != nil {
		return err
	}
	fmt.Printf("# %d interleaved rounds of %s CPU time per configuration, median round; one document at a time\n", rounds, per)
	fmt.Printf("# (one instance); rates are documents per CPU second of this process, so that other load on the machine\n# costs wall time, not the figures\n\n")
	if strings.Contains(tables, "mix") {
		if err := runMix(mod, rounds, per); err != nil {
			return err
		}
	}
	if !strings.Contains(tables, "tokens") {
		return nil
	}
	trust, err := verifier.ParseTrust("bench", set.Trust)
	if err != nil {
		return err
	}
	ctx := context.Background()
	stub := func(alg string, spki, msg, sig []byte) (bool, bool) { return true, true }
	newEngine := func(disable bool, crypto verifier.CryptoFunc) (*host.Engine, error) {
		return host.New(ctx, host.Config{Module: mod, Trust: []host.TrustSource{{Name: "bench", Data: set.Trust}},
			Instances: 1, DisableHostCrypto: disable, Crypto: crypto})
	}
	withHost, err := newEngine(false, nil)
	if err != nil {
		return err
	}
	noHost, err := newEngine(true, nil)
	if err != nil {
		return err
	}
	stubbed, err := newEngine(false, stub)
	if err != nil {
		return err
	}
	opts := verifier.Options{Time: benchdocs.At}
	native := func(o verifier.Options) engine {
		o.Trust = trust
		var buf []byte
		return func(doc []byte) []byte { buf = verifier.Verify(doc, o).AppendJSON(buf[:0]); return buf }
	}
	module := func(e *host.Engine, o verifier.Options) engine {
		return func(doc []byte) []byte { return e.Verify(ctx, doc, o) }
	}
	stubOpts := opts
	stubOpts.Crypto = stub

	fmt.Printf("## the five kid-named tokens\n")

	type cfg struct {
		name string
		e    engine
	}
	main := []cfg{{"native", native(opts)}, {"module+host", module(withHost, opts)}, {"module-alone", module(noHost, opts)}}
	parts := []cfg{{"native-nocrypto", native(stubOpts)}, {"module-nocrypto", module(stubbed, opts)}}
	results := map[string]map[string]float64{}
	for _, d := range set.Docs {
		results[d.Name] = map[string]float64{}
		all := append(append([]cfg{}, main...), parts...)
		rates := make([][]float64, len(all))
		for r := 0; r < rounds; r++ {
			for i, c := range all {
				rates[i] = append(rates[i], measure(c.e, d.Data, per))
			}
		}
		for i, c := range all {
			results[d.Name][c.name] = median(rates[i])
		}
		results[d.Name]["crypto"] = 1 / primitiveSeconds(d.Data, trust, opts, per, rounds)
	}

	fmt.Printf("%-11s %12s %12s %12s %10s %10s\n", "documents/s", "native", "module+host", "module-alone", "host/nat", "alone/nat")
	for _, d := range set.Docs {
		r := results[d.Name]
		fmt.Printf("%-11s %12.0f %12.0f %12.0f %9.2fx %9.2fx\n", d.Name, r["native"], r["module+host"], r["module-alone"],
			r["module+host"]/r["native"], r["module-alone"]/r["native"])
	}
	floor := median(repeat(rounds, func() float64 {
		return measure(module(withHost, verifier.Options{}), []byte("x"), per)
	}))
	fmt.Printf("\nwhere a document's time goes (µs per document)\n")
	fmt.Printf("%-11s %8s %10s %10s %10s %12s\n", "", "crypto", "native", "module", "call", "module+host")
	fmt.Printf("%-11s %8s %10s %10s %10s %12s\n", "", "native", "other work", "other work", "floor", "total")
	for _, d := range set.Docs {
		r := results[d.Name]
		us := func(rate float64) float64 { return 1e6 / rate }
		fmt.Printf("%-11s %8.1f %10.1f %10.1f %10.1f %12.1f\n", d.Name, us(r["crypto"]), us(r["native-nocrypto"]), us(r["module-nocrypto"]), us(floor), us(r["module+host"]))
	}
	fmt.Println("\ncrypto: verifier.VerifyPrimitive on a parsed key; other work: the whole verification with a host")
	fmt.Println("crypto that answers at once (parsing, policy, the report and its JSON); call floor: a call")
	fmt.Println("that returns time_missing at once (copy in, options, report out).")
	return nil
}

// measure runs e on doc for about d of CPU time and returns documents per
// CPU second of this process. CPU time rather than wall time: on a machine
// shared with other work, a core taken away costs wall time but not CPU
// time, and the process does nothing else while it measures.
func measure(e engine, doc []byte, d time.Duration) float64 {
	e(doc) // warm
	n := 0
	start := cpuTime()
	for cpuTime()-start < d {
		for range 8 {
			e(doc)
		}
		n += 8
	}
	return float64(n) / (cpuTime() - start).Seconds()
}

// cpuTime is the CPU time this process used, user and system, all threads.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// primitiveSeconds is the median cost of the signature check alone, as the
// host computes it: the key parsed from the SPKI, VerifyPrimitive.
func primitiveSeconds(doc []byte, trust *verifier.Trust, opts verifier.Options, per time.Duration, rounds int) float64 {
	var alg string
	var spki, msg, sig []byte
	opts.Trust = trust
	opts.Crypto = func(a string, k, m, s []byte) (bool, bool) {
		alg, spki, msg, sig = a, append([]byte(nil), k...), append([]byte(nil), m...), append([]byte(nil), s...)
		return false, false
	}
	verifier.Verify(doc, opts)
	pub, err := x509.ParsePKIXPublicKey(spki)
	if err != nil {
		panic(err)
	}
	rates := repeat(rounds, func() float64 {
		return measure(func([]byte) []byte { verifier.VerifyPrimitive(alg, pub, msg, sig); return nil }, nil, per)
	})
	return 1 / median(rates)
}

func repeat(n int, f func() float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = f()
	}
	return out
}

func median(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	return s[len(s)/2]
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}
