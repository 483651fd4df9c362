package importer_test

import (
	"os"
	"testing"

	"github.com/apostille/apostille/internal/importer"
)

// FuzzDCCSignerList: any list is imported or refused, never a panic.
func FuzzDCCSignerList(f *testing.F) {
	f.Add([]byte(`[{"kid":"DEsVUSvpFAE=","country":"DE","certificateType":"DSC","rawData":"AAAA"}]`))
	f.Add([]byte("sig\n{\"certificates\":[]}"))
	if b, err := os.ReadFile("testdata/dcc/DE-1.json"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		importer.DCCSignerList(data)
	})
}

// FuzzTLogPolicy: any policy text is read or refused, never a panic.
func FuzzTLogPolicy(f *testing.F) {
	f.Add([]byte(policy))
	f.Add([]byte("quorum none\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		importer.TLogPolicy(data, false, nil)
	})
}
