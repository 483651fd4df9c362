package host

import (
	"os"
	"testing"
)

var sharedCache string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "apostille-host-test-")
	if err != nil {
		panic(err)
	}
	sharedCache = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
