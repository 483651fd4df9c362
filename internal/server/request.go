package server

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

// record is one request to verify a document: the JSON body of
// POST /v1/verify and each line of a batch, the same records that
// `apostille verify --jsonl` reads. Byte-valued members are text, or base64
// after a "base64:" prefix. Members the service does not know are ignored,
// as the CLI ignores them, so that one file serves both.
type record struct {
	ID       json.RawMessage `json:"id"`
	Document *string         `json:"document"`
	Payload  *string         `json:"payload"`
	Proof    *string         `json:"proof"`
	At       string          `json:"at"`
}

// request is a record decoded.
type request struct {
	id      json.RawMessage // as given; nil when none
	doc     []byte
	payload []byte
	proof   []byte
	at      time.Time // zero: the request's time
}

// parseRecord decodes one record. The error says which members are wrong
// and never quotes them: it goes into a report's detail.
func parseRecord(b []byte) (*request, error) {
	var rec record
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, errors.New("not a JSON object with a document")
	}
	req := &request{}
	var bad []string
	switch {
	case len(rec.ID) == 0 || string(rec.ID) == "null":
	case validID(rec.ID):
		req.id = rec.ID
	default:
		bad = append(bad, "id")
	}
	if rec.Document == nil {
		return req, errors.New(`no "document" member`)
	}
	var err error
	if req.doc, err = textOrBase64(*rec.Document); err != nil {
		bad = append(bad, "document")
	}
	if rec.Payload != nil {
		if req.payload, err = textOrBase64(*rec.Payload); err != nil {
			bad = append(bad, "payload")
		}
	}
	if rec.Proof != nil {
		if req.proof, err = textOrBase64(*rec.Proof); err != nil {
			bad = append(bad, "proof")
		}
	}
	if rec.At != "" {
		if req.at, err = time.Parse(time.RFC3339, rec.At); err != nil {
			bad = append(bad, "at")
		}
	}
	if len(bad) > 0 {
		return req, fmt.Errorf("bad %s (id is a string or a number; byte values are text, or \"base64:\" and standard base64; at is RFC 3339)", strings.Join(bad, ", "))
	}
	return req, nil
}

// validID accepts an id that is a JSON string or number: it is echoed
// into the output record as given, so it must be one JSON value.
func validID(id json.RawMessage) bool {
	var v any
	if json.Unmarshal(id, &v) != nil {
		return false
	}
	switch v.(type) {
	case string, float64:
		return true
	}
	return false
}

func textOrBase64(s string) ([]byte, error) {
	if b, ok := strings.CutPrefix(s, "base64:"); ok {
		return base64.StdEncoding.DecodeString(b)
	}
	return []byte(s), nil
}

// readLine reads one line into buf (without its newline), keeping at most
// max bytes; a longer line is read to its end and reported as too long,
// so that the stream goes on with the next line.
func readLine(br *bufio.Reader, buf []byte, max int) (line []byte, tooLong bool, err error) {
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
