package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apostille/apostille/internal/engine"
	"github.com/apostille/apostille/verifier"
)

// testEngine wraps the native engine with faults a test switches on: a gate
// that holds every verification until the test lets it go, a panic, and
// bookkeeping that catches a verification on a closed engine.
type testEngine struct {
	inner   engine.Engine
	gate    chan struct{} // when set, each Verify waits for a token or for it to close
	holdIf  []byte        // when set, the gate holds only this document
	held    atomic.Int64  // verifications waiting at the gate
	started chan struct{} // when set, each Verify sends on it first
	panics  atomic.Bool   // the next Verify panics
	active  atomic.Int64
	calls   atomic.Int64
	closed  atomic.Bool
	late    atomic.Bool // a Verify ran on a closed engine
}

func (e *testEngine) Verify(ctx context.Context, doc []byte, opts verifier.Options) []byte {
	e.active.Add(1)
	defer e.active.Add(-1)
	e.calls.Add(1)
	if e.closed.Load() {
		e.late.Store(true)
	}
	if e.started != nil {
		e.started <- struct{}{}
	}
	if e.gate != nil && (e.holdIf == nil || bytes.Equal(doc, e.holdIf)) {
		e.held.Add(1)
		<-e.gate
		e.held.Add(-1)
	}
	if e.panics.Swap(false) {
		panic("engine fault")
	}
	return e.inner.Verify(ctx, doc, opts)
}

func (e *testEngine) Name() string { return "test" }

func (e *testEngine) Close(context.Context) error {
	if e.active.Load() != 0 {
		e.late.Store(true) // closed under a running verification
	}
	e.closed.Store(true)
	return nil
}

// gate holds verifications until opened. A test that fails while the gate
// is shut must not leave the server's stop waiting on it, so the gate opens
// at cleanup (before the server stops: cleanups run last-in first-out).
type gate struct {
	c    chan struct{}
	once sync.Once
}

func (g *gate) open() { g.once.Do(func() { close(g.c) }) }

// engines makes testEngines and remembers them in order.
type engines struct {
	mu   sync.Mutex
	all  []*testEngine
	make func(*testEngine)
}

func (es *engines) new(_ context.Context, t *engine.Trust) (engine.Engine, error) {
	e := &testEngine{inner: engine.Native{Trust: t.Parsed}}
	if es.make != nil {
		es.make(e)
	}
	es.mu.Lock()
	es.all = append(es.all, e)
	es.mu.Unlock()
	return e, nil
}

func (es *engines) get(i int) *testEngine {
	es.mu.Lock()
	defer es.mu.Unlock()
	if i >= len(es.all) {
		return nil
	}
	return es.all[i]
}

func (es *engines) count() int {
	es.mu.Lock()
	defer es.mu.Unlock()
	return len(es.all)
}

// TestClientDisconnectMidBatch: a client that sends part of a batch, reads
// a few records and hangs up (mid-line, with verifications in flight)
// leaves nothing behind: its instances are free again, its goroutines end,
// and the next batch is served in full.
func TestClientDisconnectMidBatch(t *testing.T) {
	gate := &gate{c: make(chan struct{})}
	held := doc("unknown-issuer.jwt")
	es := &engines{make: func(e *testEngine) { e.gate, e.holdIf = gate.c, held }}
	srv := start(t, Config{NewEngine: es.new, Instances: 2}, ServeOptions{})
	t.Cleanup(gate.open) // after start: it runs before the server stops
	baseline := runtime.NumGoroutine()

	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST /v1/verify/batch HTTP/1.1\r\nHost: test\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n")
	line, _ := json.Marshal(map[string]any{"document": b64(doc(good))})
	hold, _ := json.Marshal(map[string]any{"document": b64(held)})
	var chunk strings.Builder
	for i := 0; i < 40; i++ {
		if i < 3 {
			chunk.Write(line) // verified at once
		} else {
			chunk.Write(hold) // held until the client has left
		}
		chunk.WriteByte('\n')
	}
	chunk.WriteString(`{"document":"eyJhbGciOi`) // a line cut short
	fmt.Fprintf(conn, "%x\r\n%s\r\n", chunk.Len(), chunk.String())
	br := bufio.NewReader(conn)
	status, err := br.ReadString('\n')
	if err != nil || !strings.Contains(status, "200") {
		t.Fatalf("status line %q: %v", status, err)
	}
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	for n := 0; n < 3; {
		l, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(l, `"line":`) {
			n++
		}
	}
	waitFor(t, "both instances held with the batch's documents", func() bool { return es.get(0).held.Load() == 2 })
	conn.Close()
	gate.open() // the verifications in flight end

	waitFor(t, "the batch handler to end", func() bool {
		n := srv.Tally()
		return n.Accepted == 1 && n.Abandoned == 1 && len(srv.batches) == 0 && srv.lim.busy() == 0
	})
	waitFor(t, "the batch's goroutines to end", func() bool { return runtime.NumGoroutine() <= baseline+1 })

	// The next batch is answered in full.
	resp, err := http.Post(srv.url+"/v1/verify/batch", "application/x-ndjson", strings.NewReader(strings.Repeat(string(line)+"\n", 20)))
	if err != nil {
		t.Fatal(err)
	}
	recs := readRecords(t, resp.Body)
	resp.Body.Close()
	if len(recs) != 20 {
		t.Fatalf("%d records, want 20", len(recs))
	}
	for _, r := range recs {
		if decide(t, r.Report).Verdict != verifier.Valid {
			t.Fatalf("line %d: %s", r.Line, r.Report)
		}
	}
}

// TestClientStopsReading: a client that sends a large batch and never
// reads the answer holds no instance once its write deadline passes.
func TestClientStopsReading(t *testing.T) {
	srv := start(t, Config{LineTimeout: 200 * time.Millisecond}, ServeOptions{})
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.(*net.TCPConn).SetReadBuffer(4096)
	line, _ := json.Marshal(map[string]any{"document": b64(doc(good))})
	body := strings.Repeat(string(line)+"\n", 3000) // ~4 MB of records back
	fmt.Fprintf(conn, "POST /v1/verify/batch HTTP/1.1\r\nHost: test\r\nContent-Type: application/x-ndjson\r\nContent-Length: %d\r\n\r\n", len(body))
	go io.WriteString(conn, body)
	waitFor(t, "the unread batch to be given up", func() bool {
		n := srv.Tally()
		return n.Accepted == 1 && n.Abandoned == 1 && srv.lim.busy() == 0
	})
	if code, _ := get(t, srv.url+"/readyz"); code != 200 {
		t.Fatalf("readyz %d", code)
	}
}

// TestEngineFault: an engine that fails on a document (a panic here; a
// trapped module instance answers with a report itself) costs that
// document an internal report; the requests before and after succeed, in a
// batch and alone.
func TestEngineFault(t *testing.T) {
	es := &engines{}
	srv := start(t, Config{NewEngine: es.new, Instances: 1}, ServeOptions{})
	gooddoc := doc(good)
	for round := 0; round < 3; round++ {
		if round == 1 {
			es.get(0).panics.Store(true)
		}
		code, _, rep := post(t, srv.url+"/v1/verify", "text/plain", gooddoc)
		got := decide(t, rep)
		want := verifier.Valid
		if round == 1 {
			want = verifier.Internal.Verdict()
			if got.Reason != verifier.Internal {
				t.Errorf("the failed document: %+v", got)
			}
		}
		if code != 200 || got.Verdict != want {
			t.Errorf("round %d: %d %+v", round, code, got)
		}
	}
	var body strings.Builder
	line, _ := json.Marshal(map[string]any{"document": b64(gooddoc)})
	for i := 0; i < 9; i++ {
		body.Write(append(line, '\n'))
	}
	es.get(0).panics.Store(true) // the first line's engine call fails
	resp, err := http.Post(srv.url+"/v1/verify/batch", "application/x-ndjson", strings.NewReader(body.String()))
	if err != nil {
		t.Fatal(err)
	}
	recs := readRecords(t, resp.Body)
	resp.Body.Close()
	if len(recs) != 9 {
		t.Fatalf("%d records", len(recs))
	}
	internal := 0
	for _, r := range recs {
		switch decide(t, r.Report).Reason {
		case verifier.Internal:
			internal++
		case "":
		default:
			t.Errorf("line %d: %s", r.Line, r.Report)
		}
	}
	if internal != 1 {
		t.Errorf("%d internal records, want 1", internal)
	}
	if strings.Contains(srv.logs.String(), "engine fault") {
		t.Error("the panic's value reached the log")
	}
}

// TestFloodBeyondQueue: with every instance busy and the queue full, more
// requests get 429 at once; a queued request that waits too long gets 503;
// both say when to retry; the queued requests are served once instances
// free up; nothing else fails.
func TestFloodBeyondQueue(t *testing.T) {
	gate := &gate{c: make(chan struct{})}
	es := &engines{make: func(e *testEngine) { e.gate = gate.c }}
	srv := start(t, Config{NewEngine: es.new, Instances: 2, Queue: 2, QueueTimeout: time.Minute}, ServeOptions{})
	t.Cleanup(gate.open) // after start: it runs before the server stops
	d := doc(good)

	type answer struct {
		code  int
		retry string
		body  []byte
	}
	answers := make(chan answer, 20)
	send := func() {
		resp, err := http.Post(srv.url+"/v1/verify", "text/plain", strings.NewReader(string(d)))
		if err != nil {
			answers <- answer{code: -1, body: []byte(err.Error())}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		answers <- answer{resp.StatusCode, resp.Header.Get("Retry-After"), b}
	}
	for i := 0; i < 4; i++ {
		go send()
	}
	waitFor(t, "two running and two queued", func() bool { return srv.lim.busy() == 2 && srv.lim.waiting() == 2 })
	for i := 0; i < 10; i++ {
		go send()
	}
	for i := 0; i < 10; i++ {
		a := <-answers
		var p problem
		json.Unmarshal(a.body, &p)
		if a.code != http.StatusTooManyRequests || a.retry == "" || p.Status != 429 {
			t.Fatalf("beyond the queue: %d Retry-After %q %s", a.code, a.retry, a.body)
		}
	}
	gate.open()
	for i := 0; i < 4; i++ {
		if a := <-answers; a.code != 200 || decide(t, a.body).Verdict != verifier.Valid {
			t.Fatalf("queued request: %d %s", a.code, a.body)
		}
	}
}

// TestQueueTimeout: a request that waits for an instance longer than the
// queue timeout gets 503 with Retry-After; one whose deadline passes in
// the queue too.
func TestQueueTimeout(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  Config
	}{
		{"queue timeout", Config{Instances: 1, QueueTimeout: 50 * time.Millisecond}},
		{"request deadline", Config{Instances: 1, QueueTimeout: time.Minute, RequestTimeout: 50 * time.Millisecond}},
	} {
		t.Run(c.name, func(t *testing.T) {
			gate := &gate{c: make(chan struct{})}
			es := &engines{make: func(e *testEngine) { e.gate = gate.c }}
			c.cfg.NewEngine = es.new
			srv := start(t, c.cfg, ServeOptions{})
			t.Cleanup(gate.open) // after start: it runs before the server stops
			first := make(chan int, 1)
			go func() {
				code, _, _ := post(t, srv.url+"/v1/verify", "text/plain", doc(good))
				first <- code
			}()
			waitFor(t, "the instance busy", func() bool { return srv.lim.busy() == 1 })
			code, hdr, body := post(t, srv.url+"/v1/verify", "text/plain", doc(good))
			if code != http.StatusServiceUnavailable || hdr.Get("Retry-After") == "" || hdr.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%d %q %s", code, hdr.Get("Retry-After"), body)
			}
			gate.open()
			if code := <-first; code != 200 {
				t.Errorf("the running request: %d", code)
			}
		})
	}
}

// TestFlood: many clients at once against one instance and a queue of one:
// every answer is a report (200) or a refusal (429, 503); no other error,
// no crash, and every accepted request is answered.
func TestFlood(t *testing.T) {
	srv := start(t, Config{Instances: 1, Queue: 1, QueueTimeout: 20 * time.Millisecond, MaxPending: 8}, ServeOptions{})
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	d := doc("lu-residence-attestation.cwt")
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	for w := 0; w < 64; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				resp, err := client.Post(srv.url+"/v1/verify", "application/cose", strings.NewReader(string(d)))
				if err != nil {
					t.Error(err)
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 && decide(t, b).Verdict != verifier.Valid {
					t.Errorf("a report under load: %s", b)
				}
				if resp.StatusCode != 200 && resp.Header.Get("Retry-After") == "" {
					t.Errorf("%d without Retry-After", resp.StatusCode)
				}
				mu.Lock()
				codes[resp.StatusCode]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	t.Logf("answers: %v", codes)
	for code := range codes {
		if code != 200 && code != 429 && code != 503 {
			t.Errorf("status %d under flood", code)
		}
	}
	if codes[200] == 0 || codes[429]+codes[503] == 0 {
		t.Errorf("a flood of 64 clients against 1 instance: %v", codes)
	}
	// Accepted requests are answered: 200, or 429/503 from the queue.
	if n := settled(t, srv); n.Abandoned != 0 || n.Answered < int64(codes[200]) {
		t.Errorf("%+v, 200s %d", n, codes[200])
	}
	if code, _ := get(t, srv.url+"/livez"); code != 200 {
		t.Fatal("not alive after the flood")
	}
	if code, _, _ := post(t, srv.url+"/v1/verify", "application/cose", d); code != 200 {
		t.Fatalf("after the flood: %d", code)
	}
}
