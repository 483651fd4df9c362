// Command wasmsize says what the WebAssembly module's size is made of: code
// bytes per Go package (from the function bodies and the name section of a
// build that keeps names), and the data and other sections. `go tool nm`
// does not read wasm.
//
//	go run ./internal/cmd/wasmsize            (builds with names, then reports)
//	go run ./internal/cmd/wasmsize -f x.wasm  (a module built without -s -w)
package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"

	"github.com/apostille/apostille/internal/wasmbuild"
)

func main() {
	file := flag.String("f", "", "module to read (default: build one with names)")
	top := flag.Int("top", 30, "packages to list")
	funcs := flag.Int("funcs", 0, "also list this many of the biggest functions")
	flag.Parse()
	if err := run(*file, *top, *funcs); err != nil {
		fmt.Fprintln(os.Stderr, "wasmsize:", err)
		os.Exit(1)
	}
}

func run(file string, top, funcs int) error {
	var b []byte
	var err error
	if file == "" {
		b, err = wasmbuild.BuildNamed()
	} else {
		b, err = os.ReadFile(file)
	}
	if err != nil {
		return err
	}
	m, err := parse(b)
	if err != nil {
		return err
	}
	type kv struct {
		k string
		v int
	}
	byPkg := map[string]int{}
	var byFunc []kv
	code := 0
	for i, size := range m.bodies {
		name := m.names[uint32(m.imported+i)]
		byPkg[wasmbuild.PackageOf(name)] += size
		byFunc = append(byFunc, kv{name, size})
		code += size
	}
	var list []kv
	for k, v := range byPkg {
		list = append(list, kv{k, v})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].v > list[j].v })
	fmt.Printf("%s: %d bytes\n\nsections\n", file, len(b))
	for _, s := range m.sections {
		fmt.Printf("  %-12s %9d\n", s.name, s.size)
	}
	fmt.Printf("\ncode by package (%d bytes of function bodies)\n", code)
	for i, e := range list {
		if i == top {
			break
		}
		fmt.Printf("  %9d  %5.1f%%  %s\n", e.v, 100*float64(e.v)/float64(code), e.k)
	}
	if funcs > 0 {
		sort.Slice(byFunc, func(i, j int) bool { return byFunc[i].v > byFunc[j].v })
		fmt.Printf("\nbiggest functions\n")
		for i, e := range byFunc {
			if i == funcs {
				break
			}
			fmt.Printf("  %9d  %s\n", e.v, e.k)
		}
	}
	return nil
}

type section struct {
	name string
	size int
}

type module struct {
	sections []section
	imported int
	bodies   []int
	names    map[uint32]string
}

var sectionNames = []string{"custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "datacount"}

func parse(b []byte) (*module, error) {
	if len(b) < 8 || !bytes.Equal(b[:4], []byte("\x00asm")) {
		return nil, errors.New("not a wasm module")
	}
	m := &module{names: map[uint32]string{}}
	r := b[8:]
	for len(r) > 0 {
		id := r[0]
		size, n := binary.Uvarint(r[1:])
		body := r[1+n : 1+n+int(size)]
		r = r[1+n+int(size):]
		name := "?"
		if int(id) < len(sectionNames) {
			name = sectionNames[id]
		}
		switch id {
		case 0:
			l, k := binary.Uvarint(body)
			cname := string(body[k : k+int(l)])
			name = "custom " + cname
			if cname == "name" {
				m.readNames(body[k+int(l):])
			}
		case 2:
			m.imported = countFuncImports(body)
		case 10:
			count, k := binary.Uvarint(body)
			p := body[k:]
			for range count {
				s, k := binary.Uvarint(p)
				m.bodies = append(m.bodies, int(s))
				p = p[k+int(s):]
			}
		}
		m.sections = append(m.sections, section{name, int(size)})
	}
	return m, nil
}

// countFuncImports counts function imports (kind 0); their indices come
// before the module's own functions.
func countFuncImports(body []byte) int {
	count, k := binary.Uvarint(body)
	p := body[k:]
	funcs := 0
	for range count {
		for range 2 { // module and field names
			l, k := binary.Uvarint(p)
			p = p[k+int(l):]
		}
		kind := p[0]
		p = p[1:]
		switch kind {
		case 0: // func: type index
			_, k := binary.Uvarint(p)
			p = p[k:]
			funcs++
		case 1: // table: reftype, limits
			p = skipLimits(p[1:])
		case 2: // memory: limits
			p = skipLimits(p)
		case 3: // global: valtype, mut
			p = p[2:]
		}
	}
	return funcs
}

func skipLimits(p []byte) []byte {
	flag := p[0]
	_, k := binary.Uvarint(p[1:])
	p = p[1+k:]
	if flag&1 != 0 {
		_, k = binary.Uvarint(p)
		p = p[k:]
	}
	return p
}

// readNames reads the function names subsection (id 1) of the name section.
func (m *module) readNames(p []byte) {
	for len(p) > 0 {
		id := p[0]
		size, k := binary.Uvarint(p[1:])
		sub := p[1+k : 1+k+int(size)]
		p = p[1+k+int(size):]
		if id != 1 {
			continue
		}
		count, k := binary.Uvarint(sub)
		sub = sub[k:]
		for range count {
			idx, k := binary.Uvarint(sub)
			sub = sub[k:]
			l, k := binary.Uvarint(sub)
			m.names[uint32(idx)] = string(sub[k : k+int(l)])
			sub = sub[k+int(l):]
		}
	}
}
