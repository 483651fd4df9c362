package tsl

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"io"
	"strings"
	"time"

	"github.com/beevik/etree"
)

// Default limits of Options.
const (
	DefaultMaxSize  = 64 << 20
	DefaultMaxDepth = 64
)

// Options say how a list is judged.
type Options struct {
	// Signers are the certificates that may sign the list: the LOTL's
	// signers from the Official Journal for the LOTL, the certificates of
	// the LOTL's pointer for a national list. Required.
	Signers []*x509.Certificate
	// At is the time against which the signer's validity,
	// ListIssueDateTime and NextUpdate are judged; zero is now.
	At time.Time
	// Territory, when set, is the SchemeTerritory the list must have.
	Territory string
	// MinSequence refuses a list whose TSLSequenceNumber is lower (the
	// sequence a previous import kept).
	MinSequence uint64
	// Unsafe accepts a list whose NextUpdate has passed, with a warning.
	Unsafe bool
	// MaxSize (bytes) and MaxDepth bound the input; zero takes the
	// defaults.
	MaxSize  int
	MaxDepth int
}

// Read verifies a trusted list and returns what its signed content says.
// A refused list is an *Error.
func Read(data []byte, o Options) (*List, error) {
	if o.MaxSize <= 0 {
		o.MaxSize = DefaultMaxSize
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = DefaultMaxDepth
	}
	if o.At.IsZero() {
		o.At = time.Now()
	}
	if len(data) > o.MaxSize {
		return nil, refuse(ReasonTooLarge, "%d bytes, more than %d", len(data), o.MaxSize)
	}
	if err := prescan(data, o.MaxDepth); err != nil {
		return nil, err
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(data); err != nil {
		return nil, refuse(ReasonMalformed, "not well-formed XML")
	}
	root := doc.Root()
	if root == nil || root.Tag != "TrustServiceStatusList" || root.NamespaceURI() != nsTSL {
		return nil, refuse(ReasonMalformed, "the root is not a TS 119 612 TrustServiceStatusList")
	}
	signed, signer, err := verifySignature(data, root, o)
	if err != nil {
		return nil, err
	}
	l, err := parseList(signed)
	if err != nil {
		return nil, err
	}
	l.Signer = signer
	if err := judge(l, o); err != nil {
		return nil, err
	}
	return l, nil
}

// prescan refuses a DOCTYPE or ENTITY declaration before any parser that
// could expand one sees the input, and nesting deeper than maxDepth; it
// reads tokens only and stops at the first refusal.
func prescan(data []byte, maxDepth int) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	depth := 0
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			if depth != 0 {
				return refuse(ReasonMalformed, "unclosed element")
			}
			return nil
		}
		if err != nil {
			return refuse(ReasonMalformed, "not well-formed XML")
		}
		switch t := tok.(type) {
		case xml.Directive:
			// <!DOCTYPE ...>, <!ENTITY ...> and their kin.
			return refuse(ReasonDoctype, "a <!%s declaration", firstWord(t))
		case xml.StartElement:
			depth++
			if depth > maxDepth {
				return refuse(ReasonTooDeep, "elements nest deeper than %d", maxDepth)
			}
		case xml.EndElement:
			depth--
		}
	}
}

func firstWord(b []byte) string {
	s := strings.Fields(string(b))
	if len(s) == 0 {
		return ""
	}
	if len(s[0]) > 16 {
		return s[0][:16]
	}
	return s[0]
}

// judge checks the list's dates and sequence against the options.
func judge(l *List, o Options) error {
	if o.Territory != "" && !strings.EqualFold(l.Territory, o.Territory) {
		return refuse(ReasonTerritory, "the list is for %q, expected %q", l.Territory, o.Territory)
	}
	if l.IssueDate.IsZero() {
		return refuse(ReasonMalformed, "no ListIssueDateTime")
	}
	if l.IssueDate.After(o.At) {
		return refuse(ReasonIssueDateFuture, "issued %s, after %s", l.IssueDate.Format(time.RFC3339), o.At.UTC().Format(time.RFC3339))
	}
	if !l.NextUpdate.IsZero() && l.NextUpdate.Before(o.At) {
		if !o.Unsafe {
			return refuse(ReasonNextUpdatePassed, "next update was due %s, before %s", l.NextUpdate.Format(time.RFC3339), o.At.UTC().Format(time.RFC3339))
		}
		l.Warnings = append(l.Warnings, ReasonNextUpdatePassed+": next update was due "+l.NextUpdate.Format(time.RFC3339)+" (accepted as unsafe)")
	}
	if l.Sequence < o.MinSequence {
		return refuse(ReasonSequenceRollback, "sequence %d is older than %d, kept by a previous import", l.Sequence, o.MinSequence)
	}
	return nil
}

// decodeB64 reads base64 with white space inside (as XML carries it).
func decodeB64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
	return base64.StdEncoding.DecodeString(s)
}
