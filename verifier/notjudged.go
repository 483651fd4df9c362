package verifier

import "time"

// NotJudged returns the report of an input that was not judged, for hosts
// that fail before or around Verify (an unreadable input line, a module
// instance that trapped or ran out of memory): one check, with the reason
// and its verdict, shaped like every other report.
func NotJudged(at time.Time, check string, reason Reason, detail string) *Report {
	b := newReport(at)
	b.fail(check, reason, detail)
	r := &b.r
	r.Verdict, r.Reason = reason.Verdict(), reason
	return r
}
