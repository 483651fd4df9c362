package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"
)

type reportData struct {
	bin, engine     string
	docs, copies    int
	cli             cliResult
	sweep           []result
	sat, half       result
	batch           result
	rss             rssResult
	measure, rssFor time.Duration
}

// report writes the run as a Markdown section.
func report(w io.Writer, d reportData) {
	fmt.Fprintf(w, "### Run of %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(w, "Machine: %s, %d cores, %s, load average %s (the machine is shared: other engineers' builds and tests run beside the benchmark).\n",
		cpuModel(), runtime.NumCPU(), runtime.Version(), loadAverage())
	engine := d.engine
	if engine == "" {
		engine = "each command's default"
	}
	fmt.Fprintf(w, "Engine: %s. Documents: the %d demo documents (every format, valid and not), sent raw; the CLI reads the same bytes from %d files (%d copies of each).\n\n",
		engine, d.docs, d.cli.n, d.copies)

	fmt.Fprintln(w, "| run | load | documents/s | p50 | p99 | refused | failed | CPU s per 1000 documents |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
	fmt.Fprintf(w, "| `apostille verify` bulk (median of 3) | %d files | %.0f | | | | | %.2f |\n", d.cli.n, d.cli.rate, 1000/d.cli.cpuRate)
	row := func(name, load string, r result) {
		fmt.Fprintf(w, "| %s | %s | %.0f | %s | %s | %d | %d | %.2f |\n", name, load, r.rate, ms(r.p50), ms(r.p99), r.refused, r.failed, cpuPerK(r))
	}
	row("service, saturated", fmt.Sprintf("%d clients, closed loop, %s", d.sat.clients, d.measure), d.sat)
	row("service, half load", fmt.Sprintf("%.0f requests/s, open loop, %s", d.half.target, d.measure), d.half)
	fmt.Fprintf(w, "| service, one batch stream | %d lines (`POST /v1/verify/batch`) | %.0f | | | | | %.2f |\n", d.batch.n, d.batch.rate, cpuPerK(d.batch))
	fmt.Fprintln(w)

	ratio := d.sat.rate / d.cli.rate
	cpuRatio := cpuPerK(d.sat)
	if cpuRatio > 0 {
		cpuRatio = (1000 / d.cli.cpuRate) / cpuRatio
	}
	fmt.Fprintf(w, "- Service / CLI throughput: **%.2f×** one document per request (goal ≥ 0.8×), %.2f× as one batch stream; per CPU second of the service: %.2f×. The load generator runs on the same two cores: the CPU it takes is the service's loss (the CLI has the machine to itself).\n",
		ratio, d.batch.rate/d.cli.rate, cpuRatio)
	fmt.Fprintf(w, "- p99 at half load: **%s** (goal ≤ 20 ms); p50 %s. Counted from when each request was sent rather than due (without the load generator's own lateness): p99 %s, p50 %s.\n",
		ms(d.half.p99), ms(d.half.p50), ms(d.half.sentP99), ms(d.half.sentP50))

	s := d.rss.samples
	if len(s) > 20 {
		first, last := median(s[1:11]), median(s[len(s)-10:])
		growth := 100 * float64(last-first) / float64(first)
		verdict := "flat"
		if growth > 10 {
			verdict = "GROWING"
		}
		fmt.Fprintf(w, "- RSS over %s at half load (%.0f requests/s, %d answered): median of the first 10 s %.1f MB, of the last 10 s %.1f MB (%+.1f%%, %s); min %.1f MB, max %.1f MB.\n",
			d.rssFor, d.rss.run.target, d.rss.run.n, mb(first), mb(last), growth, verdict, mb(minOf(s)), mb(maxOf(s)))
		fmt.Fprintf(w, "- RSS samples, MB, every 10 s: %s\n", every(s, 10))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Clients against reports/s (closed loop, the sweep that found the saturation):")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| clients | documents/s | p50 | p99 | refused |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, r := range d.sweep {
		fmt.Fprintf(w, "| %d | %.0f | %s | %s | %d |\n", r.clients, r.rate, ms(r.p50), ms(r.p99), r.refused)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func mb(kb int64) float64 { return float64(kb) / 1024 }

func cpuPerK(r result) float64 {
	if r.n == 0 {
		return 0
	}
	return r.cpu.Seconds() / float64(r.n) * 1000
}

func median(s []int64) int64 {
	c := append([]int64(nil), s...)
	sort.Slice(c, func(i, j int) bool { return c[i] < c[j] })
	return c[len(c)/2]
}

func minOf(s []int64) int64 {
	m := s[0]
	for _, v := range s {
		m = min(m, v)
	}
	return m
}

func maxOf(s []int64) int64 {
	m := s[0]
	for _, v := range s {
		m = max(m, v)
	}
	return m
}

func every(s []int64, n int) string {
	var parts []string
	for i := 0; i < len(s); i += n {
		parts = append(parts, fmt.Sprintf("%.1f", mb(s[i])))
	}
	return strings.Join(parts, ", ")
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return runtime.GOARCH
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " / ") + " (1/5/15 min)"
}
