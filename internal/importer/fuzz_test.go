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
	f.Add([]byte("log example.ee/log+7a1a3a52+AT3dWkk6FYbs8gSIkYI3ZdS1jbvAE0hZI4MgIRAPqz8m\nwitness w lu.example/w+4c7e4b89+BCz9ZqKRjwIqcxC2CIwKxjC8rwSC7xNqSbXRbdmlbp8j\nquorum w\n"))
	f.Add([]byte("quorum none\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		importer.TLogPolicy(data, false, nil)
	})
}
