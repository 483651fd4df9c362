package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/apostille/apostille/internal/tlog"
	"github.com/apostille/apostille/verifier"
)

// The demo's document logs and data embassies.
const (
	OriginEE = "log.rahvastikuregister.example.ee/documents"
	OriginLU = "log.ctie.example.lu/documents"

	// The Estonian data embassy, hosted in Luxembourg, and its
	// Luxembourgish counterpart, hosted in Estonia.
	EmbassyEEInLU = "data-embassy.example.ee/luxembourg"
	EmbassyLUInEE = "data-embassy.example.lu/tallinn"
)

// CosignedAt is when the demo's embassies cosigned: fixed, so that the
// demo is repeatable, and after Issued.
var CosignedAt = Issued.Add(time.Hour)

// demoLog is one issuer's log in the demo.
type demoLog struct {
	issuer, origin, dir string
	docs                []int // indexes of w.Man.Samples, in log order
	bytes               [][]byte
	cosigned            []byte // the checkpoint with both embassies' cosignatures
}

// attestations logs every genuine document of the Estonian population
// register and of Luxembourg's CTIE (whatever step made it: it runs last),
// has both embassies cosign, writes <document>.tlog-proof next to each, puts
// the issuers' attestation policies and the embassies in the trust bundle,
// and adds the bad cases: unattested, a proof of another document, a proof
// from a forked log, and an attested bundle.
func (w *World) attestations() error {
	ctx := context.Background()
	embEE, err := tlog.NewCosigner(tlog.SKey(EmbassyEEInLU, w.derive("embassy/ee-in-lu", 32)))
	if err != nil {
		return err
	}
	embLU, err := tlog.NewCosigner(tlog.SKey(EmbassyLUInEE, w.derive("embassy/lu-in-ee", 32)))
	if err != nil {
		return err
	}
	for _, c := range []*tlog.Cosigner{embEE, embLU} {
		c.Clock = func() time.Time { return CosignedAt }
	}
	logs := map[string]*demoLog{
		IssuerEEPopulation: {issuer: IssuerEEPopulation, origin: OriginEE, dir: "logs/" + IssuerEEPopulation},
		IssuerLUCTIE:       {issuer: IssuerLUCTIE, origin: OriginLU, dir: "logs/" + IssuerLUCTIE},
	}
	if err := w.collectLogged(logs); err != nil {
		return err
	}

	// Bad cases signed by the Estonian register: never logged; logged
	// nowhere but carrying another document's proof; logged in a fork.
	ee := w.ECKey("issuer/" + IssuerEEPopulation)
	sign := func(number, extra string) ([]byte, error) {
		c := claims(map[string]any{"iss": "https://rahvastikuregister.example.ee", "vct": TypeBirthCertificate,
			"iat": Issued.Unix(), "exp": Until.Unix(), "place_of_birth": "Tartu", "document_number": number, "note": extra})
		return SignJWS(c, "ES256", ee, map[string]any{"kid": KidEEPopulation, "typ": "JWT"})
	}
	unattested, err := sign("EE-BC-2026-000901", "never logged")
	if err != nil {
		return err
	}
	otherProof, err := sign("EE-BC-2026-000902", "carries another document's proof")
	if err != nil {
		return err
	}
	forked, err := sign("EE-BC-2026-000903", "logged in a fork of the register's log")
	if err != nil {
		return err
	}

	signers := map[string]string{}
	for _, l := range []*demoLog{logs[IssuerEEPopulation], logs[IssuerLUCTIE]} {
		skey := tlog.SKey(l.origin, w.derive("log/"+l.issuer, 32))
		signers[l.issuer] = skey
		cp, err := w.buildLog(ctx, l.dir, skey, l.bytes)
		if err != nil {
			return err
		}
		if l.cosigned, err = cosignDemo(cp, embEE, embLU); err != nil {
			return err
		}
		p, err := tlog.NewProver(ctx, tlog.DirSource(filepath.Join(w.Dir, l.dir)), l.cosigned)
		if err != nil {
			return err
		}
		for i, si := range l.docs {
			proof, err := p.Proof(ctx, uint64(i))
			if err != nil {
				return err
			}
			s := &w.Man.Samples[si]
			s.Proof = s.File + ProofSuffix
			if err := w.write(s.Proof, proof); err != nil {
				return err
			}
		}
		vkey, _ := tlog.VKey(skey, tlog.KindLog)
		w.setPolicy(l.issuer, fmt.Sprintf("# %s's document log, and the two data embassies.\nlog %s\nwitness ee-in-lu %s\nwitness lu-in-ee %s\ngroup embassies any ee-in-lu lu-in-ee\nquorum embassies\n",
			l.issuer, vkey, embEE.VKey(), embLU.VKey()), l.issuer == IssuerEEPopulation)
	}
	w.Bundle.Embassies = append(w.Bundle.Embassies,
		verifier.BundleEmbassy{Name: "Eesti andmesaatkond Luxembourgis (Estonian data embassy in Luxembourg)", Country: "LU", Key: embEE.VKey()},
		verifier.BundleEmbassy{Name: "Ambassade de données du Luxembourg en Estonie (Luxembourg data embassy in Estonia)", Country: "EE", Key: embLU.VKey()},
	)

	eeLog := logs[IssuerEEPopulation]
	if len(eeLog.docs) == 0 || len(logs[IssuerLUCTIE].docs) == 0 {
		return fmt.Errorf("demo: no genuine documents to log")
	}
	if err := w.addDocument(Sample{File: "ee-birth-certificate-unattested.jwt", Title: "Birth certificate, not in the register's log", Format: "jws-compact",
		Verdict: "indeterminate", Reason: "attestation_missing", Description: "Well signed, but no embassy attests that the register logged it, and the register's policy requires it."}, unattested); err != nil {
		return err
	}
	if err := w.addDocument(Sample{File: "ee-birth-certificate-other-proof.jwt", Title: "Birth certificate with another document's proof", Format: "jws-compact",
		Verdict: "invalid", Reason: "proof_invalid", Description: "Well signed, but the log proof beside it is for a different document.",
		Proof: "documents/ee-birth-certificate-other-proof.jwt" + ProofSuffix}, otherProof); err != nil {
		return err
	}
	stolen, err := os.ReadFile(filepath.Join(w.Dir, w.Man.Samples[eeLog.docs[0]].Proof))
	if err != nil {
		return err
	}
	if err := w.write("documents/ee-birth-certificate-other-proof.jwt"+ProofSuffix, stolen); err != nil {
		return err
	}
	// The fork: the register's log with its last entry replaced, signed by
	// the register's key at the same size, with the embassies' lines copied
	// from the real checkpoint. They cosigned another tree, so they count
	// for nothing.
	forkDocs := append(append([][]byte{}, eeLog.bytes[:len(eeLog.bytes)-1]...), forked)
	forkCP, err := w.buildLog(ctx, eeLog.dir+"-fork", signers[IssuerEEPopulation], forkDocs)
	if err != nil {
		return err
	}
	forkCP = append(forkCP, eeLog.cosigned[len(textAndLogSig(eeLog.cosigned)):]...)
	p, err := tlog.NewProver(ctx, tlog.DirSource(filepath.Join(w.Dir, eeLog.dir+"-fork")), forkCP)
	if err != nil {
		return err
	}
	forkProof, err := p.Proof(ctx, uint64(len(forkDocs)-1))
	if err != nil {
		return err
	}
	if err := w.addDocument(Sample{File: "ee-birth-certificate-forked-log.jwt", Title: "Birth certificate logged in a forked log", Format: "jws-compact",
		Verdict: "indeterminate", Reason: "quorum_not_met", Description: "Its proof is from a fork of the register's log that no embassy holds: the embassies' cosignatures are for the real log.",
		Proof: "documents/ee-birth-certificate-forked-log.jwt" + ProofSuffix}, forked); err != nil {
		return err
	}
	if err := w.write("documents/ee-birth-certificate-forked-log.jwt"+ProofSuffix, forkProof); err != nil {
		return err
	}
	// One document and its proof in a single file.
	lu := logs[IssuerLUCTIE]
	luProof, err := os.ReadFile(filepath.Join(w.Dir, w.Man.Samples[lu.docs[0]].Proof))
	if err != nil {
		return err
	}
	return w.addDocument(Sample{File: "lu-residence-attestation.attested", Title: "Residence attestation with its proof, in one file", Format: "attested",
		Verdict: "valid", Description: "The Luxembourg token and its embassy-cosigned log proof bundled as an apostille/attested@v1 document."},
		verifier.AttestedDocument(lu.bytes[0], luProof))
}

// ProofSuffix names a document's detached proof: <document>.tlog-proof.
const ProofSuffix = ".tlog-proof"

// collectLogged finds the samples so far that an issuer with a log really
// issued (their signature verifies: tampered copies were never logged).
func (w *World) collectLogged(logs map[string]*demoLog) error {
	js, err := json.Marshal(w.Bundle)
	if err != nil {
		return err
	}
	trust, err := verifier.ParseTrust("demo", js)
	if err != nil {
		return err
	}
	for i := range w.Man.Samples {
		s := &w.Man.Samples[i]
		doc, err := os.ReadFile(filepath.Join(w.Dir, s.File))
		if err != nil {
			return err
		}
		var payload []byte
		if s.Payload != "" {
			if payload, err = os.ReadFile(filepath.Join(w.Dir, s.Payload)); err != nil {
				return err
			}
		}
		rep := verifier.Verify(doc, verifier.Options{Trust: trust, Time: Issued.Add(24 * time.Hour), Payload: payload})
		if rep.Document == nil || rep.Document.Issuer == nil || !signaturePassed(rep) {
			continue
		}
		if l := logs[rep.Document.Issuer.ID]; l != nil {
			l.docs = append(l.docs, i)
			l.bytes = append(l.bytes, doc)
		}
	}
	return nil
}

func signaturePassed(rep *verifier.Report) bool {
	for _, c := range rep.Checks {
		if c.Check == verifier.CheckSignature && c.Status == verifier.Passed {
			return true
		}
	}
	return false
}

// buildLog writes a Tessera log of docs under the world's directory and
// returns its checkpoint.
func (w *World) buildLog(ctx context.Context, dir, skey string, docs [][]byte) ([]byte, error) {
	signer, err := tlog.NewLogSigner(skey)
	if err != nil {
		return nil, err
	}
	l, err := tlog.OpenLog(ctx, filepath.Join(w.Dir, dir), signer, tlog.LogOptions{Batch: uint(len(docs))})
	if err != nil {
		return nil, err
	}
	_, cp, err := l.Append(ctx, docs)
	if cerr := l.Close(ctx); err == nil {
		err = cerr
	}
	return cp, err
}

func cosignDemo(cp []byte, cs ...*tlog.Cosigner) ([]byte, error) {
	text := textAndLogSig(cp)
	out := append([]byte{}, cp...)
	body := text[:bytes.LastIndex(text, []byte("\n\n"))+1]
	for _, c := range cs {
		line, err := c.SignatureLine(body)
		if err != nil {
			return nil, err
		}
		out = append(out, line...)
	}
	return out, nil
}

// textAndLogSig is a demo checkpoint up to and including its first
// signature line (the log's).
func textAndLogSig(cp []byte) []byte {
	i := bytes.LastIndex(cp, []byte("\n\n")) + 2
	j := bytes.IndexByte(cp[i:], '\n')
	return cp[:i+j+1]
}

// setPolicy gives an issuer of the bundle its attestation policy.
func (w *World) setPolicy(issuer, policy string, required bool) {
	for i := range w.Bundle.Issuers {
		if w.Bundle.Issuers[i].ID == issuer {
			w.Bundle.Issuers[i].Attestation = &verifier.BundleAttestation{Policy: policy, Required: required}
		}
	}
}
