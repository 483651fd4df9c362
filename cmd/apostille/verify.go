package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/apostille/apostille/internal/jsonl"
	"github.com/apostille/apostille/verifier"
)

// verifyConfig is what `apostille verify` was asked to do.
type verifyConfig struct {
	trust   []string
	at      time.Time
	format  string
	payload []byte
	proof   []byte // --proof, for the one input
	jsonl   string
	// trustFlags opened the trust; it also answers for refused bundles
	// and fetches status lists.
	trustFlags *trustFlags
	jobs       int
	engine     engineConfig
}

func runVerify(args []string, stdout, stderr io.Writer) int {
	return runVerifyIO(args, os.Stdin, stdout, stderr)
}

func runVerifyIO(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("verify", stderr,
		"usage: apostille verify [--trust PATH]... [--trust-key KEY]... [--at RFC3339] [--format jsonl|csv|text] [--jobs N] [--engine wasm|native] [--payload FILE] [--proof FILE] (INPUT... | --jsonl FILE|-)",
		"INPUT is a file, a directory (read recursively) or - for standard input.",
	)
	var trust listFlag
	fs.Var(&trust, "trust", "trust: a trust bundle, a JWK Set or PEM/DER certificates (repeatable)")
	at := fs.String("at", "", "verification time, RFC 3339 (default: now)")
	format := fs.String("format", "text", "output: jsonl, csv or text")
	payloadPath := fs.String("payload", "", "detached payload for the documents")
	jsonl := fs.String("jsonl", "", `JSON Lines input, FILE or - : {"id":…,"document":…,"payload":…,"proof":…,"at":…} per line; byte values as text or "base64:…"`)
	jobs := fs.Int("jobs", runtime.GOMAXPROCS(0), "documents verified in parallel")
	engineName := fs.String("engine", "wasm", "wasm (the WebAssembly module, as in the browser) or native (for comparison)")
	hostCrypto := fs.Bool("host-crypto", true, "let the module check signature primitives with native crypto (false: its own, as in a browser)")
	cacheDir := fs.String("cache-dir", "", "where the compiled module is cached (default: the user cache directory)")
	tf := addTrustFlags(fs) // trustverify.go: signed bundles, status lists
	proofPath := fs.String("proof", "", "detached tlog proof for the one INPUT (default: INPUT"+ProofSuffix+" when present)")
	if !parseFlags(fs, args, func() bool { return (fs.NArg() == 0) == (*jsonl == "") }) {
		return exitUsage
	}
	cfg := verifyConfig{trust: trust, format: *format, at: time.Now().UTC(), jsonl: *jsonl, jobs: max(*jobs, 1)}
	switch cfg.format {
	case "jsonl", "csv", "text":
	default:
		fmt.Fprintf(stderr, "apostille verify: unknown --format %q\n", cfg.format)
		return exitUsage
	}
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			fmt.Fprintf(stderr, "apostille verify: --at: %v\n", err)
			return exitUsage
		}
		cfg.at = t
	}
	if *payloadPath != "" {
		b, err := os.ReadFile(*payloadPath)
		if err != nil {
			fmt.Fprintln(stderr, "apostille verify:", err)
			return exitUsage
		}
		cfg.payload = b
	}
	if *proofPath != "" {
		if fs.NArg() != 1 {
			fmt.Fprintln(stderr, "apostille verify: --proof goes with exactly one INPUT")
			return exitUsage
		}
		b, err := os.ReadFile(*proofPath)
		if err != nil {
			fmt.Fprintln(stderr, "apostille verify:", err)
			return exitUsage
		}
		cfg.proof = b
	}
	t, err := tf.load(cfg.trust, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "apostille verify: --trust:", err)
		return exitUsage
	}
	cfg.trustFlags = tf
	cfg.engine = engineConfig{name: *engineName, jobs: cfg.jobs, hostCrypto: *hostCrypto, cacheDir: *cacheDir, parsed: t,
		trust: tf.sources, operatorKeys: tf.operatorKeys}
	fs.Visit(func(f *flag.Flag) { cfg.engine.explicit = cfg.engine.explicit || f.Name == "engine" })
	eng, err := newEngine(cfg.engine, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "apostille verify:", err)
		return exitUsage
	}
	defer eng.close()

	in := &inputs{maxDoc: verifier.DefaultMaxSize, payload: cfg.payload, proof: cfg.proof, stdin: stdin}
	produce := func(emit func(*job)) error {
		if cfg.jsonl == "" {
			in.files(fs.Args(), emit)
			return nil
		}
		r := stdin
		if cfg.jsonl != "-" {
			f, err := os.Open(cfg.jsonl)
			if err != nil {
				return err
			}
			defer f.Close()
			r = f
		}
		return in.jsonl(r, emit)
	}
	return runBatch(cfg, eng, produce, stdout, stderr)
}

// runBatch verifies every job produce emits with cfg.jobs workers and
// writes the records in input order. At most a window of jobs is in memory
// at once, whatever the number of inputs.
func runBatch(cfg verifyConfig, eng engine, produce func(emit func(*job)) error, stdout, stderr io.Writer) int {
	type result struct {
		j   *job
		rep []byte
	}
	window := 4 * cfg.jobs
	slots := make(chan struct{}, window) // one per job between reading and writing
	jobs := make(chan *job, cfg.jobs)
	results := make(chan result, window)
	ctx := context.Background()

	var readErr error
	go func() {
		readErr = produce(func(j *job) {
			slots <- struct{}{}
			jobs <- j
		})
		close(jobs)
	}()
	var wg sync.WaitGroup
	for range cfg.jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				results <- result{j, verifyJob(ctx, eng, cfg, j)}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	out := newReportWriter(cfg.format, stdout)
	sum := newSummary()
	var mu sync.Mutex
	var prog *progress
	if isTerminal(stderr) {
		prog = startProgress(stderr, sum, &mu)
	}
	code := exitOK
	var order jsonl.InOrder[result]
	emit := func(p result) {
		if f := p.j.fail; f != nil && f.io {
			fmt.Fprintf(stderr, "apostille verify: %s: %s\n", p.j.label(), f.detail)
			code = exitUsage
		}
		mu.Lock()
		v := sum.add(p.rep)
		mu.Unlock()
		if v != verifier.Valid && code == exitOK {
			code = exitInvalid
		}
		if err := out.write(p.j, p.rep); err != nil {
			fmt.Fprintln(stderr, "apostille verify:", err)
			code = exitUsage
		}
		<-slots
	}
	for r := range results {
		order.Add(r.j.seq, r, emit)
	}
	prog.end()
	if err := out.flush(); err != nil {
		fmt.Fprintln(stderr, "apostille verify:", err)
		code = exitUsage
	}
	if readErr != nil {
		fmt.Fprintln(stderr, "apostille verify:", readErr)
		code = exitUsage
	}
	sum.print(stderr)
	return code
}

// verifyJob verifies one job, or writes the report of an input that could
// not be read.
func verifyJob(ctx context.Context, eng engine, cfg verifyConfig, j *job) []byte {
	at := cfg.at
	if !j.at.IsZero() {
		at = j.at
	}
	if f := j.fail; f != nil {
		return verifier.NotJudged(at, verifier.CheckInput, verifier.Reason(f.reason), f.detail).AppendJSON(nil)
	}
	opts := verifier.Options{Time: at, Payload: j.payload, Proof: j.proof}
	if tf := cfg.trustFlags; tf != nil {
		return tf.verifyWith(ctx, eng, j.doc, opts)
	}
	return eng.verify(ctx, j.doc, opts)
}
