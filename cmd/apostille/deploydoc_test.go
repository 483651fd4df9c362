package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
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

// TestDeployDocFlags: every flag that docs/deploy.md's image and manifests
// pass to apostille is one the command they run has (serve by default, the
// command a manifest names otherwise), and the image runs serve.
func TestDeployDocFlags(t *testing.T) {
	flagsOf := map[string]*flag.FlagSet{}
	for _, name := range []string{"serve", "verify", "merge"} {
		fs := flag.NewFlagSet(name, flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		flagsOf[name] = fs
	}
	addServeFlags(flagsOf["serve"])
	// verify's and merge's flags, as they define them.
	var vf, mf flagSet
	captureFlags(t, &vf, "verify")
	captureFlags(t, &mf, "merge")
	flagsOf["verify"], flagsOf["merge"] = vf.FlagSet, mf.FlagSet
	flagRE := regexp.MustCompile(`--([a-z][a-z-]*)`)
	commandRE := regexp.MustCompile(`command: \["/usr/local/bin/apostille", "([a-z]+)"\]`)
	seen := map[string]int{}
	// The image's CMD and the containers' args are the command's arguments.
	for _, lang := range []string{"dockerfile", "yaml"} {
		for _, block := range deployBlocks(t, lang) {
			for _, doc := range strings.Split(block, "\n---\n") {
				cmd := "serve"
				if m := commandRE.FindStringSubmatch(doc); m != nil {
					cmd = m[1]
				}
				fs := flagsOf[cmd]
				if fs == nil {
					t.Errorf("%s block runs apostille %s, which this test does not know", lang, cmd)
					continue
				}
				for _, line := range strings.Split(doc, "\n") {
					l := strings.TrimSpace(line)
					if !strings.HasPrefix(l, "CMD ") && !strings.HasPrefix(l, "- --") {
						continue
					}
					for _, m := range flagRE.FindAllStringSubmatch(l, -1) {
						seen[cmd]++
						if fs.Lookup(m[1]) == nil {
							t.Errorf("%s block: apostille %s has no flag --%s", lang, cmd, m[1])
						}
					}
				}
			}
		}
	}
	if seen["serve"] < 10 || seen["verify"] < 8 || seen["merge"] < 1 {
		t.Errorf("flags found per command: %v", seen)
	}
	docker := deployBlocks(t, "dockerfile")[0]
	if !strings.Contains(docker, `ENTRYPOINT ["/usr/local/bin/apostille", "serve"]`) || !strings.Contains(docker, "USER 65532") {
		t.Error("the image does not run apostille serve as a non-root user")
	}
	// The page shows the Dockerfile that make image-check runs.
	b, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if docker != string(b) {
		t.Error("docs/deploy.md's dockerfile block is not the repository's Dockerfile")
	}
}

// captureFlags runs a command with --help and keeps the flag set it
// defined: the flags it really has.
func captureFlags(t *testing.T, into *flagSet, name string) {
	t.Helper()
	old := newFlagSetHook
	newFlagSetHook = func(f *flagSet) {
		if f.name == name {
			*into = *f
		}
	}
	defer func() { newFlagSetHook = old }()
	if code, _, _ := runCLI(name, "--help"); code != exitOK || into.FlagSet == nil {
		t.Fatalf("%s --help: exit %d", name, code)
	}
}

// TestDocsStayInTheRepository: the README and docs/ link nothing outside
// the repository: a reader of a clone has only what is in it.
func TestDocsStayInTheRepository(t *testing.T) {
	files, _ := filepath.Glob("../../docs/*.md")
	files = append(files, "../../README.md")
	link := regexp.MustCompile(`\]\((\.\./[^)]*)\)|` + "`" + `(\.\./[^` + "`" + `]*)` + "`")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range link.FindAllStringSubmatch(string(b), -1) {
			t.Errorf("%s points outside the repository: %s", filepath.Base(f), m[0])
		}
	}
}
