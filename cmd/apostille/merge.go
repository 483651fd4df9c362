package main

import (
	"bufio"
	"container/heap"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/apostille/apostille/internal/jsonl"
	"github.com/apostille/apostille/verifier"
)

// maxRecordLine bounds one output record read by merge: a report of the
// largest document with its claims, far below it.
const maxRecordLine = 64 << 20

// runMerge joins the outputs of `apostille verify --jsonl … --shard K/N`
// into one file in input order: a k-way merge by line number, which each
// shard's output is already sorted by. It checks what it joins: every
// record is an answer to a JSON Lines line, each file is in line order, and
// no line is answered twice (shards that overlap, or a file given twice).
// Records about a stream (with a "type") are not copied. It prints the
// summary of the whole run and exits as verify would have: 0 when every
// record is valid, 1 when any is not, 2 on an error.
func runMerge(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("merge", stdout, stderr,
		"usage: apostille merge [--output FILE] SHARD-OUTPUT...",
		"Joins the outputs of `apostille verify --jsonl IN --shard K/N` (K = 0 … N-1) into one file,",
		"ordered by input line, as one `apostille verify --jsonl IN` would have written it. A",
		"directory stands for the files in it. It does not check that every shard is there: give",
		"all N outputs.",
	)
	output := fs.String("output", "-", "write the merged records to FILE instead of standard output")
	exitZero := addExitZeroFlag(fs.FlagSet)
	if code, ok := fs.parse(args, func() string { return fs.operands(-1, "shard output") }); !ok {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "apostille merge:", err)
		return exitUsage
	}
	files, err := mergeInputs(fs.Args(), *output)
	if err != nil {
		return fail(err)
	}
	out, closeOut, err := openOutput(*output, stdout)
	if err != nil {
		return fail(fmt.Errorf("--output: %w", err))
	}
	sum := newSummary()
	err = mergeFiles(files, out, sum)
	if cerr := closeOut(); err == nil && cerr != nil {
		err = fmt.Errorf("--output: %w", cerr)
	}
	sum.print(stderr)
	if err != nil {
		return fail(err)
	}
	if sum.n != sum.verdicts[verifier.Valid] && !*exitZero {
		return exitInvalid
	}
	return exitOK
}

// mergeInputs lists the files to merge: files as given, directories as
// the regular files in them (not hidden, lexical order), never the output.
func mergeInputs(args []string, output string) ([]string, error) {
	outAbs, _ := filepath.Abs(output)
	var files []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, a)
			continue
		}
		entries, err := os.ReadDir(a)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			p := filepath.Join(a, e.Name())
			if abs, _ := filepath.Abs(p); e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") && abs != outAbs {
				files = append(files, p)
			}
		}
	}
	if len(files) == 0 {
		return nil, errors.New("no shard output found in the directories given")
	}
	return files, nil
}

// shardReader reads one shard's output, a record at a time.
type shardReader struct {
	name string
	br   *bufio.Reader
	f    *os.File
	buf  []byte
	rec  []byte // the current record, as read
	out  jsonl.Output
	n    int // records read, for messages
}

// next reads the next answer, skipping stream records; false at the end.
func (r *shardReader) next() (bool, error) {
	for {
		line, tooLong, err := jsonl.ReadLine(r.br, r.buf[:0], maxRecordLine)
		r.buf = line
		if tooLong {
			return false, fmt.Errorf("%s: record %d is longer than %d bytes", r.name, r.n+1, maxRecordLine)
		}
		if err != nil && err != io.EOF {
			return false, fmt.Errorf("%s: %w", r.name, err)
		}
		if jsonl.Blank(line) {
			if err == io.EOF {
				return false, nil
			}
			continue
		}
		r.n++
		o, typ, perr := jsonl.ReadOutput(line)
		switch {
		case perr != nil:
			return false, fmt.Errorf("%s: record %d is not an output record (docs/records.md)", r.name, r.n)
		case typ != "":
			if err == io.EOF {
				return false, nil
			}
			continue // about the shard's stream, not an input
		case o.Line == 0:
			return false, fmt.Errorf("%s: record %d answers a file input, not a JSON Lines line: merge takes the outputs of verify --jsonl", r.name, r.n)
		case o.Line <= r.out.Line:
			return false, fmt.Errorf("%s: record %d is for line %d after line %d: not one shard's output in order", r.name, r.n, o.Line, r.out.Line)
		}
		r.out, r.rec = o, line
		return true, nil
	}
}

// shardHeap orders the readers by the line of their current record.
type shardHeap []*shardReader

func (h shardHeap) Len() int           { return len(h) }
func (h shardHeap) Less(i, j int) bool { return h[i].out.Line < h[j].out.Line }
func (h shardHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *shardHeap) Push(x any)        { *h = append(*h, x.(*shardReader)) }
func (h *shardHeap) Pop() any {
	old := *h
	r := old[len(old)-1]
	*h = old[:len(old)-1]
	return r
}

// mergeFiles writes the records of files in line order to w and counts
// their verdicts.
func mergeFiles(files []string, w io.Writer, sum *summary) error {
	h := shardHeap{}
	defer func() {
		for _, r := range h {
			r.f.Close()
		}
	}()
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		r := &shardReader{name: name, f: f, br: bufio.NewReaderSize(f, 256<<10)}
		ok, err := r.next()
		if err != nil || !ok {
			f.Close()
			if err != nil {
				return err
			}
			continue // an empty shard: more shards than records
		}
		h = append(h, r)
	}
	heap.Init(&h)
	bw := bufio.NewWriterSize(w, 256<<10)
	last, lastFrom := 0, ""
	for len(h) > 0 {
		r := h[0]
		if r.out.Line == last {
			return fmt.Errorf("line %d is answered in both %s and %s: the shards overlap (or a file was given twice)", last, lastFrom, r.name)
		}
		last, lastFrom = r.out.Line, r.name
		sum.add(r.out.Report)
		bw.Write(r.rec)
		bw.WriteByte('\n')
		ok, err := r.next()
		if err != nil {
			return err
		}
		if ok {
			heap.Fix(&h, 0)
		} else {
			heap.Pop(&h)
			r.f.Close()
		}
	}
	return bw.Flush()
}
