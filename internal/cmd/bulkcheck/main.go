// Command bulkcheck runs `apostille verify --jsonl` on N documents (the
// demo world's mix of internal/benchdocs in turn, tlog proofs carried in
// the records; 1% garbage) and checks that exactly N records
// come out, in input order, each with the right verdict; it reports the
// time, documents/s and the peak RSS of the apostille process. `make
// bench-bulk` runs it with N = 100,000 through the module and natively.
//
//	go run ./internal/cmd/bulkcheck -apostille bin/apostille -n 100000
package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/apostille/apostille/internal/benchdocs"
)

// kind is what a document is and what its record must say.
type kind struct {
	doc, proof, payload []byte
	verdict             string   // "" for any but valid
	reasons             []string // any of these; none for valid
}

func main() {
	bin := flag.String("apostille", "bin/apostille", "the apostille binary")
	n := flag.Int("n", 100000, "documents")
	engines := flag.String("engines", "wasm,native", "engines to run, comma-separated")
	limitMB := flag.Int("rss-limit", 300, "peak RSS that fails the check, MB")
	flag.Parse()
	if err := run(*bin, *n, *engines, *limitMB); err != nil {
		fmt.Fprintln(os.Stderr, "bulkcheck:", err)
		os.Exit(1)
	}
}

func run(bin string, n int, engines string, limitMB int) error {
	mix, err := benchdocs.MakeMix()
	if err != nil {
		return err
	}
	var docs []kind
	for _, d := range mix.Docs {
		k := kind{doc: d.Data, proof: d.Proof, payload: d.Payload, verdict: d.Verdict}
		if d.Reason != "" {
			k.reasons = []string{d.Reason}
		}
		docs = append(docs, k)
	}
	garbage := []kind{
		{doc: []byte("not a document at all"), reasons: []string{"malformed", "unsupported_format"}},
		{doc: []byte{0x00, 0x01, 0x02, 0xff}, reasons: []string{"malformed", "unsupported_format"}},
		{doc: []byte("eyJhbGciOiJFUzI1NiJ9.e30"), reasons: []string{"malformed"}},
	}
	dir, err := os.MkdirTemp("", "apostille-bulk-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	trust := filepath.Join(dir, "trust.json")
	if err := os.WriteFile(trust, mix.Trust, 0o644); err != nil {
		return err
	}
	input := filepath.Join(dir, "docs.jsonl")
	plan, err := writeInput(input, n, docs, garbage)
	if err != nil {
		return err
	}
	st, _ := os.Stat(input)
	// One valid JWS that needs no proof: its run must exit 0.
	var one []byte
	for _, d := range mix.Docs {
		if d.Format == "jws-x5c" && d.Verdict == "valid" {
			one = d.Data
		}
	}
	if err := single(bin, trust, dir, one); err != nil {
		return err
	}
	fmt.Printf("# bulkcheck: %d documents (the demo world's %d documents in turn, proofs carried; 1%% garbage), %d MB of JSON Lines\n", n, len(docs), st.Size()>>20)
	for _, engine := range bytes.Split([]byte(engines), []byte(",")) {
		if err := check(bin, string(engine), trust, input, plan, limitMB); err != nil {
			return err
		}
	}
	return nil
}

// single times `apostille verify` of one document with a warm compilation
// cache (the first run warms it and must say that it compiles).
func single(bin, trust, dir string, doc []byte) error {
	path := filepath.Join(dir, "one.jwt")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		return err
	}
	cache := filepath.Join(dir, "cache")
	var times, cpu []time.Duration
	for i := range 11 {
		cmd := exec.Command(bin, "verify", "--cache-dir", cache, "--trust", trust, "--at", benchdocs.At.Format(time.RFC3339), path)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("one document: %v\n%s", err, stderr.String())
		}
		el := time.Since(start)
		cpu = append(cpu, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
		cold := bytes.Contains(stderr.Bytes(), []byte("compiling the verification module once"))
		switch {
		case i == 0 && !cold:
			return fmt.Errorf("the first run with an empty cache did not say it compiles")
		case i == 0:
			fmt.Printf("# one document, cold cache: %.2f s (said it compiles)\n", el.Seconds())
		case cold:
			return fmt.Errorf("a warm run said it compiles")
		default:
			times = append(times, el)
		}
	}
	slices.Sort(times)
	cpu = cpu[1:]
	slices.Sort(cpu)
	fmt.Printf("# one document, warm cache: wall median %.3f s (min %.3f, max %.3f), CPU median %.3f s, %d runs (goal <= 0.5 s wall)\n",
		times[len(times)/2].Seconds(), times[0].Seconds(), times[len(times)-1].Seconds(), cpu[len(cpu)/2].Seconds(), len(times))
	return nil
}

// writeInput writes n JSON Lines records and returns the kind of each.
func writeInput(path string, n int, docs, garbage []kind) ([]*kind, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	plan := make([]*kind, n)
	for i := range n {
		var k *kind
		if i%100 == 37 {
			k = &garbage[(i/100)%len(garbage)]
		} else {
			k = &docs[i%len(docs)]
		}
		plan[i] = k
		rec := map[string]any{"id": fmt.Sprintf("doc-%06d", i), "document": text(k.doc)}
		if k.proof != nil {
			rec["proof"] = text(k.proof)
		}
		if k.payload != nil {
			rec["payload"] = text(k.payload)
		}
		line, _ := json.Marshal(rec)
		w.Write(line)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	return plan, f.Close()
}

// text is b as a record member: itself when printable, else base64.
func text(b []byte) string {
	if isText(b) {
		return string(b)
	}
	return "base64:" + base64.StdEncoding.EncodeToString(b)
}

func isText(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// check runs one engine over the input and checks every record.
func check(bin, engine, trust, input string, plan []*kind, limitMB int) error {
	cmd := exec.Command(bin, "verify", "--engine", engine, "--trust", trust, "--at", benchdocs.At.Format(time.RFC3339), "--format", "jsonl", "--jsonl", input)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	n, bad := 0, 0
	for sc.Scan() {
		// An output record (docs/records.md): the id beside the report.
		var rec struct {
			ID     string `json:"id"`
			Report struct {
				Verdict string `json:"verdict"`
				Reason  string `json:"reason"`
			} `json:"report"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return fmt.Errorf("%s: record %d is not JSON", engine, n)
		}
		if n >= len(plan) {
			return fmt.Errorf("%s: more records than documents", engine)
		}
		if want := fmt.Sprintf("doc-%06d", n); rec.ID != want {
			return fmt.Errorf("%s: record %d is %s: out of order", engine, n, rec.ID)
		}
		if !plan[n].accepts(rec.Report.Verdict, rec.Report.Reason) {
			if bad < 5 {
				fmt.Fprintf(os.Stderr, "%s: %s: %s/%s, want %s/%v\n", engine, rec.ID, rec.Report.Verdict, rec.Report.Reason, plan[n].verdict, plan[n].reasons)
			}
			bad++
		}
		n++
	}
	err = cmd.Wait()
	el := time.Since(start)
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		return fmt.Errorf("%s: exit status %d (want 1: some documents are not valid): %v\n%s", engine, code, err, stderr.String())
	}
	rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss >> 10 // KB to MB on Linux
	fmt.Printf("%-7s %d records in order, %d wrong verdicts, %.1f s, %.0f documents/s, peak RSS %d MB (limit %d)\n",
		engine, n, bad, el.Seconds(), float64(n)/el.Seconds(), rss, limitMB)
	switch {
	case n != len(plan):
		return fmt.Errorf("%s: %d records for %d documents", engine, n, len(plan))
	case bad > 0:
		return fmt.Errorf("%s: %d wrong verdicts", engine, bad)
	case rss >= int64(limitMB):
		return fmt.Errorf("%s: peak RSS %d MB is over %d MB", engine, rss, limitMB)
	}
	return nil
}

func (k *kind) accepts(verdict, reason string) bool {
	if k.verdict == "valid" {
		return verdict == "valid" && reason == ""
	}
	if verdict == "valid" || (k.verdict != "" && verdict != k.verdict) {
		return false
	}
	for _, r := range k.reasons {
		if r == reason {
			return true
		}
	}
	return false
}
