package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apostille/apostille/verifier"
)

// TestBatchTrailer: a batch stream ends with a trailer that counts the
// lines read (blank ones too) and the records written, and says it is
// complete.
func TestBatchTrailer(t *testing.T) {
	srv := start(t, Config{}, ServeOptions{})
	line, _ := json.Marshal(map[string]any{"document": b64(doc(good))})
	body := string(line) + "\n\n" + string(line) + "\n   \n" + string(line)
	code, _, out := post(t, srv.url+"/v1/verify/batch", "application/x-ndjson", []byte(body))
	if code != 200 {
		t.Fatal(code)
	}
	recs, tr, err := readStream(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || tr == nil || *tr != (trailer{Type: "trailer", Lines: 5, Records: 3, End: "complete"}) {
		t.Fatalf("%d records, trailer %+v", len(recs), tr)
	}
}

// TestBatchCutByShutdown: a batch stream still being sent when the service
// stops is answered up to the lines read, then ends with a trailer that
// says shutdown cut it (a client can tell it from a finished stream, and
// knows where to resume); the stop log counts it.
func TestBatchCutByShutdown(t *testing.T) {
	srv := start(t, Config{}, ServeOptions{ShutdownTimeout: 5 * time.Second})
	pr, pw := io.Pipe()
	defer pw.Close()
	req, _ := http.NewRequest("POST", srv.url+"/v1/verify/batch", pr)
	req.Header.Set("Content-Type", "application/x-ndjson")
	type result struct {
		resp *http.Response
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		got <- result{resp, err}
	}()
	line, _ := json.Marshal(map[string]any{"document": b64(doc(good))})
	for i := 0; i < 5; i++ {
		pw.Write(append(line, '\n'))
	}
	r := <-got
	if r.err != nil {
		t.Fatal(r.err)
	}
	defer r.resp.Body.Close()
	br := bufio.NewReader(r.resp.Body)
	for i := 0; i < 5; i++ {
		if _, err := br.ReadBytes('\n'); err != nil {
			t.Fatal(err)
		}
	}
	stopped := make(chan error, 1)
	go func() { stopped <- srv.stop() }()
	recs, tr, err := readStream(br)
	if err != nil {
		t.Fatalf("the stream broke: %v", err)
	}
	if len(recs) != 0 || tr == nil || tr.End != "shutdown" || tr.Lines != 5 || tr.Records != 5 {
		t.Fatalf("after 5 records: %d more, trailer %+v", len(recs), tr)
	}
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	var last map[string]any
	for _, l := range srv.logs.lines(t) {
		if l["msg"] == "stopped" {
			last = l
		}
	}
	if last == nil || last["batches_cut"] != float64(1) || last["unfinished"] != float64(0) {
		t.Errorf("stop log: %v", last)
	}
}

// TestSlowBodiesDoNotStarve: clients that declare a body and trickle it
// (one byte every 100 ms) hold no ticket while they send: a normal
// client's requests meanwhile are all answered, and the trickling ones are
// cut off with 408 once the grace period has passed.
func TestSlowBodiesDoNotStarve(t *testing.T) {
	srv := start(t, Config{Instances: 1, Queue: 2, MaxPending: 4, BodyGrace: 300 * time.Millisecond}, ServeOptions{})
	const slow = 12 // three times the tickets
	stop := make(chan struct{})
	defer close(stop)
	got408 := make(chan bool, slow)
	for i := 0; i < slow; i++ {
		c, err := net.Dial("tcp", strings.TrimPrefix(srv.url, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, "POST /v1/verify HTTP/1.1\r\nHost: test\r\nContent-Length: 100000\r\n\r\n")
		go func() {
			t := time.NewTicker(100 * time.Millisecond)
			defer t.Stop()
			for n := 0; n < 200; n++ {
				select {
				case <-stop:
					return
				case <-t.C:
					if _, err := c.Write([]byte("e")); err != nil {
						return
					}
				}
			}
		}()
		go func() {
			c.SetReadDeadline(time.Now().Add(20 * time.Second))
			b, _ := io.ReadAll(c)
			got408 <- strings.HasPrefix(string(b), "HTTP/1.1 408 ")
		}()
	}
	waitFor(t, "the slow bodies to be read", func() bool { return len(srv.reading) == slow })
	for i := 0; i < 20; i++ {
		code, _, rep := post(t, srv.url+"/v1/verify", "text/plain", doc(good))
		if code != 200 || decide(t, rep).Verdict != verifier.Valid {
			t.Fatalf("request %d of a normal client while %d bodies trickle: %d", i, slow, code)
		}
	}
	for i := 0; i < slow; i++ {
		if !<-got408 {
			t.Errorf("a trickling body was not cut off with 408")
		}
	}
	if srv.lim.busy() != 0 || len(srv.reading) != 0 {
		t.Error("a slow client still holds the service")
	}
}

// TestIdleBatchLosesItsSlot: batch streams that send a record and then
// only blank lines end once the line timeout has passed since their last
// record, each with a trailer; their slots go to the next batch.
func TestIdleBatchLosesItsSlot(t *testing.T) {
	srv := start(t, Config{Instances: 1, MaxBatches: 2, LineTimeout: 300 * time.Millisecond}, ServeOptions{})
	line, _ := json.Marshal(map[string]any{"document": b64(doc(good))})
	stop := make(chan struct{})
	defer close(stop)
	ended := make(chan *trailer, 2)
	for i := 0; i < 2; i++ {
		c, err := net.Dial("tcp", strings.TrimPrefix(srv.url, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "POST /v1/verify/batch HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\n\r\n", len(line)+1, line)
		go func() {
			// A blank line every 50 ms, for at most 10 s.
			for n := 0; n < 200; n++ {
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
				}
				if _, err := io.WriteString(c, "1\r\n\n\r\n"); err != nil {
					return
				}
			}
		}()
		go func() {
			c.SetReadDeadline(time.Now().Add(20 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				ended <- nil
				return
			}
			_, tr, _ := readStream(resp.Body)
			ended <- tr
		}()
	}
	for i := 0; i < 2; i++ {
		tr := <-ended
		if tr == nil || tr.End != "client" || tr.Records != 1 {
			t.Fatalf("an idle batch ended with %+v", tr)
		}
	}
	code, _, out := post(t, srv.url+"/v1/verify/batch", "application/x-ndjson", append(line, '\n'))
	if recs, tr, err := readStream(bytes.NewReader(out)); code != 200 || err != nil || len(recs) != 1 || tr == nil || tr.End != "complete" {
		t.Fatalf("the next batch: %d %v %+v", code, err, tr)
	}
}

// TestShedAtTheDoor: with its connections at the bound, the service
// answers every further connection 503 with Retry-After before reading its
// request, counts it, and serves again once connections close; probes and
// metrics on their own listener answer throughout, within the 100 ms that
// a kubelet's probe gives them (median of the probes sent under the
// flood).
func TestShedAtTheDoor(t *testing.T) {
	pl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := start(t, Config{Instances: 1, MaxPending: 4}, ServeOptions{MaxConns: 8, ProbeListener: pl})
	probes := "http://" + pl.Addr().String()
	addr := strings.TrimPrefix(srv.url, "http://")
	var held []net.Conn
	for i := 0; i < 8; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
		defer c.Close()
	}
	waitFor(t, "the connections held", func() bool { return srv.conns.Load() == 8 })

	const flood = 60
	type result struct {
		code  int
		retry string
	}
	results := make(chan result, flood)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 20 * time.Second}
	for i := 0; i < flood; i++ {
		go func() {
			resp, err := client.Post(srv.url+"/v1/verify", "text/plain", bytes.NewReader(doc(good)))
			if err != nil {
				results <- result{code: -1}
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			results <- result{resp.StatusCode, resp.Header.Get("Retry-After")}
		}()
	}
	var took []time.Duration
	for _, path := range []string{"/livez", "/readyz", "/startupz", "/metrics", "/livez", "/readyz", "/livez", "/readyz", "/livez", "/readyz", "/livez"} {
		t0 := time.Now()
		code, _ := get(t, probes+path)
		took = append(took, time.Since(t0))
		if code != 200 {
			t.Errorf("%s on the probe listener: %d", path, code)
		}
	}
	// Probes on the API's port are answered at the door.
	for _, path := range []string{"/livez", "/readyz", "/startupz"} {
		if code, _ := get(t, srv.url+path); code != 200 {
			t.Errorf("%s on the API's port at the bound: %d", path, code)
		}
	}
	shed := 0
	for i := 0; i < flood; i++ {
		r := <-results
		if r.code == 503 && r.retry == "1" {
			shed++
		} else {
			t.Errorf("a connection beyond the bound: %d, Retry-After %q", r.code, r.retry)
		}
	}
	slices.Sort(took)
	if med := took[len(took)/2]; med > 100*time.Millisecond {
		t.Errorf("probes took %v (median) under the flood", med)
	}
	_, metrics := get(t, probes+"/metrics")
	for _, want := range []string{"apostille_connections_open 8\n", "apostille_connections_max 8\n", fmt.Sprintf("apostille_connections_shed_total %d\n", shed)} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	for _, c := range held {
		c.Close()
	}
	waitFor(t, "the held connections closed", func() bool { return srv.conns.Load() == 0 })
	if code, _, _ := post(t, srv.url+"/v1/verify", "text/plain", doc(good)); code != 200 {
		t.Fatalf("after the flood: %d", code)
	}
}

// TestShutdownTimeoutSaysSo: a request still running when the shutdown
// timeout passes is cut off with its connection; Serve says so
// (ErrUnfinished, which `apostille serve` turns into exit status 1), and
// the stop log does not count it answered.
func TestShutdownTimeoutSaysSo(t *testing.T) {
	gate := &gate{c: make(chan struct{})}
	started := make(chan struct{}, 1)
	es := &engines{make: func(e *testEngine) { e.gate, e.started = gate.c, started }}
	srv := start(t, Config{NewEngine: es.new, Instances: 1}, ServeOptions{ShutdownTimeout: 100 * time.Millisecond})
	t.Cleanup(gate.open)
	go func() {
		if resp, err := http.Post(srv.url+"/v1/verify", "text/plain", bytes.NewReader(doc(good))); err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	stopped := make(chan error, 1)
	go func() { stopped <- srv.stop() }()
	// The engine ignores its context: the handler ends only once the gate
	// opens, after Serve has waited its bounded while.
	err := <-stopped
	if !errors.Is(err, ErrUnfinished) {
		t.Fatalf("Serve returned %v", err)
	}
	var last map[string]any
	for _, l := range srv.logs.lines(t) {
		if l["msg"] == "stopped" {
			last = l
		}
	}
	if last == nil || last["answered"] != float64(0) || last["unfinished"] != float64(1) {
		t.Errorf("stop log: %v", last)
	}
}

// TestCPUOverloadProbes: real verifications from 48 clients against one
// instance keep the CPU the bottleneck (the case of item 1, where probes
// and metrics waited behind the work). Excess is shed with 429 or 503 and
// Retry-After, never queued without bound, and the probes and metrics on
// their own listener answer throughout, within the 100 ms a kubelet gives
// them (median), with the saturation visible in the metrics.
func TestCPUOverloadProbes(t *testing.T) {
	pl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := start(t, Config{Instances: 1, Queue: 2, QueueTimeout: 50 * time.Millisecond, MaxPending: 4}, ServeOptions{ProbeListener: pl})
	probes := "http://" + pl.Addr().String()
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	d := doc(good)
	var mu sync.Mutex
	codes := map[int]int{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 48; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Until the probes are done; bounded in count whatever happens.
			for i := 0; i < 2000; i++ {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := client.Post(srv.url+"/v1/verify", "application/cose", bytes.NewReader(d))
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 && resp.Header.Get("Retry-After") == "" {
					t.Errorf("%d without Retry-After", resp.StatusCode)
				}
				mu.Lock()
				codes[resp.StatusCode]++
				mu.Unlock()
			}
		}()
	}
	waitFor(t, "the service saturated", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return codes[429]+codes[503] > 0
	})
	var took []time.Duration
	saturated := false
	for i := 0; i < 20; i++ {
		for _, path := range []string{"/livez", "/readyz", "/metrics"} {
			t0 := time.Now()
			code, body := get(t, probes+path)
			took = append(took, time.Since(t0))
			if code != 200 {
				t.Errorf("%s on the probe listener under load: %d", path, code)
			}
			if path == "/metrics" && strings.Contains(string(body), "apostille_rejected_total{") {
				saturated = true
			}
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("answers: %v", codes)
	for code := range codes {
		if code != 200 && code != 429 && code != 503 {
			t.Errorf("status %d under overload", code)
		}
	}
	if codes[200] == 0 || codes[429]+codes[503] == 0 {
		t.Errorf("48 clients against 1 instance: %v", codes)
	}
	if !saturated {
		t.Error("the metrics never counted the requests shed while the service was saturated")
	}
	slices.Sort(took)
	if med := took[len(took)/2]; med > 100*time.Millisecond {
		t.Errorf("probes took %v (median) under CPU overload", med)
	}
}
