package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"time"
)

// runSampled is -sample: the module at full speed, no listener, while Linux
// perf samples this process from outside. The module is compiled and each
// format verified once before perf starts, so the samples are of
// verification only, not of wazero compiling.
func runSampled(only string, amt amount, top, freq int) error {
	if !perfmapBuilt {
		return errors.New("-sample needs wazero's perf map, which only a build with its tag writes: " +
			"go run -tags perfmap ./internal/cmd/wasmprof -sample")
	}
	// Sampling costs time too: at tens of kHz it is most of the process's.
	if freq < 1 || freq > 10000 {
		return fmt.Errorf("-freq %d: give 1 to 10000 samples per second", freq)
	}
	perf, err := exec.LookPath("perf")
	if err != nil {
		return fmt.Errorf("-sample needs Linux perf (Debian: apt-get install linux-perf): %v", err)
	}
	ctx := context.Background()
	e, formats, err := openMix(ctx, only)
	if err != nil {
		return err
	}
	defer e.Close(ctx)
	for _, f := range formats {
		docs, verify := e.pass(f)
		verify() // warm: trust memos, buffers
		rec, err := startPerf(perf, freq)
		if err != nil {
			return err
		}
		passes, wall := timed(verify, amt)
		err = rec.stop()
		var s *samples
		if err == nil {
			s, err = perfReport(perf, rec.data)
		}
		os.Remove(rec.data)
		if err != nil {
			return err
		}
		printSampled(os.Stdout, f, len(docs)*passes, wall, freq, s, top)
	}
	return nil
}

// removePerfMap removes the map that wazero opened for this process when
// it started, with the perfmap tag; nothing reads it once the reports are
// made.
func removePerfMap() {
	if perfmapBuilt {
		os.Remove(fmt.Sprintf("/tmp/perf-%d.map", os.Getpid()))
	}
}

// recording is a running `perf record` of this process, started disabled
// and enabled through its control descriptors, so that no sample falls
// before the passes and the passes do not start before perf samples.
type recording struct {
	cmd    *exec.Cmd
	ctl    *os.File
	data   string
	stderr bytes.Buffer
}

func startPerf(perf string, freq int) (*recording, error) {
	f, err := os.CreateTemp("", "wasmprof-*.perf.data")
	if err != nil {
		return nil, err
	}
	f.Close()
	rec := &recording{data: f.Name()}
	ctlR, ctlW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	ackR, ackW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer ackR.Close()
	// Descriptors 3 and 4 in perf are ExtraFiles[0] and [1].
	rec.cmd = exec.Command(perf, "record", "-q", "-F", strconv.Itoa(freq), "-p", strconv.Itoa(os.Getpid()),
		"-o", rec.data, "-D", "-1", "--control", "fd:3,4")
	rec.cmd.ExtraFiles = []*os.File{ctlR, ackW}
	rec.cmd.Stdout = &rec.stderr
	rec.cmd.Stderr = &rec.stderr
	err = rec.cmd.Start()
	ctlR.Close()
	ackW.Close()
	rec.ctl = ctlW
	if err != nil {
		ctlW.Close()
		os.Remove(rec.data)
		return nil, fmt.Errorf("perf record: %v", err)
	}
	fail := func(err error) (*recording, error) {
		rec.cmd.Process.Kill()
		rec.cmd.Wait()
		ctlW.Close()
		os.Remove(rec.data)
		return nil, fmt.Errorf("perf record did not start (%v); perf said: %s%s", err,
			strings.TrimSpace(rec.stderr.String()), paranoidHint())
	}
	if _, err := io.WriteString(ctlW, "enable\n"); err != nil {
		return fail(err)
	}
	// perf answers "ack" once the events are on; if it exits instead (no
	// permission, no such event), the pipe ends.
	ackR.SetReadDeadline(time.Now().Add(30 * time.Second))
	buf := make([]byte, 4)
	if _, err := io.ReadFull(ackR, buf); err != nil {
		return fail(err)
	}
	if string(buf) != "ack\n" {
		return fail(fmt.Errorf("control answer %q", buf))
	}
	return rec, nil
}

// stop ends the recording as a terminal's ^C would, so that perf writes
// its file out.
func (rec *recording) stop() error {
	defer rec.ctl.Close()
	if err := rec.cmd.Process.Signal(os.Interrupt); err != nil {
		return fmt.Errorf("perf record: %v", err)
	}
	if err := rec.cmd.Wait(); err != nil {
		// perf record ends with the signal's status on some versions;
		// the data is good if it says nothing.
		if msg := strings.TrimSpace(rec.stderr.String()); msg != "" {
			return fmt.Errorf("perf record: %v: %s", err, msg)
		}
	}
	return nil
}

func perfReport(perf, data string) (*samples, error) {
	var out, stderr bytes.Buffer
	cmd := exec.Command(perf, reportArgs(data, os.Getpid())...)
	cmd.Stdout = &out
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("perf report: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	s, err := parseReport(&out, hostNames())
	if err != nil {
		return nil, err
	}
	if s.total == 0 {
		return nil, fmt.Errorf("perf recorded no samples of this process: %s", strings.TrimSpace(stderr.String()))
	}
	return s, nil
}

// paranoidHint says why perf may be refused: above 2, unprivileged users
// may not sample even their own processes.
func paranoidHint() string {
	b, err := os.ReadFile("/proc/sys/kernel/perf_event_paranoid")
	if err != nil {
		return ""
	}
	v := strings.TrimSpace(string(b))
	if n, err := strconv.Atoi(v); err == nil && n <= 2 {
		return ""
	}
	return fmt.Sprintf(" (kernel.perf_event_paranoid is %s; sampling one's own process needs 2 or less, "+
		"e.g. sysctl kernel.perf_event_paranoid=2, or CAP_PERFMON)", v)
}

func printSampled(w io.Writer, format string, docs int, wall time.Duration, freq int, s *samples, top int) {
	type row struct {
		name string
		n    int64
	}
	pct := func(n int64) float64 { return 100 * float64(n) / float64(s.total) }
	var fns, pkgs []row
	bypkg := map[string]int64{}
	for name, n := range s.fns {
		fns = append(fns, row{name, n})
		bypkg[packageOf(name)] += n
	}
	for name, n := range bypkg {
		pkgs = append(pkgs, row{name, n})
	}
	for _, r := range [][]row{fns, pkgs} {
		sort.Slice(r, func(i, j int) bool {
			if r[i].n != r[j].n {
				return r[i].n > r[j].n
			}
			return r[i].name < r[j].name
		})
	}
	fmt.Fprintf(w, "## %s: %d documents, %v sampled (%.0f µs each), %d samples at %d Hz\n",
		format, docs, wall.Round(time.Millisecond), float64(wall.Microseconds())/float64(docs), s.total, freq)
	fmt.Fprintf(w, "guest (wasm) %.1f%%, host native %.1f%% (Go crypto, wazero, the Go runtime, every thread)",
		pct(s.guest), pct(s.total-s.guest))
	if s.excluded > 0 {
		fmt.Fprintf(w, "; left out, in wazero's compiler: %d", s.excluded)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "self samples by package:")
	for i, r := range pkgs {
		if i == 20 {
			break
		}
		fmt.Fprintf(w, "  %5.1f%%  %s\n", pct(r.n), r.name)
	}
	fmt.Fprintln(w, "self samples by function:")
	for i, r := range fns {
		if i == top {
			break
		}
		fmt.Fprintf(w, "  %5.1f%%  %s\n", pct(r.n), r.name)
	}
	fmt.Fprintln(w)
}
