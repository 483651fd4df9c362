package server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/apostille/apostille/internal/engine"
	"github.com/apostille/apostille/internal/jsonl"
	"github.com/apostille/apostille/verifier"
)

// batchJob is one line of a batch.
type batchJob struct {
	line int // line number in the body, from 1
	req  *request
	fail []byte // the record's report when the line holds nothing to verify
}

// handleBatch serves POST /v1/verify/batch: NDJSON records in, one NDJSON
// record out per non-blank input line, in input order, streamed as they are
// decided. A line that is not a record gets a report (malformed, or
// too_large for an overlong line) and the stream goes on. The documents of
// one batch are verified in parallel, as many as the pool has instances;
// the batch counts as one request against the queue and its documents wait
// for instances as long as the client stays.
func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request) {
	if ok, why := s.serving(); !ok {
		s.refuse(w, http.StatusServiceUnavailable, "not_ready", why)
		return
	}
	select {
	case s.batches <- struct{}{}:
	default:
		s.refuse(w, http.StatusTooManyRequests, "busy", "too many batches in progress")
		return
	}
	defer func() { <-s.batches }()
	done := s.took()
	var writeErr error
	var broken atomic.Bool // the body's connection broke
	var end string
	defer func() {
		if end == EndShutdown && writeErr == nil {
			s.cut.Add(1) // answered up to its trailer, which says it was cut
			return
		}
		done(writeErr == nil && !broken.Load())
	}()

	rc := http.NewResponseController(w)
	// HTTP/1.1 answers only after the whole body by default; a stream
	// answers while it reads. Not every connection can (HTTP/2 always
	// can), so an error here is no reason to refuse.
	rc.EnableFullDuplex()
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Cache-Control", "no-store")
	// A batch may end before its body does (a stalled or broken client);
	// such a connection must not wait for another request mid-body, and
	// whether it will is known only after the header is sent. A batch is
	// long enough that a new connection for the next costs nothing.
	w.Header().Set("Connection", "close")
	w.WriteHeader(http.StatusOK)
	rc.Flush()

	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	at := s.now()
	o := outcomeOf(r.Context())
	bw := bufio.NewWriterSize(w, 32<<10)
	records := 0
	pool := engine.Pool[*batchJob, []byte]{
		// The documents of one batch are verified in parallel, as many as
		// the pool has instances.
		Workers: s.lim.instances(),
		Work:    func(j *batchJob) []byte { return s.batchOne(ctx, j, at) },
		Deliver: func(j *batchJob, rep []byte) {
			if writeErr != nil {
				return // the client is gone: drain what is in flight
			}
			sum := summarize(rep)
			s.met.count(sum)
			if bw.Available() < len(rep)+512 {
				// This record goes out to the client now: a client that
				// does not read must not hold the stream past the timeout.
				rc.SetWriteDeadline(time.Now().Add(s.cfg.LineTimeout))
			}
			writeRecord(bw, j, rep)
			records++
			if o != nil {
				o.records++
				if o.verdicts == nil {
					o.verdicts = map[string]int{}
				}
				o.verdicts[sum.verdict]++
			}
		},
		Idle: func() {
			if writeErr != nil {
				return
			}
			rc.SetWriteDeadline(time.Now().Add(s.cfg.LineTimeout))
			if writeErr = bw.Flush(); writeErr == nil {
				writeErr = rc.Flush()
			}
			if writeErr != nil {
				// The client is gone: stop reading its body too.
				cancel()
				rc.SetReadDeadline(time.Now())
			}
		},
	}
	// Shutdown stops the reading of the body, not the stream: the lines
	// read are answered, then the trailer says the stream was cut and
	// where, so that the client sends the rest elsewhere.
	var stopped atomic.Bool
	go func() {
		select {
		case <-s.stopping:
			stopped.Store(true)
			rc.SetReadDeadline(time.Now())
		case <-ctx.Done():
		}
	}()
	var lines int
	pool.Run(ctx, func(emit func(*batchJob) bool) error {
		var err error
		lines, err = s.readBatch(ctx, rc, r.Body, at, &stopped, emit)
		end = batchEnd(err, &stopped)
		if end == EndClient && isTimeout(err) {
			s.met.rejected.WithLabelValues("idle").Inc()
		}
		if end == EndClient && !isTimeout(err) {
			// The connection broke: nobody will read the answers to the
			// lines already read, so they are not verified.
			broken.Store(true)
			cancel()
		}
		return nil
	})
	if writeErr != nil {
		end = EndClient
	}
	if o != nil {
		o.end, o.lines = end, lines
	}
	if writeErr == nil {
		rc.SetWriteDeadline(time.Now().Add(s.cfg.LineTimeout))
		t := jsonl.Trailer{Lines: lines, Records: records, End: end}
		bw.Write(t.Append(bw.AvailableBuffer()))
		bw.WriteByte('\n')
		if writeErr = bw.Flush(); writeErr == nil {
			writeErr = rc.Flush()
		}
	}
}

// How a batch stream ended, the trailer's "end" (docs/records.md).
const (
	EndComplete = "complete" // the body ended and every line was answered
	EndShutdown = "shutdown" // the service stopped reading to shut down
	EndClient   = "client"   // the client stalled, idled or broke off
	EndError    = "error"    // the body could not be read (a broken encoding)
)

// batchEnd says why reading a batch's body ended.
func batchEnd(err error, stopped *atomic.Bool) string {
	switch {
	case err == nil:
		return EndComplete
	case stopped.Load() && isTimeout(err):
		return EndShutdown
	case isTimeout(err), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, context.Canceled):
		return EndClient
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return EndClient
	}
	return EndError
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// readBatch reads the body line by line and emits a job for every
// non-blank line until the body ends, emit refuses, or reading fails. Each
// line must arrive within the line timeout. It returns how many lines it
// read whole (blank ones included) and the read error, if any: a timeout
// (the client stalled, or shutdown cut the read; the lines read are still
// answered), a broken connection or a broken encoding.
func (s *Server) readBatch(ctx context.Context, rc *http.ResponseController, body io.Reader, at time.Time, stopped *atomic.Bool, emit func(*batchJob) bool) (int, error) {
	max := s.maxRequest()
	br := bufio.NewReaderSize(body, 64<<10)
	var buf []byte
	n := 1
	// The next record is due within the line timeout of the last one (or
	// of the start): blank lines do not count, so a client that idles
	// while sending them loses its stream as one that sends nothing.
	next := time.Now().Add(s.cfg.LineTimeout)
	for ; ctx.Err() == nil; n++ {
		rc.SetReadDeadline(next)
		if ctx.Err() != nil {
			break // the writer may have just cut the deadline short
		}
		if stopped.Load() {
			// Shutdown may have cut the deadline before it was set again.
			return n - 1, os.ErrDeadlineExceeded
		}
		line, tooLong, err := jsonl.ReadLine(br, buf[:0], max)
		buf = line
		if err != nil && !errors.Is(err, io.EOF) {
			// The client broke off mid-line (or stalled): what it sent of
			// this line is not a line, and nothing more will come.
			return n - 1, err
		}
		if errors.Is(err, io.EOF) && len(line) == 0 && !tooLong {
			return n - 1, nil // the body ended after a newline
		}
		if tooLong || !jsonl.Blank(line) {
			j := &batchJob{line: n}
			if tooLong {
				j.fail = notJudged(at, verifier.TooLarge, fmt.Sprintf("line %d is longer than %d bytes", n, max))
			} else if req, perr := parseRecord(line); perr != nil {
				j.req = req // keeps the id, if it was readable
				j.fail = notJudged(at, verifier.Malformed, fmt.Sprintf("line %d: %v", n, perr))
			} else {
				j.req = req
			}
			if !emit(j) {
				return n - 1, context.Canceled
			}
			// From now: emit may have waited for the window to drain.
			next = time.Now().Add(s.cfg.LineTimeout)
		}
		if err != nil {
			return n, nil // io.EOF: the body ended
		}
	}
	return n - 1, context.Canceled
}

// batchOne verifies one line's document, waiting for an instance as long
// as the batch lives.
func (s *Server) batchOne(ctx context.Context, j *batchJob, at time.Time) []byte {
	if j.fail != nil {
		return j.fail
	}
	if err := s.lim.wait(ctx); err != nil {
		return notJudged(at, verifier.Internal, "the batch ended before this line was verified")
	}
	sl := &slot{l: s.lim, held: true}
	defer sl.release()
	dctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
	defer cancel()
	return s.check(dctx, sl, j.req, at)
}

// writeRecord writes one output record (jsonl.Output, the same record as
// `apostille verify --format jsonl` writes): the line number, the record's
// id if it gave one, and the report.
func writeRecord(w *bufio.Writer, j *batchJob, rep []byte) {
	o := jsonl.Output{Line: j.line, Report: rep}
	if j.req != nil {
		o.ID = j.req.ID
	}
	w.Write(o.Append(w.AvailableBuffer()))
	w.WriteByte('\n')
}
