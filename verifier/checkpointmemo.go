package verifier

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// A log's documents are attested against few checkpoints: every proof a
// log hands out until it is next cosigned carries the same signed
// checkpoint, verbatim. Opening one is most of what an attestation costs
// the module beyond the document's own checks: x/mod's note parser, the
// log's signature and one per cosignature, each a host call. What a
// checkpoint says under an issuer's policy is a function of its bytes and
// the policy alone (the log's signature, its origin, size and root, which
// cosignatures verify and at what time); only the inclusion of the
// document and the verification time are the document's. A trust
// therefore remembers opened checkpoints, keyed by their bytes, with the
// policy they were opened under. A checkpoint that fails, or whose proof
// fails before its cosignatures are looked at, is not remembered, so a
// failure is always found afresh; an entry is never written after it is
// put. The memo is bounded in entries and in the size of each checkpoint,
// and belongs to one Trust: a new trust starts empty, as the memos of
// certificates (certmemo.go) and chains (chainmemo.go) do.

// maxCheckpointMemo bounds the checkpoints one trust remembers;
// maxMemoCheckpoint the size of one (larger ones are opened every time).
const (
	maxCheckpointMemo = 64
	maxMemoCheckpoint = 8 << 10
)

// openedCheckpoint is a checkpoint whose log signature verified under a
// policy, with its cosignatures checked.
type openedCheckpoint struct {
	pol    *tlogPolicy
	cp     *checkpoint
	cosigs []cosignatureResult // nil until checked (never in the memo)
	// checked is set once cosigs holds every cosignature's result.
	checked bool
	n       *note.Note
	o       *Options
}

// cosignatureResult is one signature line of a policy witness, checked.
type cosignatureResult struct {
	w  *policyWitness
	t  time.Time
	ok bool
}

// checkpointMemo remembers opened checkpoints (memo.go).
type checkpointMemo struct{ m *memo }

func newCheckpointMemo() *checkpointMemo { return &checkpointMemo{m: newMemo(maxCheckpointMemo)} }

// open opens a signed checkpoint under pol: the log's signature, the
// note's text as a checkpoint and its origin as the signer's name. From
// the memo when it holds text opened under pol; a nil memo opens every
// time. The failure is an attestation with its reason.
func (m *checkpointMemo) open(text []byte, pol *tlogPolicy, o *Options) (*openedCheckpoint, *attestation) {
	if m != nil {
		if e, ok := m.m.getBytes(text); ok && e.(*openedCheckpoint).pol == pol {
			return e.(*openedCheckpoint), nil
		}
	}
	n, err := openNote(text, pol.logs, o)
	var unverified *note.UnverifiedNoteError
	var invalid *note.InvalidSignatureError
	switch {
	case errors.As(err, &unverified):
		return nil, &attestation{reason: CheckpointUntrusted, detail: "the checkpoint carries no signature by a log trusted for this issuer"}
	case errors.As(err, &invalid):
		return nil, &attestation{reason: CheckpointUntrusted, detail: "the log's signature on the checkpoint does not verify"}
	case err != nil:
		return nil, &attestation{reason: ProofInvalid, detail: "the checkpoint is not a well-formed signed note"}
	}
	cp, err := parseCheckpoint(n.Text)
	if err != nil {
		return nil, &attestation{reason: ProofInvalid, detail: err.Error()}
	}
	// The log's key name is its origin (c2sp.org/tlog-policy): a log key
	// vouches only for checkpoints of its own log.
	if !signedBy(n, cp.origin) {
		return nil, &attestation{reason: CheckpointUntrusted, detail: fmt.Sprintf("the checkpoint's origin %q is not the log that signed it", clip(cp.origin))}
	}
	return &openedCheckpoint{pol: pol, cp: cp, n: n, o: o}, nil
}

// cosignatures checks the cosignatures of a checkpoint open and remembers
// it, once its proof has shown the document is in the log: a proof that
// fails costs no cosignature check.
func (m *checkpointMemo) cosignatures(text []byte, c *openedCheckpoint) []cosignatureResult {
	if c.checked {
		return c.cosigs
	}
	c.cosigs = cosignatureResults(c.n, c.pol, c.o)
	c.checked = true
	c.n, c.o = nil, nil
	if m != nil && len(text) <= maxMemoCheckpoint {
		m.m.put(string(text), c)
	}
	return c.cosigs
}

// cosignatureResults checks every signature line of the policy's
// witnesses over the checkpoint, in the note's order.
func cosignatureResults(n *note.Note, pol *tlogPolicy, o *Options) []cosignatureResult {
	var out []cosignatureResult
	for _, s := range n.UnverifiedSigs {
		for _, w := range pol.witnesses {
			if s.Name != w.key.name || s.Hash != w.key.hash {
				continue
			}
			t, ok := verifyCosignature(w.key, o, []byte(n.Text), s)
			out = append(out, cosignatureResult{w: w, t: t, ok: ok})
		}
	}
	return out
}

// checkpointMemo is the trust's memo of checkpoints, nil without a trust.
func (v *verification) checkpointMemo() *checkpointMemo {
	if v.opts.Trust == nil {
		return nil
	}
	return v.opts.Trust.checkpointMemo
}
