package main

import (
	"context"
	"errors"
	"flag"
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
	at      time.Time
	format  string
	payload []byte
	proof   []byte // --proof, for the one input
	jsonl   string
	jobs    int
	maxDoc  int
	shard   shard
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
	fs := newFlagSet("verify", stdout, stderr,
		"usage: apostille verify [--trust PATH]... [--trust-key KEY]... [--at TIME] [--format jsonl|csv|text] [--output FILE] [--jobs N] [flags] (INPUT... | --jsonl FILE|- [--shard K/N])",
		"INPUT is a file, a directory (read recursively) or - for standard input. One record per",
		"input, in input order (docs/records.md); a summary on standard error. Exit status: 0 when",
		"every input is valid, 1 when any is not, 2 on usage, trust or I/O errors (then no input or",
		"not every input was judged).",
	)
	var trust listFlag
	fs.Var(&trust, "trust", "trust: a trust bundle, a JWK Set or PEM/DER certificates (repeatable)")
	at := fs.String("at", "", "verification time: a date (2026-01-01, midnight UTC) or an RFC 3339 time (2026-01-01T12:00:00Z); default now")
	format := fs.String("format", "text", "output: jsonl, csv or text")
	output := fs.String("output", "-", "write the records to FILE instead of standard output")
	payloadPath := fs.String("payload", "", "detached payload for the documents")
	jsonl := fs.String("jsonl", "", `JSON Lines input, FILE or - : {"id":…,"document":…,"payload":…,"proof":…,"at":…} per line; byte values as text or "base64:…"`)
	var sh shard
	fs.Var(&sh, "shard", "verify only shard K of N of the --jsonl input (K from 0 to N-1, as Kubernetes' JOB_COMPLETION_INDEX): the records on lines L with (L-1) mod N = K; `apostille merge` joins the shards' outputs")
	jobs := fs.Int("jobs", runtime.GOMAXPROCS(0), "documents verified in parallel")
	maxDoc := addMaxDocumentFlag(fs.FlagSet, 0)
	ef := addEngineFlags(fs.FlagSet) // engines.go
	tf := addTrustFlags(fs.FlagSet)  // trustflags.go: signed bundles, status lists
	exitZero := addExitZeroFlag(fs.FlagSet)
	proofPath := fs.String("proof", "", "detached tlog proof for the one INPUT (default: INPUT"+ProofSuffix+" when present)")
	resume := fs.Bool("resume", false, "go on with the --output FILE of an earlier --jsonl run of the same input (killed or failed): keep its complete records, drop a torn last one, answer the lines after the last one answered, appended in order")
	summaryPath := fs.String("summary", "", "write the run's counts and exit status as JSON to FILE (written whole at the end; with --resume, of the whole output)")
	formatSet := false
	if code, ok := fs.parse(args, func() string {
		fs.Visit(func(f *flag.Flag) { formatSet = formatSet || f.Name == "format" })
		switch {
		case fs.NArg() == 0 && *jsonl == "":
			return "no input: name files, directories or - (standard input), or give --jsonl FILE"
		case fs.NArg() > 0 && *jsonl != "":
			return fmt.Sprintf("--jsonl reads every record from its FILE and takes no INPUT (got %q)", fs.Arg(0))
		case sh.n > 0 && *jsonl == "":
			return "--shard splits a --jsonl input"
		case sh.n > 0 && formatSet && *format != "jsonl":
			return "--shard writes records for `apostille merge`: use --format jsonl"
		case *proofPath != "" && fs.NArg() != 1:
			return "--proof goes with exactly one INPUT"
		case *resume && (*jsonl == "" || *output == "-" || *output == "" || formatSet && *format != "jsonl"):
			return "--resume goes on with the JSON Lines records of a --jsonl run: give --jsonl FILE, --output FILE and --format jsonl"
		}
		return ""
	}); !ok {
		return code
	}
	ef.maxDocument = *maxDoc
	cfg := verifyConfig{format: *format, at: time.Now().UTC(), jsonl: *jsonl, jobs: max(*jobs, 1), maxDoc: *maxDoc, shard: sh}
	if sh.n > 0 || *resume {
		cfg.format = "jsonl"
	}
	switch cfg.format {
	case "jsonl", "csv", "text":
	default:
		return fs.usageError("--format: want jsonl, csv or text, got %q", cfg.format)
	}
	if *at != "" {
		t, err := parseAt(*at)
		if err != nil {
			return fs.usageError("--at: %v", err)
		}
		cfg.at = t
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "apostille verify:", err)
		return exitUsage
	}
	var err error
	if *payloadPath != "" {
		if cfg.payload, err = os.ReadFile(*payloadPath); err != nil {
			return fail(fmt.Errorf("--payload: %w", err))
		}
	}
	if *proofPath != "" {
		if cfg.proof, err = os.ReadFile(*proofPath); err != nil {
			return fail(fmt.Errorf("--proof: %w", err))
		}
	}
	// The trust is a configuration: anything wrong with it, a refused
	// signed bundle included, stops the run before any document is read.
	if cfg.loaded, err = tf.load(trust); err != nil {
		return fail(err)
	}
	if t := cfg.loaded; t.Refused != nil {
		reason := verifier.TrustInvalid
		var be *verifier.BundleError
		if errors.As(t.Refused, &be) {
			reason = be.Reason
		}
		return fail(fmt.Errorf("--trust %s refused (%s): %v; no document was read", t.RefusedFile, reason, t.Refused))
	}
	fetcher, err := tf.fetcher()
	if err != nil {
		return fail(err)
	}
	cfg.fetch, cfg.acceptStale = warnOnce(fetcher, stderr), tf.acceptStale
	sum := newSummary()
	var out io.Writer
	var closeOut func() error
	after := 0 // the input lines an earlier run answered (--resume)
	if *resume {
		f, last, err := resumeOutput(*output, sum)
		if err != nil {
			return fail(fmt.Errorf("--resume: %w", err))
		}
		out, closeOut, after = f, f.Close, last
		sum.lastLine = last
	} else if out, closeOut, err = openOutput(*output, stdout); err != nil {
		return fail(fmt.Errorf("--output: %w", err))
	}
	ctx := context.Background()
	eng, err := engine.New(ctx, ef.config(cfg.jobs, 0, compilingNote(stderr, "apostille verify")), cfg.loaded)
	if err != nil {
		closeOut()
		return fail(err)
	}
	defer eng.Close(ctx)

	in := &inputs{maxDoc: cfg.maxDoc, payload: cfg.payload, proof: cfg.proof, stdin: stdin, shard: cfg.shard, after: after}
	produce := func(emit func(*job)) error {
		if cfg.jsonl == "" {
			in.files(fs.Args(), emit)
			return nil
		}
		r := stdin
		if cfg.jsonl != "-" {
			f, err := os.Open(cfg.jsonl)
			if err != nil {
				return fmt.Errorf("--jsonl: %w", err)
			}
			defer f.Close()
			r = f
		}
		return in.jsonl(r, emit)
	}
	code := runBatch(cfg, eng, produce, out, stderr, sum)
	if code == exitInvalid && *exitZero {
		code = exitOK
	}
	if err := closeOut(); err != nil {
		fmt.Fprintln(stderr, "apostille verify: --output:", err)
		code = exitUsage
	}
	if in.seen == 0 && code != exitUsage {
		// An empty directory or input file is a job pointed at the wrong
		// place, not a success.
		code = fail(errors.New("no documents: the inputs given hold none (an empty directory or file, or only hidden files and proofs)"))
	}
	if *summaryPath != "" {
		if err := writeSummary(*summaryPath, sum.machine(sum.resumed, sum.lastLine, code, time.Since(sum.start).Seconds())); err != nil {
			fmt.Fprintln(stderr, "apostille verify: --summary:", err)
			code = exitUsage
		}
	}
	return code
}

// addExitZeroFlag defines --exit-zero, verify's and merge's.
func addExitZeroFlag(fs *flag.FlagSet) *bool {
	return fs.Bool("exit-zero", false, "exit 0 also when some document is not valid (the records say which); 2 still means a usage, trust or I/O error. For batch systems that count exit status 1 as a failed run")
}

// parseAt reads --at: an RFC 3339 time, or a date meaning its midnight UTC.
func parseAt(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("want a date (2026-01-01, midnight UTC) or an RFC 3339 time (2026-01-01T12:00:00Z), got %q", s)
}

// openOutput opens --output: standard output for "-", else the file,
// created or truncated. close flushes nothing (the writers do) and reports
// a failed close, which on some file systems is where a write fails.
func openOutput(path string, stdout io.Writer) (io.Writer, func() error, error) {
	if path == "-" || path == "" {
		return stdout, func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	return f, f.Close, nil
}

// compilingNote says on stderr why a first run waits, and when the module
// cannot be cached that it is compiled in memory.
func compilingNote(stderr io.Writer, cmd string) func(dir string, cacheErr error) {
	return func(dir string, cacheErr error) {
		if cacheErr != nil {
			fmt.Fprintf(stderr, "%s: compiling the verification module in memory: the cache directory cannot be used (%v); every run compiles it again (--cache-dir)\n", cmd, cacheErr)
			return
		}
		fmt.Fprintf(stderr, "%s: compiling the verification module once (cached in %s)\n", cmd, dir)
	}
}

// runBatch verifies every job produce emits with cfg.jobs workers and
// writes the records in input order (engine.Pool). At most a window of jobs
// is in memory at once, whatever the number of inputs.
func runBatch(cfg verifyConfig, eng engine.Engine, produce func(emit func(*job)) error, stdout, stderr io.Writer, sum *summary) int {
	out := newReportWriter(cfg.format, stdout)
	var mu sync.Mutex
	var prog *progress
	if isTerminal(stderr) {
		prog = startProgress(stderr, sum, &mu)
	}
	code := exitOK
	if sum.n > sum.verdicts[verifier.Valid] {
		code = exitInvalid // a record of the run resumed is not valid
	}
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
			sum.lastLine = max(sum.lastLine, j.line)
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
		return verifier.NotJudged(at, verifier.CheckInput, f.reason, f.detail).AppendJSON(nil)
	}
	opts := verifier.Options{Time: at, Payload: j.payload, Proof: j.proof, MaxSize: cfg.maxDoc, AcceptStaleTrustUnsafe: cfg.acceptStale}
	return engine.Verify(ctx, eng, cfg.loaded, j.doc, opts, cfg.fetch)
}
