package jsonl

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
)

// Output is the record written for one input, by `apostille verify
// --format jsonl` and by POST /v1/verify/batch alike (docs/records.md,
// schema docs/record.schema.json):
//
//	{"line":9,"id":"a-7","report":{…}}   a JSON Lines record (id only when it gave one)
//	{"input":"docs/a.jwt","report":{…}}  a file named on the command line
//
// The report is the report as the engine wrote it (docs/report.schema.json),
// untouched; the members around it say which input it answers. Line is the
// input's line number, counted from 1 with blank lines, so it is unique in
// a stream whatever the ids: an id is echoed as given, never invented.
//
// A record with a "type" member answers no single input: it is reserved
// for records about the stream itself (such as a trailer at its end), and
// readers that want reports skip it.
type Output struct {
	Line   int             // the JSON Lines input line, from 1; 0 for a file input
	Input  string          // the file input's path, when Line is 0
	ID     json.RawMessage // the record's id as given; nil when it gave none
	Report []byte
}

// Append appends the record, without a newline, to b. The first member is
// "line" or "input", so that ReadOutput finds it without decoding the
// report.
func (o *Output) Append(b []byte) []byte {
	if o.Line > 0 {
		b = append(b, `{"line":`...)
		b = strconv.AppendInt(b, int64(o.Line), 10)
	} else {
		in, _ := json.Marshal(o.Input) // a string always marshals
		b = append(b, `{"input":`...)
		b = append(b, in...)
	}
	if o.ID != nil {
		b = append(b, `,"id":`...)
		b = append(b, o.ID...)
	}
	b = append(b, `,"report":`...)
	b = append(b, o.Report...)
	return append(b, '}')
}

// ErrNotOutput is ReadOutput's answer to a line that is not an output
// record.
var ErrNotOutput = errors.New("not an output record")

// ReadOutput reads one output record. A record with a "type" member is not
// an answer: ReadOutput returns its type and no Output. A record this
// package wrote is read without decoding its report (only checked to be
// JSON); any other arrangement of the same members is decoded.
func ReadOutput(b []byte) (o Output, typ string, err error) {
	b = bytes.Trim(b, jsonSpace)
	if o, ok := readFast(b); ok {
		return o, "", nil
	}
	var m struct {
		Type   *string         `json:"type"`
		Line   *int            `json:"line"`
		Input  *string         `json:"input"`
		ID     json.RawMessage `json:"id"`
		Report json.RawMessage `json:"report"`
	}
	if json.Unmarshal(b, &m) != nil || len(b) == 0 || b[0] != '{' {
		return Output{}, "", ErrNotOutput
	}
	if m.Type != nil {
		if *m.Type == "" {
			return Output{}, "", ErrNotOutput
		}
		return Output{}, *m.Type, nil
	}
	if (m.Line == nil) == (m.Input == nil) || len(m.Report) == 0 || m.Report[0] != '{' {
		return Output{}, "", ErrNotOutput
	}
	if m.Line != nil {
		if *m.Line < 1 {
			return Output{}, "", ErrNotOutput
		}
		o.Line = *m.Line
	} else {
		o.Input = *m.Input
	}
	if len(m.ID) > 0 && string(m.ID) != "null" {
		if !validID(m.ID) {
			return Output{}, "", ErrNotOutput
		}
		o.ID = m.ID
	}
	o.Report = m.Report
	return o, "", nil
}

// readFast reads a JSON Lines answer as Append writes it:
// {"line":N[,"id":ID],"report":{…}}.
func readFast(b []byte) (Output, bool) {
	rest, ok := bytes.CutPrefix(b, []byte(`{"line":`))
	if !ok {
		return Output{}, false
	}
	n := 0
	for n < len(rest) && '0' <= rest[n] && rest[n] <= '9' {
		n++
	}
	if n == 0 || n > 15 || rest[0] == '0' {
		return Output{}, false
	}
	line, _ := strconv.Atoi(string(rest[:n]))
	o := Output{Line: line}
	rest = rest[n:]
	if r, ok := bytes.CutPrefix(rest, []byte(`,"id":`)); ok {
		end := idEnd(r)
		if end == 0 || !validID(r[:end]) {
			return Output{}, false
		}
		o.ID, rest = json.RawMessage(r[:end]), r[end:]
	}
	rest, ok = bytes.CutPrefix(rest, []byte(`,"report":`))
	if !ok || len(rest) < 3 || rest[0] != '{' || rest[len(rest)-1] != '}' {
		return Output{}, false
	}
	o.Report = rest[:len(rest)-1]
	// Append writes the report object right before the record's closing
	// brace; white space between them (which a decoder would drop from the
	// raw value) is another shape, left to the decoder.
	if o.Report[len(o.Report)-1] != '}' || !json.Valid(o.Report) {
		return Output{}, false
	}
	return o, true
}

// idEnd is the length of the JSON string or number that starts b, or 0.
func idEnd(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	if b[0] == '"' {
		for i := 1; i < len(b); i++ {
			switch b[i] {
			case '\\':
				i++
			case '"':
				return i + 1
			}
		}
		return 0
	}
	i := 0
	for i < len(b) && bytes.IndexByte([]byte("0123456789+-.eE"), b[i]) >= 0 {
		i++
	}
	return i
}

// TrailerType is the type of the record that ends a batch stream.
const TrailerType = "trailer"

// Trailer is the last record of a POST /v1/verify/batch stream
// (docs/records.md): how many input lines the service read (blank ones
// included), how many records it wrote before the trailer, and why the
// stream ended: "complete" (the body ended and every line was answered),
// "shutdown" (the service stopped reading to shut down: send the lines
// after Lines again), "client" (the client stalled, idled or broke off) or
// "error" (the body could not be read). A stream without a trailer was cut
// by a broken connection.
type Trailer struct {
	Lines   int
	Records int
	End     string
}

// Append appends the trailer, without a newline, to b.
func (t *Trailer) Append(b []byte) []byte {
	b = append(b, `{"type":"trailer","lines":`...)
	b = strconv.AppendInt(b, int64(t.Lines), 10)
	b = append(b, `,"records":`...)
	b = strconv.AppendInt(b, int64(t.Records), 10)
	b = append(b, `,"end":`...)
	end, _ := json.Marshal(t.End)
	b = append(b, end...)
	return append(b, '}')
}
