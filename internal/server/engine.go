package server

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/apostille/apostille/verifier"
)

// Engine verifies one document and returns its report JSON. It never fails:
// whatever goes wrong is a report. wasm/host's Engine is one (the module
// under wazero); NativeEngine is the verifier in this process.
type Engine interface {
	Verify(ctx context.Context, doc []byte, opts verifier.Options) []byte
	Close(ctx context.Context) error
}

// Named is an engine that says what it is ("wasm", "native") for the log.
type Named interface{ Name() string }

// NativeEngine runs the verifier in this process with one trust.
type NativeEngine struct{ Trust *verifier.Trust }

// Verify verifies doc with the engine's trust.
func (n NativeEngine) Verify(_ context.Context, doc []byte, opts verifier.Options) []byte {
	opts.Trust = n.Trust
	return verifier.Verify(doc, opts).AppendJSON(nil)
}

// Name says what the engine is.
func (NativeEngine) Name() string { return "native" }

// Close does nothing: the native engine holds nothing.
func (NativeEngine) Close(context.Context) error { return nil }

// TrustSet is one loaded trust: what the engine is made from and what
// GET /v1/trust describes.
type TrustSet struct {
	// Trust is every source parsed and merged.
	Trust *verifier.Trust
	// Sources are the accepted inputs as read, in order, for engines that
	// parse trust themselves (the module loads them into each instance),
	// and OperatorKeys the pinned keys (public JWKs) signed ones verify
	// with.
	Sources      []TrustSource
	OperatorKeys [][]byte
	// Refused, when set, is why a signed bundle was refused (trust_invalid,
	// trust_rollback): every document gets a report that says so.
	Refused error
	// StatusLists are status list tokens handed to every verification.
	StatusLists [][]byte
	// Fingerprint identifies the inputs: a reload that reads the same
	// fingerprint keeps the engine it has.
	Fingerprint string
}

// TrustSource is one trust input: a file's name, digest and bytes.
type TrustSource struct {
	Name   string
	SHA256 string
	Signed bool
	Data   []byte
}

// generation is one trust with its engine. Requests hold a reference while
// they use it; a replaced generation closes its engine after its last
// request.
type generation struct {
	trust    *TrustSet
	engine   Engine
	loadedAt time.Time
	inflight sync.WaitGroup
	// refused is the report body shared by every document while the trust
	// is refused, without its time.
	refused error
}

// acquire returns the current generation with a reference taken, or nil
// when no trust is loaded. The reference is taken under the read lock, so a
// reload that swaps the generation under the write lock never waits on a
// reference taken after the swap.
func (s *Server) acquire() *generation {
	s.mu.RLock()
	defer s.mu.RUnlock()
	g := s.gen
	if g != nil {
		g.inflight.Add(1)
	}
	return g
}

func (g *generation) release() { g.inflight.Done() }

// retire closes the engine once every request that holds the generation
// has finished. It does not wait.
func (g *generation) retire() {
	go func() {
		g.inflight.Wait()
		g.engine.Close(context.Background())
	}()
}

// ErrUnchanged says a reload found the same trust inputs and kept the
// engine.
var ErrUnchanged = errors.New("server: trust unchanged")

// Reload loads the trust and, unless it is unchanged and force is false,
// makes a new engine and swaps it in. Requests in flight finish with the
// generation they started with. A trust that cannot be loaded, or a signed
// bundle refused after one was already serving, keeps the current
// generation: a bad update must not stop verification. It returns
// ErrUnchanged when nothing was swapped because nothing changed.
func (s *Server) Reload(ctx context.Context, force bool) error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	err := s.reload(ctx, force)
	switch {
	case errors.Is(err, ErrUnchanged):
		s.met.reloads.WithLabelValues("unchanged").Inc()
	case err != nil:
		s.met.reloads.WithLabelValues("error").Inc()
		s.log.Error("trust reload failed; the current trust stays in use", "error", err.Error())
	default:
		s.met.reloads.WithLabelValues("ok").Inc()
	}
	if !errors.Is(err, ErrUnchanged) {
		s.lastReload.Store(&reloadResult{at: s.now(), err: err})
	}
	return err
}

func (s *Server) reload(ctx context.Context, force bool) error {
	t, err := s.cfg.LoadTrust(ctx)
	if err != nil {
		return err
	}
	s.mu.RLock()
	cur := s.gen
	s.mu.RUnlock()
	if cur != nil && !force && cur.trust.Fingerprint == t.Fingerprint {
		return ErrUnchanged
	}
	if cur != nil && t.Refused != nil {
		// The bundle that serves now was accepted; the new one was not
		// (tampered, not signed by a pinned key, a rollback).
		return t.Refused
	}
	e, err := s.cfg.NewEngine(ctx, t)
	if err != nil {
		return err
	}
	g := &generation{trust: t, engine: e, loadedAt: s.now(), refused: t.Refused}
	s.mu.Lock()
	old := s.gen
	s.gen = g
	s.mu.Unlock()
	if old != nil {
		old.retire()
	}
	s.met.trustLoaded(t)
	attrs := []any{"sources", len(t.Sources), "fingerprint", t.Fingerprint}
	if n, ok := e.(Named); ok {
		attrs = append(attrs, "engine", n.Name())
	}
	if info := t.Trust.Info; info.Signed {
		attrs = append(attrs, "operator", info.Operator, "sequence", info.Sequence)
	}
	if t.Refused != nil {
		s.log.Error("trust refused: every document will say so", append(attrs, "error", t.Refused.Error())...)
	} else {
		s.log.Info("trust loaded", attrs...)
	}
	return nil
}

// serving says whether verification requests are taken: a trust is loaded
// (a refused one too: its documents are answered with the refusal, so that
// a client learns why) and the service is not draining.
func (s *Server) serving() (bool, string) {
	if s.draining.Load() {
		return false, "shutting down"
	}
	s.mu.RLock()
	g := s.gen
	s.mu.RUnlock()
	if g == nil {
		return s.ready()
	}
	return true, "ok"
}

// ready says whether the service can verify: a trust is loaded (and was
// not refused) and it is not draining. The text says why not.
func (s *Server) ready() (bool, string) {
	if s.draining.Load() {
		return false, "shutting down"
	}
	s.mu.RLock()
	g := s.gen
	s.mu.RUnlock()
	switch {
	case g == nil:
		if r := s.lastReload.Load(); r != nil && r.err != nil {
			return false, "trust not loaded: " + r.err.Error()
		}
		return false, "trust not loaded yet"
	case g.refused != nil:
		return false, "trust refused: " + g.refused.Error()
	}
	return true, "ok"
}
