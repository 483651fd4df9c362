package verifier

import (
	"bytes"
	"encoding/base64"
	"errors"
	"reflect"
	"time"
)

// ParseOptions reads Options from the JSON a host hands the WebAssembly
// module with each document (docs/abi.md, "options"). Byte-valued members
// are base64 (standard, padded): they are small. Unknown members are an
// error, so that a host written for a later ABI does not silently lose an
// option. Empty input (or only whitespace) is the zero Options.
//
// It reads the first JSON value of data, as json.Decoder did when the
// module decoded options with encoding/json: what follows that value is
// not looked at, and a member given twice takes its last value.
func ParseOptions(data []byte) (Options, error) {
	var o optionsJSON
	if len(bytes.TrimSpace(data)) > 0 {
		end, err := scanJSONValue(data)
		if err != nil {
			return Options{}, err
		}
		raw := data[skipSpace(data, 0):end]
		if err := (jsonInto{disallowUnknown: true}).value(raw, reflect.ValueOf(&o).Elem()); err != nil {
			return Options{}, err
		}
	}
	return o.options()
}

// options converts the decoded members.
func (o *optionsJSON) options() (Options, error) {
	var v Options
	if o.At != "" {
		t, err := time.Parse(time.RFC3339Nano, o.At)
		if err != nil {
			return v, errors.New(`"at" is not an RFC 3339 time`)
		}
		v.Time = t
	}
	v.Format = Format(o.Format)
	v.MaxSize = o.MaxSize
	if o.ClockSkewSeconds != nil {
		v.ClockSkew = time.Duration(*o.ClockSkewSeconds * float64(time.Second))
		if v.ClockSkew <= 0 {
			v.ClockSkew = -1 // zero given explicitly means none
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

// optionsJSON is the options object of docs/abi.md.
type optionsJSON struct {
	// At is the verification time, RFC 3339. Required: the module has no
	// clock of its own that it would trust.
	At               string   `json:"at"`
	Format           string   `json:"format,omitempty"`
	MaxSize          int      `json:"max_size,omitempty"`
	ClockSkewSeconds *float64 `json:"clock_skew_seconds,omitempty"`
	ExternalAAD      string   `json:"external_aad,omitempty"`
	Holder           *struct {
		Audience          string `json:"audience,omitempty"`
		Nonce             string `json:"nonce,omitempty"`
		RequireBinding    bool   `json:"require_binding,omitempty"`
		SessionTranscript string `json:"session_transcript,omitempty"`
	} `json:"holder,omitempty"`
	StatusLists            []string `json:"status_lists,omitempty"`
	AcceptStaleTrustUnsafe bool     `json:"accept_stale_trust_unsafe,omitempty"`
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
