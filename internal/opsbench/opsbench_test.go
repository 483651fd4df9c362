package opsbench

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRun runs every op briefly and requires one line per op, in order,
// with a positive figure. It asserts nothing about the figures' size: the
// machine's speed is not the code's.
func TestRun(t *testing.T) {
	var buf bytes.Buffer
	if err := Run(&buf, time.Microsecond); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != len(Ops) {
		t.Fatalf("%d lines for %d ops:\n%s", len(lines), len(Ops), buf.String())
	}
	for i, line := range lines {
		name, ns, ok := strings.Cut(line, "\t")
		if !ok || name != Ops[i].Name {
			t.Errorf("line %d = %q, want op %s", i, line, Ops[i].Name)
			continue
		}
		if v, err := strconv.ParseFloat(ns, 64); err != nil || v <= 0 {
			t.Errorf("op %s: figure %q, want a positive number", name, ns)
		}
	}
}

// TestOps requires distinct names without spaces (Run's output is split on
// a tab, the table is aligned on them) and a description for each.
func TestOps(t *testing.T) {
	seen := map[string]bool{}
	for _, op := range Ops {
		if op.Name == "" || strings.ContainsAny(op.Name, " \t\n") || seen[op.Name] {
			t.Errorf("op name %q: empty, with white space or repeated", op.Name)
		}
		seen[op.Name] = true
		if op.What == "" || op.run == nil {
			t.Errorf("op %s: no description or no body", op.Name)
		}
	}
}
