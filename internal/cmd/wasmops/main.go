// Command wasmops prints what single Go operations cost, one line per op,
// "name\tns" (internal/opsbench). wasmbench -tables ops builds it for
// wasip1/wasm with the module's flags, runs it under wazero and compares it
// with the same ops timed natively; it also runs natively on its own:
//
//	go run ./internal/cmd/wasmops -per 100ms
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/apostille/apostille/internal/opsbench"
)

func main() {
	per := flag.Duration("per", 50*time.Millisecond, "wall time to time each op for")
	flag.Parse()
	if err := opsbench.Run(os.Stdout, *per); err != nil {
		fmt.Fprintln(os.Stderr, "wasmops:", err)
		os.Exit(1)
	}
}
