// Package jsonl reads the JSON Lines records that name documents to verify,
// as `apostille verify --jsonl` and the service's POST /v1/verify/batch (and
// the JSON body of POST /v1/verify) read them, so that one file serves both.
package jsonl

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Record is one record as written: byte-valued members are text, or base64
// after a "base64:" prefix. Members it does not name are ignored.
type Record struct {
	ID       json.RawMessage `json:"id"`
	Document *string         `json:"document"`
	Payload  *string         `json:"payload"`
	Proof    *string         `json:"proof"`
	At       string          `json:"at"`
}

// Fields are a record decoded.
type Fields struct {
	ID      json.RawMessage // as given; nil when none or not valid
	Doc     []byte
	Payload []byte
	Proof   []byte
	At      time.Time // zero: none given
}

// ErrNotRecord is Parse's answer to a line that is not a JSON object with a
// document member; the error it returns wraps it and says which.
var ErrNotRecord = errors.New("not a record")

// A Problem is a member whose value is not what a record takes: the
// member's name and what was expected, never the value (callers put it in
// a report and in logs).
type Problem struct {
	Member string
	Want   string
}

func (p Problem) String() string { return p.Member + ": want " + p.Want }

// What each member takes, for Problem.Want.
const (
	wantID    = "a string or a number"
	wantBytes = `text, or "base64:" and standard base64`
	wantAt    = "an RFC 3339 time such as 2026-01-01T12:00:00Z"
)

// Problems joins problems for a report's detail: "at: want an RFC 3339
// time …; payload: want text, or …".
func Problems(ps []Problem) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, "; ")
}

// Parse decodes one record. bad names the members whose values are wrong
// and what each should be (an id that is not a string or a number, bytes
// that are not base64, a time that is not RFC 3339), never the values. The
// members that are right are decoded either way. A line that is not a
// record at all gets an error wrapping ErrNotRecord that says why (not
// JSON, not an object, no document, a document that is not a string).
func Parse(b []byte) (f Fields, bad []Problem, err error) {
	var rec Record
	if err := json.Unmarshal(b, &rec); err != nil || rec.Document == nil {
		// The id, when it can be read, still identifies the answer.
		if err == nil && validID(rec.ID) {
			f.ID = rec.ID
		} else if id, ok := idOf(b); ok {
			f.ID = id
		}
		return f, nil, fmt.Errorf("%w: %s", ErrNotRecord, whyNotRecord(b))
	}
	switch {
	case len(rec.ID) == 0 || string(rec.ID) == "null":
	case validID(rec.ID):
		f.ID = rec.ID
	default:
		bad = append(bad, Problem{"id", wantID})
	}
	if f.Doc, err = TextOrBase64(*rec.Document); err != nil {
		bad = append(bad, Problem{"document", wantBytes})
	}
	if rec.Payload != nil {
		if f.Payload, err = TextOrBase64(*rec.Payload); err != nil {
			bad = append(bad, Problem{"payload", wantBytes})
		}
	}
	if rec.Proof != nil {
		if f.Proof, err = TextOrBase64(*rec.Proof); err != nil {
			bad = append(bad, Problem{"proof", wantBytes})
		}
	}
	if rec.At != "" {
		if f.At, err = time.Parse(time.RFC3339, rec.At); err != nil {
			bad = append(bad, Problem{"at", wantAt})
		}
	}
	return f, bad, nil
}

// whyNotRecord says why a line is not a record, once Parse has found that
// it is not: this slower look is taken on bad lines only.
func whyNotRecord(b []byte) string {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return "the line is not JSON"
	}
	m, ok := v.(map[string]any)
	if !ok {
		return "the line is not a JSON object"
	}
	doc, ok := m["document"]
	switch {
	case !ok || doc == nil:
		return `no "document" member`
	}
	if _, ok := doc.(string); !ok {
		return "document: want " + wantBytes
	}
	for _, name := range []string{"payload", "proof", "at"} {
		if x, ok := m[name]; ok && x != nil {
			if _, ok := x.(string); !ok {
				return name + ": want a string"
			}
		}
	}
	return "the record could not be decoded"
}

// idOf reads the id of a line that is not a record, when it has a valid
// one: the answer then still names it.
func idOf(b []byte) (json.RawMessage, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil || !validID(m["id"]) {
		return nil, false
	}
	return m["id"], true
}

// validID accepts an id that is a JSON string or number: it is echoed into
// the output record as given, so it must be one JSON value.
func validID(id json.RawMessage) bool {
	var v any
	if len(id) == 0 || json.Unmarshal(id, &v) != nil {
		return false
	}
	switch v.(type) {
	case string, float64:
		return true
	}
	return false
}

// TextOrBase64 is a byte-valued member's bytes: the text, or after a
// "base64:" prefix the standard base64 it holds.
func TextOrBase64(s string) ([]byte, error) {
	if b, ok := strings.CutPrefix(s, "base64:"); ok {
		return base64.StdEncoding.DecodeString(b)
	}
	return []byte(s), nil
}

// jsonSpace is JSON's white space (RFC 8259 section 2). bytes.TrimSpace
// trims more (form feed, vertical tab, U+0085, U+00A0): a line of those
// is not blank, and a record followed by one is not JSON.
const jsonSpace = " \t\r\n"

// Blank reports whether a line holds nothing but JSON white space. A blank
// line gets no record (docs/records.md); any other line gets one.
func Blank(line []byte) bool { return len(bytes.Trim(line, jsonSpace)) == 0 }

// ReadLine reads one line into buf (without its "\n" or "\r\n"), keeping at
// most max bytes; a longer line is read to its end and reported as too
// long, so that the stream goes on with the next line.
func ReadLine(br *bufio.Reader, buf []byte, max int) (line []byte, tooLong bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(chunk) > max+1 {
				tooLong = true
				buf = buf[:0]
			} else {
				buf = append(buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == nil {
			buf = bytes.TrimSuffix(buf, []byte{'\n'})
			buf = bytes.TrimSuffix(buf, []byte{'\r'})
		}
		return buf, tooLong, err
	}
}
