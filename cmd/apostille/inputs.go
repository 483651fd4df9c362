package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/apostille/apostille/internal/jsonl"
	"github.com/apostille/apostille/verifier"
)

// job is one input to verify: a document with its own detached parts.
type job struct {
	// name is the path ("-" for standard input) of a file input; line is
	// the line of a JSON Lines record (from 1), and id its raw JSON id when
	// it gave one. A record has a line, a file input a name.
	name string
	line int
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
	reason verifier.Reason
	detail string
	io     bool // an I/O error: exit status 2
}

// label is what text output and messages show for an input: the path, or
// the line and the id (a string id without its quotes).
func (j *job) label() string {
	switch {
	case j.line == 0:
		return j.name
	case j.id == nil:
		return fmt.Sprintf("line %d", j.line)
	}
	return fmt.Sprintf("line %d (id %s)", j.line, j.idText())
}

// idText is the id as CSV shows it: a string without its quotes.
func (j *job) idText() string {
	var s string
	if j.id == nil || json.Unmarshal(j.id, &s) == nil {
		return s
	}
	return string(j.id)
}

// output is the job's record around a report (jsonl.Output).
func (j *job) output(rep []byte) jsonl.Output {
	return jsonl.Output{Line: j.line, Input: j.name, ID: j.id, Report: rep}
}

// inputs reads the inputs in order and sends one job each to emit, which
// may block: only the jobs in flight are in memory.
type inputs struct {
	maxDoc  int    // larger documents are not read whole; 0: per format (verifier.MaxSizeFor)
	payload []byte // --payload, for every file input
	proof   []byte // --proof, for the one input
	stdin   io.Reader
	shard   shard // of JSON Lines records; none when its n is 0
	// seen counts the inputs found (every shard's, for JSON Lines), so
	// that a run given none can say so.
	seen int
	// after skips the JSON Lines input up to this line: an earlier run
	// answered it (--resume).
	after int
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
			in.seen++
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

// file reads one file input; statErr is why it could not be found.
func (in *inputs) file(path string, statErr error) *job {
	in.seen++
	j := &job{name: path}
	if statErr != nil {
		j.fail = unreadable(statErr)
		return j
	}
	f, err := os.Open(path)
	if err != nil {
		j.fail = unreadable(err)
		return j
	}
	defer f.Close()
	j.doc, j.fail = readCapped(f, in.maxDoc)
	in.detached(j)
	return j
}

// readCapped reads r whole, or reports too_large without keeping more than
// the limit plus one byte. The limit is max, or when max is 0 the
// verifier's for the document's kind (verifier.MaxSizeFor), which its first
// bytes decide: a large file that is not a container is refused after
// 1 MiB, not 64.
func readCapped(r io.Reader, max int) ([]byte, *inputFailure) {
	head := make([]byte, verifier.MaxSizePrefix)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, unreadable(err)
	}
	head = head[:n]
	limit := verifier.MaxSizeFor(head, max)
	b, err := io.ReadAll(io.LimitReader(io.MultiReader(bytes.NewReader(head), r), int64(limit)+1))
	if err != nil {
		return nil, unreadable(err)
	}
	if len(b) > limit {
		return nil, &inputFailure{verifier.TooLarge, fmt.Sprintf("more than %d bytes (--max-document-size)", limit), false}
	}
	return b, nil
}

// lineLimit bounds a JSON Lines line for documents of at most maxDoc bytes
// (0: per format). A line holds a document, its payload and proof, maybe
// base64: four documents' worth. With the per-format default it holds a
// non-container's four MiB, or a 64 MiB container in base64 (4/3 of it)
// without payload or proof, which a container does not take: 4 × 64 MiB
// would let each line in flight hold 256 MiB. Plus slack for the record's
// other members, and one byte to tell a longer line.
func lineLimit(maxDoc int) int {
	if maxDoc > 0 {
		return 4*maxDoc + 4096
	}
	b64 := base64.StdEncoding.EncodedLen(verifier.DefaultContainerMaxSize) + len("base64:")
	return max(4*verifier.DefaultMaxSize, b64) + 4096
}

// unreadable is an input the operating system could not give: its record
// says input_unreadable with the OS error (which names the path), and the
// run exits 2.
func unreadable(err error) *inputFailure {
	return &inputFailure{verifier.InputUnreadable, err.Error(), true}
}

// jsonl reads JSON Lines records. A line that is not a record still gets
// one output record (malformed), identified by its line number.
func (in *inputs) jsonl(r io.Reader, emit func(*job)) error {
	maxLine := lineLimit(in.maxDoc)
	br := bufio.NewReaderSize(r, 64<<10)
	var line []byte
	for n := 1; ; n++ {
		var tooLong bool
		var err error
		line, tooLong, err = jsonl.ReadLine(br, line[:0], maxLine)
		if jsonl.Blank(line) && !tooLong {
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			continue
		}
		in.seen++
		switch {
		case !in.shard.has(n), n <= in.after:
			// Another shard's record, or one answered before: read to
			// count the lines, not parsed.
		case tooLong:
			emit(&job{line: n, fail: &inputFailure{verifier.TooLarge, fmt.Sprintf("line %d is longer than %d bytes", n, maxLine), false}})
		default:
			j := &job{line: n}
			in.record(j, line)
			emit(j)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// record decodes one JSON Lines record into j; a line that is not one
// fails with what is wrong: which member, and what it should be.
func (in *inputs) record(j *job, line []byte) {
	f, bad, err := jsonl.Parse(line)
	j.id, j.doc, j.payload, j.proof, j.at = f.ID, f.Doc, f.Payload, f.Proof, f.At
	switch {
	case err != nil:
		j.fail = &inputFailure{verifier.Malformed, fmt.Sprintf("line %d: %v", j.line, err), false}
	case len(bad) > 0:
		j.fail = &inputFailure{verifier.Malformed, fmt.Sprintf("line %d: %s", j.line, jsonl.Problems(bad)), false}
	}
}
