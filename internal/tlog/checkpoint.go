package tlog

import (
	"bytes"
	"encoding/base64"

	"github.com/apostille/apostille/verifier"
)

// cpBody is a checkpoint's first three lines (c2sp.org/tlog-checkpoint).
type cpBody struct {
	origin string
	size   uint64
	root   []byte
}

// textOf is a signed note's text: everything up to the last blank line.
func textOf(note []byte) string {
	i := bytes.LastIndex(note, []byte("\n\n"))
	if i < 0 {
		return ""
	}
	return string(note[:i+1])
}

// parseCP reads a checkpoint's note text strictly, as the verifier does.
func parseCP(text string) (*cpBody, error) {
	origin, size, root, err := verifier.ParseCheckpoint(text)
	if err != nil {
		return nil, err
	}
	return &cpBody{origin: origin, size: size, root: root}, nil
}

func b64(h []byte) string { return base64.StdEncoding.EncodeToString(h) }
