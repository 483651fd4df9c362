package server

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/apostille/apostille/internal/engine"
)

// The service's engines and trust are internal/engine's: Config.LoadTrust
// returns an engine.Trust (engine.Loader.Load), Config.NewEngine makes an
// engine.Engine for it (engine.New), and every document goes through
// engine.Verify.

// generation is one trust with its engine. Requests hold a reference while
// they use it; a replaced generation closes its engine after its last
// request.
type generation struct {
	trust  *engine.Trust
	engine engine.Engine
	// observed is engine as the service runs it: timed, and a panic
	// answered with a report (observedEngine).
	observed engine.Engine
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
	s.mu.RLock()
	cur := s.gen
	s.mu.RUnlock()
	if cur == nil && (err != nil || t.Refused != nil) && s.cfg.LoadKept != nil {
		// Nothing serves yet: rather than stop (a pod would crash-loop)
		// or refuse every document, start from what served last time.
		why := err
		if why == nil {
			why = t.Refused
		}
		k, kerr := s.cfg.LoadKept(ctx)
		if kerr == nil {
			s.log.Error("the trust given cannot be used; serving the last good trust kept", "error", why.Error(), "kept_at", k.Kept.UTC().Format(time.RFC3339))
			t, err = k, nil
			s.keptBecause.Store(&why)
		} else {
			s.log.Error("the trust given cannot be used and no last good trust was kept", "error", why.Error(), "kept", kerr.Error())
		}
	}
	if err != nil {
		return err
	}
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
	g := &generation{trust: t, engine: e, observed: observedEngine{e, s}, loadedAt: s.now(), refused: t.Refused}
	s.mu.Lock()
	old := s.gen
	s.gen = g
	s.mu.Unlock()
	if old != nil {
		old.retire()
	}
	s.met.trustLoaded(t)
	attrs := []any{"sources", len(t.Sources), "fingerprint", t.Fingerprint, "engine", e.Name()}
	if t.Parsed != nil && t.Parsed.Info.Signed {
		info := t.Parsed.Info
		attrs = append(attrs, "operator", info.Operator, "sequence", info.Sequence)
	}
	switch {
	case t.Refused != nil:
		s.log.Error("trust refused: every document will say so", append(attrs, "error", t.Refused.Error())...)
	case !t.Kept.IsZero():
		s.log.Warn("trust loaded", append(attrs, "kept_at", t.Kept.UTC().Format(time.RFC3339))...)
	default:
		s.keptBecause.Store(nil)
		s.log.Info("trust loaded", attrs...)
	}
	if t.KeepErr != nil {
		s.log.Warn("the trust could not be kept for a restart", "error", t.KeepErr.Error())
	}
	return nil
}

// serving says whether verification requests are taken: a trust is loaded
// (a refused one too: its documents are answered with the refusal, so that
// a client learns why). A draining service still takes them: only /readyz
// fails, so that load balancers stop sending while every request that
// still arrives is served until the listener closes.
func (s *Server) serving() (bool, string) {
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
	case !g.trust.Kept.IsZero():
		why := "the trust given cannot be used"
		if e := s.keptBecause.Load(); e != nil && *e != nil {
			why += ": " + (*e).Error()
		}
		return true, "ok: serving the last good trust, kept " + g.trust.Kept.UTC().Format(time.RFC3339) + "; " + why
	}
	return true, "ok"
}
