package verifier

// The one error type of the readers of DigiDoc containers (asic.go), OCSP
// responses (ocsp.go) and time-stamp tokens (timestamp.go): the caller turns
// it into a check of the report with its reason.

import (
	"errors"
	"fmt"
)

// readError is a failure of the container, OCSP or time-stamp readers: a
// stable reason code with detail for people. Detail never quotes document
// content beyond a clipped name.
type readError struct {
	reason Reason
	msg    string
}

func (e *readError) Error() string { return e.msg }

// Error constructors stay out of line (go:noinline): they run only on a
// failure, and a copy of Sprintf's call at each of dozens of call sites
// costs the WebAssembly module's download (docs/PERFORMANCE.md, Module size).
//
//go:noinline
func readFail(r Reason, format string, a ...any) error {
	return &readError{r, fmt.Sprintf(format, a...)}
}

// errReason returns the reason code of an error from these readers;
// Malformed for any other error.
func errReason(err error) Reason {
	var re *readError
	if errors.As(err, &re) {
		return re.reason
	}
	return Malformed
}
