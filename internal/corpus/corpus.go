// Package corpus gathers every document the repository holds for testing,
// so that the engines can be compared on all of them: the demo world, the
// benchmark documents and mutations of them, every file under a testdata
// directory, every value in a Go fuzz seed corpus (testdata/fuzz), and a
// few hostile inputs. The differential test (native verifier, module with
// host crypto, module without) and the JS fixtures both read it.
package corpus

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/apostille/apostille/internal/benchdocs"
	"github.com/apostille/apostille/internal/demo"
	"github.com/apostille/apostille/internal/hardening"
	"github.com/apostille/apostille/verifier"
)

// At is the verification time of every set.
var At = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// Trust is one trust source as the module loads it.
type Trust struct {
	Name string
	Data []byte
}

// Case is one input to verify.
type Case struct {
	Name    string
	Doc     []byte
	Payload []byte
	// Options are the case's own options (Trust left out); the zero
	// value, with the time At, for most.
	Options verifier.Options
	// Verdict and Reason, when Verdict is set, are what every engine must
	// answer (the hostile cases of internal/hardening).
	Verdict verifier.Verdict
	Reason  verifier.Reason
}

// VerifyOptions are the options to verify c with: its own, the time At
// when it gives none, its detached payload.
func (c *Case) VerifyOptions() verifier.Options {
	o := c.Options
	if o.Time.IsZero() {
		o.Time = At
	}
	if c.Payload != nil {
		o.Payload = c.Payload
	}
	return o
}

// Set is cases that share a trust.
type Set struct {
	Name  string
	Trust []Trust
	Cases []Case
}

// Collect gathers the corpus of the module rooted at root. tmp is a scratch
// directory for the demo world.
func Collect(root, tmp string) ([]Set, error) {
	var sets []Set
	w, err := demo.Build(tmp, "")
	if err != nil {
		return nil, err
	}
	demoTrust, err := os.ReadFile(filepath.Join(tmp, w.Man.Trust))
	if err != nil {
		return nil, err
	}
	ds := Set{Name: "demo", Trust: []Trust{{"trust.json", demoTrust}}}
	for _, s := range w.Man.Samples {
		doc, err := os.ReadFile(filepath.Join(tmp, s.File))
		if err != nil {
			return nil, err
		}
		c := Case{Name: "demo/" + s.File, Doc: doc}
		if s.Payload != "" {
			if c.Payload, err = os.ReadFile(filepath.Join(tmp, s.Payload)); err != nil {
				return nil, err
			}
		}
		ds.Cases = append(ds.Cases, c)
	}
	ds.Cases = append(ds.Cases, hostile()...)
	files, err := testdataFiles(root)
	if err != nil {
		return nil, err
	}
	ds.Cases = append(ds.Cases, files...)
	sets = append(sets, ds)

	b, err := benchdocs.Make()
	if err != nil {
		return nil, err
	}
	bs := Set{Name: "bench", Trust: []Trust{{"bench.json", b.Trust}}}
	for _, d := range b.Docs {
		bs.Cases = append(bs.Cases, Case{Name: "bench/" + d.Name, Doc: d.Data})
		for _, m := range Mutations(d.Data) {
			bs.Cases = append(bs.Cases, Case{Name: "bench/" + d.Name + "/" + m.Name, Doc: m.Doc})
		}
	}
	sets = append(sets, bs)

	cs, err := containerSet(root)
	if err != nil {
		return nil, err
	}
	sets = append(sets, cs)

	hs, err := hardeningSets()
	if err != nil {
		return nil, err
	}
	return append(sets, hs...), nil
}

// hardeningSets are the hostile cases of internal/hardening, a set per
// trust they share, each with its options and expected verdict.
func hardeningSets() ([]Set, error) {
	cases, err := hardening.Cases()
	if err != nil {
		return nil, err
	}
	var sets []Set
	byTrust := map[string]int{}
	for _, c := range cases {
		i, ok := byTrust[string(c.Trust)]
		if !ok {
			i = len(sets)
			byTrust[string(c.Trust)] = i
			sets = append(sets, Set{Name: "hardening-" + strconv.Itoa(i), Trust: []Trust{{"trust.json", c.Trust}}})
		}
		sets[i].Cases = append(sets[i].Cases, Case{Name: "hardening/" + c.Name, Doc: c.Doc, Payload: c.Options.Payload,
			Options: c.Options, Verdict: c.Verdict, Reason: c.Reason})
	}
	return sets, nil
}

// Mutation is a document changed in one named way.
type Mutation struct {
	Name string
	Doc  []byte
}

// Mutations are systematic changes of a document: a bit flipped at several
// places, truncations and trailing garbage.
func Mutations(doc []byte) []Mutation {
	var out []Mutation
	for _, at := range []int{0, len(doc) / 3, len(doc) / 2, len(doc) - 2} {
		if at < 0 || at >= len(doc) {
			continue
		}
		d := bytes.Clone(doc)
		d[at] ^= 0x01
		out = append(out, Mutation{"bitflip-@" + strconv.Itoa(at), d})
	}
	out = append(out,
		Mutation{"truncated-half", bytes.Clone(doc[:len(doc)/2])},
		Mutation{"trailing-garbage", append(bytes.Clone(doc), "~~garbage"...)},
	)
	return out
}

// hostile are inputs that probe limits rather than formats.
func hostile() []Case {
	return []Case{
		{Name: "hostile/empty", Doc: []byte{}},
		{Name: "hostile/whitespace", Doc: []byte(" \n\t ")},
		{Name: "hostile/too-large", Doc: bytes.Repeat([]byte("A"), verifier.DefaultMaxSize+1)},
		{Name: "hostile/deep-json", Doc: []byte(strings.Repeat("[", 10000))},
		{Name: "hostile/deep-cbor", Doc: append([]byte{0xd2}, bytes.Repeat([]byte{0x81}, 10000)...)},
		{Name: "hostile/binary", Doc: []byte{0x00, 0xff, 0xfe, 0x84, 0x40, 0xa0, 0xf6, 0x40}},
		{Name: "hostile/invalid-utf8", Doc: []byte("eyJhbGciOiJFUzI1NiJ9.\xff\xfe.sig")},
	}
}

// testdataFiles reads every file under a testdata directory (documents,
// vectors) and every value of every Go fuzz seed corpus file.
func testdataFiles(root string) ([]Case, error) {
	var out []Case
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "bin" || name == "build") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		if !strings.Contains(filepath.ToSlash(rel), "testdata/") {
			return nil
		}
		info, err := d.Info()
		if err != nil || info.Size() > 4<<20 {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if vals, ok := FuzzValues(b); ok {
			for i, v := range vals {
				out = append(out, Case{Name: filepath.ToSlash(rel) + "#" + strconv.Itoa(i), Doc: v})
			}
			return nil
		}
		out = append(out, Case{Name: filepath.ToSlash(rel), Doc: b})
		return nil
	})
	return out, err
}

// FuzzValues reads a Go fuzz corpus file ("go test fuzz v1") and returns
// its []byte and string values.
func FuzzValues(b []byte) ([][]byte, bool) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 8<<20)
	if !sc.Scan() || sc.Text() != "go test fuzz v1" {
		return nil, false
	}
	var vals [][]byte
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		for _, prefix := range []string{"[]byte(", "string("} {
			if inner, ok := strings.CutPrefix(line, prefix); ok && strings.HasSuffix(inner, ")") {
				if s, err := strconv.Unquote(inner[:len(inner)-1]); err == nil {
					vals = append(vals, []byte(s))
				}
			}
		}
	}
	return vals, true
}
