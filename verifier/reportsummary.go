package verifier

import (
	"bytes"
	"encoding/json"
)

// Summary is what a host reads back from a report: the verdict, the reason
// that decided it, the document's format, and the status list it should
// fetch when the revocation check could not decide without it.
type Summary struct {
	Verdict Verdict
	Reason  Reason
	// Format is document.format; "" for a report without a document.
	Format string
	// MissingStatusList is the entry a revocation check that said
	// status_unknown looked up: a host may fetch the list at its URI and
	// verify the document again with it (Options.StatusLists). Nil
	// otherwise.
	MissingStatusList *StatusListEntry
}

// ReadSummary reads a report's summary from its JSON, as every engine
// writes it (Report.AppendJSON). It is every Go host's one reader of a
// report (the CLI's tally, the service's metrics and logs, the status list
// pass), and it is fast: it scans the few members it needs where
// AppendJSON puts them rather than decoding the report, which costs a host
// as much as a tenth of a native verification. A report laid out otherwise,
// or one with status_unknown in it, is decoded. A test holds it to full
// decoding on every report of the corpus.
func ReadSummary(rep []byte) (Summary, error) {
	if bytes.Contains(rep, []byte(`"status_unknown"`)) {
		return decodeSummary(rep)
	}
	if s, ok := scanSummary(rep); ok {
		return s, nil
	}
	return decodeSummary(rep)
}

// scanSummary reads the verdict, reason and format without decoding the
// report. AppendJSON writes a report's members in Report's field order:
// "verdict", then "reason" if any, then "warnings"; and "document":{"format"
// comes after the warnings and checks, whose objects have no "document"
// member. A JSON string cannot hold an unescaped quote, so no text of a
// document imitates these members before the document's own.
func scanSummary(rep []byte) (Summary, bool) {
	rest, ok := bytes.CutPrefix(rep, []byte(`{"report":"v1","verdict":`))
	if !ok {
		return Summary{}, false
	}
	verdict, rest, ok := plainString(rest)
	if !ok {
		return Summary{}, false
	}
	s := Summary{Verdict: Verdict(verdict)}
	if r, ok := bytes.CutPrefix(rest, []byte(`,"reason":`)); ok {
		reason, r, ok := plainString(r)
		if !ok {
			return Summary{}, false
		}
		s.Reason, rest = Reason(reason), r
	}
	if !bytes.HasPrefix(rest, []byte(`,"warnings":`)) {
		return Summary{}, false
	}
	if i := bytes.Index(rest, []byte(`"document":`)); i >= 0 {
		f, ok := bytes.CutPrefix(rest[i:], []byte(`"document":{"format":`))
		if !ok {
			return Summary{}, false
		}
		if s.Format, _, ok = plainString(f); !ok {
			return Summary{}, false
		}
	}
	return s, true
}

// plainString reads a short JSON string without escapes at the start of b.
func plainString(b []byte) (string, []byte, bool) {
	if len(b) == 0 || b[0] != '"' {
		return "", nil, false
	}
	j := bytes.IndexByte(b[1:], '"')
	if j < 0 || j > 64 || bytes.IndexByte(b[1:1+j], '\\') >= 0 {
		return "", nil, false
	}
	return string(b[1 : 1+j]), b[2+j:], true
}

// decodeSummary reads the summary by decoding the report.
func decodeSummary(rep []byte) (Summary, error) {
	var r struct {
		Verdict  Verdict `json:"verdict"`
		Reason   Reason  `json:"reason"`
		Checks   []Check `json:"checks"`
		Document *struct {
			Format string `json:"format"`
		} `json:"document"`
	}
	if err := json.Unmarshal(rep, &r); err != nil {
		return Summary{}, err
	}
	s := Summary{Verdict: r.Verdict, Reason: r.Reason}
	if r.Document != nil {
		s.Format = r.Document.Format
	}
	for _, c := range r.Checks {
		if c.Check == CheckRevocation && c.Reason == StatusUnknown && c.StatusList != nil {
			s.MissingStatusList = c.StatusList
		}
	}
	return s, nil
}
