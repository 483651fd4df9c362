package host

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/tetratelabs/wazero/sys"

	"github.com/apostille/apostille/verifier"
)

// classify says why a call failed: the deadline or the memory limit
// (limit_exceeded), or anything else, a trap or a bug (internal). The
// detail never quotes the document or the module's output about it.
func (e *Engine) classify(inst *instance, err error) (verifier.Reason, string) {
	var exit *sys.ExitError
	if errors.As(err, &exit) {
		switch exit.ExitCode() {
		case sys.ExitCodeDeadlineExceeded:
			return verifier.LimitExceeded, fmt.Sprintf("verification took longer than %s", e.cfg.Timeout)
		case sys.ExitCodeContextCanceled:
			return verifier.Internal, "the verification was cancelled"
		}
	}
	// The Go runtime in the module exits with "out of memory" when memory
	// cannot grow; its heap grows in 4 MiB arenas, so it fails within one
	// arena of the limit.
	if inst.stderr.contains("out of memory") || uint64(inst.memorySize())+8<<20 > uint64(e.limit) {
		return verifier.LimitExceeded, fmt.Sprintf("verification needed more than the %d MiB memory limit", e.limit>>20)
	}
	return verifier.Internal, "the module instance failed on this input and was replaced"
}

// failureReport is the report of a document the module could not judge.
func failureReport(at time.Time, reason verifier.Reason, detail string) []byte {
	return verifier.NotJudged(at, verifier.CheckInput, reason, detail).AppendJSON(nil)
}

// tailBuffer keeps the last bytes the module wrote to stderr: the Go
// runtime's fatal messages, to tell out-of-memory from other failures.
// It is never logged.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = t.b[len(t.b)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) contains(s string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Contains(string(t.b), s)
}

// randReader is crypto/rand as the module's random source.
type randReader struct{}

func (randReader) Read(p []byte) (int, error) { return rand.Read(p) }
