package verifier

import (
	"encoding/base64"
	"encoding/json"
)

// An issuer signs all its documents under the same protected header: the
// same alg, typ and kid, and, for a JWS with an x5c, the same certificate
// chain, base64 inside base64url. Decoding that header is most of the
// module's own work on such a JWS (two base64 decodings of the
// certificates and a JSON parse of them), and its result is a function of
// the segment's bytes alone. A trust therefore remembers the protected
// headers its documents carried, decoded, keyed by the segment exactly as
// received: the members, the header parameters they set and the x5c
// certificates' DER. A header that does not decode is not remembered, so
// an error is always found afresh; nothing remembered is ever written
// after it is put, so one entry serves every verification. The memo is
// bounded in entries and in the size of each segment, and belongs to one
// Trust: a new trust starts empty.

// maxHeaderMemo bounds the headers one trust remembers; maxMemoHeaderSeg
// the size of one segment (larger ones are decoded every time).
const (
	maxHeaderMemo    = 256
	maxMemoHeaderSeg = 16 << 10
)

// protectedHeader is a decoded protected header segment.
type protectedHeader struct {
	members map[string]json.RawMessage // views of the decoded header
	// h holds the parameters the protected members set (setHeader), when
	// hOK: else setting them failed, and is done afresh each time so that
	// the error is the one a fresh parse finds.
	h   joseHeader
	hOK bool
	// x5c is the DER of h.X5c, when every certificate is base64; nil
	// otherwise (jwsSigned then decodes them, to say which one is not).
	x5c [][]byte
	// report is what headerReport makes of the members alone, when every
	// value is a scalar (strings, numbers, booleans, null): copied into
	// each report, never shared, as a report's maps are its reader's.
	report   []reportHeader
	reportOK bool
}

// reportHeader is one reported header parameter.
type reportHeader struct {
	name  string
	value any
}

// headerMemo remembers decoded protected headers (memo.go).
type headerMemo struct{ m *memo }

func newHeaderMemo() *headerMemo { return &headerMemo{m: newMemo(maxHeaderMemo)} }

// decode decodes a protected header segment as decodeHeaderSegment does,
// from the memo when it holds seg. A nil memo decodes every time.
func (hm *headerMemo) decode(seg []byte) (*protectedHeader, error) {
	if hm != nil {
		if e, ok := hm.m.getBytes(seg); ok {
			return e.(*protectedHeader), nil
		}
	}
	m, err := decodeHeaderSegment(seg)
	if err != nil {
		return nil, err
	}
	ph := &protectedHeader{members: m}
	if hm == nil || len(seg) > maxMemoHeaderSeg {
		return ph, nil
	}
	ph.hOK = true
	for name, raw := range m {
		if setHeader(&ph.h, name, raw) != nil {
			ph.hOK = false
			break
		}
	}
	if ph.hOK && len(ph.h.X5c) > 0 {
		ph.x5c = make([][]byte, 0, len(ph.h.X5c))
		for _, c := range ph.h.X5c {
			der, err := base64.StdEncoding.DecodeString(c)
			if err != nil {
				ph.x5c = nil
				break
			}
			ph.x5c = append(ph.x5c, der)
		}
	}
	ph.reportOK = true
	for name, v := range headerReport(m) {
		switch v.(type) {
		case string, float64, bool, nil:
		default:
			ph.reportOK = false
		}
		ph.report = append(ph.report, reportHeader{name, v})
	}
	if !ph.reportOK {
		ph.report = nil
	}
	hm.m.put(string(seg), ph)
	return ph, nil
}

// reportHeaders is headerReport(j.protected, j.unprotected), from the
// protected header's memo entry when it holds them.
func (j *jws) reportHeaders() map[string]any {
	if j.ph == nil || !j.ph.reportOK || len(j.unprotected) > 0 {
		return headerReport(j.protected, j.unprotected)
	}
	out := make(map[string]any, len(j.ph.report))
	for _, h := range j.ph.report {
		out[h.name] = h.value
	}
	return out
}

// headerMemo is the trust's memo of protected headers, nil without a
// trust.
func (v *verification) headerMemo() *headerMemo {
	if v.opts.Trust == nil {
		return nil
	}
	return v.opts.Trust.headerMemo
}
