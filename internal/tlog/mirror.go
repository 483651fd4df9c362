package tlog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/transparency-dev/tessera"
	"github.com/transparency-dev/tessera/api/layout"
	"github.com/transparency-dev/tessera/client"
	"github.com/transparency-dev/tessera/storage/posix"
	"golang.org/x/mod/sumdb/note"

	"github.com/apostille/apostille/internal/atomicfile"
)

// MirroredLog configures one log an embassy mirrors.
type MirroredLog struct {
	// VKey is the log's Ed25519 verifier key; its name is the log's origin.
	VKey string
	// Source is where the log's tiles are read: a directory or a URL.
	Source Source
}

// Event is something an embassy did or refused, for its operator. Reason
// codes are stable: cosigned; refused with fork, rollback, inconsistent,
// bad_entries, bad_signature, unknown_origin, bad_request, conflict or
// unavailable.
type Event struct {
	Kind   string // "cosigned" or "refused"
	Reason string
	Origin string
	Size   uint64
	Detail string
}

func (e Event) String() string {
	s := fmt.Sprintf("event=%s origin=%s size=%d", e.Kind, e.Origin, e.Size)
	if e.Reason != "" {
		s += " reason=" + e.Reason
	}
	if e.Detail != "" {
		s += fmt.Sprintf(" detail=%q", e.Detail)
	}
	return s
}

// Refusal is why an update was not cosigned, with the HTTP status the
// tlog-witness protocol gives it.
type Refusal struct {
	Reason string
	Status int
	Detail string
	// Size is the size the embassy has cosigned (for 409 Conflict).
	Size uint64
}

func (r *Refusal) Error() string { return r.Reason + ": " + r.Detail }

// Mirror is a data embassy: a c2sp.org/tlog-mirror-style cosigner that
// keeps a copy of each log it follows (Tessera POSIX tiles under
// Dir/copy/<origin hash>/), checks every new checkpoint for consistency with
// the last one it cosigned (state under Dir/state/), never cosigns a
// rollback or a fork, and says so.
type Mirror struct {
	Dir      string
	Cosigner *Cosigner
	// Events receives everything the mirror does; nil discards.
	Events func(Event)
	// Now is the clock for cosignatures (default time.Now).
	Now func() time.Time

	// BehindAlert is how long a log may show a checkpoint older than (but
	// consistent with) the one cosigned before a follow reports a
	// rollback; 0 means DefaultBehindAlert.
	BehindAlert time.Duration

	mu   sync.Mutex // serialises check-and-persist (tlog-witness's race)
	logs map[string]*mirrored
}

type mirrored struct {
	origin   string
	verifier note.Verifier
	src      Source
	state    *mirrorState
	// behindSince is when follows began to read a checkpoint older than
	// the one cosigned; zero when the last follow did not.
	behindSince time.Time
	behindOf    uint64 // the size cosigned at behindSince
}

// OriginHash is the path element of a log in a mirror's monitoring prefix:
// lowercase hex SHA-256 of the origin (c2sp.org/tlog-mirror).
func OriginHash(origin string) string {
	h := sha256.Sum256([]byte(origin))
	return hex.EncodeToString(h[:])
}

// NewMirror opens an embassy's state for the given logs, resuming from
// what it persisted.
func NewMirror(dir string, cosigner *Cosigner, logs []MirroredLog) (*Mirror, error) {
	QuietLibraryLogs()
	m := &Mirror{Dir: dir, Cosigner: cosigner, logs: map[string]*mirrored{}}
	for _, l := range logs {
		v, err := note.NewVerifier(l.VKey)
		if err != nil {
			return nil, fmt.Errorf("log key: %w", err)
		}
		st, err := loadState(m.statePath(v.Name()), v.Name())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", v.Name(), err)
		}
		m.logs[v.Name()] = &mirrored{origin: v.Name(), verifier: v, src: l.Source, state: st}
	}
	return m, nil
}

func (m *Mirror) statePath(origin string) string {
	return filepath.Join(m.Dir, "state", OriginHash(origin)+".json")
}

// CopyDir is the directory holding the copy of a log, served as the
// mirror's monitoring prefix <origin hash>/.
func (m *Mirror) CopyDir(origin string) string {
	return filepath.Join(m.Dir, "copy", OriginHash(origin))
}

// Size is the size of the last checkpoint cosigned for origin.
func (m *Mirror) Size(origin string) (uint64, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l := m.logs[origin]
	if l == nil {
		return 0, false
	}
	return l.state.Size, true
}

func (m *Mirror) emit(e Event) {
	if m.Events != nil {
		m.Events(e)
	}
}

func (m *Mirror) refuse(origin string, size uint64, reason string, status int, detail string) *Refusal {
	m.emit(Event{Kind: "refused", Reason: reason, Origin: origin, Size: size, Detail: detail})
	r := &Refusal{Reason: reason, Status: status, Detail: detail}
	if l := m.logs[origin]; l != nil {
		r.Size = l.state.Size
	}
	return r
}

// AddCheckpoint handles a tlog-witness add-checkpoint request: the
// checkpoint a log pushes, with the size it believes the embassy has and a
// consistency proof from there. On success it returns the embassy's
// cosignature line, after the copy and the state are on disk.
func (m *Mirror) AddCheckpoint(ctx context.Context, oldSize uint64, consistency [][]byte, cp []byte) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, n, err := m.open(cp)
	if err != nil {
		return "", err
	}
	c, err := parseCP(n.Text)
	if err != nil {
		return "", m.refuse(l.origin, 0, "bad_request", 400, err.Error())
	}
	if oldSize > c.size {
		return "", m.refuse(l.origin, c.size, "bad_request", 400, "old size beyond the checkpoint")
	}
	if oldSize != l.state.Size {
		r := &Refusal{Reason: "conflict", Status: 409, Detail: "old size is not the size last cosigned", Size: l.state.Size}
		return "", r
	}
	return m.update(ctx, l, n, c, consistency)
}

// Follow fetches a log's current checkpoint from its source and, when it
// is new, mirrors and cosigns it. It returns the cosignature line, or ""
// when there was nothing new.
func (m *Mirror) Follow(ctx context.Context, origin string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l := m.logs[origin]
	if l == nil {
		return "", m.refuse(origin, 0, "unknown_origin", 404, "not a log this embassy mirrors")
	}
	cp, err := l.src.ReadCheckpoint(ctx)
	if err != nil {
		return "", m.refuse(origin, 0, "unavailable", 503, "cannot read the log's checkpoint")
	}
	_, n, err := m.open(cp)
	if err != nil {
		return "", err
	}
	c, err := parseCP(n.Text)
	if err != nil {
		return "", m.refuse(origin, 0, "bad_request", 400, err.Error())
	}
	st := l.state
	switch {
	case c.size < st.Size:
		return "", m.behind(ctx, l, n, c)
	case c.size == st.Size && bytes.Equal(c.root, st.Root):
		l.behindSince = time.Time{}
		return "", nil
	}
	l.behindSince = time.Time{}
	var consistency [][]byte
	if st.Size > 0 && c.size > st.Size {
		pb, err := client.NewProofBuilder(ctx, c.size, l.src.ReadTile)
		if err == nil {
			consistency, err = pb.ConsistencyProof(ctx, st.Size, c.size)
		}
		if err != nil {
			return "", m.refuse(origin, c.size, "unavailable", 503, "cannot build a consistency proof from the log's tiles")
		}
	}
	return m.update(ctx, l, n, c, consistency)
}

// DefaultBehindAlert is how long a log may go on showing a checkpoint
// older than the one cosigned (Mirror.BehindAlert).
const DefaultBehindAlert = 2 * time.Minute

// behind handles a checkpoint older than the one cosigned, read from the
// log's source. That is normal for a moment: the log pushed a newer one to
// the embassy, which cosigned it, and has not yet published it, or the
// source is a cache. It is a rollback when the older checkpoint is not a
// prefix of the cosigned tree, or when the log stays behind for longer
// than BehindAlert. The caller holds m.mu.
func (m *Mirror) behind(ctx context.Context, l *mirrored, n *note.Note, c *cpBody) error {
	st := l.state
	consistent := false
	if c.size == 0 {
		consistent = bytes.Equal(c.root, emptyRoot())
	} else {
		// The proof comes from the embassy's own copy, which holds the
		// cosigned tree: the log cannot forge it.
		own := client.FileFetcher{Root: m.CopyDir(l.origin)}
		pb, err := client.NewProofBuilder(ctx, st.Size, own.ReadTile)
		var path [][]byte
		if err == nil {
			path, err = pb.ConsistencyProof(ctx, c.size, st.Size)
		}
		if err != nil {
			return m.refuse(l.origin, c.size, "unavailable", 503, "cannot build a consistency proof from the embassy's copy")
		}
		consistent = VerifyConsistency(c.size, st.Size, path, c.root, st.Root) == nil
	}
	if !consistent {
		m.keepEvidence(l.origin, n)
		return m.refuse(l.origin, c.size, "rollback", 409, fmt.Sprintf("the log shows size %d, not a prefix of the size %d cosigned", c.size, st.Size))
	}
	// The clock runs from the first reading behind, and restarts once the
	// log shows what was cosigned then: a busy log's published checkpoint
	// lags each push a little, a log hiding its growth lags for good.
	now := time.Now()
	if l.behindSince.IsZero() || c.size >= l.behindOf {
		l.behindSince, l.behindOf = now, st.Size
	}
	limit := m.BehindAlert
	if limit <= 0 {
		limit = DefaultBehindAlert
	}
	if d := now.Sub(l.behindSince); d > limit {
		return m.refuse(l.origin, c.size, "rollback", 409, fmt.Sprintf("the log has shown size %d, older than the size %d cosigned, for %s", c.size, st.Size, d.Round(time.Second)))
	}
	return nil
}

// open verifies a checkpoint's log signature and finds its log.
func (m *Mirror) open(cp []byte) (*mirrored, *note.Note, error) {
	c, err := parseCP(textOf(cp))
	if err != nil {
		return nil, nil, &Refusal{Reason: "bad_request", Status: 400, Detail: "not a checkpoint"}
	}
	l := m.logs[c.origin]
	if l == nil {
		return nil, nil, m.refuse(c.origin, c.size, "unknown_origin", 404, "not a log this embassy mirrors")
	}
	n, err := note.Open(cp, note.VerifierList(l.verifier))
	if err != nil {
		return nil, nil, m.refuse(l.origin, c.size, "bad_signature", 403, "no valid signature by the log's key")
	}
	return l, n, nil
}

// update checks consistency with the state, mirrors the new entries,
// persists, and cosigns. The caller holds m.mu.
func (m *Mirror) update(ctx context.Context, l *mirrored, n *note.Note, c *cpBody, consistency [][]byte) (string, error) {
	st := l.state
	switch {
	case c.size == 0 && !bytes.Equal(c.root, emptyRoot()):
		return "", m.refuse(l.origin, c.size, "inconsistent", 422, "a checkpoint of size 0 must have the empty root")
	case c.size < st.Size:
		return "", m.refuse(l.origin, c.size, "rollback", 409, fmt.Sprintf("size %d after size %d was cosigned", c.size, st.Size))
	case c.size == st.Size && !bytes.Equal(c.root, st.Root):
		m.keepEvidence(l.origin, n)
		return "", m.refuse(l.origin, c.size, "fork", 422, fmt.Sprintf("two different checkpoints of size %d", c.size))
	case st.Size == 0 && len(consistency) > 0:
		return "", m.refuse(l.origin, c.size, "inconsistent", 422, "a consistency proof from the empty tree must be empty")
	case st.Size > 0 && c.size > st.Size:
		if err := VerifyConsistency(st.Size, c.size, consistency, st.Root, c.root); err != nil {
			m.keepEvidence(l.origin, n)
			return "", m.refuse(l.origin, c.size, "fork", 422, fmt.Sprintf("checkpoint of size %d is not consistent with the cosigned size %d", c.size, st.Size))
		}
	}
	next := *st
	if c.size > st.Size {
		rng, err := m.mirrorEntries(ctx, l, c)
		if err != nil {
			var r *Refusal
			if errors.As(err, &r) {
				return "", err
			}
			return "", m.refuse(l.origin, c.size, "unavailable", 503, err.Error())
		}
		next.Range = rng
	}
	// Keep the log's signatures only; other cosigners speak for themselves.
	logCP, err := note.Sign(&note.Note{Text: n.Text, Sigs: n.Sigs})
	if err != nil {
		return "", err
	}
	m.Cosigner.Clock = m.now
	line, err := m.Cosigner.SignatureLine([]byte(n.Text))
	if err != nil {
		return "", err
	}
	next.Size, next.Root, next.Checkpoint, next.Cosignature = c.size, c.root, string(logCP), line
	if err := next.save(m.statePath(l.origin)); err != nil {
		return "", err
	}
	l.state = &next
	// The monitoring prefix serves the checkpoint with the mirror's
	// cosignature (c2sp.org/tlog-mirror).
	if err := atomicfile.Write(filepath.Join(m.CopyDir(l.origin), "checkpoint"), append(logCP, line...), 0o644); err != nil {
		return "", err
	}
	m.emit(Event{Kind: "cosigned", Origin: l.origin, Size: c.size})
	return line, nil
}

func (m *Mirror) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// mirrorEntries fetches the entries from the state's size to the new
// checkpoint's, checks that they extend the cosigned tree to exactly the
// new root, and only then writes them into the copy (Tessera's migration
// lifecycle, which rebuilds the tiles and checks the root once more). It
// returns the new compact range. Entries are held in memory for one
// update: 34 bytes each, 34 MB for a million.
func (m *Mirror) mirrorEntries(ctx context.Context, l *mirrored, c *cpBody) ([][]byte, error) {
	st := l.state
	rf := compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
	rng, err := rf.NewRange(0, st.Size, st.Range)
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	copyDir := m.CopyDir(l.origin)
	bundles := map[uint64][]byte{}
	for ri := range layout.Range(st.Size, c.size-st.Size, c.size) {
		raw, err := l.src.ReadEntryBundle(ctx, ri.Index, ri.Partial)
		if err != nil {
			return nil, fmt.Errorf("cannot read entry bundle %d", ri.Index)
		}
		entries, err := bundleEntries(raw)
		if err != nil || uint64(len(entries)) < uint64(ri.First)+uint64(ri.N) {
			return nil, m.refuse(l.origin, c.size, "bad_entries", 502, fmt.Sprintf("entry bundle %d is malformed", ri.Index))
		}
		var b bytes.Buffer
		if ri.First > 0 {
			// Entries before the state's size come from our own copy,
			// never from the source, so the copy cannot be rewritten.
			own, err := client.FileFetcher{Root: copyDir}.ReadEntryBundle(ctx, ri.Index, uint8(ri.First))
			if err != nil {
				return nil, fmt.Errorf("the copy lacks entry bundle %d", ri.Index)
			}
			b.Write(own)
		}
		for _, e := range entries[ri.First : ri.First+ri.N] {
			if err := rng.Append(rfc6962.DefaultHasher.HashLeaf(e), nil); err != nil {
				return nil, err
			}
			b.Write(binary.BigEndian.AppendUint16(nil, uint16(len(e))))
			b.Write(e)
		}
		bundles[ri.Index] = b.Bytes()
	}
	root, err := rng.GetRootHash(nil)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(root, c.root) {
		return nil, m.refuse(l.origin, c.size, "bad_entries", 502, "the log's entries do not match its checkpoint")
	}
	driver, err := posix.New(ctx, posix.Config{Path: copyDir})
	if err != nil {
		return nil, err
	}
	target, err := tessera.NewMigrationTarget(ctx, driver, tessera.NewMigrationOptions())
	if err != nil {
		return nil, err
	}
	get := func(_ context.Context, i uint64, _ uint8) ([]byte, error) {
		if b, ok := bundles[i]; ok {
			return b, nil
		}
		return nil, fmt.Errorf("bundle %d: %w", i, os.ErrNotExist)
	}
	if err := target.Migrate(ctx, 1, c.size, c.root, get); err != nil {
		return nil, fmt.Errorf("storing the copy: %w", err)
	}
	return rng.Hashes(), nil
}

// keepEvidence stores a checkpoint that contradicts what the embassy
// cosigned: signed by the log, it proves the log's misbehaviour.
func (m *Mirror) keepEvidence(origin string, n *note.Note) {
	cp, err := note.Sign(&note.Note{Text: n.Text, Sigs: n.Sigs})
	if err != nil {
		return
	}
	h := sha256.Sum256(cp)
	_ = atomicfile.Write(filepath.Join(m.Dir, "evidence", OriginHash(origin)+"-"+hex.EncodeToString(h[:8])+".checkpoint"), cp, 0o644)
}

// Cosigned returns the checkpoint last cosigned for origin, with the
// embassy's cosignature.
func (m *Mirror) Cosigned(origin string) ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l := m.logs[origin]
	if l == nil || l.state.Checkpoint == "" {
		return nil, false
	}
	return []byte(l.state.Checkpoint + l.state.Cosignature), true
}

// Origins lists the logs the mirror follows.
func (m *Mirror) Origins() []string {
	var out []string
	for o := range m.logs {
		out = append(out, o)
	}
	return out
}

// VerifyConsistency checks an RFC 6962 consistency proof from the tree of
// size1 leaves with root1 to the tree of size2 with root2: the check that
// keeps an embassy from cosigning a fork.
// A proof from the empty tree proves nothing (every tree extends it); it is
// refused, as transparency-dev/merkle's vectors expect, and callers treat
// an embassy that has cosigned nothing separately.
func VerifyConsistency(size1, size2 uint64, path [][]byte, root1, root2 []byte) error {
	if size1 == 0 {
		return errors.New("no consistency proof from the empty tree")
	}
	return proof.VerifyConsistency(rfc6962.DefaultHasher, size1, size2, path, root1, root2)
}

func emptyRoot() []byte { return rfc6962.DefaultHasher.EmptyRoot() }
