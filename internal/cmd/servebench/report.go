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
	o       options
	docs, n int
	copies  int
	sweep   []result
	rounds  []roundResult // sorted by the service/CLI ratio
	mid     roundResult   // the median round
	half    result
	rss     rssResult
}

// report writes the run as a Markdown section.
func report(w io.Writer, d reportData) {
	fmt.Fprintf(w, "### Run of %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(w, "Machine: %s, %d cores, %s, load average %s at the end (the machine is shared: other engineers' builds and tests run beside the benchmark).\n",
		cpuModel(), runtime.NumCPU(), runtime.Version(), loadAverage())
	engine := d.o.engine
	if engine == "" {
		engine = "each command's default"
	}
	fmt.Fprintf(w, "Engine: %s. Documents: the %d demo documents (every format, valid and not), sent raw; the CLI reads the same bytes from %d files (%d copies of each), sized to take about %s.\n\n",
		engine, d.docs, d.n, d.copies, d.o.round)

	fmt.Fprintf(w, "%d rounds, each `apostille verify` on the files, then the service saturated (%d clients, closed loop, %s), then one batch stream of the same %d documents; sorted by the service/CLI ratio, the median round in bold:\n\n",
		len(d.rounds), d.mid.sat.clients, d.o.round, d.n)
	fmt.Fprintln(w, "| round | CLI documents/s | service documents/s (p50, p99) | batch documents/s | service / CLI | batch / CLI | CPU ms per document: CLI, service, batch |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for i, r := range d.rounds {
		b := ""
		if i == len(d.rounds)/2 {
			b = "**"
		}
		fmt.Fprintf(w, "| %d | %.0f | %.0f (%s, %s) | %.0f | %s%.2f×%s | %.2f× | %.2f, %.2f, %.2f |\n", i+1, r.cli.rate, r.sat.rate, ms(r.sat.p50), ms(r.sat.p99),
			r.batch.rate, b, r.ratio(), b, r.batch.rate/r.cli.rate, 1000/r.cli.cpuRate, cpuPerK(r.sat), cpuPerK(r.batch))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "- Service / CLI throughput (median round): **%.2f×** one document per request (goal ≥ 0.8×), %.2f× as one batch stream. The load generator runs on the same two cores: the CPU it takes is the service's loss (the CLI has the machine to itself); the CPU per document compares the work itself.\n",
		d.mid.ratio(), d.mid.batch.rate/d.mid.cli.rate)
	fmt.Fprintf(w, "- Half load (%.0f requests/s, open loop, %s): %.0f documents/s answered, %d refused, %d failed; p50 %s, **p99 %s** (goal ≤ 20 ms), from when each request was due. From when it was sent (without the load generator's own lateness): p50 %s, p99 %s.\n",
		d.half.target, d.o.measure, d.half.rate, d.half.refused, d.half.failed, ms(d.half.p50), ms(d.half.p99), ms(d.half.sentP50), ms(d.half.sentP99))

	s := d.rss.samples
	if len(s) > 20 {
		first, last := median(s[1:11]), median(s[len(s)-10:])
		growth := 100 * float64(last-first) / float64(first)
		verdict := "flat"
		if growth > 10 {
			verdict = "GROWING"
		}
		fmt.Fprintf(w, "- RSS at half load (%.0f requests/s): %.1f MB when the warm-up began, %.1f MB after %s of it. Then over %s (%d answered): median of the first 10 s %.1f MB, of the last 10 s %.1f MB (%+.1f%%, %s); min %.1f MB, max %.1f MB. Samples every 10 s, MB: warm-up %s; run %s.\n",
			d.rss.run.target, mb(d.rss.warm[0]), mb(d.rss.warm[len(d.rss.warm)-1]), d.o.rssWarm, d.o.rssFor, d.rss.run.n,
			mb(first), mb(last), growth, verdict, mb(minOf(s)), mb(maxOf(s)), every(d.rss.warm, 10), every(s, 10))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "The sweep that found the saturation (closed loop):")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| clients | documents/s | p50 | p99 | refused |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, r := range d.sweep {
		fmt.Fprintf(w, "| %d | %.0f | %s | %s | %d |\n", r.clients, r.rate, ms(r.p50), ms(r.p99), r.refused)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func mb(kb int64) float64 { return float64(kb) / 1024 }

// cpuPerK is the service's CPU milliseconds per document.
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
