package abi_test

import (
	"fmt"
	"time"

	"github.com/apostille/apostille/verifier"
	"github.com/apostille/apostille/wasm/abi"
)

// Example writes the options a host hands the module with a document and
// reads them back as the module does.
func Example() {
	opts := verifier.Options{
		Time:   time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC),
		Format: verifier.FormatMDoc,
		Holder: verifier.HolderOptions{SessionTranscript: []byte{0x83, 0xf6, 0xf6, 0xf6}, ReaderKey: []byte{1, 2, 3}},
	}
	data := abi.AppendOptions(nil, &opts)
	fmt.Println(string(data))
	back, err := abi.ParseOptions(data)
	fmt.Println(back.Time.Equal(opts.Time), back.Holder.ReaderKey, err)
	// Output:
	// {"at":"2026-11-27T12:00:00Z","format":"mdoc","holder":{"session_transcript":"g/b29g==","reader_key":"AQID"}}
	// true [1 2 3] <nil>
}
