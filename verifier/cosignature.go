package verifier

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"math"
	"strconv"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// CosignatureMessage is what an Ed25519 cosigner signs for a checkpoint
// (c2sp.org/tlog-cosignature, "Ed25519 signed message"): the header line
// "cosignature/v1", the line "time <POSIX seconds>", then the checkpoint's
// note text (final newline included, signature lines excluded). Cosigners
// (internal/tlog) and this verifier build it with this one function.
func CosignatureMessage(timestamp uint64, checkpointText []byte) []byte {
	m := make([]byte, 0, 40+len(checkpointText))
	m = append(m, "cosignature/v1\ntime "...)
	m = strconv.AppendUint(m, timestamp, 10)
	m = append(m, '\n')
	return append(m, checkpointText...)
}

// cosignatureSize is the decoded size of an Ed25519 cosignature line's
// signature: key ID (4), timestamp (8), Ed25519 signature (64).
const cosignatureSize = 4 + 8 + ed25519.SignatureSize

// verifyCosignature checks one signature line against a cosigner key over
// the checkpoint text and returns the cosignature time. The caller has
// matched the line's name and key ID to k.
func verifyCosignature(k *noteKey, o *Options, text []byte, sig note.Signature) (time.Time, bool) {
	raw, err := base64.StdEncoding.DecodeString(sig.Base64)
	if err != nil || len(raw) != cosignatureSize || k.sigType != sigTypeCosignature {
		return time.Time{}, false
	}
	ts := binary.BigEndian.Uint64(raw[4:12])
	if ts > math.MaxInt64 {
		return time.Time{}, false
	}
	if !k.verifyEd25519(o, CosignatureMessage(ts, text), raw[12:]) {
		return time.Time{}, false
	}
	return time.Unix(int64(ts), 0).UTC(), true
}
