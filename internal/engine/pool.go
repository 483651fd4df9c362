package engine

import (
	"context"
	"sync"
)

// Pool verifies many documents (jobs of type J, results of type R) with a
// bounded number of workers and delivers the results in the order the jobs
// were produced, each as soon as those before it are delivered. At most a
// window of jobs is between being produced and being delivered, so memory
// is bounded whatever the number of jobs.
type Pool[J, R any] struct {
	// Workers run Work in parallel; at least one.
	Workers int
	// Window bounds the jobs in flight; 0 means 4 per worker.
	Window int
	// Work turns a job into its result, on a worker's goroutine.
	Work func(J) R
	// Deliver takes each result in order, on Run's goroutine.
	Deliver func(J, R)
	// Idle, when set, is called after a delivery when no other result is
	// ready (the service flushes its stream there, so that records go out
	// as soon as they are decided and in few writes under load).
	Idle func()
}

// Run runs produce on its own goroutine; produce hands jobs to emit, which
// blocks while the window is full and returns false once ctx ends (produce
// should then stop). Run returns produce's error once every job it emitted
// has been delivered.
func (p Pool[J, R]) Run(ctx context.Context, produce func(emit func(J) bool) error) error {
	workers := max(p.Workers, 1)
	window := p.Window
	if window <= 0 {
		window = 4 * workers
	}
	type job struct {
		seq int
		j   J
	}
	type result struct {
		job
		r R
	}
	slots := make(chan struct{}, window) // one per job between emit and delivery
	jobs := make(chan job, workers)
	results := make(chan result, window)

	var produceErr error
	go func() {
		defer close(jobs)
		seq := 0
		produceErr = produce(func(j J) bool {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return false
			}
			jobs <- job{seq, j}
			seq++
			return true
		})
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				results <- result{j, p.Work(j.j)}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	// Results that finish early wait here until those before them are
	// delivered.
	pending := map[int]result{}
	next := 0
	for res := range results {
		pending[res.seq] = res
		for {
			r, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			p.Deliver(r.j, r.r)
			<-slots
		}
		if p.Idle != nil && len(results) == 0 {
			p.Idle()
		}
	}
	return produceErr
}
