package main

import (
	"flag"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
)

// deployBlocks returns docs/deploy.md's fenced code blocks of a language.
func deployBlocks(t *testing.T, lang string) []string {
	t.Helper()
	b, err := os.ReadFile("../../docs/deploy.md")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, part := range strings.Split(string(b), "```"+lang+"\n")[1:] {
		block, _, ok := strings.Cut(part, "```")
		if !ok {
			t.Fatalf("an unclosed %s block", lang)
		}
		out = append(out, block)
	}
	if len(out) == 0 {
		t.Fatalf("no %s block in docs/deploy.md", lang)
	}
	return out
}

// TestDeployDocFlags: every flag that docs/deploy.md's image and manifest
// pass to `apostille serve` is one it has, and the image runs serve.
func TestDeployDocFlags(t *testing.T) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addServeFlags(fs)
	flagRE := regexp.MustCompile(`--([a-z][a-z-]*)`)
	seen := 0
	// The image's CMD and the container's args are serve's arguments.
	for _, lang := range []string{"dockerfile", "yaml"} {
		for _, block := range deployBlocks(t, lang) {
			for _, line := range strings.Split(block, "\n") {
				l := strings.TrimSpace(line)
				if !strings.HasPrefix(l, "CMD ") && !strings.HasPrefix(l, "- --") {
					continue
				}
				for _, m := range flagRE.FindAllStringSubmatch(l, -1) {
					seen++
					if fs.Lookup(m[1]) == nil {
						t.Errorf("%s block: apostille serve has no flag --%s", lang, m[1])
					}
				}
			}
		}
	}
	if seen < 10 {
		t.Errorf("only %d flags found", seen)
	}
	docker := deployBlocks(t, "dockerfile")[0]
	if !strings.Contains(docker, `ENTRYPOINT ["/usr/local/bin/apostille", "serve"]`) || !strings.Contains(docker, "USER 65532") {
		t.Error("the image does not run apostille serve as a non-root user")
	}
}
