package trustlist

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/apostille/apostille/internal/atomicfile"
	"github.com/apostille/apostille/verifier"
)

// State is what a host remembers of the signed bundles it accepted: per
// operator, the highest sequence and the digest of that bundle. A bundle
// with a lower sequence is a rollback; the same sequence with other content
// is one too (an operator that signs two bundles under one number is
// equivocating, or its key is in someone else's hands).
type State struct {
	Operators map[string]OperatorState `json:"operators"`

	path string
}

// OperatorState is the last bundle accepted from one operator.
type OperatorState struct {
	Sequence   uint64 `json:"sequence"`
	Digest     string `json:"sha256"`
	AcceptedAt string `json:"accepted_at"`
}

// LoadState reads the state file at path; a missing file is an empty state.
// An empty path gives a state kept in memory only.
func LoadState(path string) (*State, error) {
	s := &State{Operators: map[string]OperatorState{}, path: path}
	if path == "" {
		return s, nil
	}
	if _, err := atomicfile.ReadJSON(path, s); err != nil {
		return nil, fmt.Errorf("trust state %s: %w", path, err)
	}
	if s.Operators == nil {
		s.Operators = map[string]OperatorState{}
	}
	return s, nil
}

// Digest is the SHA-256 of a signed bundle (surrounding white space
// aside), hex.
func Digest(signed []byte) string {
	sum := sha256.Sum256(bytes.TrimSpace(signed))
	return hex.EncodeToString(sum[:])
}

// Check refuses a bundle older than, or different from, the one accepted
// last from its operator, with a *verifier.BundleError (trust_rollback).
func (s *State) Check(t *verifier.Trust, digest string) error {
	last, ok := s.Operators[t.Info.Operator]
	if !ok {
		return nil
	}
	if err := verifier.CheckRollback(t, last.Sequence); err != nil {
		return err
	}
	if t.Info.Sequence == last.Sequence && digest != last.Digest {
		return &verifier.BundleError{Reason: verifier.TrustRollback, Detail: fmt.Sprintf("sequence %d of %q was already accepted with other content", last.Sequence, t.Info.Operator)}
	}
	return nil
}

// Accept records a bundle that passed Check and saves the state when it
// changed.
func (s *State) Accept(t *verifier.Trust, digest string, now time.Time) error {
	last, ok := s.Operators[t.Info.Operator]
	if ok && last.Sequence >= t.Info.Sequence {
		return nil
	}
	s.Operators[t.Info.Operator] = OperatorState{Sequence: t.Info.Sequence, Digest: digest, AcceptedAt: now.UTC().Format(time.RFC3339)}
	return s.save()
}

func (s *State) save() error {
	if s.path == "" {
		return nil
	}
	return atomicfile.WriteJSON(s.path, s, 0o600)
}

// Open verifies a signed bundle with the pinned keys and the state: the
// signature (trust_invalid), then the sequence (trust_rollback). An
// accepted bundle is recorded.
func Open(signed []byte, keys []*verifier.OperatorKey, s *State, now time.Time) (*verifier.Trust, error) {
	t, err := verifier.OpenBundle(signed, keys)
	if err != nil {
		return nil, err
	}
	d := Digest(signed)
	if err := s.Check(t, d); err != nil {
		return nil, err
	}
	if err := s.Accept(t, d, now); err != nil {
		return nil, fmt.Errorf("trust state: %w", err)
	}
	return t, nil
}
