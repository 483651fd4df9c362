// Package reasondoc generates docs/reasons.md from the reason codes and
// their comments in verifier/reasons.go, the one place they are documented.
package reasondoc

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
)

// Code is one documented reason code.
type Code struct {
	Name    string // Go identifier
	Code    string // the stable string
	Group   string // the comment above its const block
	Doc     string // its "X results when …" comment
	Verdict string // the verdict it decides, from reasonVerdict
}

// Parse reads the reason codes from the source of verifier/reasons.go.
func Parse(src []byte) ([]Code, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "reasons.go", src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	verdicts := map[string]string{}
	var codes []Code
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok {
			continue
		}
		switch gd.Tok {
		case token.CONST:
			group := strings.TrimSpace(strings.TrimSuffix(gd.Doc.Text(), "\n"))
			group = strings.TrimSuffix(group, ".")
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				if len(vs.Values) != 1 {
					continue
				}
				typ, ok := vs.Type.(*ast.Ident)
				if !ok || typ.Name != "Reason" {
					continue
				}
				lit, ok := vs.Values[0].(*ast.BasicLit)
				if !ok {
					continue
				}
				code, _ := strconv.Unquote(lit.Value)
				doc := strings.Join(strings.Fields(vs.Doc.Text()), " ")
				codes = append(codes, Code{Name: vs.Names[0].Name, Code: code, Group: group, Doc: doc})
			}
		case token.VAR:
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				if len(vs.Names) != 1 || vs.Names[0].Name != "reasonVerdict" || len(vs.Values) != 1 {
					continue
				}
				cl, ok := vs.Values[0].(*ast.CompositeLit)
				if !ok {
					continue
				}
				for _, el := range cl.Elts {
					kv := el.(*ast.KeyValueExpr)
					k, _ := kv.Key.(*ast.Ident)
					v, _ := kv.Value.(*ast.Ident)
					if k != nil && v != nil {
						verdicts[k.Name] = strings.ToLower(v.Name)
					}
				}
			}
		}
	}
	for i := range codes {
		codes[i].Verdict = verdicts[codes[i].Name]
	}
	return codes, nil
}

// Check reports codes without a proper comment or verdict.
func Check(codes []Code) error {
	for _, c := range codes {
		if !strings.Contains(c.Doc, " results when ") || !strings.HasPrefix(c.Doc, c.Name+" results when") {
			return fmt.Errorf("reason %s: the comment must start %q", c.Name, c.Name+" results when …")
		}
		if c.Verdict == "" {
			return fmt.Errorf("reason %s: no verdict in reasonVerdict", c.Name)
		}
	}
	return nil
}

// Markdown renders docs/reasons.md.
func Markdown(codes []Code) []byte {
	var b bytes.Buffer
	b.WriteString("# Reason codes\n\n")
	b.WriteString("<!-- Generated from verifier/reasons.go by `go generate ./verifier`. Do not edit. -->\n\n")
	b.WriteString("A report's `reason`, each check's `reason` and each warning carry one of these stable codes.\n")
	b.WriteString("Codes are never renamed or reused; hosts translate them, tests assert them.\n")
	b.WriteString("*Verdict* is what the code decides when it is the deciding failure; `indeterminate` means\n")
	b.WriteString("\"could not decide\" (ETSI EN 319 102-1).\n")
	group := ""
	for _, c := range codes {
		if c.Group != group {
			group = c.Group
			fmt.Fprintf(&b, "\n## %s\n\n| code | verdict | meaning |\n|---|---|---|\n", group)
		}
		doc := strings.TrimPrefix(c.Doc, c.Name+" ")
		fmt.Fprintf(&b, "| `%s` | %s | %s%s |\n", c.Code, c.Verdict, strings.ToUpper(doc[:1]), strings.ReplaceAll(doc[1:], "|", "\\|"))
	}
	return b.Bytes()
}
