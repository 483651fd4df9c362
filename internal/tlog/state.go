package tlog

import (
	"errors"

	"github.com/apostille/apostille/internal/atomicfile"
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
	var s mirrorState
	found, err := atomicfile.ReadJSON(path, &s)
	if err != nil {
		return nil, err
	}
	if !found {
		return &mirrorState{Origin: origin, Root: emptyRoot()}, nil
	}
	if s.Origin != origin {
		return nil, errors.New("state file is for another origin")
	}
	return &s, nil
}

func (s *mirrorState) save(path string) error {
	return atomicfile.WriteJSON(path, s, 0o644)
}
