// Command servebench measures `apostille serve` under load on loopback and
// compares it with `apostille verify` on the same documents, in one run:
//
//   - bulk: `apostille verify` over N copies of the demo documents (the
//     CLI's throughput, the baseline);
//   - saturation: closed-loop clients, as many as give the most answers,
//     each sending the next request when the last is answered;
//   - half load: open-loop requests at half the saturated rate, latency
//     measured from when each was due (so a stall is not hidden by the
//     clients waiting for it);
//   - memory: the service's RSS, sampled every second for a minute at half
//     load.
//
// It prints a Markdown section for docs/PERFORMANCE.md. `make bench` runs it
// after `make build`:
//
//	go run ./internal/cmd/servebench -bin bin/apostille
package main

import (
	"bytes"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apostille/apostille/internal/demo"
)

func main() {
	bin := flag.String("bin", "bin/apostille", "the apostille binary to measure")
	round := flag.Duration("round", 5*time.Second, "length of each run of a round (the CLI's corpus is sized to take about this long)")
	rounds := flag.Int("rounds", 3, "rounds of CLI, saturated service and batch stream, one after the other")
	measure := flag.Duration("duration", 10*time.Second, "length of the half-load run")
	sweep := flag.Duration("sweep", 2*time.Second, "length of each run that looks for the saturating number of clients")
	rssFor := flag.Duration("rss", 60*time.Second, "length of the memory run")
	rssWarm := flag.Duration("rss-warm", 60*time.Second, "half load before the memory run, for the module instances to reach their high-water mark")
	engine := flag.String("engine", "", "--engine for both verify and serve (empty: each one's default)")
	overload := flag.Duration("overload", 0, "instead: run the service on one CPU (taskset -c 0 when present), find its capacity, offer twice that open-loop for this long, and report shedding, latency, probes and RSS")
	serveArgs := flag.String("serve-args", "", "with -overload: more flags for apostille serve, separated by spaces")
	flag.Parse()
	if *overload > 0 {
		if err := runOverload(*bin, *overload, *engine, strings.Fields(*serveArgs)); err != nil {
			fmt.Fprintln(os.Stderr, "servebench:", err)
			os.Exit(1)
		}
		return
	}
	o := options{bin: *bin, round: *round, rounds: max(*rounds, 1), measure: *measure, sweep: *sweep, rssFor: *rssFor, rssWarm: *rssWarm, engine: *engine}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "servebench:", err)
		os.Exit(1)
	}
}

type options struct {
	bin                    string
	round                  time.Duration
	rounds                 int
	measure, sweep, rssFor time.Duration
	rssWarm                time.Duration
	engine                 string
}

// doc is one document the clients send.
type doc struct {
	name string
	data []byte
}

// round is one CLI run and, right after it, the service saturated and one
// batch stream of the same documents: on a shared machine the ratio within
// a round is what holds still, not the figures across rounds.
type roundResult struct {
	cli   cliResult
	sat   result
	batch result
}

// demoWorld builds the demo world in a new temporary directory (the
// caller removes it) and reads its documents.
func demoWorld() (string, []doc, error) {
	dir, err := os.MkdirTemp("", "servebench-")
	if err != nil {
		return "", nil, err
	}
	if _, err := demo.Build(dir, ""); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	docs, err := documents(filepath.Join(dir, "documents"))
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	return dir, docs, nil
}

func run(o options) error {
	dir, docs, err := demoWorld()
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	trust := filepath.Join(dir, "trust.json")
	var engineArgs []string
	if o.engine != "" {
		engineArgs = []string{"--engine", o.engine}
	}

	// Size the CLI's corpus so that its run takes about a round.
	fmt.Fprintf(os.Stderr, "servebench: %d documents; sizing the CLI's corpus\n", len(docs))
	calib, err := corpus(filepath.Join(dir, "calibrate"), docs, 20)
	if err != nil {
		return err
	}
	c, err := bulk(o.bin, trust, calib, engineArgs)
	if err != nil {
		return err
	}
	copies := max(20, int(c.rate*o.round.Seconds())/len(docs))
	in, err := corpus(filepath.Join(dir, "bulk"), docs, copies)
	if err != nil {
		return err
	}
	n := copies * len(docs)

	svc, err := startService(o.bin, trust, dir, engineArgs)
	if err != nil {
		return err
	}
	defer svc.stop()
	load := &loader{raw: newRawClient(strings.TrimPrefix(svc.url, "http://"), "/v1/verify", docs), pid: svc.cmd.Process.Pid}
	defer load.raw.close()
	load.closed(2, 2*time.Second) // warm up: connections, instances, caches

	fmt.Fprintln(os.Stderr, "servebench: looking for the saturating number of clients")
	// Saturation is the most reports per second without refusals: beyond
	// the queue the service answers 429 quickly, which is not throughput.
	var sweepRows []result
	best := result{}
	for _, c := range []int{1, 2, 4, 8, 16, 32} {
		r := load.closed(c, o.sweep)
		sweepRows = append(sweepRows, r)
		if r.refused == 0 && r.failed == 0 && r.rate > best.rate {
			best = r
		}
	}
	if best.clients == 0 {
		return fmt.Errorf("every closed-loop run was refused: %+v", sweepRows)
	}

	var rounds []roundResult
	for i := 0; i < o.rounds; i++ {
		fmt.Fprintf(os.Stderr, "servebench: round %d of %d (CLI, service with %d clients, batch)\n", i+1, o.rounds, best.clients)
		cli, err := bulk(o.bin, trust, in, engineArgs)
		if err != nil {
			return err
		}
		sat := load.closed(best.clients, o.round)
		batch, err := load.batch(svc.url+"/v1/verify/batch", docs, n)
		if err != nil {
			return err
		}
		rounds = append(rounds, roundResult{cli, sat, batch})
	}
	sort.Slice(rounds, func(i, j int) bool { return rounds[i].ratio() < rounds[j].ratio() })
	mid := rounds[len(rounds)/2]

	half := load.open(mid.sat.rate/2, o.measure)
	fmt.Fprintln(os.Stderr, "servebench: memory at half load")
	rss := load.rssRun(mid.sat.rate/2, o.rssWarm, o.rssFor)

	report(os.Stdout, reportData{o: o, docs: len(docs), n: n, copies: copies,
		sweep: sweepRows, rounds: rounds, mid: mid, half: half, rss: rss})
	return nil
}

func (r roundResult) ratio() float64 { return r.sat.rate / r.cli.rate }

// corpus writes copies of every document into dir, as the CLI's input.
func corpus(dir string, docs []doc, copies int) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	for i := 0; i < copies; i++ {
		for _, d := range docs {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%05d-%s", i, d.name)), d.data, 0o644); err != nil {
				return "", err
			}
		}
	}
	return dir, nil
}

// documents reads the demo documents (their detached proofs stay out: the
// CLI would pick them up from next to the file, the service gets only the
// body, and both must do the same work).
func documents(dir string) ([]doc, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var docs []doc
	for _, e := range entries {
		if e.IsDir() || strings.HasSuffix(e.Name(), ".tlog-proof") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		docs = append(docs, doc{e.Name(), b})
	}
	return docs, nil
}

// cliResult is one run of `apostille verify` over a directory.
type cliResult struct {
	n       int
	wall    time.Duration
	cpu     time.Duration
	rate    float64
	cpuRate float64 // documents per CPU second
}

func bulk(bin, trust, in string, engineArgs []string) (cliResult, error) {
	entries, err := os.ReadDir(in)
	if err != nil {
		return cliResult{}, err
	}
	n := len(entries)
	args := append([]string{"verify", "--trust", trust, "--trust-state", "none", "--format", "jsonl"}, engineArgs...)
	cmd := exec.Command(bin, append(args, in)...)
	cmd.Stdout = io.Discard
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	// Exit status 1 says some documents are not valid: the demo has
	// invalid ones on purpose.
	if err != nil && cmd.ProcessState.ExitCode() != 1 {
		return cliResult{}, fmt.Errorf("apostille verify: %v\n%s", err, stderr.String())
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return cliResult{n: n, wall: wall, cpu: cpu, rate: float64(n) / wall.Seconds(), cpuRate: float64(n) / cpu.Seconds()}, nil
}

type service struct {
	cmd *exec.Cmd
	url string
	log *os.File
}

func startService(bin, trust, dir string, engineArgs []string) (*service, error) {
	return startServiceWith(nil, bin, trust, dir, engineArgs)
}

// startServiceWith starts the service, its command line after prefix
// (taskset) when one is given.
func startServiceWith(prefix []string, bin, trust, dir string, engineArgs []string) (*service, error) {
	logf, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		return nil, err
	}
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--trust", trust, "--trust-state", "none", "--reload-every", "0"}, engineArgs...)
	cmdline := append(append(append([]string{}, prefix...), bin), args...)
	cmd := exec.Command(cmdline[0], cmdline[1:]...)
	cmd.Stderr = logf // the service logs a line per request, as it would in production
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line := make([]byte, 256)
	n, _ := io.ReadAtLeast(out, line, 1)
	_, url, ok := strings.Cut(strings.TrimSpace(string(line[:n])), "listening on ")
	if !ok {
		cmd.Process.Kill()
		return nil, fmt.Errorf("apostille serve said %q", line[:n])
	}
	s := &service{cmd: cmd, url: strings.TrimSuffix(url, "/"), log: logf}
	deadline := time.Now().Add(2 * time.Minute) // a first compilation of the module
	for {
		resp, err := http.Get(s.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("apostille serve never became ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *service) stop() {
	s.cmd.Process.Signal(os.Interrupt)
	s.cmd.Wait()
	s.log.Close()
}

// loader sends verification requests to the service.
type loader struct {
	raw  *rawClient
	pid  int
	next atomic.Int64
}

// result is one run against the service.
type result struct {
	clients  int     // closed loop: concurrent clients
	target   float64 // open loop: requests per second asked for
	n        int     // answered with a report (200)
	refused  int     // 429 or 503
	failed   int     // anything else, transport errors included
	wall     time.Duration
	rate     float64       // reports per second
	p50, p99 time.Duration // from when each request was due
	// sentP50 and sentP99 count from when each was sent: the difference
	// is time the load generator itself was late (on a shared machine, the
	// CPU it waited for).
	sentP50, sentP99 time.Duration
	// refusedP50 and refusedP99: how fast refusals came, from when sent.
	refusedP50, refusedP99 time.Duration
	cpu                    time.Duration // the service's CPU time during the run
}

// send posts the next document and says how it was answered (-1: no
// answer).
func (l *loader) send() (status int) {
	status, err := l.raw.do(int(l.next.Add(1)))
	if err != nil {
		return -1
	}
	return status
}

// batch streams n documents as one NDJSON request (POST /v1/verify/batch)
// and counts the records that come back: the service's bulk path, the same
// work as the CLI's run.
func (l *loader) batch(url string, docs []doc, n int) (result, error) {
	var body bytes.Buffer
	for i := 0; i < n; i++ {
		fmt.Fprintf(&body, "{\"id\":%d,\"document\":\"base64:%s\"}\n", i, base64.StdEncoding.EncodeToString(docs[i%len(docs)].data))
	}
	cpu0 := cpuTime(l.pid)
	start := time.Now()
	resp, err := http.Post(url, "application/x-ndjson", &body)
	if err != nil {
		return result{}, err
	}
	defer resp.Body.Close()
	out := mustRead(resp.Body)
	wall := time.Since(start)
	// One record per line, then the trailer, which must say complete.
	records := bytes.Count(out, []byte("\n")) - 1
	complete := bytes.HasSuffix(out, []byte(`"end":"complete"}`+"\n"))
	if resp.StatusCode != 200 || records != n || !complete {
		return result{}, fmt.Errorf("batch: status %d, %d records for %d lines", resp.StatusCode, records, n)
	}
	return result{n: n, wall: wall, rate: float64(n) / wall.Seconds(), cpu: cpuTime(l.pid) - cpu0}, nil
}

func mustRead(r io.Reader) []byte {
	b, _ := io.ReadAll(r)
	return b
}

// tally collects the outcomes of one run.
type tally struct {
	mu      sync.Mutex
	lat     []time.Duration // from when the request was due
	sent    []time.Duration // from when it was sent
	refused int
	refLat  []time.Duration // refusals, from when they were sent
	failed  int
}

func (t *tally) add(status int, due, sent time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case status == 200:
		t.lat = append(t.lat, due)
		t.sent = append(t.sent, sent)
	case status == 429 || status == 503:
		t.refused++
		t.refLat = append(t.refLat, sent)
	default:
		t.failed++
	}
}

func (t *tally) result(wall, cpu time.Duration) result {
	r := result{n: len(t.lat), refused: t.refused, failed: t.failed, wall: wall, cpu: cpu, rate: float64(len(t.lat)) / wall.Seconds()}
	r.p50, r.p99 = percentiles(t.lat)
	r.sentP50, r.sentP99 = percentiles(t.sent)
	r.refusedP50, r.refusedP99 = percentiles(t.refLat)
	return r
}

func percentiles(l []time.Duration) (p50, p99 time.Duration) {
	if len(l) == 0 {
		return 0, 0
	}
	sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	return l[len(l)*50/100], l[min(len(l)-1, len(l)*99/100)]
}

// closed runs clients that each send a request as soon as the last one is
// answered, for d.
func (l *loader) closed(clients int, d time.Duration) result {
	var t tally
	cpu0 := cpuTime(l.pid)
	start := time.Now()
	end := start.Add(d)
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(end) {
				s := time.Now()
				status := l.send()
				d := time.Since(s)
				t.add(status, d, d)
			}
		}()
	}
	wg.Wait()
	r := t.result(time.Since(start), cpuTime(l.pid)-cpu0)
	r.clients = clients
	return r
}

// open sends requests at rate per second for d, each at its due time
// whatever the others are doing; a request's latency counts from when it
// was due.
func (l *loader) open(rate float64, d time.Duration) result {
	return l.openWith(rate, d, nil)
}

func (l *loader) openWith(rate float64, d time.Duration, tick func()) result {
	const maxInFlight = 256
	var t tally
	sem := make(chan struct{}, maxInFlight)
	interval := time.Duration(float64(time.Second) / rate)
	cpu0 := cpuTime(l.pid)
	start := time.Now()
	var wg sync.WaitGroup
	nextTick := start.Add(time.Second)
	for i := 0; ; i++ {
		due := start.Add(time.Duration(i) * interval)
		if due.Sub(start) >= d {
			break
		}
		if w := time.Until(due); w > 0 {
			time.Sleep(w)
		}
		if tick != nil && time.Now().After(nextTick) {
			tick()
			nextTick = nextTick.Add(time.Second)
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			sent := time.Now()
			status := l.send()
			t.add(status, time.Since(due), time.Since(sent))
		}()
	}
	wg.Wait()
	r := t.result(time.Since(start), cpuTime(l.pid)-cpu0)
	r.target = rate
	return r
}

// rssResult is the service's resident memory over a run.
type rssResult struct {
	run     result
	warm    []int64 // kB, one a second, during the warm-up
	samples []int64 // kB, one a second, during the run
}

// rssRun samples the service's RSS every second at rate requests per
// second: first for warm (the module's instances grow to the memory their
// largest documents need, and wasm memory never shrinks), then for d.
func (l *loader) rssRun(rate float64, warm, d time.Duration) rssResult {
	var res rssResult
	res.warm = append(res.warm, rssKB(l.pid))
	if warm > 0 {
		l.openWith(rate, warm, func() { res.warm = append(res.warm, rssKB(l.pid)) })
	}
	res.samples = append(res.samples, rssKB(l.pid))
	res.run = l.openWith(rate, d, func() { res.samples = append(res.samples, rssKB(l.pid)) })
	res.samples = append(res.samples, rssKB(l.pid))
	return res
}

// rssKB reads a process's resident set size from /proc.
func rssKB(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(v), "%d", &kb)
			return kb
		}
	}
	return 0
}

// cpuTime reads a process's user and system time from /proc (clock ticks
// of 10 ms on Linux).
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name may hold spaces; the fields after it are fixed.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0
	}
	var utime, stime int64
	fmt.Sscanf(fields[11], "%d", &utime)
	fmt.Sscanf(fields[12], "%d", &stime)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}
