package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/apostille/apostille/internal/jsonl"
)

// job is one input to verify: a document with its own detached parts.
type job struct {
	// name is the path ("-" for standard input); id is the raw JSON id of a
	// JSON Lines record. Records carry one or the other.
	name string
	id   json.RawMessage
	doc  []byte
	// payload and proof are this document's detached content and
	// tlog-proof. Every way of naming them (--payload, a JSON Lines
	// record's members) ends up here; detached() is the one place that
	// fills them for file inputs.
	payload []byte
	proof   []byte
	// at overrides the verification time for this document (JSON Lines).
	at time.Time
	// fail, when set, is why the input could not be read; it still gets
	// a record, so that every input has exactly one.
	fail *inputFailure
}

// inputFailure is an input that reached no verifier.
type inputFailure struct {
	reason string // a verifier reason code
	detail string
	io     bool // an I/O error: exit status 2
}

// label is what a CSV or text record shows for its input: the path, or
// the id (a string id without its quotes).
func (j *job) label() string {
	if j.id == nil {
		return j.name
	}
	var s string
	if json.Unmarshal(j.id, &s) == nil {
		return s
	}
	return string(j.id)
}

// inputs reads the inputs in order and sends one job each to emit, which
// may block: only the jobs in flight are in memory.
type inputs struct {
	maxDoc  int    // larger documents are not read whole
	payload []byte // --payload, for every file input
	proof   []byte // --proof, for the one input
	stdin   io.Reader
}

// detached fills a file input's detached parts: --payload, and the tlog
// proof given with --proof, else the file next to the document named
// DOCUMENT.tlog-proof (as .sig files sit next to what they sign).
func (in *inputs) detached(j *job) {
	j.payload = in.payload
	j.proof = in.proof
	if j.proof == nil && j.name != "-" && j.fail == nil {
		if b, err := os.ReadFile(j.name + ProofSuffix); err == nil {
			j.proof = b
		}
	}
}

// files walks files, directories (recursively, lexical order, hidden
// entries skipped) and "-" for standard input.
func (in *inputs) files(args []string, emit func(*job)) {
	for _, a := range args {
		if a == "-" {
			j := &job{name: "-"}
			j.doc, j.fail = readCapped(in.stdin, in.maxDoc)
			in.detached(j)
			emit(j)
			continue
		}
		info, err := os.Stat(a)
		if err != nil || !info.IsDir() {
			emit(in.file(a, err))
			continue
		}
		filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				emit(in.file(p, err))
			case p != a && strings.HasPrefix(d.Name(), "."):
				if d.IsDir() {
					return filepath.SkipDir
				}
			case !d.IsDir() && !strings.HasSuffix(p, ProofSuffix):
				// A proof is read with its document, not verified as one.
				emit(in.file(p, nil))
			}
			return nil
		})
	}
}

func (in *inputs) file(path string, statErr error) *job {
	j := &job{name: path}
	if statErr != nil {
		j.fail = &inputFailure{"internal", "the input could not be read", true}
		return j
	}
	f, err := os.Open(path)
	if err != nil {
		j.fail = &inputFailure{"internal", "the input could not be read", true}
		return j
	}
	defer f.Close()
	j.doc, j.fail = readCapped(f, in.maxDoc)
	in.detached(j)
	return j
}

// readCapped reads r whole, or reports too_large without keeping more than
// max+1 bytes.
func readCapped(r io.Reader, max int) ([]byte, *inputFailure) {
	b, err := io.ReadAll(io.LimitReader(r, int64(max)+1))
	if err != nil {
		return nil, &inputFailure{"internal", "the input could not be read", true}
	}
	if len(b) > max {
		return nil, &inputFailure{"too_large", fmt.Sprintf("more than %d bytes", max), false}
	}
	return b, nil
}

// jsonl reads JSON Lines records. A line that is not a record still gets
// one output record (malformed), identified by its line number.
func (in *inputs) jsonl(r io.Reader, emit func(*job)) error {
	// A line holds a document, its payload and proof, maybe base64: four
	// documents' worth, and one byte to tell a longer line.
	maxLine := 4*in.maxDoc + 4096
	br := bufio.NewReaderSize(r, 64<<10)
	var line []byte
	for n := 1; ; n++ {
		var tooLong bool
		var err error
		line, tooLong, err = jsonl.ReadLine(br, line[:0], maxLine)
		if len(bytes.TrimSpace(line)) == 0 && !tooLong {
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			continue
		}
		j := &job{}
		switch {
		case tooLong:
			j.id = lineID(n)
			j.fail = &inputFailure{"too_large", fmt.Sprintf("the line is longer than %d bytes", maxLine), false}
		default:
			in.record(j, line, n)
		}
		emit(j)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func (in *inputs) record(j *job, line []byte, n int) {
	f, bad, err := jsonl.Parse(line)
	j.id, j.doc, j.payload, j.proof, j.at = f.ID, f.Doc, f.Payload, f.Proof, f.At
	if len(j.id) == 0 {
		j.id = lineID(n)
	}
	switch {
	case err != nil:
		j.fail = &inputFailure{"malformed", fmt.Sprintf("line %d is not a record with a document", n), false}
	case len(bad) > 0:
		j.fail = &inputFailure{"malformed", fmt.Sprintf("line %d: bad %s", n, strings.Join(bad, ", ")), false}
	}
}

func lineID(n int) json.RawMessage { return json.RawMessage(fmt.Sprintf(`"line %d"`, n)) }
