package verifier

import (
	"os"
	"path/filepath"
	"testing"
)

// Fuzz targets for the attestation parsers, seeded from the C2SP examples
// and proofs built by the tests. None may panic; checkAttestation must give
// a reason code for anything that is not a good proof.

func seedFiles(f *testing.F, pattern string) {
	files, _ := filepath.Glob(pattern)
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
}

func FuzzParseTLogProof(f *testing.F) {
	seedFiles(f, "testdata/c2sp/*.tlog-proof")
	w := newAttestWorld(f, "both")
	f.Add(w.log.proofFor(2, 5, w.cosigned(f)))
	f.Fuzz(func(t *testing.T, b []byte) {
		att := w.check(attestDocs[2], b)
		if att.reason == "" && len(att.embassies) != 2 {
			t.Fatalf("accepted with %d attestations", len(att.embassies))
		}
	})
}

func FuzzParseCheckpoint(f *testing.F) {
	f.Add("example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")
	f.Add("o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next\n")
	f.Fuzz(func(t *testing.T, s string) {
		cp, err := parseCheckpoint(s)
		if err == nil && (cp.origin == "" || len(cp.root) != 32) {
			t.Fatalf("accepted %+v", cp)
		}
	})
}

func FuzzOpenNote(f *testing.F) {
	seedFiles(f, "testdata/c2sp/*.note")
	w := newAttestWorld(f, "both")
	f.Add(w.cosigned(f))
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := openNote(b, w.pol.logs, w.opts)
		if err == nil {
			// A note that opened has a verified log signature; its
			// cosignatures must not panic either.
			cosigners(n, w.pol, w.opts)
		}
	})
}

func FuzzParsePolicy(f *testing.F) {
	text, _ := examplePolicy(f)
	f.Add([]byte(text))
	f.Add([]byte("quorum none\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := parsePolicy(b)
		if err == nil && p.quorum != nil {
			p.quorum.satisfied(map[*policyWitness]bool{})
		}
	})
}

func FuzzParseAttested(f *testing.F) {
	w := newAttestWorld(f, "both")
	f.Add(AttestedDocument(attestDocs[1], w.log.proofFor(1, 5, w.cosigned(f))))
	f.Fuzz(func(t *testing.T, b []byte) {
		rep := Verify(b, Options{Time: attestNow, Format: FormatAttested})
		if rep.Verdict == Valid {
			t.Fatal("valid without trust")
		}
	})
}
