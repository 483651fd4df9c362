// Command wasmprof says where the module spends its time on the demo
// world's mix (internal/benchdocs.MakeMix), per format: it builds the module
// with its function names, runs it under wazero with a function listener
// that charges the time between two calls or returns to the function on top
// of the stack, and prints the functions and packages with the most time.
//
//	go run ./internal/cmd/wasmprof [-format asice] [-n 200] [-top 40]
//
// The listener costs time on every call, so call-heavy code looks dearer
// than it is; the figures rank the guest's work, they are not its speed
// (internal/cmd/wasmbench measures that). Host crypto is on, as in
// production, so time in the host's signature checks is charged to the
// import function that calls it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/apostille/apostille/internal/benchdocs"
	"github.com/apostille/apostille/internal/wasmbuild"
	"github.com/apostille/apostille/verifier"
	"github.com/apostille/apostille/wasm/host"
)

func main() {
	format := flag.String("format", "", "only this format of the mix (default: each in turn)")
	n := flag.Int("n", 100, "passes over each format's documents")
	top := flag.Int("top", 30, "functions to show per format")
	fn := flag.String("fn", "", "time only the functions whose names match this regexp, callees included, "+
		"the others at full speed; percentages are then of the wall time")
	flag.Parse()
	var only *regexp.Regexp
	if *fn != "" {
		only = regexp.MustCompile(*fn)
	}
	if err := run(*format, *n, *top, only); err != nil {
		fmt.Fprintln(os.Stderr, "wasmprof:", err)
		os.Exit(1)
	}
}

// prof is the listener's state: one instance calls one function at a time.
type prof struct {
	stack []string
	last  int64
	self  map[string]int64
	// only, when set, lists the functions to time inclusively (-fn).
	only *regexp.Regexp
}

func (p *prof) charge() {
	now := nanotime()
	if len(p.stack) > 0 {
		p.self[p.stack[len(p.stack)-1]] += now - p.last
	}
	p.last = now
}

func (p *prof) Before(_ context.Context, _ api.Module, def api.FunctionDefinition, _ []uint64, _ experimental.StackIterator) {
	p.charge()
	p.stack = append(p.stack, def.DebugName())
}

func (p *prof) After(context.Context, api.Module, api.FunctionDefinition, []uint64) {
	p.charge()
	if len(p.stack) > 0 {
		p.stack = p.stack[:len(p.stack)-1]
	}
}

func (p *prof) Abort(context.Context, api.Module, api.FunctionDefinition, error) {
	p.charge()
	if len(p.stack) > 0 {
		p.stack = p.stack[:len(p.stack)-1]
	}
}

func (p *prof) NewFunctionListener(def api.FunctionDefinition) experimental.FunctionListener {
	if p.only != nil {
		if !p.only.MatchString(def.DebugName()) {
			return nil
		}
		return &incl{p: p, name: def.DebugName()}
	}
	return p
}

// incl charges a listed function's outermost activations, callees included;
// the functions not listed run without a listener, at full speed.
type incl struct {
	p     *prof
	name  string
	depth int
	start int64
}

func (l *incl) Before(context.Context, api.Module, api.FunctionDefinition, []uint64, experimental.StackIterator) {
	if l.depth == 0 {
		l.start = nanotime()
	}
	l.depth++
}

func (l *incl) After(context.Context, api.Module, api.FunctionDefinition, []uint64) { l.end() }

func (l *incl) Abort(context.Context, api.Module, api.FunctionDefinition, error) { l.end() }

func (l *incl) end() {
	l.depth--
	if l.depth == 0 {
		l.p.self[l.name] += nanotime() - l.start
	}
}

var epoch = time.Now()

func nanotime() int64 { return int64(time.Since(epoch)) }

func run(only string, passes, top int, fns *regexp.Regexp) error {
	mod, err := wasmbuild.BuildNamed()
	if err != nil {
		return err
	}
	mix, err := benchdocs.MakeMix()
	if err != nil {
		return err
	}
	p := &prof{self: map[string]int64{}, only: fns}
	ctx := experimental.WithFunctionListenerFactory(context.Background(), p)
	e, err := host.New(ctx, host.Config{Module: mod, NoCache: true, Instances: 1,
		Trust: []host.TrustSource{{Name: "demo", Data: mix.Trust}}})
	if err != nil {
		return err
	}
	defer e.Close(ctx)
	formats := mix.Formats()
	if only != "" {
		formats = []string{only}
	}
	for _, f := range formats {
		var docs []*benchdocs.MixDoc
		for i := range mix.Docs {
			if mix.Docs[i].Format == f {
				docs = append(docs, &mix.Docs[i])
			}
		}
		verify := func() {
			for _, d := range docs {
				e.Verify(ctx, d.Data, verifier.Options{Time: benchdocs.At, Proof: d.Proof, Payload: d.Payload})
			}
		}
		verify() // warm: trust memos, buffers
		clear(p.self)
		start := time.Now()
		for range passes {
			verify()
		}
		wall := time.Since(start)
		report(f, len(docs)*passes, wall, p, top)
	}
	return nil
}

func report(format string, docs int, wall time.Duration, p *prof, top int) {
	type row struct {
		name string
		ns   int64
	}
	var total int64
	if p.only != nil {
		total = int64(wall)
	}
	var fns []row
	pkgs := map[string]int64{}
	for name, ns := range p.self {
		if p.only == nil {
			total += ns
		}
		fns = append(fns, row{name, ns})
		// wazero names a function "module.function"; the module has no name.
		pkgs[wasmbuild.PackageOf(strings.TrimPrefix(name, "."))] += ns
	}
	var prows []row
	for k, v := range pkgs {
		prows = append(prows, row{k, v})
	}
	byTime := func(r []row) {
		sort.Slice(r, func(i, j int) bool { return r[i].ns > r[j].ns })
	}
	byTime(fns)
	byTime(prows)
	fmt.Printf("## %s: %d documents, %v under the listener (%.0f µs each)\n", format, docs, wall.Round(time.Millisecond), float64(wall.Microseconds())/float64(docs))
	fmt.Println("self time by package:")
	for i, r := range prows {
		if i == 20 {
			break
		}
		fmt.Printf("  %5.1f%%  %s\n", 100*float64(r.ns)/float64(total), r.name)
	}
	fmt.Println("self time by function:")
	for i, r := range fns {
		if i == top {
			break
		}
		fmt.Printf("  %5.1f%%  %s\n", 100*float64(r.ns)/float64(total), r.name)
	}
	fmt.Println()
}
