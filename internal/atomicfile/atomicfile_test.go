package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new", "state.json")
	if err := Write(path, []byte("one"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("two"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "two" {
		t.Fatalf("read %q, %v", b, err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
	left, _ := os.ReadDir(filepath.Dir(path))
	if len(left) != 1 {
		t.Errorf("%d files in the directory, want only the file itself", len(left))
	}
	// A path whose directory is a file cannot be written, and says so.
	if Write(filepath.Join(path, "x"), nil, 0o644) == nil {
		t.Error("wrote below a file")
	}
}

// TestWriteDevice: a device is written in place, never replaced by a
// regular file (a rename over /dev/null, as `verify --summary /dev/null`
// would have done, breaks every program on the machine).
func TestWriteDevice(t *testing.T) {
	if err := Write(os.DevNull, []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeDevice == 0 {
		t.Fatalf("%s is now %v", os.DevNull, fi.Mode())
	}
}

// TestJSON: what WriteJSON wrote, ReadJSON reads; a missing file is not an
// error and leaves the value as it was.
func TestJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d", "state.json")
	v := map[string]int{"kept": 1}
	if found, err := ReadJSON(path, &v); err != nil || found || v["kept"] != 1 {
		t.Fatalf("missing file: found %v, %v, %v", found, err, v)
	}
	if err := WriteJSON(path, map[string]int{"a": 2}, 0o600); err != nil {
		t.Fatal(err)
	}
	var got map[string]int
	if found, err := ReadJSON(path, &got); err != nil || !found || got["a"] != 2 {
		t.Fatalf("read back: found %v, %v, %v", found, err, got)
	}
	if err := os.WriteFile(path, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if found, err := ReadJSON(path, &got); err == nil || !found {
		t.Fatalf("a torn file reads: found %v, %v", found, err)
	}
}
