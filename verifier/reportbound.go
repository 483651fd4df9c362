package verifier

import "sort"

// A report repeats a document's header parameters for experts
// (document.technical.headers). Headers arrive before any signature is
// checked, so what a report repeats of them is bounded: a 64 KB kid or ten
// thousand parameters must not become a report of that size. The bound is
// deterministic (parameters in name order), so that every host reports the
// same.
const (
	maxReportHeaders    = 32  // parameters reported
	maxReportHeaderJSON = 256 // bytes of one parameter's value as JSON
)

// boundedHeaders builds the reported headers from (name, value) pairs:
// values whose JSON exceeds maxReportHeaderJSON are replaced by the start of
// that JSON as a string, and only the first maxReportHeaders names count.
func boundedHeaders(names []string, value func(name string) (any, []byte, bool)) map[string]any {
	sort.Strings(names)
	out := make(map[string]any, min(len(names), maxReportHeaders))
	for _, name := range names {
		if len(out) == maxReportHeaders {
			break
		}
		v, raw, ok := value(name)
		if !ok {
			continue
		}
		if raw == nil {
			if raw, ok = marshalJSONValue(v); !ok {
				continue
			}
		}
		if len(raw) > maxReportHeaderJSON {
			v = clip(string(raw))
		}
		out[clip(name)] = v
	}
	return out
}
