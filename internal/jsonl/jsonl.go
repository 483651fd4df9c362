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
// document member.
var ErrNotRecord = errors.New("not a JSON object with a document")

// Parse decodes one record. bad names the members whose values are wrong
// (an id that is not a string or a number, bytes that are not base64, a
// time that is not RFC 3339), never the values: callers put it in a report.
// The members that are right are decoded either way.
func Parse(b []byte) (f Fields, bad []string, err error) {
	var rec Record
	if err := json.Unmarshal(b, &rec); err != nil || rec.Document == nil {
		// The id, when it can be read, still identifies the answer.
		if err == nil && validID(rec.ID) {
			f.ID = rec.ID
		}
		return f, nil, ErrNotRecord
	}
	switch {
	case len(rec.ID) == 0 || string(rec.ID) == "null":
	case validID(rec.ID):
		f.ID = rec.ID
	default:
		bad = append(bad, "id")
	}
	if f.Doc, err = TextOrBase64(*rec.Document); err != nil {
		bad = append(bad, "document")
	}
	if rec.Payload != nil {
		if f.Payload, err = TextOrBase64(*rec.Payload); err != nil {
			bad = append(bad, "payload")
		}
	}
	if rec.Proof != nil {
		if f.Proof, err = TextOrBase64(*rec.Proof); err != nil {
			bad = append(bad, "proof")
		}
	}
	if rec.At != "" {
		if f.At, err = time.Parse(time.RFC3339, rec.At); err != nil {
			bad = append(bad, "at")
		}
	}
	return f, bad, nil
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
