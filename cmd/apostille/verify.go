package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/apostille/apostille/verifier"
)

// verifyConfig is what `apostille verify` was asked to do.
type verifyConfig struct {
	trust   []string
	at      time.Time
	format  string
	payload []byte
	proof   []byte
}

func runVerify(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var trust listFlag
	fs.Var(&trust, "trust", "trust: a trust bundle, a JWK Set or PEM/DER certificates (repeatable)")
	at := fs.String("at", "", "verification time, RFC 3339 (default: now)")
	format := fs.String("format", "text", "output: jsonl, csv or text")
	payloadPath := fs.String("payload", "", "detached payload for the documents")
	tf := addTrustFlags(fs) // trustverify.go: signed bundles, status lists
	proofPath := fs.String("proof", "", "detached tlog proof for the one INPUT (default: INPUT"+ProofSuffix+" when present)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: apostille verify [--trust PATH]... [--at RFC3339] [--format jsonl|csv|text] [--payload FILE] [--proof FILE] INPUT...")
		fmt.Fprintln(stderr, "INPUT is a file, a directory (read recursively) or - for standard input.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitUsage
	}
	cfg := verifyConfig{trust: trust, format: *format, at: time.Now().UTC()}
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

	out := newReportWriter(cfg.format, stdout)
	sum := newSummary()
	code := exitOK
	err = eachInput(fs.Args(), func(name string, doc []byte, readErr error) {
		var rep *verifier.Report
		if readErr != nil {
			fmt.Fprintf(stderr, "apostille verify: %v\n", readErr)
			code = exitUsage
			return
		}
		rep = tf.verify(doc, verifier.Options{Trust: t, Time: cfg.at, Payload: cfg.payload, Proof: proofFor(name, cfg.proof)})
		if rep.Verdict != verifier.Valid && code == exitOK {
			code = exitInvalid
		}
		sum.add(rep)
		if err := out.write(name, rep); err != nil {
			fmt.Fprintln(stderr, "apostille verify:", err)
			code = exitUsage
		}
	})
	out.flush()
	if err != nil {
		fmt.Fprintln(stderr, "apostille verify:", err)
		return exitUsage
	}
	sum.print(stderr)
	return code
}

// eachInput calls fn for every document named by args, in order: files,
// directories (recursively, in lexical order) and - for standard input.
func eachInput(args []string, fn func(name string, doc []byte, err error)) error {
	for _, a := range args {
		if a == "-" {
			b, err := io.ReadAll(os.Stdin)
			fn("-", b, err)
			continue
		}
		info, err := os.Stat(a)
		if err != nil {
			fn(a, nil, err)
			continue
		}
		if !info.IsDir() {
			b, err := os.ReadFile(a)
			fn(a, b, err)
			continue
		}
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				fn(p, nil, err)
				return nil
			}
			// A document's proof is read with it, not verified as a document.
			if d.IsDir() || strings.HasPrefix(d.Name(), ".") || strings.HasSuffix(d.Name(), ProofSuffix) {
				return nil
			}
			b, err := os.ReadFile(p)
			fn(p, b, err)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// proofFor is the tlog proof for an input: the one given with --proof, else
// the file next to it named INPUT.tlog-proof, if there is one.
func proofFor(name string, given []byte) []byte {
	if given != nil || name == "-" {
		return given
	}
	b, err := os.ReadFile(name + ProofSuffix)
	if err != nil {
		return nil
	}
	return b
}

// reportWriter writes one record per input.
type reportWriter struct {
	format string
	w      *bufio.Writer
	csv    *csv.Writer
}

func newReportWriter(format string, w io.Writer) *reportWriter {
	rw := &reportWriter{format: format, w: bufio.NewWriter(w)}
	if format == "csv" {
		rw.csv = csv.NewWriter(rw.w)
		rw.csv.Write([]string{"input", "verdict", "reason", "format", "type", "issuer", "country", "signed_at", "valid_until", "warnings"})
	}
	return rw
}

func (rw *reportWriter) write(name string, rep *verifier.Report) error {
	switch rw.format {
	case "jsonl":
		b, err := json.Marshal(rep)
		if err != nil {
			return err
		}
		return writeJSONLine(rw.w, name, b)
	case "csv":
		return rw.csv.Write(csvRecord(name, rep))
	default:
		writeText(rw.w, name, rep)
	}
	return nil
}

func (rw *reportWriter) flush() {
	if rw.csv != nil {
		rw.csv.Flush()
	}
	rw.w.Flush()
}

// writeJSONLine writes a report's JSON with an "input" member first.
func writeJSONLine(w *bufio.Writer, name string, report []byte) error {
	in, err := json.Marshal(name)
	if err != nil {
		return err
	}
	w.WriteString(`{"input":`)
	w.Write(in)
	if len(report) > 2 {
		w.WriteByte(',')
		w.Write(report[1:])
	} else {
		w.WriteByte('}')
	}
	return w.WriteByte('\n')
}

func csvRecord(name string, rep *verifier.Report) []string {
	var format, typ, issuer, country, signed, until string
	if d := rep.Document; d != nil {
		format, typ, signed, until = d.Format, d.Type, d.SignedAt, d.ValidUntil
		if d.Issuer != nil {
			issuer, country = d.Issuer.Name, d.Issuer.Country
		}
	}
	var warns []string
	for _, w := range rep.Warnings {
		warns = append(warns, string(w.Reason))
	}
	return []string{name, string(rep.Verdict), string(rep.Reason), format, typ, issuer, country, signed, until, strings.Join(warns, " ")}
}

// verdictWords are the words a person reads for each verdict.
func verdictWords(rep *verifier.Report) string {
	switch {
	case rep.Verdict == verifier.Valid && len(rep.Warnings) > 0:
		return "VALID, with warnings"
	case rep.Verdict == verifier.Valid:
		return "VALID"
	case rep.Verdict == verifier.Invalid:
		return "INVALID"
	}
	return "COULD NOT VERIFY"
}

func writeText(w *bufio.Writer, name string, rep *verifier.Report) {
	fmt.Fprintf(w, "%s: %s", name, verdictWords(rep))
	if rep.Reason != "" {
		fmt.Fprintf(w, " (%s)", rep.Reason)
	}
	w.WriteByte('\n')
	if d := rep.Document; d != nil {
		if d.Issuer != nil && d.Issuer.Name != "" {
			fmt.Fprintf(w, "  issuer:    %s", d.Issuer.Name)
			if d.Issuer.Country != "" {
				fmt.Fprintf(w, " (%s)", d.Issuer.Country)
			}
			w.WriteByte('\n')
		}
		if d.Type != "" {
			fmt.Fprintf(w, "  document:  %s (%s)\n", d.Type, d.Format)
		} else if d.Format != "" {
			fmt.Fprintf(w, "  format:    %s\n", d.Format)
		}
		if s := d.Subject; s != nil {
			if s.Name != "" {
				fmt.Fprintf(w, "  name:      %s\n", s.Name)
			}
			if s.BirthDate != "" {
				fmt.Fprintf(w, "  born:      %s\n", s.BirthDate)
			}
		}
		if d.SignedAt != "" {
			fmt.Fprintf(w, "  signed:    %s\n", d.SignedAt)
		}
		if d.ValidUntil != "" {
			fmt.Fprintf(w, "  valid to:  %s\n", d.ValidUntil)
		}
	}
	writeTrustText(w, rep)
	for _, a := range rep.Attestations {
		fmt.Fprintf(w, "  attested:  %s (%s), %s, %s #%d of %d\n", a.Embassy, a.Country, a.CosignedAt, a.Origin, a.Index, a.TreeSize)
	}
	for _, c := range rep.Checks {
		fmt.Fprintf(w, "  [%s] %s", statusMark(c.Status), c.Check)
		if c.Reason != "" {
			fmt.Fprintf(w, ": %s", c.Reason)
		}
		if c.Detail != "" {
			fmt.Fprintf(w, " — %s", c.Detail)
		}
		w.WriteByte('\n')
	}
	for _, wr := range rep.Warnings {
		fmt.Fprintf(w, "  warning: %s", wr.Reason)
		if wr.Detail != "" {
			fmt.Fprintf(w, " — %s", wr.Detail)
		}
		w.WriteByte('\n')
	}
}

func statusMark(s verifier.Status) string {
	switch s {
	case verifier.Passed:
		return "ok"
	case verifier.Failed:
		return "FAIL"
	case verifier.Skipped:
		return "skip"
	}
	return "??"
}

// summary counts verdicts and reasons for stderr.
type summary struct {
	start    time.Time
	n        int
	verdicts map[verifier.Verdict]int
	reasons  map[verifier.Reason]int
}

func newSummary() *summary {
	return &summary{start: time.Now(), verdicts: map[verifier.Verdict]int{}, reasons: map[verifier.Reason]int{}}
}

func (s *summary) add(rep *verifier.Report) {
	s.n++
	s.verdicts[rep.Verdict]++
	if rep.Reason != "" {
		s.reasons[rep.Reason]++
	}
}

func (s *summary) print(w io.Writer) {
	el := time.Since(s.start).Seconds()
	rate := 0.0
	if el > 0 {
		rate = float64(s.n) / el
	}
	fmt.Fprintf(w, "%d documents: %d valid, %d invalid, %d indeterminate (%.0f documents/s)\n",
		s.n, s.verdicts[verifier.Valid], s.verdicts[verifier.Invalid], s.verdicts[verifier.Indeterminate], rate)
	var rs []string
	for r := range s.reasons {
		rs = append(rs, string(r))
	}
	sort.Strings(rs)
	for _, r := range rs {
		fmt.Fprintf(w, "  %-24s %d\n", r, s.reasons[verifier.Reason(r)])
	}
}
