package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/apostille/apostille/internal/engine"
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
	jobs    int
	// loaded is the trust (internal/engine), fetch gets the status lists
	// documents name, and acceptStale is --accept-stale-trust-unsafe.
	loaded      *engine.Trust
	fetch       engine.Fetch
	acceptStale bool
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
	ef := addEngineFlags(fs) // engines.go
	tf := addTrustFlags(fs)  // trustflags.go: signed bundles, status lists
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
	loader, err := tf.loader(cfg.trust)
	if err == nil {
		cfg.loaded, err = loader.Load()
	}
	if err != nil {
		fmt.Fprintln(stderr, "apostille verify: --trust:", err)
		return exitUsage
	}
	if t := cfg.loaded; t.Refused != nil {
		fmt.Fprintf(stderr, "apostille: trust bundle %s refused: %v\n", t.RefusedFile, t.Refused)
	}
	fetcher, err := tf.fetcher()
	if err != nil {
		fmt.Fprintln(stderr, "apostille verify: --trust:", err)
		return exitUsage
	}
	cfg.fetch, cfg.acceptStale = warnOnce(fetcher, stderr), tf.acceptStale
	ctx := context.Background()
	eng, err := engine.New(ctx, ef.config(cfg.jobs, 0, func(dir string) {
		fmt.Fprintf(stderr, "apostille verify: compiling the verification module once (cached in %s)\n", dir)
	}), cfg.loaded)
	if err != nil {
		fmt.Fprintln(stderr, "apostille verify:", err)
		return exitUsage
	}
	defer eng.Close(ctx)

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
// writes the records in input order (engine.Pool). At most a window of jobs
// is in memory at once, whatever the number of inputs.
func runBatch(cfg verifyConfig, eng engine.Engine, produce func(emit func(*job)) error, stdout, stderr io.Writer) int {
	out := newReportWriter(cfg.format, stdout)
	sum := newSummary()
	var mu sync.Mutex
	var prog *progress
	if isTerminal(stderr) {
		prog = startProgress(stderr, sum, &mu)
	}
	code := exitOK
	ctx := context.Background()
	pool := engine.Pool[*job, []byte]{
		Workers: cfg.jobs,
		Work:    func(j *job) []byte { return verifyJob(ctx, eng, cfg, j) },
		Deliver: func(j *job, rep []byte) {
			if f := j.fail; f != nil && f.io {
				fmt.Fprintf(stderr, "apostille verify: %s: %s\n", j.label(), f.detail)
				code = exitUsage
			}
			mu.Lock()
			v := sum.add(rep)
			mu.Unlock()
			if v != verifier.Valid && code == exitOK {
				code = exitInvalid
			}
			if err := out.write(j, rep); err != nil {
				fmt.Fprintln(stderr, "apostille verify:", err)
				code = exitUsage
			}
		},
	}
	readErr := pool.Run(ctx, func(emit func(*job) bool) error {
		return produce(func(j *job) { emit(j) })
	})
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
func verifyJob(ctx context.Context, eng engine.Engine, cfg verifyConfig, j *job) []byte {
	at := cfg.at
	if !j.at.IsZero() {
		at = j.at
	}
	if f := j.fail; f != nil {
		return verifier.NotJudged(at, verifier.CheckInput, verifier.Reason(f.reason), f.detail).AppendJSON(nil)
	}
	opts := verifier.Options{Time: at, Payload: j.payload, Proof: j.proof, AcceptStaleTrustUnsafe: cfg.acceptStale}
	return engine.Verify(ctx, eng, cfg.loaded, j.doc, opts, cfg.fetch)
}
