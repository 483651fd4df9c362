package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"time"

	"github.com/apostille/apostille/internal/benchdocs"
	"github.com/apostille/apostille/verifier"
	"github.com/apostille/apostille/wasm/host"
)

// mixEngine verifies one document of the mix and returns its report JSON.
type mixEngine func(d *benchdocs.MixDoc) []byte

// runMix measures the demo world's mix (internal/benchdocs.MakeMix) per
// format and as a whole: native, module+host, module-alone, in
// interleaved rounds, median round. Every configuration first verifies
// every document once and must decide as the demo manifest says.
func runMix(mod []byte, rounds int, per time.Duration) error {
	mix, err := benchdocs.MakeMix()
	if err != nil {
		return err
	}
	parsed, err := verifier.ParseTrust("demo", mix.Trust)
	if err != nil {
		return err
	}
	// As the module (and the CLI's native engine) hold it: sources added
	// to an empty trust.
	trust := &verifier.Trust{}
	trust.Add(parsed)
	ctx := context.Background()
	newEngine := func(disable bool) (*host.Engine, error) {
		return host.New(ctx, host.Config{Module: mod, Trust: []host.TrustSource{{Name: "demo", Data: mix.Trust}},
			Instances: 1, DisableHostCrypto: disable})
	}
	withHost, err := newEngine(false)
	if err != nil {
		return err
	}
	noHost, err := newEngine(true)
	if err != nil {
		return err
	}
	opts := func(d *benchdocs.MixDoc) verifier.Options {
		return verifier.Options{Time: benchdocs.At, Proof: d.Proof, Payload: d.Payload}
	}
	var buf []byte
	native := func(d *benchdocs.MixDoc) []byte {
		o := opts(d)
		o.Trust = trust
		buf = verifier.Verify(d.Data, o).AppendJSON(buf[:0])
		return buf
	}
	module := func(e *host.Engine) mixEngine {
		return func(d *benchdocs.MixDoc) []byte { return e.Verify(ctx, d.Data, opts(d)) }
	}
	type config struct {
		name string
		e    mixEngine
	}
	cfgs := []config{{"native", native}, {"module+host", module(withHost)}, {"module-alone", module(noHost)}}
	if againstFile != "" {
		// An A/B of two builds: the module-alone column gives way to the
		// other module with host crypto, measured in the same rounds.
		other, err := os.ReadFile(againstFile)
		if err != nil {
			return err
		}
		against, err := host.New(ctx, host.Config{Module: other, Trust: []host.TrustSource{{Name: "demo", Data: mix.Trust}}, Instances: 1})
		if err != nil {
			return err
		}
		cfgs[2] = config{"against+host", module(against)}
	}

	// The three must agree byte for byte and decide as the manifest says.
	for i := range mix.Docs {
		d := &mix.Docs[i]
		want := bytes.Clone(native(d))
		if !bytes.Contains(want, []byte(`"verdict":"`+d.Verdict+`"`)) {
			return fmt.Errorf("mix: %s does not decide %s natively", d.Name, d.Verdict)
		}
		for _, c := range cfgs[1:] {
			if got := c.e(d); !bytes.Equal(got, want) {
				return fmt.Errorf("mix: %s: %s's report differs from native:\n%s\n%s", d.Name, c.name, got, want)
			}
		}
	}

	groups := append(mix.Formats(), "all")
	docsOf := func(g string) []*benchdocs.MixDoc {
		var out []*benchdocs.MixDoc
		for i := range mix.Docs {
			if g == "all" || mix.Docs[i].Format == g {
				out = append(out, &mix.Docs[i])
			}
		}
		return out
	}
	fmt.Printf("## the demo world's mix: %d documents (valid ones with their tlog proofs, tampered, expired, revoked, unknown)\n", len(mix.Docs))
	last, lastRatio := "alone/nat", "module-alone"
	if againstFile != "" {
		fmt.Printf("# against: %s; module/against is the median of the rounds' own ratios\n", againstFile)
		last, lastRatio = "mod/against", "against+host"
	}
	fmt.Printf("%-12s %5s %12s %12s %12s %10s %10s\n", "documents/s", "docs", "native", "module+host", lastRatio, "host/nat", last)
	for _, g := range groups {
		docs := docsOf(g)
		rates := make([][]float64, len(cfgs))
		var paired []float64
		for r := 0; r < rounds; r++ {
			for i, c := range cfgs {
				rates[i] = append(rates[i], measureSet(c.e, docs, per))
			}
			if againstFile != "" {
				paired = append(paired, rates[1][r]/rates[2][r])
			}
		}
		n, h, a := median(rates[0]), median(rates[1]), median(rates[2])
		if againstFile != "" {
			fmt.Printf("%-12s %5d %12.0f %12.0f %12.0f %9.2fx %9.3fx\n", g, len(docs), n, h, a, h/n, median(paired))
			continue
		}
		fmt.Printf("%-12s %5d %12.0f %12.0f %12.0f %9.2fx %9.2fx\n", g, len(docs), n, h, a, h/n, a/n)
	}
	fmt.Println()
	return nil
}

// measureSet runs e over docs in turn for about d of CPU time and returns
// documents per CPU second of this process.
func measureSet(e mixEngine, docs []*benchdocs.MixDoc, d time.Duration) float64 {
	for _, doc := range docs {
		e(doc) // warm
	}
	n := 0
	start := cpuTime()
	for cpuTime()-start < d {
		for _, doc := range docs {
			e(doc)
		}
		n += len(docs)
	}
	return float64(n) / (cpuTime() - start).Seconds()
}
