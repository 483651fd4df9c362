package wasmbuild

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// TestGCStopsTheWorld builds a program that allocates as the verifier
// does with the module's flags and environment, runs it under wazero with
// the collector's trace on, and requires every collection the allocations
// started to have been marked with the world stopped (GODEBUG): in the
// trace's CPU times, no mark assist by the program. Built without the
// setting, the program's own allocations do the marking of every cycle,
// since nothing else runs while it does not yield.
func TestGCStopsTheWorld(t *testing.T) {
	out := filepath.Join(t.TempDir(), "gcprobe.wasm")
	if err := BuildCommand(testRoot(t), out, "./internal/wasmbuild/testdata/gcprobe"); err != nil {
		t.Fatal(err)
	}
	wasm, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	var stderr bytes.Buffer
	// The environment's GODEBUG adds to the linked default: the trace
	// leaves gcstoptheworld as the module has it.
	cfg := wazero.NewModuleConfig().WithStderr(&stderr).WithEnv("GODEBUG", "gctrace=1").
		WithSysWalltime().WithSysNanotime().WithSysNanosleep()
	if _, err := rt.InstantiateWithConfig(ctx, wasm, cfg); err != nil {
		t.Fatalf("running the probe: %v\n%s", err, stderr.Bytes())
	}
	cycles := 0
	sc := bufio.NewScanner(&stderr)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "gc ") || strings.HasSuffix(line, "(forced)") {
			continue
		}
		assist, ok := markAssist(line)
		if !ok {
			t.Fatalf("cannot read the trace line %q", line)
		}
		cycles++
		if assist != 0 {
			t.Errorf("a collection was marked alongside the program (assist %v ms): %s", assist, line)
		}
	}
	if cycles < 5 {
		t.Fatalf("%d collections started by allocation, want at least 5", cycles)
	}
}

// markAssist reads the mark assist CPU time from a gctrace line:
// "gc 4 @0.1s 1%: 0.1+0.3+0.05 ms clock, 0.1+ASSIST/BACKGROUND/IDLE+0.05 ms cpu, ...".
func markAssist(line string) (float64, bool) {
	_, rest, ok := strings.Cut(line, " ms clock, ")
	if !ok {
		return 0, false
	}
	cpu, _, ok := strings.Cut(rest, " ms cpu")
	if !ok {
		return 0, false
	}
	parts := strings.Split(cpu, "+")
	if len(parts) != 3 {
		return 0, false
	}
	mark := strings.Split(parts[1], "/")
	if len(mark) != 3 {
		return 0, false
	}
	v, err := strconv.ParseFloat(mark[0], 64)
	return v, err == nil
}

// TestNoOtherDefaultGODEBUG asks the go command which default GODEBUG it
// would link into the module by itself: the module's -X replaces it, so it
// must have none (see GODEBUG).
func TestNoOtherDefaultGODEBUG(t *testing.T) {
	out, err := goCommand(testRoot(t), "list", "-f", "{{.DefaultGODEBUG}}", Package).Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != "" {
		t.Fatalf("the go command links GODEBUG %q into the module, which the module's own default replaces", got)
	}
}
