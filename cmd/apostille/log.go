package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/apostille/apostille/internal/tlog"
)

// ProofSuffix is appended to a document's file name for its detached tlog
// proof, as .sig files sit next to what they sign.
const ProofSuffix = ".tlog-proof"

// runLog runs an issuer's document log: a directory of C2SP tlog-tiles
// written with Tessera, which any static web server can publish.
func runLog(args []string, stdout, stderr io.Writer) int {
	usage := []string{
		"usage: apostille log init    --key LOGKEY LOGDIR",
		"       apostille log append  --key LOGKEY [--witness-policy FILE] [--fail-open] LOGDIR DOC...",
		"       apostille log publish --key LOGKEY [--witness-policy FILE] [--fail-open] LOGDIR",
		"       apostille log prove   [--checkpoint FILE] LOGDIR DOC...",
		"append logs each DOC (its SHA-256) and writes DOC" + ProofSuffix + "; a DOC the log holds",
		"already keeps its entry and gets its proof (re-run an append that was killed); the witness policy",
		"(c2sp.org/tlog-policy, witness lines with embassy URLs) collects embassy cosignatures.",
	}
	sub := "SUBCOMMAND"
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	fs := newFlagSet("log "+sub, stdout, stderr, usage...)
	keyPath := fs.String("key", "", "the log's private key file (apostille keys generate --kind log)")
	policyPath := fs.String("witness-policy", "", "tlog-policy naming the embassies to push checkpoints to")
	failOpen := fs.Bool("fail-open", false, "publish even when the embassies' quorum is not reached")
	timeout := fs.Duration("witness-timeout", 30*time.Second, "how long to wait for cosignatures")
	cpPath := fs.String("checkpoint", "", "prove against this checkpoint (default: the log's current one)")
	wait := fs.Duration("wait", 2*time.Minute, "give up when no checkpoint is published within this time")
	switch sub {
	case "init", "append", "publish", "prove":
	default:
		if isHelp(sub) {
			fs.help()
			return exitOK
		}
		fs.name = "log"
		return fs.usageError("want the subcommand init, append, publish or prove, got %q", sub)
	}
	if code, ok := fs.parse(args, func() string {
		switch n := fs.NArg(); {
		case n == 0:
			return "no log directory given"
		case n == 1 && (sub == "append" || sub == "prove"):
			return "no document given"
		case n > 1 && (sub == "init" || sub == "publish"):
			return fs.operands(1, "log directory")
		}
		return ""
	}); !ok {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *wait)
	defer cancel()
	dir, docs := fs.Arg(0), fs.Args()[1:]
	fail := func(err error) int {
		fmt.Fprintln(stderr, "apostille log:", err)
		return exitUsage
	}
	if sub == "prove" {
		if err := prove(ctx, dir, *cpPath, docs, stdout); err != nil {
			return fail(err)
		}
		return exitOK
	}
	skey, err := readKey(*keyPath)
	if err != nil {
		return fail(err)
	}
	signer, err := tlog.NewLogSigner(skey)
	if err != nil {
		return fail(err)
	}
	o := tlog.LogOptions{FailOpen: *failOpen, WitnessTimeout: *timeout, Republish: sub == "publish"}
	if *policyPath != "" {
		if o.WitnessPolicy, err = os.ReadFile(*policyPath); err != nil {
			return fail(err)
		}
	}
	l, err := tlog.OpenLog(ctx, dir, signer, o)
	if err != nil {
		return fail(err)
	}
	defer l.Close(context.Background())
	switch sub {
	case "init":
		fmt.Fprintf(stdout, "log %s in %s\n", signer.Name(), dir)
	case "publish":
		cp, err := l.Publish(ctx)
		if err != nil {
			return fail(err)
		}
		stdout.Write(cp)
	case "append":
		var contents [][]byte
		for _, d := range docs {
			b, err := os.ReadFile(d)
			if err != nil {
				return fail(err)
			}
			contents = append(contents, b)
		}
		idx, cp, err := l.Append(ctx, contents)
		if errors.Is(err, context.DeadlineExceeded) {
			return fail(errors.New("no checkpoint covering the documents was published in time (embassy quorum not reached? see --fail-open)"))
		}
		if err != nil {
			return fail(err)
		}
		p, err := tlog.NewProver(ctx, tlog.DirSource(dir), cp)
		if err != nil {
			return fail(err)
		}
		for i, d := range docs {
			if err := writeProof(ctx, p, idx[i], d, stdout); err != nil {
				return fail(err)
			}
		}
	}
	return exitOK
}

// prove writes proofs for documents already in the log.
func prove(ctx context.Context, dir, cpPath string, docs []string, stdout io.Writer) error {
	src := tlog.DirSource(dir)
	var cp []byte
	var err error
	if cpPath != "" {
		cp, err = os.ReadFile(cpPath)
	} else {
		cp, err = src.ReadCheckpoint(ctx)
	}
	if err != nil {
		return err
	}
	size, err := tlog.CheckpointSize(cp)
	if err != nil {
		return err
	}
	p, err := tlog.NewProver(ctx, src, cp)
	if err != nil {
		return err
	}
	for _, d := range docs {
		b, err := os.ReadFile(d)
		if err != nil {
			return err
		}
		i, ok, err := tlog.FindEntry(ctx, src, b, size)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%s is not in the log's first %d entries", d, size)
		}
		if err := writeProof(ctx, p, i, d, stdout); err != nil {
			return err
		}
	}
	return nil
}

func writeProof(ctx context.Context, p *tlog.Prover, index uint64, doc string, stdout io.Writer) error {
	pr, err := p.Proof(ctx, index)
	if err != nil {
		return err
	}
	if err := os.WriteFile(doc+ProofSuffix, pr, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: index %d, proof %s\n", doc, index, doc+ProofSuffix)
	return nil
}
