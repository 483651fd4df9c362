package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apostille/apostille/verifier"
)

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
		rw.csv.Write(csvHeader)
	}
	return rw
}

// write writes the record of one input. rep is the report JSON; csv and
// text read it back.
func (rw *reportWriter) write(j *job, rep []byte) error {
	if rw.format == "jsonl" {
		o := j.output(rep)
		rw.w.Write(o.Append(rw.w.AvailableBuffer()))
		return rw.w.WriteByte('\n')
	}
	var r verifier.Report
	if err := json.Unmarshal(rep, &r); err != nil {
		return fmt.Errorf("a report could not be read back: %w", err)
	}
	if rw.format == "csv" {
		return rw.csv.Write(csvRecord(j, &r))
	}
	writeText(rw.w, j.label(), &r)
	return nil
}

func (rw *reportWriter) flush() error {
	if rw.csv != nil {
		rw.csv.Flush()
	}
	return rw.w.Flush()
}

// csvHeader names the CSV columns: the input (input for a file, line and
// id for a JSON Lines record), the verdict, the deciding reason and what
// its check said (detail), then what the document says. A signed container
// (ASiC-E, BDOC) stays one row: its signatures counted and its signers
// named in the last two columns, which are empty for other documents;
// the per-signature results are in the jsonl report.
var csvHeader = []string{"input", "line", "id", "verdict", "reason", "detail", "format", "type", "issuer", "country", "signed_at", "valid_until", "warnings", "signatures", "signers"}

func csvRecord(j *job, rep *verifier.Report) []string {
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
	line := ""
	if j.line > 0 {
		line = strconv.Itoa(j.line)
	}
	var sigs, signers string
	if c := rep.Container; c != nil {
		sigs = strconv.Itoa(len(c.Signatures))
		var names []string
		for _, s := range c.Signatures {
			names = append(names, signerText(s.Signer))
		}
		signers = strings.Join(names, "; ")
	}
	return []string{j.name, line, j.idText(), string(rep.Verdict), string(rep.Reason), decidingDetail(rep), format, typ, issuer, country, signed, until, strings.Join(warns, " "), sigs, signers}
}

// signerText names a container's signer: the name, and the personal code
// when the certificate gives one; "?" for a signature whose certificate
// could not be read.
func signerText(s *verifier.Signer) string {
	switch {
	case s == nil:
		return "?"
	case s.PersonalCode != "":
		return s.Name + " (" + s.PersonalCode + ")"
	}
	return s.Name
}

// writeContainerText lists a container's data files and, per signature,
// who signed, when, at what level and whether it holds.
func writeContainerText(w *bufio.Writer, c *verifier.Container) {
	for _, f := range c.DataFiles {
		fmt.Fprintf(w, "  file:      %s (%s, %d bytes)\n", f.Name, f.MediaType, f.Size)
	}
	for _, s := range c.Signatures {
		fmt.Fprintf(w, "  signature: %s %s", s.File, strings.ToUpper(string(s.Verdict)))
		if s.Reason != "" {
			fmt.Fprintf(w, " (%s)", s.Reason)
		}
		w.WriteByte('\n')
		fmt.Fprintf(w, "    signer:  %s\n", signerText(s.Signer))
		if s.SigningTime != "" {
			fmt.Fprintf(w, "    signed:  %s\n", s.SigningTime)
		} else if s.ClaimedTime != "" {
			fmt.Fprintf(w, "    claimed: %s (not proven)\n", s.ClaimedTime)
		}
		level := s.Level
		if s.Qualified != "" {
			level += ", " + s.Qualified
		}
		fmt.Fprintf(w, "    level:   %s\n", level)
		if s.TimeStamp != "" {
			fmt.Fprintf(w, "    tsa:     %s\n", s.TimeStamp)
		}
		if s.OCSPResponder != "" {
			fmt.Fprintf(w, "    ocsp:    %s", s.OCSPResponder)
			if s.OCSPProducedAt != "" {
				fmt.Fprintf(w, " at %s", s.OCSPProducedAt)
			}
			w.WriteByte('\n')
		}
		if len(s.Files) != len(c.DataFiles) {
			fmt.Fprintf(w, "    covers:  %s\n", strings.Join(s.Files, ", "))
		}
		for _, wr := range s.Warnings {
			fmt.Fprintf(w, "    warning: %s\n", wr.Reason)
		}
	}
}

// decidingDetail is what the check that decided a verdict other than
// valid said: the first check that did not pass with the report's reason.
func decidingDetail(rep *verifier.Report) string {
	if rep.Reason == "" {
		return ""
	}
	for _, c := range rep.Checks {
		if c.Reason == rep.Reason && c.Status != verifier.Passed {
			return c.Detail
		}
	}
	return ""
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
	if rep.Container != nil {
		writeContainerText(w, rep.Container)
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
	resumed  int // of n, the records an earlier run wrote (--resume)
	lastLine int // the last JSON Lines input line answered
	verdicts map[verifier.Verdict]int
	reasons  map[verifier.Reason]int
}

func newSummary() *summary {
	return &summary{start: time.Now(), verdicts: map[verifier.Verdict]int{}, reasons: map[verifier.Reason]int{}}
}

// add counts one report and returns its verdict (indeterminate for a
// report that cannot be read back, which every engine's report can).
func (s *summary) add(rep []byte) verifier.Verdict {
	sum, err := verifier.ReadSummary(rep)
	if err != nil {
		sum.Verdict, sum.Reason = verifier.Indeterminate, verifier.Internal
	}
	s.n++
	s.verdicts[sum.Verdict]++
	if sum.Reason != "" {
		s.reasons[sum.Reason]++
	}
	return sum.Verdict
}

func (s *summary) rate() float64 {
	if el := time.Since(s.start).Seconds(); el > 0 {
		return float64(s.n-s.resumed) / el
	}
	return 0
}

func (s *summary) print(w io.Writer) {
	fmt.Fprintf(w, "%d documents: %d valid, %d invalid, %d indeterminate (%.0f documents/s)\n",
		s.n, s.verdicts[verifier.Valid], s.verdicts[verifier.Invalid], s.verdicts[verifier.Indeterminate], s.rate())
	if s.resumed > 0 {
		fmt.Fprintf(w, "  (%d of them answered by the run resumed)\n", s.resumed)
	}
	var rs []string
	for r := range s.reasons {
		rs = append(rs, string(r))
	}
	sort.Strings(rs)
	for _, r := range rs {
		fmt.Fprintf(w, "  %-24s %d\n", r, s.reasons[verifier.Reason(r)])
	}
}

// progress redraws one status line on a terminal's stderr a few times a
// second; it is off when stderr is not a terminal (a file, a pipe, CI).
type progress struct {
	w    io.Writer
	sum  *summary
	mu   *sync.Mutex
	stop chan struct{}
	done chan struct{}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// startProgress starts the status line; mu guards sum.
func startProgress(w io.Writer, sum *summary, mu *sync.Mutex) *progress {
	p := &progress{w: w, sum: sum, mu: mu, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		spin := 0
		for {
			select {
			case <-p.stop:
				fmt.Fprint(p.w, "\r\033[K")
				return
			case <-t.C:
				p.mu.Lock()
				n, rate, bad := p.sum.n, p.sum.rate(), p.sum.n-p.sum.verdicts[verifier.Valid]
				p.mu.Unlock()
				spin++
				bar := strings.Repeat("=", spin%20) + ">" + strings.Repeat(" ", 19-spin%20)
				fmt.Fprintf(p.w, "\r\033[K[%s] %d documents, %d not valid, %.0f/s", bar, n, bad, rate)
			}
		}
	}()
	return p
}

func (p *progress) end() {
	if p == nil {
		return
	}
	close(p.stop)
	<-p.done
}

// writeTrustText says in text output which trust decided and what the
// status list said.
func writeTrustText(w *bufio.Writer, rep *verifier.Report) {
	if t := rep.Trust; t != nil && t.Signed {
		fmt.Fprintf(w, "  trust:     %s, sequence %d, signed by %s, %s old", t.Operator, t.Sequence, t.OperatorKey, age(t.AgeSeconds))
		if t.StaleAcceptedUnsafe {
			w.WriteString(", STALE (accepted unsafe)")
		}
		w.WriteByte('\n')
	}
	for _, c := range rep.Checks {
		if c.Check != verifier.CheckRevocation {
			continue
		}
		switch {
		case c.Status == verifier.Passed:
			fmt.Fprintf(w, "  status:    %s\n", c.Detail)
		case c.Reason == verifier.Revoked:
			fmt.Fprintf(w, "  status:    REVOKED — %s\n", c.Detail)
		default:
			fmt.Fprintf(w, "  status:    unknown — %s\n", c.Detail)
		}
	}
}

func age(sec int64) string {
	d := time.Duration(sec) * time.Second
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	return d.String()
}
