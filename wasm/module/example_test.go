package module_test

import (
	"bytes"
	"fmt"

	"github.com/apostille/apostille/wasm/module"
)

// Example reads the embedded module, as wasm/host does when its Config
// names none.
func Example() {
	wasm := module.Bytes()
	fmt.Println(bytes.HasPrefix(wasm, []byte("\x00asm")))
	// Output: true
}
