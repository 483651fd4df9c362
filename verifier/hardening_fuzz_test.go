package verifier

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// Structure-aware fuzzing for the classes of docs/security.md: rather than
// flipping bytes (which mostly breaks a signature), these targets take a
// genuine presentation apart along its structure, the way issue 12's
// cases did, and check what must hold whatever the shape: a verification
// that asked for holder binding is never valid without a holder_binding
// check that passed, and a presentation is never valid with disclosures
// that were not checked.

// requireHeld fails unless a valid report that was asked for binding has a
// holder_binding check that passed.
func requireHeld(t *testing.T, r *Report, what string) {
	t.Helper()
	checkReport(t, r)
	if r.Verdict != Valid {
		return
	}
	if st, _, _ := checkStatus(r, CheckHolderBinding); st != Passed {
		t.Fatalf("%s: valid with holder binding required, and holder_binding %q", what, st)
	}
}

// FuzzSDJWTStructure rebuilds the RFC 9901 presentation from its parts,
// each op byte pair (op, argument) changing the parts: a disclosure
// dropped, repeated, swapped or re-encoded, the KB-JWT dropped or moved,
// the SD-JWT cut before its first '~', or written in the JSON
// serialization with or without its disclosures and KB-JWT.
func FuzzSDJWTStructure(f *testing.F) {
	pres := withoutKB(f)
	kb := kbFor(f, pres, kbHeader, nil)
	for _, ops := range [][]byte{{}, {3, 0}, {4, 0}, {5, 0}, {6, 0}, {0, 1, 3, 0}, {1, 2}, {2, 1}, {7, 0}, {8, 3}} {
		f.Add(ops)
	}
	trust := rfcTrust(f)
	holder := HolderOptions{RequireBinding: true, Audience: "https://verifier.example.org", Nonce: "n-0S6_WzA2Mj"}
	parts := strings.Split(strings.TrimSuffix(pres, "~"), "~")
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 16 {
			return
		}
		jwt, discs, kbJWT := parts[0], append([]string(nil), parts[1:]...), kb
		form := "compact"
		for i := 0; i+1 < len(ops); i += 2 {
			op, arg := ops[i]%9, int(ops[i+1])
			pick := func() int { return arg % max(len(discs), 1) }
			switch op {
			case 0: // drop a disclosure
				if len(discs) > 0 {
					j := pick()
					discs = append(discs[:j], discs[j+1:]...)
				}
			case 1: // repeat one
				if len(discs) > 0 {
					discs = append(discs, discs[pick()])
				}
			case 2: // swap two
				if len(discs) > 1 {
					j := pick()
					discs[0], discs[j] = discs[j], discs[0]
				}
			case 3: // no KB-JWT
				kbJWT = ""
			case 4: // cut before the first '~'
				form = "cut"
			case 5: // JSON, disclosures and KB-JWT removed
				form = "json-bare"
			case 6: // JSON with disclosures and KB-JWT
				form = "json"
			case 7: // a disclosure re-encoded: same JSON, other bytes
				if len(discs) > 0 {
					j := pick()
					if raw, err := b64url(discs[j]); err == nil {
						discs[j] = b64([]byte(strings.ReplaceAll(string(raw), ", ", ",")))
					}
				}
			case 8: // the KB-JWT in place of a disclosure
				if len(discs) > 0 && kbJWT != "" {
					discs[pick()], kbJWT = kbJWT, ""
				}
			}
		}
		var doc []byte
		switch form {
		case "compact":
			doc = []byte(jwt + "~" + strings.Join(discs, "~") + "~" + kbJWT)
		case "cut":
			doc = []byte(jwt)
		default:
			seg := strings.Split(jwt, ".")
			m := map[string]any{"protected": seg[0], "payload": seg[1], "signature": seg[2]}
			if form == "json" {
				h := map[string]any{"disclosures": discs}
				if kbJWT != "" {
					h["kb_jwt"] = kbJWT
				}
				m["header"] = h
			}
			doc, _ = json.Marshal(m)
		}
		requireHeld(t, Verify(doc, Options{Trust: trust, Time: rfcTime, Holder: holder}), "required binding")
		r := Verify(doc, Options{Trust: trust, Time: rfcTime})
		checkReport(t, r)
		if r.Verdict == Valid && len(discs) > 0 && bytes.IndexByte(doc, '~') >= 0 {
			if st, _, _ := checkStatus(r, CheckDisclosures); st != Passed {
				t.Fatalf("valid with disclosures not checked (%s)", st)
			}
		}
	})
}

// FuzzMDocStructure changes one byte of the Annex D DeviceResponse (whose
// device authenticates with a MAC) at a position the fuzzer picks, and
// verifies it with device authentication demanded in three ways: the
// transcript and the reader key, the transcript alone, the demand alone.
// Whatever the byte, a valid report has a holder_binding check that
// passed.
func FuzzMDocStructure(f *testing.F) {
	a := loadAnnexD(f)
	resp := a.bytes(f, "DEVICE_RESPONSE")
	st := a.bytes(f, "SESSION_TRANSCRIPT_BYTES")
	for _, at := range []uint16{0, 100, uint16(len(resp) / 2), uint16(len(resp) - 1), uint16(len(resp) - 10)} {
		f.Add(at, byte(1))
	}
	trust := a.trust(f)
	holders := []HolderOptions{
		{SessionTranscript: st, ReaderKey: a.readerKey(f), RequireBinding: true},
		{SessionTranscript: st},
		{RequireBinding: true},
	}
	f.Fuzz(func(t *testing.T, at uint16, x byte) {
		doc := bytes.Clone(resp)
		doc[int(at)%len(doc)] ^= x
		for _, h := range holders {
			requireHeld(t, Verify(doc, Options{Trust: trust, Time: annexDTime, Holder: h}), "device authentication required")
		}
	})
}
