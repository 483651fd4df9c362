// Command sitecodes writes the reason codes and check names the verifier
// can report, as JSON, for the citizen's page: its build and its tests
// require a translation of each in every language, so the list must come
// from the verifier, not from a copy.
//
//	go run ./internal/cmd/sitecodes -report verifier/report.go -o build/codes.json
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"

	"github.com/apostille/apostille/verifier"
)

type reason struct {
	Code    string `json:"code"`
	Verdict string `json:"verdict"`
}

type codes struct {
	Reasons []reason `json:"reasons"`
	Checks  []string `json:"checks"`
}

func main() {
	out := flag.String("o", "-", "output file (- for standard output)")
	report := flag.String("report", "verifier/report.go", "source that declares the Check… constants")
	flag.Parse()
	var c codes
	for _, r := range verifier.Reasons() {
		c.Reasons = append(c.Reasons, reason{Code: string(r), Verdict: string(r.Verdict())})
	}
	checks, err := checkNames(*report)
	if err == nil && len(checks) == 0 {
		err = fmt.Errorf("%s declares no Check… constants", *report)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "sitecodes:", err)
		os.Exit(1)
	}
	c.Checks = checks
	b, _ := json.MarshalIndent(c, "", "  ")
	b = append(b, '\n')
	if *out == "-" {
		os.Stdout.Write(b)
		return
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "sitecodes:", err)
		os.Exit(1)
	}
}

// checkNames returns the values of the exported string constants named
// Check… in the verifier's source: the names of every check a report can
// carry. (The verifier keeps them as constants, not as a list.)
func checkNames(path string) ([]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, id := range vs.Names {
				if !strings.HasPrefix(id.Name, "Check") || i >= len(vs.Values) {
					continue
				}
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					names = append(names, s)
				}
			}
		}
	}
	return names, nil
}
