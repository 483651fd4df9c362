package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/apostille/apostille/wasm/module"
)

// printVersion prints what identifies this build: the version (the module
// version for `go install …@vX`, else the commit it was built from), and
// the SHA-256 of the WebAssembly module it verifies with, the same that
// `make wasm` prints and that a browser's copy of the page can be checked
// against: two hosts with the same module reach the same verdicts.
func printVersion(w io.Writer) {
	fmt.Fprintf(w, "apostille %s\n", buildVersion())
	wasm := testModule
	if wasm == nil {
		wasm = module.Bytes()
	}
	if wasm == nil {
		fmt.Fprintln(w, "module: none embedded")
	} else {
		fmt.Fprintf(w, "module sha256:%s (%d bytes)\n", module.SHA256(wasm), len(wasm))
	}
	fmt.Fprintf(w, "%s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// buildVersion is the main module's version, or for a build from a clone
// the commit (and "+dirty" when the tree had changes).
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	var rev, dirty string
	for _, s := range bi.Settings {
		switch {
		case s.Key == "vcs.revision":
			rev = s.Value
		case s.Key == "vcs.modified" && s.Value == "true":
			dirty = "+dirty"
		}
	}
	if (v == "" || v == "(devel)") && rev != "" {
		return "commit " + rev[:min(12, len(rev))] + dirty
	}
	if v == "" {
		v = "(devel)"
	}
	return v
}
