package main

import (
	"bufio"
	"errors"
	"fmt"
	"github.com/apostille/apostille/internal/atomicfile"
	"io"
	"os"
	"sort"

	"github.com/apostille/apostille/internal/jsonl"
	"github.com/apostille/apostille/verifier"
)

// resumeOutput opens an output file that an earlier run of the same
// command (killed, or stopped by a failure) left, to go on with it: it keeps
// every complete record, drops a torn last one (a line without its newline,
// or one that does not read as a record), counts the records it keeps in
// sum, and returns the file open for appending and the last input line
// answered. The records must answer lines in increasing order, as verify
// writes them; anything else is not an output to resume.
func resumeOutput(path string, sum *summary) (f *os.File, last int, err error) {
	f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, 0, err
	}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	br := bufio.NewReaderSize(f, 64<<10)
	var keep int64 // bytes of complete records
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			break // a line without its newline is torn: dropped
		}
		if err != nil {
			return nil, 0, err
		}
		o, typ, rerr := jsonl.ReadOutput(line)
		if rerr != nil || typ != "" || o.Line == 0 {
			if _, perr := br.Peek(1); errors.Is(perr, io.EOF) {
				break // the last line is torn: dropped
			}
			return nil, 0, fmt.Errorf("%s line %d is not a record of a --jsonl run: not an output to resume", path, n)
		}
		if o.Line <= last {
			return nil, 0, fmt.Errorf("%s line %d answers input line %d after line %d: not an output to resume", path, n, o.Line, last)
		}
		last = o.Line
		sum.add(o.Report)
		sum.resumed++
		keep += int64(len(line))
	}
	if err := f.Truncate(keep); err != nil {
		return nil, 0, err
	}
	if _, err := f.Seek(keep, io.SeekStart); err != nil {
		return nil, 0, err
	}
	return f, last, nil
}

// runSummary is what --summary FILE holds: the run's counts, for a batch
// system to read rather than parse standard error.
type runSummary struct {
	Documents     int            `json:"documents"`
	Valid         int            `json:"valid"`
	Invalid       int            `json:"invalid"`
	Indeterminate int            `json:"indeterminate"`
	Reasons       map[string]int `json:"reasons"`
	// Resumed is how many of the documents an earlier run had answered
	// (--resume); the rest this run did.
	Resumed int `json:"resumed"`
	// LastLine is the last JSON Lines input line answered (0 for files).
	LastLine int `json:"last_line,omitempty"`
	// Exit is the exit status, and Complete whether every input was
	// answered (no I/O or usage error stopped the run).
	Exit     int     `json:"exit"`
	Complete bool    `json:"complete"`
	Seconds  float64 `json:"seconds"`
}

func (s *summary) machine(resumed, lastLine, exit int, seconds float64) runSummary {
	r := runSummary{
		Documents: s.n, Valid: s.verdicts[verifier.Valid], Invalid: s.verdicts[verifier.Invalid],
		Indeterminate: s.verdicts[verifier.Indeterminate], Reasons: map[string]int{},
		Resumed: resumed, LastLine: lastLine, Exit: exit, Complete: exit != exitUsage, Seconds: seconds,
	}
	var rs []string
	for k := range s.reasons {
		rs = append(rs, string(k))
	}
	sort.Strings(rs)
	for _, k := range rs {
		r.Reasons[k] = s.reasons[verifier.Reason(k)]
	}
	return r
}

// writeSummary writes --summary FILE whole or not at all (atomicfile), so
// that a reader never sees half of one.
func writeSummary(path string, r runSummary) error {
	return atomicfile.WriteJSON(path, r, 0o644)
}
