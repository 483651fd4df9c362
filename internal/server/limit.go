package server

import (
	"context"
	"errors"
	"time"
)

// limiter bounds what requests can hold. Tickets bound the requests that
// are being read, queued or verified (so the memory their bodies take);
// slots bound the verifications that run at once to the engine's pool; a
// short queue may wait for a slot. A request beyond the queue is refused at
// once (429), one that waits too long is refused then (503): a client
// learns quickly that it should back off, rather than its requests piling
// up in memory and missing every deadline.
type limiter struct {
	tickets chan struct{} // a token per request being read, queued or verified
	slots   chan struct{} // a token per running verification
	queue   chan struct{} // a token per request waiting for a slot
}

var (
	errBusy         = errors.New("too many requests in progress")
	errQueueFull    = errors.New("the queue is full")
	errQueueTimeout = errors.New("no instance became free in time")
)

func newLimiter(instances, queue, pending int) *limiter {
	return &limiter{
		tickets: make(chan struct{}, pending),
		slots:   make(chan struct{}, instances),
		queue:   make(chan struct{}, queue),
	}
}

// admit takes a ticket, or returns errBusy at once.
func (l *limiter) admit() error {
	select {
	case l.tickets <- struct{}{}:
		return nil
	default:
		return errBusy
	}
}

func (l *limiter) dismiss() { <-l.tickets }

// enter takes a slot for a single request: at once if one is free, else
// after waiting in the queue at most wait. It returns errQueueFull,
// errQueueTimeout or the context's error.
func (l *limiter) enter(ctx context.Context, wait time.Duration) error {
	select {
	case l.slots <- struct{}{}:
		return nil
	default:
	}
	select {
	case l.queue <- struct{}{}:
	default:
		return errQueueFull
	}
	defer func() { <-l.queue }()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case l.slots <- struct{}{}:
		return nil
	case <-t.C:
		return errQueueTimeout
	case <-ctx.Done():
		return ctx.Err()
	}
}

// wait takes a slot for a document of an accepted batch: the batch was
// admitted as a whole, so its documents wait as long as the request lives.
func (l *limiter) wait(ctx context.Context) error {
	select {
	case l.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l *limiter) leave() { <-l.slots }

func (l *limiter) busy() int       { return len(l.slots) }
func (l *limiter) instances() int  { return cap(l.slots) }
func (l *limiter) waiting() int    { return len(l.queue) }
func (l *limiter) pending() int    { return len(l.tickets) }
func (l *limiter) maxPending() int { return cap(l.tickets) }

// slot is a slot a verification holds, which it may give up while it waits
// for something else (a status list fetch) and take again.
type slot struct {
	l    *limiter
	held bool
}

func (s *slot) release() {
	if s.held {
		s.l.leave()
		s.held = false
	}
}

func (s *slot) retake(ctx context.Context) bool {
	if s.held {
		return true
	}
	s.held = s.l.wait(ctx) == nil
	return s.held
}
