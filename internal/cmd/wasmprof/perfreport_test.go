package main

import (
	"debug/elf"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

func TestMain(m *testing.M) {
	code := m.Run()
	removePerfMap() // built with -tags perfmap, the test binary has one too
	os.Exit(code)
}

// testdata/perf-report.txt is perf 6.1's report (reportArgs) of the sampled
// mode on asice, cut to a few lines, with lines from a capture during
// compilation and a few written by hand, as its comments say.
func TestParseReport(t *testing.T) {
	f, err := os.Open("testdata/perf-report.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := parseReport(f, func(object string, addr uint64) string {
		if object == "wasmprof-perf" && addr == 0x1c28bd {
			return "p256MulInternal"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	const verifier = "wasm:github.com_apostille_apostille_verifier."
	wantFns := map[string]int64{
		// Basic blocks summed into their function, "[i/n]." and ":::::L<n>" gone.
		verifier + "__xmlReader_.text":                             33 + 14 + 9,
		verifier + "decodeBase64XML":                               29 + 8,
		"wasm:runtime.mallocgc":                                    3, // the guest's, apart from the host's below
		"wasm:internal_runtime_maps.__Iter_.Next":                  1,
		"wasm:(unnamed)":                                           1,      // compiled code the map does not name
		"p256MulInternal":                                          97 + 1, // one from its address
		"runtime.memmove":                                          69,
		"crypto/internal/fips140/nistec.p256OrdSqr.abi0":           33,
		"kernel:finish_task_switch.isra.0":                         26,
		"runtime.(*mspan).moveInlineMarks":                         10,
		"crypto/internal/fips140/nistec.(*P256Point).p256BaseMult": 3,
		"runtime.mallocgcSmallNoscan":                              3,
		// wazero's runtime stays, its compiler goes.
		"github.com/tetratelabs/wazero/internal/engine/wazevo.(*callEngine).callWithStack":       4,
		"github.com/tetratelabs/wazero/internal/engine/wazevo/backend/isa/amd64.entrypoint.abi0": 1,
		"wazero jit:trampoline:wasi_snapshot_preview1.fd_write":                                  2,
	}
	if !maps.Equal(s.fns, wantFns) {
		t.Errorf("functions:\n got %v\nwant %v", s.fns, wantFns)
	}
	if s.guest != 98 || s.total != 347 || s.excluded != 341+82+39+27 {
		t.Errorf("guest %d of %d, %d left out; want 98 of 347, 489 left out", s.guest, s.total, s.excluded)
	}
	pkgs := map[string]int64{}
	for name, n := range s.fns {
		pkgs[packageOf(name)] += n
	}
	wantPkgs := map[string]int64{
		"wasm:github.com_apostille_apostille_verifier": 93,
		"wasm:runtime":                   3,
		"wasm:internal_runtime_maps":     1,
		"wasm:(unnamed)":                 1,
		hostAsm:                          98,
		"runtime":                        82,
		"crypto/internal/fips140/nistec": 36,
		"kernel":                         26,
		"github.com/tetratelabs/wazero/internal/engine/wazevo":                   4,
		"github.com/tetratelabs/wazero/internal/engine/wazevo/backend/isa/amd64": 1,
		"wazero jit": 2,
	}
	if !maps.Equal(pkgs, wantPkgs) {
		t.Errorf("packages:\n got %v\nwant %v", pkgs, wantPkgs)
	}
}

func TestParseReportRefuses(t *testing.T) {
	for _, in := range []string{
		" 3.32%  ; 97 ;wasmprof-perf\n",                        // no symbol column
		" 3.32%  ; many ;wasmprof-perf ;[.] runtime.memmove\n", // samples not a number
		"3.32 97 [.] runtime.memmove\n",                        // not the separated form
	} {
		if _, err := parseReport(strings.NewReader(in), nil); err == nil {
			t.Errorf("parseReport(%q) took it", in)
		}
	}
}

func TestParseReportUnnamed(t *testing.T) {
	in := " 0.03%  ; 1          ;wasmprof-perf    ;[.] 0x00000000001c28bd\n"
	s, err := parseReport(strings.NewReader(in), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int64{"(unnamed in wasmprof-perf)": 1}; !maps.Equal(s.fns, want) {
		t.Errorf("got %v, want %v", s.fns, want)
	}
}

// TestHostNames turns a function's address in this test binary into the
// file offset perf reports, and back.
func TestHostNames(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pc := uint64(reflect.ValueOf(packageOf).Pointer())
	var off uint64
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && pc >= p.Vaddr && pc < p.Vaddr+p.Filesz {
			off = pc - p.Vaddr + p.Off
		}
	}
	resolve := hostNames()
	if got, want := resolve(filepath.Base(exe), off), runtime.FuncForPC(uintptr(pc)).Name(); got != want || !strings.HasSuffix(got, ".packageOf") {
		t.Errorf("resolve(offset %#x) = %q, want %q", off, got, want)
	}
	if got := resolve("another-object", off); got != "" {
		t.Errorf("resolve in another object = %q", got)
	}
}
