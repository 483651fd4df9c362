package verifier

import (
	"time"
)

// Format names an input format. The zero value asks Verify to detect it.
type Format string

const (
	FormatDetect     Format = ""
	FormatJWS        Format = "jws"         // compact or JSON serialization, JWT included
	FormatCOSE       Format = "cose"        // COSE_Sign1, tagged or not, CWT included; raw, hex or base64
	FormatDCC        Format = "dcc"         // EU Digital COVID Certificate, "HC1:…"
	FormatMDoc       Format = "mdoc"        // ISO/IEC 18013-5 DeviceResponse or IssuerSigned
	FormatSDJWT      Format = "sd-jwt"      // SD-JWT (VC), compact or JSON serialization
	FormatAttested   Format = "attested"    // an Apostille bundle: document plus tlog proof
	FormatASiC       Format = "asic"        // a DigiDoc container: ASiC-E (.asice, .sce), BDOC 2.1 (.bdoc), ASiC-S with XAdES
	formatJWSCompact Format = "jws-compact" // reported formats
	formatJWSJSON    Format = "jws-json"
	formatCOSESign1  Format = "cose-sign1"
)

const (
	// DefaultMaxSize is the input size limit when Options.MaxSize is 0
	// and the input is not a container.
	DefaultMaxSize = 1 << 20
	// DefaultContainerMaxSize is the input size limit when Options.MaxSize
	// is 0 and the input is a ZIP container (ASiC-E, BDOC, ASiC-S): a
	// signed PDF with its XAdES signatures is commonly 1 to 30 MB. The
	// container reader keeps its own bounds on entries, inflated sizes and
	// compression ratios.
	DefaultContainerMaxSize = 64 << 20
	// DefaultClockSkew is the tolerance applied to exp, nbf and iat when
	// Options.ClockSkew is 0. It absorbs clocks that are a little off at the
	// issuer or the verifier, not documents that are really out of date.
	DefaultClockSkew = 60 * time.Second
)

// Options says what to verify against. It is a plain struct whose zero value
// is strict: no trust (every issuer unknown), no verification time (every
// verification indeterminate), format detected, no weakened check. Options
// whose name ends in Unsafe weaken a check; a report says when one was used.
type Options struct {
	// Trust is what decides whom to trust. Nil trusts no one.
	Trust *Trust

	// Time is the verification time. Required: the verifier never reads a
	// clock, so that a browser, a server and a replay of last year's batch
	// decide alike.
	Time time.Time

	// Format is the expected format; FormatDetect (the zero value) detects.
	Format Format

	// Payload is the detached content of a JWS or COSE_Sign1 whose payload
	// is not carried in the document.
	Payload []byte

	// Proof is a detached c2sp.org/tlog-proof@v1 for the document.
	Proof []byte

	// ExternalAAD is COSE external additional authenticated data
	// (RFC 9052 section 4.3); empty for almost every document.
	ExternalAAD []byte

	// MaxSize bounds the input in bytes, checked before any parsing, for
	// every format. 0 means the default of the input's kind (MaxSizeFor):
	// DefaultContainerMaxSize for a ZIP container, else DefaultMaxSize.
	MaxSize int

	// ClockSkew is the tolerance for exp, nbf and iat. 0 means
	// DefaultClockSkew; a negative value means none.
	ClockSkew time.Duration

	// Holder carries what the caller expects of a presentation's holder
	// binding (SD-JWT KB-JWT audience and nonce, mdoc session transcript).
	Holder HolderOptions

	// StatusLists are status list tokens (JWT or CWT) the host fetched for
	// documents that carry a status reference. The verifier never fetches.
	StatusLists [][]byte

	// AcceptStaleTrustUnsafe accepts a trust bundle past its next_update.
	AcceptStaleTrustUnsafe bool

	// Crypto, when set, is offered every signature check first; see
	// CryptoFunc. Nil means the verifier's own Go crypto.
	Crypto CryptoFunc

	// Hash, when set, makes the digests of large inputs (a container's
	// data files, an attested document's log entry); see HashFunc. Nil
	// means the verifier's own.
	Hash HashFunc
}

// HolderOptions are the caller's expectations of a presentation.
type HolderOptions struct {
	// Audience, when set, must equal the KB-JWT aud.
	Audience string
	// Nonce, when set, must equal the KB-JWT nonce.
	Nonce string
	// RequireBinding makes a presentation without key binding fail.
	RequireBinding bool
	// SessionTranscript is the CBOR SessionTranscript for mdoc device
	// authentication (or SessionTranscriptBytes, its tag-24 form); without
	// it device authentication is skipped.
	SessionTranscript []byte
	// ReaderKey is the reader's ephemeral private key of the session (the
	// raw EC private scalar), needed only to check an mdoc whose device
	// authenticates with a MAC rather than a signature (ISO/IEC 18013-5
	// 9.1.3.5).
	ReaderKey []byte
}

func (o *Options) skew() time.Duration {
	switch {
	case o.ClockSkew == 0:
		return DefaultClockSkew
	case o.ClockSkew < 0:
		return 0
	}
	return o.ClockSkew
}
