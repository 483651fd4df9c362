package server

import (
	"errors"

	"github.com/apostille/apostille/internal/jsonl"
)

// request is one request to verify a document: the JSON body of
// POST /v1/verify and each line of a batch, the same records that
// `apostille verify --jsonl` reads (internal/jsonl).
type request = jsonl.Fields

// parseRecord decodes one record. The error says which members are wrong
// and never quotes them: it goes into a report's detail. With an error, the
// request still carries the id when it could be read.
func parseRecord(b []byte) (*request, error) {
	req, bad, err := jsonl.Parse(b)
	if err != nil {
		return &req, err
	}
	if len(bad) > 0 {
		return &req, errors.New(jsonl.Problems(bad))
	}
	return &req, nil
}
