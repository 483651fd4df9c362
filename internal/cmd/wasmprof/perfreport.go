package main

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/apostille/apostille/internal/wasmbuild"
)

// samples is perf's report of one run, aggregated by function: the
// sampled mode's figures, apart from the wall time.
type samples struct {
	total    int64            // samples counted: guest and host
	guest    int64            // of which in the module's compiled code
	excluded int64            // samples in wazero's compiler, not counted
	fns      map[string]int64 // by function; a guest function's name starts with "wasm:"
}

// guestPrefix marks the module's functions among the host's Go functions,
// whose names can be the same (runtime.mallocgc is in both); wazeroPrefix
// marks the code wazero compiled for itself, kernelPrefix the kernel's.
const (
	guestPrefix  = "wasm:"
	wazeroPrefix = "wazero jit:"
	kernelPrefix = "kernel:"
	hostAsm      = "(host assembly, no package)"
)

// jitIndex is the "[index/last]" that wazero puts before the name of each
// function it compiles.
var jitIndex = regexp.MustCompile(`^\[\d+/\d+\]`)

// wazevoCompiler is the code that compiles the module: it runs before the
// guest does (the sampled mode starts perf after a warm-up pass), and is
// left out if a late compilation is caught, since it is not the cost of a
// verification. wazevo's own package holds its runtime too (callEngine), so
// only its compiling methods are named there; and the backend holds the
// assembly that enters compiled code (wazevoEntry), which is runtime.
var wazevoCompiler = []string{
	"github.com/tetratelabs/wazero/internal/engine/wazevo/backend",
	"github.com/tetratelabs/wazero/internal/engine/wazevo/frontend.",
	"github.com/tetratelabs/wazero/internal/engine/wazevo/ssa.",
	"github.com/tetratelabs/wazero/internal/engine/wazevo/wazevoapi.",
	"github.com/tetratelabs/wazero/internal/engine/wazevo.(*engine).compile",
}

var wazevoEntry = regexp.MustCompile(`/wazevo/backend/isa/\w+\.(entrypoint|afterGoFunctionCallEntrypoint)(\.abi0)?$`)

func compiling(sym string) bool {
	for _, p := range wazevoCompiler {
		if strings.HasPrefix(sym, p) {
			return !wazevoEntry.MatchString(sym)
		}
	}
	return false
}

// reportArgs are the arguments of `perf report` that parseReport reads:
// one line per object and symbol, "<overhead>%;<samples>;<object>;[<where>] <symbol>",
// for this process only (the perf record child it started is not).
func reportArgs(data string, pid int) []string {
	return []string{"report", "-i", data, "--pid", strconv.Itoa(pid), "--no-children",
		"--fields", "overhead,sample,dso,sym", "--field-separator", ";", "--stdio", "-g", "none"}
}

// parseReport reads the output of perf report with reportArgs. Code in the
// object "[JIT] tid <n>" is what wazero compiled: a symbol from its perf
// map with an index, "[2785/5246].crypto_internal_fips140_sha256.blockGeneric:::::L6",
// is one basic block of a guest function and is charged to the function;
// one without is wazero's glue (trampolines, entry preambles). Every other
// object is the host's native code, of whichever thread was running, the
// collector's included. An address perf could not name in a host object
// is given to resolve, if not nil, which names it or says "".
func parseReport(r io.Reader, resolve func(object string, addr uint64) string) (*samples, error) {
	s := &samples{fns: map[string]int64{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for line := 1; sc.Scan(); line++ {
		t := strings.TrimSpace(sc.Text())
		if t == "" || t[0] == '#' {
			continue
		}
		f := strings.SplitN(t, ";", 4) // the symbol is last and may hold anything
		if len(f) < 4 || !strings.HasSuffix(strings.TrimSpace(f[0]), "%") {
			return nil, fmt.Errorf("perf report line %d: not \"<overhead>%%;<samples>;<object>;<symbol>\"", line)
		}
		n, err := strconv.ParseInt(strings.TrimSpace(f[1]), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("perf report line %d: samples: %v", line, err)
		}
		name, guest, skip := symbolName(strings.TrimSpace(f[2]), strings.TrimSpace(f[3]), resolve)
		if skip {
			s.excluded += n
			continue
		}
		s.total += n
		if guest {
			s.guest += n
		}
		s.fns[name] += n
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return s, nil
}

// symbolName names the function a sampled symbol belongs to, says whether
// it is the guest's, and whether the sample is left out (wazero compiling).
func symbolName(object, sym string, resolve func(string, uint64) string) (name string, guest, skip bool) {
	where, sym, _ := strings.Cut(sym, " ") // "[.]" user, "[k]" kernel
	sym = strings.TrimSpace(sym)
	unnamed := strings.HasPrefix(sym, "0x")
	switch {
	case strings.HasPrefix(object, "[JIT]"):
		loc := jitIndex.FindStringIndex(sym)
		if loc == nil && !unnamed {
			return wazeroPrefix + sym, false, false
		}
		if loc == nil {
			// Not in the map: the module is all the map leaves out.
			return guestPrefix + "(unnamed)", true, false
		}
		name = sym[loc[1]:]
		if i := strings.Index(name, ":::::"); i >= 0 {
			name = name[:i] // the basic block's label
		}
		// wazero names a function "module.function"; the module has no
		// name. An exported function has its export's name instead.
		return guestPrefix + strings.TrimPrefix(name, "."), true, false
	case where == "[k]":
		return kernelPrefix + sym, false, false
	case unnamed:
		addr, err := strconv.ParseUint(sym[2:], 16, 64)
		sym = ""
		if err == nil && resolve != nil {
			sym = resolve(object, addr)
		}
		if sym == "" {
			return "(unnamed in " + object + ")", false, false
		}
	}
	if compiling(sym) {
		return "", false, true
	}
	return sym, false, false
}

// packageOf takes the package from a function's name as parseReport gives
// it: the guest's by the name section's rules (wasmbuild.PackageOf), the
// host's by Go's, "crypto/internal/fips140/nistec.(*P256Point).Add" in
// crypto/internal/fips140/nistec. A host symbol that is no Go function
// (an address) is its own package; one without a package (the host's
// file-local assembly, p256MulInternal) is in hostAsm.
func packageOf(name string) string {
	if g, ok := strings.CutPrefix(name, guestPrefix); ok {
		return guestPrefix + wasmbuild.PackageOf(g)
	}
	for _, p := range []string{wazeroPrefix, kernelPrefix} {
		if strings.HasPrefix(name, p) {
			return strings.TrimSuffix(p, ":")
		}
	}
	path := name
	if i := strings.IndexAny(path, "(["); i >= 0 {
		path = path[:i] // a receiver or type argument can hold a path
	}
	slash := strings.LastIndexByte(path, '/')
	if i := strings.IndexByte(name[slash+1:], '.'); i > 0 && !strings.ContainsAny(name, " :") {
		return name[:slash+1+i]
	}
	if !strings.ContainsAny(name, ". (") {
		return hostAsm
	}
	return name
}
