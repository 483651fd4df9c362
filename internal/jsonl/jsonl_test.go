package jsonl

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		name, line string
		notRecord  bool
		bad        []string
		id, doc    string
		at         time.Time
	}{
		{name: "text", line: `{"id":"a","document":"eyJ.x.y"}`, id: `"a"`, doc: "eyJ.x.y"},
		{name: "number id", line: `{"id":7,"document":"x"}`, id: `7`, doc: "x"},
		{name: "base64", line: `{"document":"base64:AAEC"}`, doc: "\x00\x01\x02"},
		{name: "at", line: `{"document":"x","at":"2026-03-01T10:00:00+02:00"}`, doc: "x", at: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)},
		{name: "unknown members ignored", line: `{"document":"x","note":{"a":1}}`, doc: "x"},
		{name: "null id", line: `{"id":null,"document":"x"}`, doc: "x"},
		{name: "object id", line: `{"id":{"a":1},"document":"x"}`, bad: []string{"id"}, doc: "x"},
		{name: "bad base64", line: `{"id":1,"document":"base64:!!","payload":"base64:*","proof":"base64:AA=A"}`, bad: []string{"document", "payload", "proof"}, id: `1`},
		{name: "bad at", line: `{"document":"x","at":"yesterday"}`, bad: []string{"at"}, doc: "x"},
		{name: "no document", line: `{"id":"k"}`, notRecord: true, id: `"k"`},
		{name: "number document", line: `{"id":"k","document":7}`, notRecord: true, id: `"k"`},
		{name: "null document", line: `{"document":null}`, notRecord: true},
		{name: "array", line: `[]`, notRecord: true},
		{name: "not JSON", line: `document: x`, notRecord: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, bad, err := Parse([]byte(c.line))
			if got := errors.Is(err, ErrNotRecord); got != c.notRecord {
				t.Fatalf("not a record: %v, want %v", got, c.notRecord)
			}
			var members []string
			for _, p := range bad {
				members = append(members, p.Member)
				if p.Want == "" {
					t.Errorf("%s: no word on what was expected", p.Member)
				}
			}
			if !slices.Equal(members, c.bad) {
				t.Errorf("bad %v, want %v", members, c.bad)
			}
			if string(f.ID) != c.id {
				t.Errorf("id %s, want %s", f.ID, c.id)
			}
			if c.doc != "" && string(f.Doc) != c.doc {
				t.Errorf("document %q, want %q", f.Doc, c.doc)
			}
			if !f.At.Equal(c.at) {
				t.Errorf("at %v, want %v", f.At, c.at)
			}
		})
	}
}

func TestReadLine(t *testing.T) {
	in := "short\r\n" + strings.Repeat("x", 100) + "\n\nlast"
	br := bufio.NewReaderSize(strings.NewReader(in), 16) // lines longer than the buffer too
	type line struct {
		s       string
		tooLong bool
	}
	var got []line
	var buf []byte
	for {
		l, tooLong, err := ReadLine(br, buf[:0], 10)
		buf = l
		got = append(got, line{string(l), tooLong})
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	want := []line{{"short", false}, {"", true}, {"", false}, {"last", false}}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// FuzzParse: any line decodes to fields, a list of bad members or "not a
// record", never a panic; an id kept is one JSON string or number.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`{"document":"x","id":1}`, `{"id":"a","document":"base64:AAAA","at":"2026-01-01T00:00:00Z"}`, `{"document":null}`, `[]`, `{"id":{}}`, `{"id":"q","payload":"base64:","proof":"p","document":""}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		f, bad, err := Parse(b)
		if err == nil && len(bad) == 0 && f.Doc == nil {
			t.Fatal("a record without a document")
		}
		if f.ID != nil {
			var v any
			if json.Unmarshal(f.ID, &v) != nil {
				t.Fatalf("id %q is not JSON", f.ID)
			}
			switch v.(type) {
			case string, float64:
			default:
				t.Fatalf("id %q", f.ID)
			}
		}
		_, _, _ = ReadLine(bufio.NewReaderSize(bytes.NewReader(b), 16), nil, 32)
	})
}

func TestOutputRoundTrip(t *testing.T) {
	rep := []byte(`{"report":"v1","verdict":"valid"}`)
	for _, o := range []Output{
		{Line: 9, ID: json.RawMessage(`"a \"quoted\" id"`), Report: rep},
		{Line: 1, ID: json.RawMessage(`-1.5e3`), Report: rep},
		{Line: 12, Report: rep},
		{Input: "docs/ä b.jwt", Report: rep},
	} {
		b := o.Append(nil)
		got, typ, err := ReadOutput(b)
		if err != nil || typ != "" {
			t.Fatalf("%s: %v %q", b, err, typ)
		}
		if got.Line != o.Line || got.Input != o.Input || string(got.ID) != string(o.ID) || string(got.Report) != string(rep) {
			t.Errorf("%s read as %+v", b, got)
		}
	}
	// Another member order is read too; a typed record is not an answer.
	if o, _, err := ReadOutput([]byte(`{"report":{"verdict":"valid"},"id":3,"line":2}`)); err != nil || o.Line != 2 || string(o.ID) != "3" {
		t.Errorf("reordered: %+v %v", o, err)
	}
	if _, typ, err := ReadOutput([]byte(`{"type":"trailer","lines":3}`)); err != nil || typ != "trailer" {
		t.Errorf("typed record: %q %v", typ, err)
	}
	// Around a record, only JSON's white space is dropped: a form feed,
	// a vertical tab or a no-break space makes the line something else.
	if o, _, err := ReadOutput([]byte(" \t{\"line\":4,\"report\":{}}\r\n")); err != nil || o.Line != 4 {
		t.Errorf("a record in JSON white space: %+v %v", o, err)
	}
	for _, bad := range []string{"{\"line\":1,\"report\":{}}\f", "\v{\"line\":1,\"report\":{}}", "{\"input\":\"a\",\"report\":{}}\u00a0", "{\"line\":1,\"report\":{}}\u0085"} {
		if _, _, err := ReadOutput([]byte(bad)); !errors.Is(err, ErrNotOutput) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	for _, bad := range []string{`{"line":0,"report":{}}`, `{"line":1}`, `{"line":1,"input":"x","report":{}}`, `{"line":1,"report":[]}`, `{"line":1,"id":{},"report":{}}`, `[]`, ``} {
		if _, _, err := ReadOutput([]byte(bad)); !errors.Is(err, ErrNotOutput) {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

// FuzzReadOutput: any line is an output record, a typed record or refused,
// never a panic; a record read the fast way reads the same decoded.
func FuzzReadOutput(f *testing.F) {
	for _, s := range []string{`{"line":3,"id":"x","report":{"verdict":"valid"}}`, `{"line":1,"report":{}}`, `{"input":"a","report":{}}`, `{"type":"trailer"}`, `{"line":2,"id":1e5,"report":{"a":"}"}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		o, typ, err := ReadOutput(b)
		if err != nil || typ != "" {
			return
		}
		if (o.Line > 0) == (o.Input != "") && o.Input != "" {
			t.Fatalf("both line and input: %+v", o)
		}
		if !json.Valid(o.Report) {
			t.Fatalf("report %q is not JSON", o.Report)
		}
		if fast, ok := readFast(bytes.Trim(b, jsonSpace)); ok {
			var m struct {
				Line   int
				ID     json.RawMessage
				Report json.RawMessage
			}
			if json.Unmarshal(b, &m) != nil || m.Line != fast.Line || string(m.ID) != string(fast.ID) || string(m.Report) != string(fast.Report) {
				t.Fatalf("%q: fast %+v, decoded %+v", b, fast, m)
			}
		}
	})
}

// TestBlank: a blank line is JSON's white space only.
func TestBlank(t *testing.T) {
	for _, s := range []string{"", " ", "\t \r", "\r\n"} {
		if !Blank([]byte(s)) {
			t.Errorf("%q is not blank", s)
		}
	}
	for _, s := range []string{"\f", "\v", "\u00a0", "\u0085", " x ", "\x00"} {
		if Blank([]byte(s)) {
			t.Errorf("%q is blank", s)
		}
	}
}
