package verifier

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// The memo of checkpoints (checkpointmemo.go) must change nothing but the
// work: every proof gives the same attestation with no memo, on the memo's
// first sight of its checkpoint and from the memo, at any verification
// time and under any policy.

// checkpointMemoProofs are proofs of every document against checkpoints
// cosigned in every way the attestation tests know, other logs', bad and
// future cosignatures, and those proofs with bytes flipped.
func checkpointMemoProofs(t testing.TB, w *attestWorld) (docs, proofs [][]byte) {
	future := uint64(attestNow.Add(time.Hour).Unix())
	soon := uint64(attestNow.Add(30 * time.Second).Unix())
	stranger := newCosigner("embassy.example.xx", "xx")
	other := newTestLog(t, "log.example.xx/documents", "other")
	other.add(attestDocs...)
	sameName := newTestLog(t, w.log.origin, "impostor")
	sameName.add(attestDocs...)
	old := cosign(w.log.checkpoint(t, 4), cosignedAt, w.ee, w.lu)
	var cps [][]byte
	for _, size := range []int{3, 5} {
		cp := w.log.checkpoint(t, size)
		cps = append(cps,
			cp,
			cosign(cp, cosignedAt, w.ee, w.lu),
			cosign(cp, cosignedAt, w.lu),
			cosign(cosign(cp, cosignedAt+60, w.ee), cosignedAt, w.ee),
			cosign(cp, future, w.ee, w.lu),
			cosign(cp, soon, w.ee),
			cosign(cp, cosignedAt, stranger, w.ee),
			append(bytes.Clone(cp), old[bytes.Index(old, []byte("— embassy")):]...),
		)
	}
	cps = append(cps,
		cosign(other.checkpoint(t, 5), cosignedAt, w.ee, w.lu),
		cosign(sameName.checkpoint(t, 5), cosignedAt, w.ee, w.lu),
		cosign(signText(t, w.log.text(5)+"extension: x\n", w.log.signer), cosignedAt, w.ee, w.lu),
		cosign(signText(t, strings.Replace(w.log.text(5), w.log.origin, "log.example.ee/other", 1), w.log.signer), cosignedAt, w.ee),
	)
	r := rand.New(rand.NewPCG(3, 4))
	for _, cp := range cps {
		for i, doc := range attestDocs {
			for _, size := range []int{3, 5} {
				if i >= size {
					continue
				}
				p := w.log.proofFor(i, size, cp)
				docs, proofs = append(docs, doc), append(proofs, p)
				docs, proofs = append(docs, otherDocTxt), append(proofs, p)
				for range 3 {
					q := bytes.Clone(p)
					q[r.IntN(len(q))] ^= byte(1 << r.IntN(8))
					docs, proofs = append(docs, doc), append(proofs, q)
				}
			}
		}
	}
	return docs, proofs
}

func TestCheckpointMemoDifferential(t *testing.T) {
	n := 0
	for _, quorum := range []string{"both", "either", "ee", "none"} {
		w := newAttestWorld(t, quorum)
		docs, proofs := checkpointMemoProofs(t, w)
		cm := newCheckpointMemo()
		for _, at := range []time.Time{attestNow, time.Unix(int64(cosignedAt)-60, 0), attestNow.Add(2 * time.Hour)} {
			o := &Options{Time: at}
			for i := range proofs {
				want := checkAttestationOracle(docs[i], proofs[i], w.pol, w.embassies, o)
				for pass := range 2 {
					got := checkAttestationMemo(docs[i], proofs[i], w.pol, w.embassies, o, cm)
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("%s, %v, proof %d, pass %d: got %+v, want %+v", quorum, at, i, pass, got, want)
					}
				}
				n++
			}
		}
		// Another policy over the same checkpoints opens them afresh.
		w2 := newAttestWorld(t, "ee")
		w2.log, w2.ee, w2.lu = w.log, w.ee, w.lu
		for i := range proofs {
			want := checkAttestationOracle(docs[i], proofs[i], w2.pol, w2.embassies, w2.opts)
			if got := checkAttestationMemo(docs[i], proofs[i], w2.pol, w2.embassies, w2.opts, cm); !reflect.DeepEqual(got, want) {
				t.Fatalf("another policy, proof %d: got %+v, want %+v", i, got, want)
			}
		}
	}
	if n < 1000 {
		t.Fatalf("only %d proofs", n)
	}
}

// FuzzCheckpointMemo holds the memo to the plain check on any proof of
// the attestation world's documents, each checked twice.
func FuzzCheckpointMemo(f *testing.F) {
	w := newAttestWorld(f, "either")
	docs, proofs := checkpointMemoProofs(f, w)
	for i := range proofs {
		if i%7 == 0 {
			f.Add(uint8(i), proofs[i])
		}
	}
	cm := newCheckpointMemo()
	f.Fuzz(func(t *testing.T, doc uint8, proof []byte) {
		d := docs[int(doc)%len(docs)]
		want := checkAttestationOracle(d, proof, w.pol, w.embassies, w.opts)
		for range 2 {
			if got := checkAttestationMemo(d, proof, w.pol, w.embassies, w.opts, cm); !reflect.DeepEqual(got, want) {
				t.Fatalf("got %+v, want %+v", got, want)
			}
		}
	})
}

// checkAttestationOracle and cosignersOracle are checkAttestation and
// cosigners as they were before the memo: the oracle.
func checkAttestationOracle(doc, proofText []byte, pol *tlogPolicy, embassies []*Embassy, o *Options) attestation {
	p, err := parseTLogProof(proofText)
	if err != nil {
		return attestation{reason: ProofInvalid, detail: err.Error()}
	}
	n, err := openNote(p.checkpoint, pol.logs, o)
	var unverified *note.UnverifiedNoteError
	var invalid *note.InvalidSignatureError
	switch {
	case errors.As(err, &unverified):
		return attestation{reason: CheckpointUntrusted, detail: "the checkpoint carries no signature by a log trusted for this issuer"}
	case errors.As(err, &invalid):
		return attestation{reason: CheckpointUntrusted, detail: "the log's signature on the checkpoint does not verify"}
	case err != nil:
		return attestation{reason: ProofInvalid, detail: "the checkpoint is not a well-formed signed note"}
	}
	cp, err := parseCheckpoint(n.Text)
	if err != nil {
		return attestation{reason: ProofInvalid, detail: err.Error()}
	}
	// The log's key name is its origin (c2sp.org/tlog-policy): a log key
	// vouches only for checkpoints of its own log.
	if !signedBy(n, cp.origin) {
		return attestation{reason: CheckpointUntrusted, detail: fmt.Sprintf("the checkpoint's origin %q is not the log that signed it", clip(cp.origin))}
	}
	var hf HashFunc
	if o != nil {
		hf = o.Hash
	}
	if err := verifyInclusion(hf, leafHash(doc, hf), p.index, cp.size, p.path, cp.root); err != nil {
		return attestation{reason: ProofInvalid, detail: err.Error()}
	}

	cosigned, times, ignored := cosignersOracle(n, pol, o)
	var att attestation
	for _, w := range pol.witnesses {
		if !cosigned[w] {
			continue
		}
		name, country := w.key.name, ""
		if e := embassyFor(embassies, w.key); e != nil {
			name, country = e.Name, e.Country
		}
		att.embassies = append(att.embassies, Attestation{
			Embassy: name, Country: country, CosignedAt: timeString(times[w]),
			Origin: clip(cp.origin), Index: p.index, TreeSize: cp.size,
		})
	}
	var notes []string
	if p.hasExtra {
		notes = append(notes, "the proof's extra data is not authenticated and was ignored")
	}
	if cp.extensions > 0 {
		notes = append(notes, "the checkpoint's extension lines were not interpreted")
	}
	notes = append(notes, ignored...)
	if pol.quorum != nil && !pol.quorum.satisfied(cosigned) {
		att.reason = QuorumNotMet
		att.detail = strings.Join(append([]string{fmt.Sprintf("%d of the policy's %d embassies cosigned %s at size %d, short of its quorum", len(att.embassies), len(pol.witnesses), clip(cp.origin), cp.size)}, notes...), "; ")
		return att
	}
	att.detail = strings.Join(append([]string{fmt.Sprintf("entry %d of %s (size %d), %d embassy cosignatures", p.index, clip(cp.origin), cp.size, len(att.embassies))}, notes...), "; ")
	return att
}

func cosignersOracle(n *note.Note, pol *tlogPolicy, o *Options) (map[*policyWitness]bool, map[*policyWitness]time.Time, []string) {
	cosigned := map[*policyWitness]bool{}
	times := map[*policyWitness]time.Time{}
	var bad, future int
	latest := o.Time.Add(o.skew())
	for _, s := range n.UnverifiedSigs {
		for _, w := range pol.witnesses {
			if s.Name != w.key.name || s.Hash != w.key.hash {
				continue
			}
			t, ok := verifyCosignature(w.key, o, []byte(n.Text), s)
			switch {
			case !ok:
				bad++
			case t.After(latest):
				future++
			case !cosigned[w] || t.Before(times[w]):
				cosigned[w], times[w] = true, t
			}
		}
	}
	var ignored []string
	if bad > 0 {
		ignored = append(ignored, fmt.Sprintf("%d cosignature(s) by policy witnesses did not verify over this checkpoint", bad))
	}
	if future > 0 {
		ignored = append(ignored, fmt.Sprintf("%d cosignature(s) dated after the verification time were not counted", future))
	}
	return cosigned, times, ignored
}
