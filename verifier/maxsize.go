package verifier

import "bytes"

// zipMagic is the signature of a ZIP local file header, which a container
// starts with (its mimetype entry).
var zipMagic = []byte("PK\x03\x04")

// isZIP says whether input starts as a ZIP archive does. Format detection
// and the size limit decide alike from it, so that the limit is known
// before any parsing.
func isZIP(input []byte) bool { return bytes.HasPrefix(input, zipMagic) }

// MaxSizePrefix is how many leading bytes of a document MaxSizeFor reads:
// a reader that has only these can decide the limit before reading the
// rest.
const MaxSizePrefix = 4

// MaxSizeFor is the size limit, in bytes, that Verify applies to doc when
// Options.MaxSize is configured: configured itself when positive, for every
// format; otherwise DefaultContainerMaxSize when doc starts as a ZIP
// archive (a container, as format detection decides) and DefaultMaxSize
// for anything else. It reads only doc's first MaxSizePrefix bytes. Hosts
// that check sizes before handing a document to the verifier use it so
// that the rule is the same everywhere.
func MaxSizeFor(doc []byte, configured int) int {
	switch {
	case configured > 0:
		return configured
	case isZIP(doc):
		return DefaultContainerMaxSize
	}
	return DefaultMaxSize
}
