package tlog

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
)

// mirrorState is what an embassy remembers of one log: the last checkpoint
// it cosigned and the compact range of that tree, from which it extends the
// tree with new entries without re-reading its copy.
type mirrorState struct {
	Origin string `json:"origin"`
	Size   uint64 `json:"size"`
	Root   []byte `json:"root"`
	// Checkpoint is the log-signed checkpoint of Size (log signatures only).
	Checkpoint string `json:"checkpoint,omitempty"`
	// Cosignature is the embassy's signature line over Checkpoint.
	Cosignature string `json:"cosignature,omitempty"`
	// Range holds the roots of the perfect subtrees covering [0, Size)
	// (merkle/compact), left to right.
	Range [][]byte `json:"range"`
}

// loadState reads a state file; a missing file is an empty log.
func loadState(path, origin string) (*mirrorState, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &mirrorState{Origin: origin, Root: emptyRoot()}, nil
	}
	if err != nil {
		return nil, err
	}
	var s mirrorState
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, err
	}
	if s.Origin != origin {
		return nil, errors.New("state file is for another origin")
	}
	return &s, nil
}

// writeFileAtomic replaces path with data so that a crash leaves either
// the old or the new file, never a torn one: write a temporary file in the
// same directory, fsync it, rename it over path, fsync the directory.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after a successful rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func (s *mirrorState) save(path string) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(b, '\n'))
}
