package abi

import (
	"encoding/base64"
	"errors"
	"math"
	"strconv"
	"time"

	"github.com/apostille/apostille/verifier"
)

// Options are the members of the options JSON that apostille_verify takes
// with each document (docs/abi.md, "options"): verifier.Options without
// what travels otherwise (Trust is loaded once per instance, Payload and
// Proof are raw bytes of the input buffer, Crypto is the host's import).
// Byte-valued members are base64 (standard, padded): they are small.
type Options struct {
	// At is the verification time, RFC 3339. Without it every verdict is
	// indeterminate (time_missing): the module has no clock it trusts.
	At                     string   `json:"at,omitempty"`
	Format                 string   `json:"format,omitempty"`
	MaxSize                int      `json:"max_size,omitempty"`
	ClockSkewSeconds       *float64 `json:"clock_skew_seconds,omitempty"`
	ExternalAAD            string   `json:"external_aad,omitempty"`
	Holder                 *Holder  `json:"holder,omitempty"`
	StatusLists            []string `json:"status_lists,omitempty"`
	AcceptStaleTrustUnsafe bool     `json:"accept_stale_trust_unsafe,omitempty"`
}

// Holder is the holder member of the options JSON (verifier.HolderOptions).
type Holder struct {
	// Not comparable: a comparable struct costs the module an equality
	// function it never calls (0.8 KB).
	_                 [0]func()
	Audience          string `json:"audience,omitempty"`
	Nonce             string `json:"nonce,omitempty"`
	RequireBinding    bool   `json:"require_binding,omitempty"`
	SessionTranscript string `json:"session_transcript,omitempty"`
	ReaderKey         string `json:"reader_key,omitempty"`
}

// AppendOptions appends the options JSON of o to b. Members at their zero
// value are left out; a negative ClockSkew (none) is written as 0, which
// says none.
func AppendOptions(b []byte, o *verifier.Options) []byte {
	b = append(b, '{')
	n := len(b)
	if !o.Time.IsZero() {
		b = append(b, `,"at":"`...)
		b = o.Time.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
	}
	if o.Format != "" {
		b = append(b, `,"format":`...)
		b = AppendString(b, string(o.Format))
	}
	if o.MaxSize > 0 {
		b = append(b, `,"max_size":`...)
		b = strconv.AppendInt(b, int64(o.MaxSize), 10)
	}
	if o.ClockSkew != 0 {
		b = append(b, `,"clock_skew_seconds":`...)
		b = appendSeconds(b, max(o.ClockSkew, 0))
	}
	b = appendBytes(b, `,"external_aad":`, o.ExternalAAD)
	if h := o.Holder; h.Audience != "" || h.Nonce != "" || h.RequireBinding || len(h.SessionTranscript) > 0 || len(h.ReaderKey) > 0 {
		b = append(b, `,"holder":{`...)
		m := len(b)
		if h.Audience != "" {
			b = append(b, `,"audience":`...)
			b = AppendString(b, h.Audience)
		}
		if h.Nonce != "" {
			b = append(b, `,"nonce":`...)
			b = AppendString(b, h.Nonce)
		}
		if h.RequireBinding {
			b = append(b, `,"require_binding":true`...)
		}
		b = appendBytes(b, `,"session_transcript":`, h.SessionTranscript)
		b = appendBytes(b, `,"reader_key":`, h.ReaderKey)
		b = append(dropComma(b, m), '}')
	}
	if len(o.StatusLists) > 0 {
		b = append(b, `,"status_lists":[`...)
		for i, s := range o.StatusLists {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '"')
			b = base64.StdEncoding.AppendEncode(b, s)
			b = append(b, '"')
		}
		b = append(b, ']')
	}
	if o.AcceptStaleTrustUnsafe {
		b = append(b, `,"accept_stale_trust_unsafe":true`...)
	}
	return append(dropComma(b, n), '}')
}

// dropComma removes the comma that the first member written after n
// starts with.
func dropComma(b []byte, n int) []byte {
	if len(b) > n && b[n] == ',' {
		return append(b[:n], b[n+1:]...)
	}
	return b
}

func appendBytes(b []byte, member string, v []byte) []byte {
	if len(v) == 0 {
		return b
	}
	b = append(b, member...)
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, v)
	return append(b, '"')
}

// appendSeconds writes a duration as decimal seconds, exactly: whole
// seconds, then up to nine digits of fraction.
func appendSeconds(b []byte, d time.Duration) []byte {
	b = strconv.AppendInt(b, int64(d/time.Second), 10)
	if ns := int64(d % time.Second); ns != 0 {
		frac := strconv.AppendInt(nil, ns+int64(time.Second), 10)[1:] // nine digits
		for frac[len(frac)-1] == '0' {
			frac = frac[:len(frac)-1]
		}
		b = append(append(b, '.'), frac...)
	}
	return b
}

// ParseOptions reads the options JSON. Unknown members are an error, so
// that a host written for a later ABI does not silently lose an option;
// names match exactly ("AT" is not "at").
// Empty input (or only whitespace) is the zero Options. Like json.Decoder,
// which the module once used, it reads the first JSON value of data: what
// follows it is not looked at, and a member given twice takes its last
// value.
func ParseOptions(data []byte) (verifier.Options, error) {
	var o Options
	if err := verifier.DecodeJSON(data, &o); err != nil {
		return verifier.Options{}, err
	}
	return o.Options()
}

// Options converts the decoded members.
func (o *Options) Options() (verifier.Options, error) {
	var v verifier.Options
	if o.At != "" {
		t, err := time.Parse(time.RFC3339Nano, o.At)
		if err != nil {
			return v, errors.New(`"at" is not an RFC 3339 time`)
		}
		v.Time = t
	}
	v.Format = verifier.Format(o.Format)
	v.MaxSize = o.MaxSize
	if s := o.ClockSkewSeconds; s != nil {
		// Rounded, not truncated, so that the decimal seconds the encoder
		// writes give back the same nanoseconds; clamped, so that every
		// platform converts alike.
		switch ns := math.Round(*s * float64(time.Second)); {
		case !(ns > 0):
			v.ClockSkew = -1 // zero given explicitly means none
		case ns >= math.MaxInt64:
			v.ClockSkew = math.MaxInt64
		default:
			v.ClockSkew = time.Duration(ns)
		}
	}
	var err error
	if v.ExternalAAD, err = optionBytes(o.ExternalAAD, "external_aad"); err != nil {
		return v, err
	}
	if h := o.Holder; h != nil {
		v.Holder.Audience, v.Holder.Nonce, v.Holder.RequireBinding = h.Audience, h.Nonce, h.RequireBinding
		if v.Holder.SessionTranscript, err = optionBytes(h.SessionTranscript, "holder.session_transcript"); err != nil {
			return v, err
		}
		if v.Holder.ReaderKey, err = optionBytes(h.ReaderKey, "holder.reader_key"); err != nil {
			return v, err
		}
	}
	for _, s := range o.StatusLists {
		b, err := optionBytes(s, "status_lists")
		if err != nil {
			return v, err
		}
		v.StatusLists = append(v.StatusLists, b)
	}
	v.AcceptStaleTrustUnsafe = o.AcceptStaleTrustUnsafe
	return v, nil
}

func optionBytes(s, name string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, errors.New(`"` + name + `" is not base64`)
	}
	return b, nil
}
