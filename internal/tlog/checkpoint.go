package tlog

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
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

// parseCP reads a checkpoint's note text strictly.
func parseCP(text string) (*cpBody, error) {
	if !strings.HasSuffix(text, "\n") {
		return nil, errors.New("malformed checkpoint")
	}
	lines := strings.Split(text[:len(text)-1], "\n")
	if len(lines) < 3 || lines[0] == "" {
		return nil, errors.New("malformed checkpoint")
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil || strconv.FormatUint(size, 10) != lines[1] {
		return nil, errors.New("malformed checkpoint size")
	}
	root, err := base64.StdEncoding.Strict().DecodeString(lines[2])
	if err != nil || len(root) != 32 || len(lines[2]) != 44 {
		return nil, errors.New("malformed checkpoint root")
	}
	return &cpBody{origin: lines[0], size: size, root: root}, nil
}

func b64(h []byte) string { return base64.StdEncoding.EncodeToString(h) }
