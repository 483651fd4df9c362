// Command wasmbuild builds the WebAssembly module reproducibly (`make
// wasm`), writes it compressed where wasm/module embeds it when the source
// changed it (wasm/module/apostille.wasm.br, committed), and prints its
// SHA-256 and its size raw, gzip and brotli: what a citizen's browser
// downloads.
//
//	go run ./internal/cmd/wasmbuild -o bin/apostille.wasm
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/andybalholm/brotli"

	"github.com/apostille/apostille/internal/wasmbuild"
	"github.com/apostille/apostille/wasm/module"
)

func main() {
	out := flag.String("o", "bin/apostille.wasm", "output file")
	embed := flag.String("embed", "wasm/module/"+module.Compressed, "the committed module, rewritten when it differs from this build (empty: none)")
	all := flag.Bool("a", false, "rebuild every package (go build -a), for the reproducibility check")
	report := flag.Bool("sizes", true, "print the SHA-256 and compressed sizes")
	flag.Parse()
	root, err := wasmbuild.Root()
	if err != nil {
		fail(err)
	}
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		fail(err)
	}
	var extra []string
	if *all {
		extra = append(extra, "-a")
	}
	if err := wasmbuild.Build(root, *out, extra...); err != nil {
		fail(err)
	}
	b, err := os.ReadFile(*out)
	if err != nil {
		fail(err)
	}
	if *embed != "" {
		changed, err := writeIfChanged(filepath.Join(root, *embed), b)
		if err != nil {
			fail(err)
		}
		if changed {
			fmt.Printf("%s: rewritten for this build; commit it with the source that changed it\n", *embed)
		}
	}
	if !*report {
		return
	}
	gz, br := sizes(*out, b)
	fmt.Printf("%s\n  sha256  %s\n  raw     %9d bytes (%.2f MiB)\n  gzip    %9d bytes (%.2f MiB, -9)\n  brotli  %9d bytes (%.2f MiB, quality 11; the page's budget is 1.65 MB)\n",
		*out, module.SHA256(b), len(b), mib(len(b)), gz, mib(gz), br, mib(br))
}

// writeIfChanged writes the module compressed to path unless the file
// there already holds it: compressing takes half a minute, and an
// unchanged file keeps go build's cache and git quiet.
func writeIfChanged(path string, wasm []byte) (bool, error) {
	if old, err := os.ReadFile(path); err == nil {
		if was, err := module.Decompress(old); err == nil && bytes.Equal(was, wasm) {
			return false, nil
		}
	}
	return true, os.WriteFile(path, wasmbuild.Compress(wasm), 0o644)
}

// sizes compresses the module, or reads the sizes recorded next to it for
// the same SHA-256: brotli at quality 11 takes half a minute.
func sizes(out string, b []byte) (gz, br int) {
	sum := module.SHA256(b)
	record := out + ".sizes"
	if old, err := os.ReadFile(record); err == nil {
		var s string
		if n, _ := fmt.Sscanf(string(old), "%s %d %d", &s, &gz, &br); n == 3 && s == sum {
			return gz, br
		}
	}
	gz, br = gzipSize(b), brotliSize(b)
	os.WriteFile(record, fmt.Appendf(nil, "%s %d %d\n", sum, gz, br), 0o644)
	return gz, br
}

func gzipSize(b []byte) int {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	w.Write(b)
	w.Close()
	return buf.Len()
}

func brotliSize(b []byte) int {
	var buf bytes.Buffer
	w := brotli.NewWriterLevel(&buf, brotli.BestCompression)
	w.Write(b)
	w.Close()
	return buf.Len()
}

func mib(n int) float64 { return float64(n) / (1 << 20) }

func fail(err error) {
	fmt.Fprintln(os.Stderr, "wasmbuild:", err)
	os.Exit(1)
}
