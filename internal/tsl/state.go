package tsl

import (
	"fmt"
	"time"

	"github.com/apostille/apostille/internal/atomicfile"
)

// State is what a previous import kept: per list (the LOTL as "LOTL", a
// national list by territory), the highest sequence number imported. A
// list with a lower number is refused (sequence_rollback), as a bundle
// with a lower sequence is (internal/trustlist). The same number again is
// accepted: operators re-sign a list without renumbering it.
type State struct {
	Lists map[string]ListState `json:"lists"`

	path string
}

// ListState is the last list imported for one territory.
type ListState struct {
	Sequence   uint64 `json:"sequence"`
	IssuedAt   string `json:"issued_at"`
	ImportedAt string `json:"imported_at"`
}

// LoadState reads the state file; a missing file is an empty state.
func LoadState(path string) (*State, error) {
	s := &State{Lists: map[string]ListState{}, path: path}
	if _, err := atomicfile.ReadJSON(path, s); err != nil {
		return nil, fmt.Errorf("trusted list state %s: %w", path, err)
	}
	if s.Lists == nil {
		s.Lists = map[string]ListState{}
	}
	return s, nil
}

func (s *State) min(key string) uint64 {
	if s == nil {
		return 0
	}
	return s.Lists[key].Sequence
}

// Record keeps an imported list (key "LOTL" or its territory).
func (s *State) Record(key string, l *List, now time.Time) {
	if s == nil || s.Lists[key].Sequence > l.Sequence {
		return
	}
	s.Lists[key] = ListState{Sequence: l.Sequence, IssuedAt: l.IssueDate.Format(time.RFC3339), ImportedAt: now.UTC().Format(time.RFC3339)}
}

// Save writes the state file.
func (s *State) Save() error {
	if s == nil || s.path == "" {
		return nil
	}
	return atomicfile.WriteJSON(s.path, s, 0o600)
}
