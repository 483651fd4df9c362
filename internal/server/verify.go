package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/apostille/apostille/internal/engine"
	"github.com/apostille/apostille/internal/statusfetch"
	"github.com/apostille/apostille/verifier"
)

// check verifies one document with the current trust (engine.Verify). The
// caller holds sl; check gives it up while a status list is fetched and
// takes it again. It always returns a report.
func (s *Server) check(ctx context.Context, sl *slot, req *request, at time.Time) []byte {
	if !req.At.IsZero() {
		at = req.At
	}
	g := s.acquire()
	if g == nil {
		return notJudged(at, verifier.Internal, "the service has no trust loaded")
	}
	defer g.release()
	opts := verifier.Options{
		Time:                   at,
		Payload:                req.Payload,
		Proof:                  req.Proof,
		MaxSize:                s.cfg.MaxDocument,
		AcceptStaleTrustUnsafe: s.cfg.AcceptStaleTrustUnsafe,
	}
	var fetch engine.Fetch
	if s.cfg.Status != nil {
		fetch = func(ctx context.Context, uri string) ([]byte, error) {
			// A fetch may wait on the network: it must not hold an
			// instance.
			sl.release()
			list, err := s.cfg.Status.Get(ctx, uri)
			if err != nil {
				s.met.statusFetches.WithLabelValues("error").Inc()
				// The error names the list's address, which the document
				// chose: the log says only what kind of failure it was.
				s.log.Warn("status list fetch failed", "request_id", requestID(ctx), "error", fetchFailure(err))
				return nil, err
			}
			s.met.statusFetches.WithLabelValues("ok").Inc()
			if !sl.retake(ctx) {
				return nil, ctx.Err()
			}
			return list, nil
		}
	}
	return engine.Verify(ctx, g.observed, g.trust, req.Doc, opts, fetch)
}

// fetchFailure says what kind of failure a status list fetch had, without
// the address or anything the list said.
func fetchFailure(err error) string {
	switch {
	case errors.Is(err, statusfetch.ErrOffline):
		return "not cached, and fetching is off"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "timed out"
	}
	return "the list could not be fetched or was refused"
}

// observedEngine is an engine as the service runs it: timed, and
// answering every document with a report. An engine answers every document
// with a report, a trapped module instance included; one that panics
// instead (a bug in a host) still gets the document a report, and the
// service goes on. The panic's value is not logged: it may quote the
// document.
type observedEngine struct {
	engine.Engine
	s *Server
}

func (o observedEngine) Verify(ctx context.Context, doc []byte, opts verifier.Options) (rep []byte) {
	start := time.Now()
	defer func() {
		o.s.met.engineSeconds.Observe(time.Since(start).Seconds())
		if recover() != nil {
			o.s.log.Error("the engine panicked; the document gets an internal report", "request_id", requestID(ctx))
			rep = notJudged(opts.Time, verifier.Internal, "the verification failed on this input")
		}
	}()
	return o.Engine.Verify(ctx, doc, opts)
}

func notJudged(at time.Time, reason verifier.Reason, detail string) []byte {
	return mustJSON(verifier.NotJudged(at, verifier.CheckInput, reason, detail))
}

func mustJSON(r *verifier.Report) []byte { return r.AppendJSON(nil) }

// handleVerify serves POST /v1/verify: a raw document as the body, or (with
// Content-Type application/json) a record {document, payload?, proof?, at?}.
// The answer is the report, 200 whatever its verdict; a request that holds
// no document to judge gets a report too, with 400 (malformed) or 413
// (too_large).
func (s *Server) handleVerify(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	// A request is judged at its arrival, to the second: the resolution of
	// a report's verified_at and far below any clock skew. Requests within
	// one second then pass the module the same options, which it decodes
	// once (wasm/guest), as it does for a whole batch.
	at := s.now().Truncate(time.Second)
	if ok, why := s.serving(); !ok {
		s.refuse(w, http.StatusServiceUnavailable, "not_ready", why)
		return
	}
	// The body is read first, at a minimum rate, holding only a reading
	// token: a client that is still sending (or trickling) takes no
	// ticket, so no place in the queue nor an instance.
	select {
	case s.reading <- struct{}{}:
	default:
		s.refuse(w, http.StatusTooManyRequests, "busy", "too many request bodies being read")
		return
	}
	req, status, rep := s.readRequest(w, r, at)
	<-s.reading
	if status == http.StatusRequestTimeout {
		s.refuse(w, status, "slow", "the request body arrived too slowly")
		return
	}
	if err := s.lim.admit(); err != nil {
		s.refuse(w, http.StatusTooManyRequests, "busy", err.Error())
		return
	}
	defer s.lim.dismiss()
	done := s.took()
	answered := false
	defer func() { done(answered) }()

	ctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
	defer cancel()
	if rep != nil {
		answered = s.answer(w, r, status, rep)
		return
	}
	switch err := s.lim.enter(ctx, s.cfg.QueueTimeout); {
	case errors.Is(err, errQueueFull):
		answered = s.refuse(w, http.StatusTooManyRequests, "queue_full", err.Error())
		return
	case errors.Is(err, errQueueTimeout):
		answered = s.refuse(w, http.StatusServiceUnavailable, "queue_timeout", err.Error())
		return
	case errors.Is(err, context.DeadlineExceeded):
		answered = s.refuse(w, http.StatusServiceUnavailable, "deadline", "the request deadline passed in the queue")
		return
	case err != nil:
		// The client went away while it waited: nobody reads an answer.
		s.met.rejected.WithLabelValues("gone").Inc()
		return
	}
	sl := &slot{l: s.lim, held: true}
	rep = s.check(ctx, sl, req, at)
	sl.release()
	answered = s.answer(w, r, http.StatusOK, rep)
}

// readRequest reads the body of POST /v1/verify, at the minimum rate. When
// the body cannot be judged it returns the status and the report to answer
// with instead; 408 and no report when the body came too slowly.
func (s *Server) readRequest(w http.ResponseWriter, r *http.Request, at time.Time) (*request, int, []byte) {
	envelope := false
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && mt == "application/json" {
		envelope = true
	}
	limit := s.cfg.MaxDocument
	if envelope {
		limit = s.maxRequest()
	}
	if r.ContentLength > int64(limit) {
		return nil, http.StatusRequestEntityTooLarge, notJudged(at, verifier.TooLarge, fmt.Sprintf("the request body is larger than %d bytes", limit))
	}
	rc := http.NewResponseController(w)
	body, err := readBody(&rateReader{r: r.Body, rc: rc, start: time.Now(), grace: s.cfg.BodyGrace, rate: s.cfg.MinBodyRate}, r.ContentLength, limit)
	if isTimeout(err) {
		// The deadline stays: the connection is closed without waiting
		// for the rest of the body.
		w.Header().Set("Connection", "close")
		return nil, http.StatusRequestTimeout, nil
	}
	// No deadline while the request is verified: the connection's
	// background read would take one that passes for the client gone.
	rc.SetReadDeadline(time.Time{})
	switch {
	case err != nil:
		return nil, http.StatusBadRequest, notJudged(at, verifier.Malformed, "the request body could not be read")
	case len(body) > limit:
		return nil, http.StatusRequestEntityTooLarge, notJudged(at, verifier.TooLarge, fmt.Sprintf("the request body is larger than %d bytes", limit))
	case len(body) == 0:
		// Nothing to judge: the client sent no document (openapi.json: 400).
		return nil, http.StatusBadRequest, notJudged(at, verifier.Malformed, "the request body is empty: send the document as the body")
	case !envelope:
		return &request{Doc: body}, 0, nil
	}
	req, err := parseRecord(body)
	if err != nil {
		return nil, http.StatusBadRequest, notJudged(at, verifier.Malformed, "the JSON request: "+err.Error())
	}
	return req, 0, nil
}

// readBody reads at most limit+1 bytes of the body. When the client said
// how long it is, the buffer is allocated once, but no larger than 64 KiB
// before the bytes arrive: a client that declares a large body and sends
// little holds little memory.
func readBody(r io.Reader, n int64, limit int) ([]byte, error) {
	if n >= 0 && n <= int64(limit) {
		b := make([]byte, 0, min(n, 64<<10))
		for int64(len(b)) < n {
			if len(b) == cap(b) {
				b = append(b, 0)[:len(b)] // grow
			}
			m, err := r.Read(b[len(b):min(int64(cap(b)), n)])
			b = b[:len(b)+m]
			if err == io.EOF && int64(len(b)) < n {
				return nil, io.ErrUnexpectedEOF
			}
			if err != nil && err != io.EOF {
				return nil, err
			}
		}
		return b, nil
	}
	return io.ReadAll(io.LimitReader(r, int64(limit)+1))
}

// rateReader reads a body that must arrive at rate bytes a second once
// grace has passed: before each read it moves the connection's read
// deadline to when the bytes received so far, and one more, are due.
type rateReader struct {
	r     io.Reader
	rc    *http.ResponseController
	start time.Time
	grace time.Duration
	rate  int
	n     int64
}

func (rr *rateReader) Read(p []byte) (int, error) {
	due := rr.start.Add(rr.grace + time.Duration(float64(rr.n+1)/float64(rr.rate)*float64(time.Second)))
	rr.rc.SetReadDeadline(due)
	n, err := rr.r.Read(p)
	rr.n += int64(n)
	return n, err
}

// answer writes a report and logs and counts it. It says whether the
// answer was written in full.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, status int, rep []byte) bool {
	sum := summarize(rep)
	s.met.count(sum)
	noteOutcome(r.Context(), sum)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(rep))) // not chunked, though flushed
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(rep)
	// Flushed here, so that a write that fails is known: the request then
	// counts as abandoned, not answered.
	return err == nil && http.NewResponseController(w).Flush() == nil
}
