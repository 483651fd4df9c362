package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// runOverload measures `apostille serve` beyond its capacity
// (docs/PERFORMANCE.md, "Overload"): on one CPU when taskset is present,
// its saturated rate found with closed-loop clients, then twice that rate
// offered open-loop for d. It reports what was served and how fast, what
// was shed and how fast, how the probes on --probe-addr answered, and the
// service's RSS before, at its peak and after.
func runOverload(bin string, d time.Duration, engine string, serveArgs []string) error {
	dir, docs, err := demoWorld()
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var engineArgs []string
	if engine != "" {
		engineArgs = []string{"--engine", engine}
	}
	probeAddr, err := freeAddr()
	if err != nil {
		return err
	}
	engineArgs = append(append(engineArgs, "--probe-addr", probeAddr), serveArgs...)
	var prefix []string
	cpus := "all CPUs"
	if p, err := exec.LookPath("taskset"); err == nil {
		prefix, cpus = []string{p, "-c", "0"}, "one CPU (taskset -c 0)"
	}
	svc, err := startServiceWith(prefix, bin, filepath.Join(dir, "trust.json"), dir, engineArgs)
	if err != nil {
		return err
	}
	defer svc.stop()
	load := &loader{raw: newRawClient(strings.TrimPrefix(svc.url, "http://"), "/v1/verify", docs), pid: svc.cmd.Process.Pid}
	defer load.raw.close()
	load.closed(2, 2*time.Second)
	capacity := result{}
	for _, c := range []int{1, 2, 4, 8} {
		r := load.closed(c, 3*time.Second)
		if r.refused == 0 && r.failed == 0 && r.rate > capacity.rate {
			capacity = r
		}
	}
	if capacity.rate == 0 {
		return fmt.Errorf("no closed-loop run was served without refusals")
	}
	fmt.Fprintf(os.Stderr, "servebench: capacity %.0f/s on %s; offering %.0f/s for %s\n", capacity.rate, cpus, 2*capacity.rate, d)

	before := rssKB(load.pid)
	peak := before
	var mu sync.Mutex
	var probes []time.Duration
	probeFailed := 0
	client := &http.Client{Timeout: 5 * time.Second}
	over := load.openWith(2*capacity.rate, d, func() {
		peak = max(peak, rssKB(load.pid))
		go func() {
			t0 := time.Now()
			resp, err := client.Get("http://" + probeAddr + "/livez")
			took := time.Since(t0)
			mu.Lock()
			defer mu.Unlock()
			if err != nil || resp.StatusCode != 200 {
				probeFailed++
			} else {
				resp.Body.Close()
			}
			probes = append(probes, took)
		}()
	})
	peak = max(peak, rssKB(load.pid))
	time.Sleep(10 * time.Second)
	after := rssKB(load.pid)
	mu.Lock()
	defer mu.Unlock()
	p50, p99 := percentiles(probes)
	offered := over.n + over.refused + over.failed

	w := os.Stdout
	fmt.Fprintf(w, "### Overload: twice the capacity, open loop, %s\n\n", cpus)
	fmt.Fprintf(w, "`go run ./internal/cmd/servebench -bin bin/apostille -overload %s` on %s (load %s); the service with its defaults, `--probe-addr` and %q.\n\n", d, cpuModel(), loadAverage(), strings.Join(serveArgs, " "))
	fmt.Fprintf(w, "| | |\n|---|---|\n")
	fmt.Fprintf(w, "| capacity (closed loop, %d clients, no refusal) | %.0f reports/s |\n", capacity.clients, capacity.rate)
	fmt.Fprintf(w, "| offered (open loop) | %.0f requests/s for %s: %d requests |\n", over.target, d, offered)
	fmt.Fprintf(w, "| served (200) | %d (%.0f/s), p50 %s, p99 %s from when each was sent (%s, %s from when each was due: the load generator keeps at most 256 in flight, so beyond capacity its backlog grows) |\n", over.n, over.rate, ms(over.sentP50), ms(over.sentP99), ms(over.p50), ms(over.p99))
	fmt.Fprintf(w, "| shed (429 or 503, Retry-After) | %d (%.0f%%), p50 %s, p99 %s from when each was sent |\n", over.refused, 100*float64(over.refused)/float64(max(offered, 1)), ms(over.refusedP50), ms(over.refusedP99))
	fmt.Fprintf(w, "| failed (no answer or another status) | %d |\n", over.failed)
	fmt.Fprintf(w, "| `/livez` on `--probe-addr`, once a second | %d probes, %d failed, p50 %s, max %s |\n", len(probes), probeFailed, ms(p50), ms(p99))
	fmt.Fprintf(w, "| RSS before / peak / 10 s after | %.0f / %.0f / %.0f MB |\n", mb(before), mb(peak), mb(after))
	return nil
}

// freeAddr returns a loopback address with a free port.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
