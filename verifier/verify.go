// Package verifier verifies signed government documents and data-embassy
// attestations, and always answers with a Report.
//
// It is pure Go with no network, no file system, no clock and no global
// state, so that it compiles unchanged to the WebAssembly module that runs in
// browsers, under wazero and in other people's programs, and decides the
// same everywhere. The verification time is an input (Options.Time).
package verifier

import (
	"errors"
	"fmt"
)

// Verify verifies one document and returns its report. It never panics and
// never returns nil: bad input gets a report with a reason code.
func Verify(input []byte, opts Options) *Report {
	rep, _ := verifyMetered(input, opts)
	return rep
}

// verifyMetered is Verify, also saying what the verification cost.
func verifyMetered(input []byte, opts Options) (rep *Report, work workMeter) {
	// One allocation for the verification, its options and its report.
	v := &verification{optsStore: opts}
	v.opts = &v.optsStore
	v.repStore.init(opts.Time)
	v.rep = &v.repStore
	defer func() {
		work = v.work
		if r := recover(); r != nil {
			// A bug of ours must not take the host down, nor pass for a
			// verdict on the document.
			b := newReport(opts.Time)
			b.fail(CheckInput, Internal, "the verifier failed on this input")
			rep = b.finish()
		}
	}()
	if limit := MaxSizeFor(input, opts.MaxSize); len(input) > limit {
		v.rep.fail(CheckInput, TooLarge, fmt.Sprintf("%d bytes; the limit is %d", len(input), limit))
		return v.rep.finish(), v.work
	}
	if opts.Time.IsZero() {
		v.rep.fail(CheckInput, TimeMissing, "no verification time was given")
		return v.rep.finish(), v.work
	}
	v.run(input)
	return v.rep.finish(), v.work
}

// verification is the state of one Verify call.
type verification struct {
	opts *Options
	rep  *report
	// issuer is the trusted issuer that signed the document, once known.
	issuer *Issuer
	// input is the document as given, for checks that bind to its exact
	// bytes (embassy attestations hash the document as received).
	input []byte
	// proof is the document's tlog proof: Options.Proof, or the one
	// bundled in an attested document.
	proof []byte
	// work counts what bounds a verification's cost (docs/security.md,
	// "Work per document"); tests hold it to those bounds.
	work workMeter
	// optsStore and repStore hold what opts and rep point to.
	optsStore Options
	repStore  report
}

// workMeter counts the expensive steps of one verification.
type workMeter struct {
	// chainBuilds is how many certificate chains were built (x509 Verify
	// calls, each at most 100 signature checks by crypto/x509's own cap).
	chainBuilds int
}

func (v *verification) run(input []byte) {
	v.input, v.proof = input, v.opts.Proof
	if !v.checkTrust() { // bundlesign.go: report the trust, refuse stale trust
		return
	}
	format, data, err := detect(input, v.opts.Format)
	if err != nil {
		v.rep.fail(CheckDecode, Malformed, err.Error())
		return
	}
	if format == FormatAttested {
		if format, data, err = v.unbundle(data); err != nil {
			v.rep.fail(CheckDecode, Malformed, err.Error())
			return
		}
	}
	if !v.optionsFit(format) {
		return
	}
	switch format {
	case FormatJWS:
		v.verifyJWS(data)
	case FormatCOSE:
		v.verifyCOSE(data)
	case FormatDCC:
		v.verifyDCC(data)
	case FormatSDJWT:
		v.verifySDJWT(data)
	case FormatMDoc:
		v.verifyMDoc(data)
	case FormatASiC:
		v.verifyContainer(data)
	default:
		v.rep.fail(CheckDecode, UnsupportedFormat, fmt.Sprintf("format %q is not supported", clip(string(format))))
		return
	}
	v.bindingDemanded(format)
	// Every format ends here: the attestation binds the exact bytes of
	// whatever document was verified above.
	v.attest()
}

// optionsFit refuses options that ask for something the detected format
// cannot give, rather than ignoring them: detached content for a document
// that carries its own (the user's file would never be checked), external
// AAD for a JWS, which has nowhere to bind it. Format detection never
// turns a check the caller asked for into a check skipped.
func (v *verification) optionsFit(format Format) bool {
	cose := format == FormatCOSE || format == FormatDCC || format == FormatMDoc
	switch {
	case len(v.opts.Payload) > 0 && format != FormatJWS && format != FormatCOSE:
		v.rep.fail(CheckDecode, Malformed, fmt.Sprintf("detached content was given, but this document (%s) carries its own", format))
	case len(v.opts.ExternalAAD) > 0 && !cose:
		v.rep.fail(CheckDecode, Malformed, fmt.Sprintf("external AAD was given, but this document (%s) cannot bind it: only COSE signs it", format))
	default:
		return true
	}
	return false
}

// bindingDemanded holds the caller's demand for holder binding against
// every format: a document whose format has no binding (a JWS, a COSE
// token, an SD-JWT cut before its first '~') or whose binding was not
// checked is never valid when binding was required.
func (v *verification) bindingDemanded(format Format) {
	if !v.opts.bindingRequired() || !v.rep.passed(CheckDecode) {
		return
	}
	for _, c := range v.rep.r.Checks {
		if c.Check == CheckHolderBinding && (c.Status == Passed || c.Status == Failed || c.Status == StatusIndeterminate) {
			return
		}
	}
	v.rep.fail(CheckHolderBinding, HolderBindingInvalid, fmt.Sprintf("holder binding is required, and this document (%s) carries none", format))
}

// unbundle opens an attested document: the document inside becomes the
// input (its bytes are what the proof binds) and its proof the proof.
func (v *verification) unbundle(data []byte) (Format, []byte, error) {
	doc, proof, err := parseAttested(data)
	if err != nil {
		return "", nil, err
	}
	if len(v.opts.Proof) > 0 {
		return "", nil, errors.New("an attested document carries its proof; a second, detached proof is ambiguous")
	}
	v.input, v.proof = doc, proof
	format, data, err := detect(doc, FormatDetect)
	if err == nil && format == FormatAttested {
		err = errors.New("an attested document inside an attested document")
	}
	return format, data, err
}
