package verifier

// The references of a container signature, as XAdES in an ASiC container
// uses XMLDSig (xmldsig.go): detached ones to the container's data files
// and exactly one to this signature's SignedProperties. A same-document
// reference to anything else is refused as wrapping: nothing a container
// signature signs may be judged apart from what the container shows.

import (
	"crypto"
	"crypto/rsa"
)

// dsigRef is one reference of SignedInfo with what it resolved to.
type dsigRef struct {
	xmlRefResult
	// File is the data file a detached reference names, nil when the
	// container lacks it or for the SignedProperties reference.
	File  *asicFile
	props bool
	ref   *xmlReference
}

// checkRefs digests SignedInfo's references (lookup resolves a detached
// one to a data file) and holds them to the container profile. Failures:
// SignatureWrapping for a same-document reference to anything but this
// signature's SignedProperties, or a SignedProperties reference elsewhere;
// Malformed for no or two SignedProperties references; SignedFileMissing
// for a data file the container lacks; DigestMismatch for a digest that
// differs.
func (s *xadesSignature) checkRefs(lookup func(name string) *asicFile, hf HashFunc) ([]dsigRef, error) {
	files := map[string]*asicFile{}
	resolve := func(name string, h crypto.Hash) ([]byte, error) {
		f := lookup(name)
		if f == nil {
			return nil, readFail(SignedFileMissing, "a signed data file is not in the container")
		}
		files[name] = f
		return f.Digest(h)
	}
	results := s.dsig.CheckReferences(resolve, hf)
	refs := make([]dsigRef, len(results))
	props := 0
	for i, r := range results {
		ref := &s.dsig.References[i]
		refs[i] = dsigRef{xmlRefResult: r, ref: ref}
		switch {
		case r.SameDocument && r.Target != nil && r.Target != s.signedProps:
			return nil, readFail(SignatureWrapping, "a reference to an element other than this signature's SignedProperties")
		case r.SameDocument && r.Target == s.signedProps:
			if ref.Type != signedPropertiesType {
				return nil, readFail(Malformed, "the SignedProperties reference lacks its Type")
			}
			refs[i].props = true
			props++
		case ref.Type == signedPropertiesType:
			return nil, readFail(SignatureWrapping, "a SignedProperties reference that is not to this signature")
		case !r.SameDocument:
			refs[i].File = files[r.URI]
		}
	}
	if props != 1 {
		return nil, readFail(Malformed, "SignedInfo references SignedProperties %d times; once is required", props)
	}
	for _, r := range refs {
		if r.Err != nil {
			return nil, r.Err
		}
		if !r.Match {
			return nil, readFail(DigestMismatch, "a reference's digest does not match")
		}
	}
	return refs, nil
}

// checkValue verifies SignatureValue with the signing certificate's key.
// ID cards issued until 2011 had 1024-bit RSA keys, which the verifier's
// crypto path refuses: their signatures are checked here, so that what
// else is wrong with the signature decides first, and refused at the end
// (weakKey), as EN 319 102-1's signature acceptance validation comes after
// the chain and the proofs.
func (s *xadesSignature) checkValue(o *Options) error {
	err := s.dsig.VerifyValue(o, s.Certificate)
	k, isRSA := s.Certificate.PublicKey.(*rsa.PublicKey)
	info, _ := algInfoOf(s.dsig.Alg)
	if errReason(err) != AlgNotAllowed || !isRSA || info.family != 'R' || k.N.BitLen() < 1024 || k.N.BitLen() >= minRSABits {
		return err
	}
	d := info.hash.New()
	d.Write(s.dsig.SignedInfoC14N)
	if rsa.VerifyPKCS1v15(k, info.hash, d.Sum(nil), s.Value) != nil {
		return readFail(SignatureInvalid, "the signature value does not verify")
	}
	s.weakKey = true
	return nil
}
