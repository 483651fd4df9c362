package verifier

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// checkpoint is the body of a c2sp.org/tlog-checkpoint: a log's Merkle tree
// head. Extension lines are kept only to say that they are there: they are
// signed by the log but cosigners make no statement about them, so nothing
// is read from them.
type checkpoint struct {
	origin     string
	size       uint64
	root       []byte
	extensions int
}

var errCheckpoint = errors.New("malformed checkpoint")

// parseCheckpoint reads the note text of a checkpoint (final newline
// included, signatures excluded), strictly.
func parseCheckpoint(text string) (*checkpoint, error) {
	if !strings.HasSuffix(text, "\n") {
		return nil, errCheckpoint
	}
	lines := strings.Split(text[:len(text)-1], "\n")
	if len(lines) < 3 || lines[0] == "" {
		return nil, errCheckpoint
	}
	size, ok := parseDecimal(lines[1])
	if !ok {
		return nil, errors.New("malformed checkpoint: bad tree size")
	}
	root, ok := parseHash(lines[2])
	if !ok {
		return nil, errors.New("malformed checkpoint: bad root hash")
	}
	for _, ext := range lines[3:] {
		if ext == "" {
			return nil, errors.New("malformed checkpoint: empty extension line")
		}
	}
	return &checkpoint{origin: lines[0], size: size, root: root, extensions: len(lines) - 3}, nil
}

// ParseCheckpoint reads the note text of a checkpoint (final newline
// included, signatures excluded) exactly as verification does: its origin,
// tree size and root hash. Logs and embassies (internal/tlog) parse with it,
// so that they accept the checkpoints verifiers accept and no others.
func ParseCheckpoint(text string) (origin string, size uint64, root []byte, err error) {
	c, err := parseCheckpoint(text)
	if err != nil {
		return "", 0, nil, err
	}
	return c.origin, c.size, c.root, nil
}

// parseDecimal reads an ASCII decimal with no sign and no leading zeroes
// (except "0" itself), as C2SP formats write sizes and indexes.
func parseDecimal(s string) (uint64, bool) {
	if s == "" || len(s) > 1 && s[0] == '0' {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}

// parseHash reads one SHA-256 hash in standard, padded base64: exactly 44
// characters (Go's decoder would otherwise skip stray CR and LF).
func parseHash(s string) ([]byte, bool) {
	if len(s) != 44 {
		return nil, false
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != 32 {
		return nil, false
	}
	return b, true
}
