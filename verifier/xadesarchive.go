package verifier

// The archive time stamp of a XAdES B-LTA signature (ETSI EN 319 132-1
// 5.5.2, XAdES 1.4.1's ArchiveTimeStamp): it stamps everything the
// signature and its validation data are, so that they still prove
// something once their algorithms or certificates have aged.

import (
	"bytes"
	"io"
	"time"
)

// archiveInput is what an ArchiveTimeStamp's imprint is over (EN 319 132-1
// 5.5.2.2): the referenced data of each SignedInfo reference as it was
// digested, then SignedInfo, SignatureValue and KeyInfo, then the unsigned
// signature properties that precede the time stamp, then the ds:Object
// elements other than the one holding QualifyingProperties; every element
// canonicalised with the time stamp's method.
// It is written to w (the imprint's hash: a data file is streamed, never
// held twice).
func (s *xadesSignature) archiveInput(refs []dsigRef, ts xadesTimeStamp, b io.Writer) error {
	m, err := c14nMethodOf(ts.C14N, "")
	if err != nil {
		return err
	}
	canon := func(e *xmlElement) error {
		out, err := canonicalize(e, m, nil)
		b.Write(out)
		return err
	}
	for i := range refs {
		r := &refs[i]
		if r.props {
			rm := c14nMethod{URI: c14n10URI}
			if r.ref.c14n != nil {
				rm = *r.ref.c14n
			}
			out, err := canonicalize(s.signedProps, rm, nil)
			if err != nil {
				return err
			}
			b.Write(out)
			continue
		}
		if r.File == nil {
			return readFail(SignedFileMissing, "a signed data file is not in the container")
		}
		if err := r.File.entry.stream(b); err != nil {
			return err
		}
	}
	for _, e := range []*xmlElement{s.signedInfo, s.signatureValue, s.sig.Child(dsNS, "KeyInfo")} {
		if e != nil {
			if err := canon(e); err != nil {
				return err
			}
		}
	}
	for _, p := range ts.el.Parent.Elements() {
		if p == ts.el {
			break
		}
		if err := canon(p); err != nil {
			return err
		}
	}
	for _, o := range s.sig.ChildrenNamed(dsNS, "Object") {
		if _, n := o.firstNamed(xadesNS, "QualifyingProperties"); n == 0 {
			if err := canon(o); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkArchiveTimeStamps checks each archive time stamp: its imprint over
// archiveInput, its signature and its TSA, granted when it stamped, and
// that it comes after the signature time stamp.
func (k *containerCheck) checkArchiveTimeStamps(refs []dsigRef, after time.Time) error {
	for _, ts := range k.s.ArchiveTimeStamps {
		tok, err := parseTimeStampToken(ts.Token, k.v.certMemo())
		if err != nil {
			return err
		}
		d := k.v.opts.Hash.new(tok.ImprintHash)
		if err := k.s.archiveInput(refs, ts, d); err != nil {
			return err
		}
		if !bytes.Equal(d.Sum(nil), tok.Imprint) {
			return readFail(TimeProofMismatch, "the archive time stamp's message imprint is not the digest of the signature and its validation data")
		}
		if _, err := k.checkTSA(tok); err != nil {
			return err
		}
		if tok.GenTime.Before(after) {
			return readFail(TimeProofMismatch, "an archive time stamp is older than the signature time stamp")
		}
	}
	return nil
}
