// Command trackedfiles refuses build outputs in git (`make lint`): a
// tracked compiled executable (ELF, Mach-O, PE, or a file with the
// executable bit that is not a #! script), and a tracked file over 2 MB
// that is neither test data (under a testdata/ directory) nor the committed
// WebAssembly module, which a `go get` user needs (wasm/module).
//
//	go run ./internal/cmd/trackedfiles
package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// MaxSize is the largest tracked file that is not test data or the module.
const MaxSize = 2 << 20

// Module is the committed module's path (wasm/module.Compressed).
const Module = "wasm/module/apostille.wasm.br"

func main() {
	out, err := exec.Command("git", "ls-files", "-s", "-z").Output()
	if err != nil {
		fmt.Fprintln(os.Stderr, "trackedfiles: git ls-files:", err)
		os.Exit(2)
	}
	bad := 0
	for _, entry := range bytes.Split(bytes.TrimSuffix(out, []byte{0}), []byte{0}) {
		// <mode> <object> <stage>\t<path>
		meta, path, ok := strings.Cut(string(entry), "\t")
		if !ok {
			continue
		}
		if why := refused(strings.Fields(meta)[0], path); why != "" {
			fmt.Fprintf(os.Stderr, "tracked build output: %s (%s): git rm --cached it and ignore it\n", path, why)
			bad++
		}
	}
	if bad > 0 {
		os.Exit(1)
	}
}

// refused says why a tracked file must not be tracked, or "".
func refused(mode, path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "" // deleted in the work tree, not yet committed
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return ""
	}
	head := make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	if isExecutable(head[:n]) {
		return "a compiled executable"
	}
	if mode == "100755" && !bytes.HasPrefix(head[:n], []byte("#!")) {
		return "executable and not a script"
	}
	if st.Size() > MaxSize && path != Module && !strings.Contains("/"+path, "/testdata/") {
		return fmt.Sprintf("%d bytes, over 2 MB", st.Size())
	}
	return ""
}

// isExecutable recognises the headers of ELF, Mach-O (32, 64 and
// universal) and PE executables.
func isExecutable(h []byte) bool {
	for _, magic := range [][]byte{
		{0x7f, 'E', 'L', 'F'},
		{0xfe, 0xed, 0xfa, 0xce}, {0xfe, 0xed, 0xfa, 0xcf}, {0xce, 0xfa, 0xed, 0xfe}, {0xcf, 0xfa, 0xed, 0xfe},
		{0xca, 0xfe, 0xba, 0xbe},
		{'M', 'Z'},
	} {
		if bytes.HasPrefix(h, magic) {
			return true
		}
	}
	return false
}
