package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"

	"github.com/apostille/apostille/internal/opsbench"
	"github.com/apostille/apostille/internal/wasmbuild"
)

// opsPackage is the command that times the ops inside a module.
const opsPackage = "./internal/cmd/wasmops"

// runOps times internal/opsbench's ops natively, in this process, and in
// internal/cmd/wasmops built for wasip1/wasm with the module's flags and
// run under wazero's optimizing compiler, in interleaved rounds, and
// prints the median round of each op on each side. Wall time on both
// sides: the module cannot read its CPU time, and one op takes
// milliseconds, so a burst of load elsewhere moves one round, not the median.
// The native side runs with GOMAXPROCS 1, as the module's single thread
// does: with a second thread the garbage collector marks there, and the
// wall time of an allocation leaves out part of its cost.
func runOps(rounds int, per time.Duration) error {
	root, err := wasmbuild.Root()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "apostille-wasmops-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "wasmops.wasm")
	if err := wasmbuild.BuildCommand(root, out, opsPackage); err != nil {
		return err
	}
	wasm, err := os.ReadFile(out)
	if err != nil {
		return err
	}
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler())
	defer rt.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	compiled, err := rt.CompileModule(ctx, wasm)
	if err != nil {
		return err
	}

	native := map[string][]float64{}
	module := map[string][]float64{}
	for range rounds {
		var buf bytes.Buffer
		procs := runtime.GOMAXPROCS(1)
		err := opsbench.Run(&buf, per)
		runtime.GOMAXPROCS(procs)
		if err != nil {
			return err
		}
		n, err := parseOps(&buf)
		if err != nil {
			return fmt.Errorf("ops natively: %v", err)
		}
		m, err := runOpsModule(ctx, rt, compiled, per)
		if err != nil {
			return err
		}
		for _, op := range opsbench.Ops {
			native[op.Name] = append(native[op.Name], n[op.Name])
			module[op.Name] = append(module[op.Name], m[op.Name])
		}
	}

	fmt.Printf("\n## single Go operations: ns per op, native vs in the module (internal/opsbench)\n")
	fmt.Printf("# %d interleaved rounds of %s wall time per op and side, median round; the module is %s\n", rounds, per, opsPackage)
	fmt.Printf("# built with internal/wasmbuild's flags and environment, under wazero's optimizing compiler; native with GOMAXPROCS 1\n")
	fmt.Printf("%-13s %10s %10s %10s  %s\n", "op", "native", "module", "mod/nat", "what it stands for")
	for _, op := range opsbench.Ops {
		n, m := median(native[op.Name]), median(module[op.Name])
		fmt.Printf("%-13s %10.2f %10.2f %9.1fx  %s\n", op.Name, n, m, m/n, op.What)
	}
	return nil
}

// runOpsModule runs wasmops once in a fresh instance and returns its
// figures. The Go runtime times itself with WASI's clocks, so the module
// gets the real ones (wazero's default clocks are fake).
func runOpsModule(ctx context.Context, rt wazero.Runtime, compiled wazero.CompiledModule, per time.Duration) (map[string]float64, error) {
	var stdout, stderr bytes.Buffer
	cfg := wazero.NewModuleConfig().WithName("").
		WithArgs("wasmops", "-per", per.String()).
		WithStdout(&stdout).WithStderr(&stderr).
		WithSysWalltime().WithSysNanotime().WithSysNanosleep()
	mod, err := rt.InstantiateModule(ctx, compiled, cfg)
	var exit *sys.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 0 {
		err = nil
	}
	if err != nil {
		return nil, fmt.Errorf("ops in the module: %v\n%s", err, stderr.Bytes())
	}
	if mod != nil {
		mod.Close(ctx)
	}
	got, err := parseOps(&stdout)
	if err != nil {
		return nil, fmt.Errorf("ops in the module: %v", err)
	}
	return got, nil
}

// parseOps reads opsbench.Run's output, "name\tns" per line, and requires
// every op of opsbench.Ops with a positive figure, once.
func parseOps(r io.Reader) (map[string]float64, error) {
	got := map[string]float64{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		name, ns, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			return nil, fmt.Errorf("line %q: not name<TAB>ns", sc.Text())
		}
		v, err := strconv.ParseFloat(ns, 64)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("line %q: not a positive figure", sc.Text())
		}
		if _, dup := got[name]; dup {
			return nil, fmt.Errorf("op %s: listed twice", name)
		}
		got[name] = v
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for _, op := range opsbench.Ops {
		if _, ok := got[op.Name]; !ok {
			return nil, fmt.Errorf("op %s: missing", op.Name)
		}
	}
	if len(got) != len(opsbench.Ops) {
		return nil, fmt.Errorf("%d ops listed, %d known", len(got), len(opsbench.Ops))
	}
	return got, nil
}
