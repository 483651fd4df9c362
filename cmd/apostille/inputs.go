package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// job is one input to verify: a document with its own detached parts.
type job struct {
	seq int
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
	seq     int
}

func (in *inputs) next(j *job) *job {
	j.seq = in.seq
	in.seq++
	return j
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
			j := in.next(&job{name: "-"})
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
	j := in.next(&job{name: path})
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

// jsonlRecord is one line of --jsonl input. Byte-valued members are text,
// or base64 after a "base64:" prefix.
type jsonlRecord struct {
	ID       json.RawMessage `json:"id"`
	Document *string         `json:"document"`
	Payload  *string         `json:"payload"`
	Proof    *string         `json:"proof"`
	At       string          `json:"at"`
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
		line, tooLong, err = readLine(br, line[:0], maxLine)
		if len(bytes.TrimSpace(line)) == 0 && !tooLong {
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			continue
		}
		j := in.next(&job{})
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
	var rec jsonlRecord
	if err := json.Unmarshal(line, &rec); err != nil || rec.Document == nil {
		j.id = lineID(n)
		if err == nil && len(rec.ID) > 0 {
			j.id = rec.ID
		}
		j.fail = &inputFailure{"malformed", fmt.Sprintf("line %d is not a record with a document", n), false}
		return
	}
	j.id = rec.ID
	if len(j.id) == 0 {
		j.id = lineID(n)
	}
	var errs []string
	var err error
	if j.doc, err = textOrBase64(*rec.Document); err != nil {
		errs = append(errs, "document")
	}
	if rec.Payload != nil {
		if j.payload, err = textOrBase64(*rec.Payload); err != nil {
			errs = append(errs, "payload")
		}
	}
	if rec.Proof != nil {
		if j.proof, err = textOrBase64(*rec.Proof); err != nil {
			errs = append(errs, "proof")
		}
	}
	if rec.At != "" {
		if j.at, err = time.Parse(time.RFC3339, rec.At); err != nil {
			errs = append(errs, "at")
		}
	}
	if len(errs) > 0 {
		j.fail = &inputFailure{"malformed", fmt.Sprintf("line %d: bad %s", n, strings.Join(errs, ", ")), false}
	}
}

func lineID(n int) json.RawMessage { return json.RawMessage(fmt.Sprintf(`"line %d"`, n)) }

func textOrBase64(s string) ([]byte, error) {
	if b, ok := strings.CutPrefix(s, "base64:"); ok {
		return base64.StdEncoding.DecodeString(b)
	}
	return []byte(s), nil
}

// readLine reads one line into buf (without the newline), keeping at most
// max bytes; a longer line is consumed and reported as too long.
func readLine(br *bufio.Reader, buf []byte, max int) ([]byte, bool, error) {
	tooLong := false
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(chunk) > max+1 {
				tooLong = true
				buf = buf[:0]
			} else {
				buf = append(buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == nil {
			buf = bytes.TrimSuffix(buf, []byte{'\n'})
		}
		return buf, tooLong, err
	}
}
