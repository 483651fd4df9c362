// Command wasmprof says where the module spends its time on the demo
// world's mix (internal/benchdocs.MakeMix), per format, in one of two ways.
// Both build the module with its function names and print the functions
// and packages with the most time.
//
// By default it runs the module under wazero with a function listener that
// charges the time between two calls or returns to the function on top of
// the stack:
//
//	go run ./internal/cmd/wasmprof [-format asice] [-n 200] [-top 40] [-fn regexp]
//
// The listener costs time on every call (about 290 ns), so call-heavy code
// looks dearer than it is (the Go runtime's small functions most: about
// twice their sampled share); the figures rank the guest's work, they are not its
// speed (internal/cmd/wasmbench measures that). Host crypto is on, as in
// production, so time in the host's signature checks is charged to the
// import function that calls it.
//
// With -sample it runs the module at full speed and lets Linux perf sample
// the process instead:
//
//	go run -tags perfmap ./internal/cmd/wasmprof -sample [-format asice] [-n 5s] [-top 40] [-freq 3000]
//
// The perfmap tag makes wazero write /tmp/perf-<pid>.map, which names the
// code it compiles, so perf can tell one guest function from another. The
// module is compiled and each format verified once before `perf record -p`
// starts, so wazero's compiler is not in the samples (the few it still
// catches are left out and counted). -n is a number of passes or a time.
// The report gives the
// share of samples in the guest's code ("wasm:" functions) against the
// host's native code (Go crypto behind the host imports, wazero's runtime,
// and every other thread of the process, the collector's included), and
// self samples by function and package. It needs perf on the PATH and leave
// to use it: kernel.perf_event_paranoid at 2 or less for one's own process,
// or CAP_PERFMON. `make profile` runs it over every format.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
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
	var n amount
	flag.Var(&n, "n", "passes over each format's documents, or a duration such as 5s "+
		"(default 100 passes; with -sample 5s)")
	top := flag.Int("top", 30, "functions to show per format")
	sample := flag.Bool("sample", false, "sample with Linux perf instead of listening to every call "+
		"(needs -tags perfmap)")
	freq := flag.Int("freq", 3000, "with -sample, samples per second and thread")
	fn := flag.String("fn", "", "time only the functions whose names match this regexp, callees included, "+
		"the others at full speed; percentages are then of the wall time")
	flag.Parse()
	var only *regexp.Regexp
	if *fn != "" {
		only = regexp.MustCompile(*fn)
	}
	var err error
	if *sample {
		if only != nil {
			err = errors.New("-fn is the listener's; -sample samples every function")
		} else {
			err = runSampled(*format, n.or(amount{d: 5 * time.Second}), *top, *freq)
		}
	} else {
		err = run(*format, n.or(amount{passes: 100}), *top, only)
	}
	removePerfMap()
	if err != nil {
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

// amount is -n: a number of passes over a format's documents, or a time
// to keep passing over them.
type amount struct {
	passes int
	d      time.Duration
}

func (a *amount) String() string {
	if a.d > 0 {
		return a.d.String()
	}
	return strconv.Itoa(a.passes)
}

func (a *amount) Set(s string) error {
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		*a = amount{passes: n}
		return nil
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		*a = amount{d: d}
		return nil
	}
	return fmt.Errorf("%q is neither a positive number of passes nor a duration", s)
}

// or is a, or def if -n was not given.
func (a amount) or(def amount) amount {
	if a == (amount{}) {
		return def
	}
	return a
}

// more says whether to make another pass, after done passes in elapsed.
func (a amount) more(done int, elapsed time.Duration) bool {
	if a.d > 0 {
		return elapsed < a.d
	}
	return done < a.passes
}

// mixEngine is an engine of the module built with its names, holding the
// demo world's trust, and the mix it verifies.
type mixEngine struct {
	*host.Engine
	mix *benchdocs.Mix
}

// openMix builds the module and its engine (ctx may carry a listener
// factory) and returns the formats to profile: only, or every format of
// the mix.
func openMix(ctx context.Context, only string) (*mixEngine, []string, error) {
	mod, err := wasmbuild.BuildNamed()
	if err != nil {
		return nil, nil, err
	}
	mix, err := benchdocs.MakeMix()
	if err != nil {
		return nil, nil, err
	}
	formats := mix.Formats()
	if only != "" {
		if !slices.Contains(formats, only) {
			return nil, nil, fmt.Errorf("no format %q in the mix (it has %s)", only, strings.Join(formats, ", "))
		}
		formats = []string{only}
	}
	e, err := host.New(ctx, host.Config{Module: mod, NoCache: true, Instances: 1,
		Trust: []host.TrustSource{{Name: "demo", Data: mix.Trust}}})
	if err != nil {
		return nil, nil, err
	}
	return &mixEngine{e, mix}, formats, nil
}

// pass returns the documents of one format and a function that verifies
// each of them once.
func (e *mixEngine) pass(format string) ([]*benchdocs.MixDoc, func()) {
	var docs []*benchdocs.MixDoc
	for i := range e.mix.Docs {
		if e.mix.Docs[i].Format == format {
			docs = append(docs, &e.mix.Docs[i])
		}
	}
	ctx := context.Background()
	return docs, func() {
		for _, d := range docs {
			e.Verify(ctx, d.Data, verifier.Options{Time: benchdocs.At, Proof: d.Proof, Payload: d.Payload})
		}
	}
}

// timed runs verify until amt is spent and returns the passes and the wall
// time they took.
func timed(verify func(), amt amount) (int, time.Duration) {
	start := time.Now()
	passes := 0
	for amt.more(passes, time.Since(start)) {
		verify()
		passes++
	}
	return passes, time.Since(start)
}

func run(only string, amt amount, top int, fns *regexp.Regexp) error {
	p := &prof{self: map[string]int64{}, only: fns}
	ctx := experimental.WithFunctionListenerFactory(context.Background(), p)
	e, formats, err := openMix(ctx, only)
	if err != nil {
		return err
	}
	defer e.Close(ctx)
	for _, f := range formats {
		docs, verify := e.pass(f)
		verify() // warm: trust memos, buffers
		clear(p.self)
		passes, wall := timed(verify, amt)
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
