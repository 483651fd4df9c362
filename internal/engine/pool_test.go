package engine

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"
)

// TestPoolOrder: results that finish in any order are delivered in the
// order the jobs were produced, and never more than the window is in
// flight.
func TestPoolOrder(t *testing.T) {
	const n, workers, window = 300, 4, 8
	var inFlight, most atomic.Int64
	delays := rand.New(rand.NewPCG(1, 2)).Perm(n)
	var got []int
	p := Pool[int, int]{
		Workers: workers,
		Window:  window,
		Work: func(j int) int {
			// Later jobs often finish first.
			time.Sleep(time.Duration(delays[j]%50) * time.Microsecond)
			return j * 10
		},
		Deliver: func(j, r int) {
			if r != j*10 {
				t.Errorf("job %d delivered with %d", j, r)
			}
			got = append(got, j)
			inFlight.Add(-1)
		},
	}
	err := p.Run(context.Background(), func(emit func(int) bool) error {
		for i := range n {
			if !emit(i) {
				return errors.New("emit refused")
			}
			if v := inFlight.Add(1); v > most.Load() {
				most.Store(v)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("%d delivered, want %d", len(got), n)
	}
	for i, j := range got {
		if i != j {
			t.Fatalf("position %d holds job %d", i, j)
		}
	}
	// emit counts a job once it is past the window, so at most window
	// are counted and not yet delivered, plus the one being counted.
	if m := most.Load(); m > window+1 {
		t.Errorf("%d jobs in flight, window %d", m, window)
	}
}

// TestPoolCancel: once the context ends, emit refuses, and what was
// emitted is still delivered; produce's error is Run's.
func TestPoolCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	release := make(chan struct{})
	delivered := 0
	p := Pool[int, int]{
		Workers: 1,
		Window:  2,
		Work: func(j int) int {
			<-release
			return j
		},
		Deliver: func(int, int) { delivered++ },
	}
	stop := errors.New("stopped")
	emitted := 0
	err := p.Run(ctx, func(emit func(int) bool) error {
		for i := 0; ; i++ {
			if i == 2 {
				cancel() // the window is full: the next emit must give up
				close(release)
			}
			if !emit(i) {
				return stop
			}
			emitted++
		}
	})
	if !errors.Is(err, stop) {
		t.Fatalf("Run = %v, want produce's error", err)
	}
	if delivered != emitted {
		t.Errorf("%d emitted, %d delivered", emitted, delivered)
	}
}

// TestPoolIdle: Idle is called when no result waits, at least once at the
// end.
func TestPoolIdle(t *testing.T) {
	idle := 0
	p := Pool[int, int]{Workers: 2, Work: func(j int) int { return j }, Deliver: func(int, int) {}, Idle: func() { idle++ }}
	p.Run(context.Background(), func(emit func(int) bool) error {
		for i := range 10 {
			emit(i)
		}
		return nil
	})
	if idle == 0 {
		t.Error("Idle was never called")
	}
}
