//go:build wasip1

package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	"github.com/apostille/apostille/verifier"
)

// options is the JSON a host passes with each document (docs/abi.md).
// Byte-valued members are base64 (standard, padded): they are small. The
// document, a detached payload and a proof travel raw in the input buffer.
type options struct {
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

// parseOptions reads the options JSON. Unknown members are an error, so that
// a host written for a later ABI does not silently lose an option.
func parseOptions(b []byte) (verifier.Options, error) {
	var o options
	var v verifier.Options
	if len(bytes.TrimSpace(b)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&o); err != nil {
			return v, err
		}
	}
	if o.At != "" {
		t, err := time.Parse(time.RFC3339Nano, o.At)
		if err != nil {
			return v, errors.New(`"at" is not an RFC 3339 time`)
		}
		v.Time = t
	}
	v.Format = verifier.Format(o.Format)
	v.MaxSize = o.MaxSize
	if o.ClockSkewSeconds != nil {
		v.ClockSkew = time.Duration(*o.ClockSkewSeconds * float64(time.Second))
		if v.ClockSkew <= 0 {
			v.ClockSkew = -1 // zero given explicitly means none
		}
	}
	var err error
	if v.ExternalAAD, err = b64(o.ExternalAAD, "external_aad"); err != nil {
		return v, err
	}
	if h := o.Holder; h != nil {
		v.Holder.Audience, v.Holder.Nonce, v.Holder.RequireBinding = h.Audience, h.Nonce, h.RequireBinding
		if v.Holder.SessionTranscript, err = b64(h.SessionTranscript, "holder.session_transcript"); err != nil {
			return v, err
		}
	}
	for _, s := range o.StatusLists {
		b, err := b64(s, "status_lists")
		if err != nil {
			return v, err
		}
		v.StatusLists = append(v.StatusLists, b)
	}
	v.AcceptStaleTrustUnsafe = o.AcceptStaleTrustUnsafe
	return v, nil
}

func b64(s, name string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, errors.New(`"` + name + `" is not base64`)
	}
	return b, nil
}

// appendJSONString appends s as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s)
	return append(b, q...)
}
