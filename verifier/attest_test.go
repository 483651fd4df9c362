package verifier

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"
)

var (
	attestNow   = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	cosignedAt  = uint64(time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC).Unix())
	attestDocs  = [][]byte{[]byte("doc-0"), []byte("doc-1"), []byte("doc-2"), []byte("doc-3"), []byte("doc-4")}
	otherDocTxt = []byte("a document that was never logged")
)

// attestWorld is one issuer's log with two embassies, as a trust bundle
// would describe them.
type attestWorld struct {
	log       *testLog
	ee, lu    *testCosigner
	pol       *tlogPolicy
	embassies []*Embassy
	opts      *Options
}

// newAttestWorld builds the log with attestDocs and a policy whose quorum
// line is quorum (the witnesses are "ee" and "lu", the group "both").
func newAttestWorld(t testing.TB, quorum string) *attestWorld {
	t.Helper()
	w := &attestWorld{
		log: newTestLog(t, "log.example.ee/documents", "log"),
		ee:  newCosigner("embassy.example.ee/in-lu", "ee"),
		lu:  newCosigner("embassy.example.lu/in-ee", "lu"),
	}
	w.log.add(attestDocs...)
	pol, err := parsePolicy([]byte(w.policyText(quorum)))
	if err != nil {
		t.Fatal(err)
	}
	w.pol = pol
	for _, e := range []struct {
		name, country string
		c             *testCosigner
	}{{"Estonian data embassy", "LU", w.ee}, {"Luxembourg data embassy", "EE", w.lu}} {
		k, err := parseVKey(e.c.vkey)
		if err != nil {
			t.Fatal(err)
		}
		w.embassies = append(w.embassies, &Embassy{Name: e.name, Country: e.country, Key: e.c.vkey, key: k})
	}
	w.opts = &Options{Time: attestNow}
	return w
}

func (w *attestWorld) policyText(quorum string) string {
	return fmt.Sprintf("log %s\nwitness ee %s\nwitness lu %s\ngroup both all ee lu\ngroup either any ee lu\nquorum %s\n",
		w.log.vkey, w.ee.vkey, w.lu.vkey, quorum)
}

// cosigned is the size-5 checkpoint signed by the log and both embassies.
func (w *attestWorld) cosigned(t testing.TB) []byte {
	return cosign(w.log.checkpoint(t, 5), cosignedAt, w.ee, w.lu)
}

func (w *attestWorld) check(doc, proof []byte) attestation {
	return checkAttestation(doc, proof, w.pol, w.embassies, w.opts)
}

func TestAttestationValid(t *testing.T) {
	w := newAttestWorld(t, "both")
	for i := range attestDocs {
		att := w.check(attestDocs[i], w.log.proofFor(i, 5, w.cosigned(t)))
		if att.reason != "" {
			t.Fatalf("doc %d: %s: %s", i, att.reason, att.detail)
		}
		if len(att.embassies) != 2 {
			t.Fatalf("doc %d: %d attestations, want 2", i, len(att.embassies))
		}
		a := att.embassies[0]
		if a.Embassy != "Estonian data embassy" || a.Country != "LU" || a.Origin != w.log.origin ||
			a.Index != uint64(i) || a.TreeSize != 5 || a.CosignedAt != "2026-05-01T08:00:00Z" {
			t.Fatalf("doc %d: attestation %+v", i, a)
		}
	}
}

// TestAttestationHostile is the list of hostile proofs, each with
// the code it must get.
func TestAttestationHostile(t *testing.T) {
	w := newAttestWorld(t, "both")
	doc := attestDocs[2]
	good := func() []byte { return w.log.proofFor(2, 5, w.cosigned(t)) }
	path := refPath(2, w.log.leaves[:5])
	future := uint64(attestNow.Add(time.Hour).Unix())

	other := newTestLog(t, "log.example.xx/documents", "other")
	other.add(attestDocs...)
	sameName := newTestLog(t, w.log.origin, "impostor")
	sameName.add(attestDocs...)

	cases := []struct {
		name  string
		doc   []byte
		proof func() []byte
		want  Reason
	}{
		{"index equal to size", doc, func() []byte { return formatProof(5, path, w.cosigned(t), "") }, ProofInvalid},
		{"index beyond size", doc, func() []byte { return formatProof(1<<40, path, w.cosigned(t), "") }, ProofInvalid},
		{"proof one hash short", doc, func() []byte { return formatProof(2, path[:len(path)-1], w.cosigned(t), "") }, ProofInvalid},
		{"proof one hash long", doc, func() []byte { return formatProof(2, append(append([][]byte{}, path...), path[0]), w.cosigned(t), "") }, ProofInvalid},
		{"interior node as leaf", append(append([]byte{}, w.log.leaves[0]...), w.log.leaves[1]...), func() []byte {
			// The node over leaves 0 and 1 presented as the document's
			// leaf: the path skips the bottom level.
			return formatProof(0, refPath(0, w.log.leaves[:5])[1:], w.cosigned(t), "")
		}, ProofInvalid},
		{"flipped bit in a proof hash", doc, func() []byte {
			p := [][]byte{append([]byte{}, path[0]...), path[1], path[2]}
			p[0][7] ^= 0x10
			return formatProof(2, p, w.cosigned(t), "")
		}, ProofInvalid},
		{"proof of another document", otherDocTxt, good, ProofInvalid},
		{"not a tlog proof", doc, func() []byte { return bytes.Replace(good(), []byte("tlog-proof@v1"), []byte("tlog-proof@v2"), 1) }, ProofInvalid},
		{"checkpoint of another origin", doc, func() []byte {
			return other.proofFor(2, 5, cosign(other.checkpoint(t, 5), cosignedAt, w.ee, w.lu))
		}, CheckpointUntrusted},
		{"origin line other than the log's name", doc, func() []byte {
			text := strings.Replace(w.log.text(5), w.log.origin, "log.example.ee/other", 1)
			return formatProof(2, path, cosign(signText(t, text, w.log.signer), cosignedAt, w.ee, w.lu), "")
		}, CheckpointUntrusted},
		{"unknown log key with the trusted origin", doc, func() []byte {
			return sameName.proofFor(2, 5, cosign(sameName.checkpoint(t, 5), cosignedAt, w.ee, w.lu))
		}, CheckpointUntrusted},
		{"bad log signature", doc, func() []byte {
			cp := w.log.checkpoint(t, 5)
			i := bytes.LastIndexByte(cp[:len(cp)-1], ' ') + 10
			cp[i] ^= 0x01
			if cp[i] == '+' || cp[i] == '/' {
				cp[i] = 'A'
			}
			return w.log.proofFor(2, 5, cosign(cp, cosignedAt, w.ee, w.lu))
		}, CheckpointUntrusted},
		{"two cosignatures from one embassy", doc, func() []byte {
			cp := cosign(w.log.checkpoint(t, 5), cosignedAt, w.ee)
			return w.log.proofFor(2, 5, cosign(cp, cosignedAt+60, w.ee))
		}, QuorumNotMet},
		{"cosignature over another checkpoint", doc, func() []byte {
			// The embassies cosigned size 4; their lines are moved onto size 5.
			old := cosign(w.log.checkpoint(t, 4), cosignedAt, w.ee, w.lu)
			cp := w.log.checkpoint(t, 5)
			return w.log.proofFor(2, 5, append(cp, old[bytes.Index(old, []byte("— embassy")):]...))
		}, QuorumNotMet},
		{"cosignature from the future", doc, func() []byte {
			return w.log.proofFor(2, 5, cosign(w.log.checkpoint(t, 5), future, w.ee, w.lu))
		}, QuorumNotMet},
		{"no cosignatures", doc, func() []byte { return w.log.proofFor(2, 5, w.log.checkpoint(t, 5)) }, QuorumNotMet},
		{"extra data is ignored", doc, func() []byte {
			// Extra data naming another document changes nothing.
			return formatProof(2, path, w.cosigned(t), base64.StdEncoding.EncodeToString(EntryHash(otherDocTxt)))
		}, ""},
		{"checkpoint extension lines", doc, func() []byte {
			text := w.log.text(5) + "extension: not interpreted\n"
			return formatProof(2, path, cosign(signText(t, text, w.log.signer), cosignedAt, w.ee, w.lu), "")
		}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			att := w.check(c.doc, c.proof())
			if att.reason != c.want {
				t.Fatalf("got %q (%s), want %q", att.reason, att.detail, c.want)
			}
		})
	}
}

// TestCosignatureCountsOnce: one embassy's two lines satisfy a quorum of
// one, not a quorum of two, and it is reported once.
func TestCosignatureCountsOnce(t *testing.T) {
	w := newAttestWorld(t, "either")
	cp := cosign(cosign(w.log.checkpoint(t, 5), cosignedAt+60, w.ee), cosignedAt, w.ee)
	att := w.check(attestDocs[1], w.log.proofFor(1, 5, cp))
	if att.reason != "" || len(att.embassies) != 1 {
		t.Fatalf("got %q, %d attestations", att.reason, len(att.embassies))
	}
	if att.embassies[0].CosignedAt != "2026-05-01T08:00:00Z" {
		t.Fatalf("cosigned_at %s, want the earliest cosignature", att.embassies[0].CosignedAt)
	}
}

// TestFutureCosignatureWithinSkew: a cosignature a little ahead of the
// verification time counts (clocks differ), one an hour ahead does not.
func TestFutureCosignatureWithinSkew(t *testing.T) {
	w := newAttestWorld(t, "both")
	soon := uint64(attestNow.Add(30 * time.Second).Unix())
	att := w.check(attestDocs[0], w.log.proofFor(0, 5, cosign(w.log.checkpoint(t, 5), soon, w.ee, w.lu)))
	if att.reason != "" {
		t.Fatalf("got %q: %s", att.reason, att.detail)
	}
}

func TestQuorumNone(t *testing.T) {
	w := newAttestWorld(t, "none")
	att := w.check(attestDocs[3], w.log.proofFor(3, 5, w.log.checkpoint(t, 5)))
	if att.reason != "" || len(att.embassies) != 0 {
		t.Fatalf("got %q, %d attestations", att.reason, len(att.embassies))
	}
}

// TestUnknownCosignerIgnored: a cosignature by a witness the policy does not
// know neither counts nor harms.
func TestUnknownCosignerIgnored(t *testing.T) {
	w := newAttestWorld(t, "ee")
	stranger := newCosigner("embassy.example.xx", "xx")
	cp := cosign(w.log.checkpoint(t, 5), cosignedAt, stranger, w.ee)
	att := w.check(attestDocs[4], w.log.proofFor(4, 5, cp))
	if att.reason != "" || len(att.embassies) != 1 {
		t.Fatalf("got %q, %d attestations", att.reason, len(att.embassies))
	}
	cp = cosign(w.log.checkpoint(t, 5), cosignedAt, stranger, w.lu)
	if att := w.check(attestDocs[4], w.log.proofFor(4, 5, cp)); att.reason != QuorumNotMet {
		t.Fatalf("got %q, want quorum_not_met", att.reason)
	}
}

// TestSingleEntryLog: a proof in a log of one entry has no hashes.
func TestSingleEntryLog(t *testing.T) {
	w := newAttestWorld(t, "ee")
	one := newTestLog(t, w.log.origin, "log")
	one.add(attestDocs[0])
	proof := one.proofFor(0, 1, cosign(one.checkpoint(t, 1), cosignedAt, w.ee))
	if att := w.check(attestDocs[0], proof); att.reason != "" {
		t.Fatalf("got %q: %s", att.reason, att.detail)
	}
}
