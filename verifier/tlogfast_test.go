package verifier

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// parseTLogProof and verifyInclusion against the former ones (kept below
// as oracles: strings.Split and encoding/base64 per line, and
// transparency-dev/merkle's proof.VerifyInclusion), on the C2SP example,
// the merkle vectors, every proof of a reference tree and mutations.

// tlogProofCorpus is the C2SP example, proofs of the attestation world and
// the example's lines rearranged, and random mutations of them.
func tlogProofCorpus(t testing.TB) [][]byte {
	var docs [][]byte
	files, _ := filepath.Glob("testdata/c2sp/*.tlog-proof")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, b)
	}
	w := newAttestWorld(t, "both")
	for i := range attestDocs {
		docs = append(docs, w.log.proofFor(i, 5, w.cosigned(t)), formatProof(uint64(i), refPath(i, w.log.leaves[:5]), w.cosigned(t), "QUJD"))
	}
	ex := string(docs[0])
	for _, r := range [][2]string{
		{"c2sp.org/tlog-proof@v1\n", ""}, {"index 73894", "index 073894"}, {"index 73894", "index -1"}, {"index 73894\n", ""},
		{"extra ", "xtra "}, {"gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=", "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPl=="},
		{"\n", "\r\n"}, {"extra YW", "extra !!"}, {"lQ=\n", "lQ\n"}, {"\n\n", "\n"}, {"\n\n", "\n\n\n"}, {"index 73894\n", "index 73894"},
		{"index 73894\n", "index 73894\n\n"}, {"extra ", "extra \r"}, {"lQ=\n", "lQ=\n\n"}, {"lQ=\n", "lQ= \n"},
	} {
		docs = append(docs, []byte(strings.Replace(ex, r[0], r[1], 1)), []byte(strings.ReplaceAll(ex, r[0], r[1])))
	}
	docs = append(docs,
		[]byte("c2sp.org/tlog-proof@v1\nindex 0\n"+strings.Repeat("gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\n", 64)+"\nx\n"),
		[]byte("c2sp.org/tlog-proof@v1\nindex 0\n"+strings.Repeat("gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\n", 65)+"\nx\n"),
		[]byte("c2sp.org/tlog-proof@v1\nindex 0\n\nx"), []byte("c2sp.org/tlog-proof@v1\n\nx"), []byte("c2sp.org/tlog-proof@v1\nextra \nindex 1\n\nx"),
		[]byte("c2sp.org/tlog-proof@v1"), []byte(""), []byte("\n\n"),
	)
	r := rand.New(rand.NewPCG(7, 8))
	n := len(docs)
	for _, d := range docs[:n] {
		for range 20 {
			m := bytes.Clone(d)
			if len(m) > 0 {
				m[r.IntN(len(m))] ^= byte(1 << r.IntN(8))
			}
			docs = append(docs, m)
		}
	}
	return docs
}

func TestParseTLogProofDifferential(t *testing.T) {
	for i, b := range tlogProofCorpus(t) {
		got, gotErr := parseTLogProof(b)
		want, wantErr := parseTLogProofOracle(b)
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
			t.Fatalf("proof %d %q: got %+v %v, want %+v %v", i, b, got, gotErr, want, wantErr)
		}
	}
}

func TestInclusionDifferential(t *testing.T) {
	check := func(name string, leaf []byte, index, size uint64, path [][]byte, root []byte) {
		t.Helper()
		got := verifyInclusion(nil, leaf, index, size, path, root)
		want := verifyInclusionOracle(leaf, index, size, path, root)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s: got %v, want %v", name, got, want)
		}
	}
	for _, v := range merkleInclusionVectors(t) {
		check(v.file, v.LeafHash, v.LeafIdx, v.TreeSize, v.Proof, v.Root)
	}
	l := newTestLog(t, "x", "x")
	for i := 0; i < 40; i++ {
		l.add([]byte(fmt.Sprint("doc ", i)))
	}
	r := rand.New(rand.NewPCG(9, 10))
	for size := 1; size <= 40; size++ {
		root := refRoot(l.leaves[:size])
		for i := 0; i < size; i++ {
			path := refPath(i, l.leaves[:size])
			leaf := rfc6962.DefaultHasher.HashLeaf(l.leaves[i])
			check("good", leaf, uint64(i), uint64(size), path, root)
			check("other index", leaf, uint64((i+1)%size), uint64(size), path, root)
			check("other size", leaf, uint64(i), uint64(size+1), path, root)
			check("other root", leaf, uint64(i), uint64(size), path, leaf)
			if len(path) > 0 {
				p := make([][]byte, len(path))
				copy(p, path)
				j := r.IntN(len(p))
				p[j] = bytes.Clone(p[j])
				p[j][r.IntN(32)] ^= 1
				check("flipped", leaf, uint64(i), uint64(size), p, root)
				check("short hash", leaf, uint64(i), uint64(size), append(append([][]byte{}, p[:j]...), append([][]byte{p[j][:31]}, p[j+1:]...)...), root)
			}
		}
	}
}

func FuzzTLogProofParse(f *testing.F) {
	for _, d := range tlogProofCorpus(f)[:60] {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, gotErr := parseTLogProof(b)
		want, wantErr := parseTLogProofOracle(b)
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
			t.Fatalf("got %+v %v, want %+v %v", got, gotErr, want, wantErr)
		}
		if got != nil {
			leaf := rfc6962.DefaultHasher.HashLeaf(b)
			for _, size := range []uint64{got.index + 1, got.index + 2, 1 << 20} {
				root := leaf
				if len(got.path) > 0 {
					root = got.path[0]
				}
				if a, b := verifyInclusion(nil, leaf, got.index, size, got.path, root), verifyInclusionOracle(leaf, got.index, size, got.path, root); fmt.Sprint(a) != fmt.Sprint(b) {
					t.Fatalf("inclusion: got %v, want %v", a, b)
				}
			}
		}
	})
}

// The former steps: the oracles.

func parseTLogProofOracle(b []byte) (*tlogProof, error) {
	if len(b) > maxProofSize {
		return nil, fmt.Errorf("tlog proof larger than %d bytes", maxProofSize)
	}
	head, cp, ok := bytes.Cut(b, []byte("\n\n"))
	if !ok || len(cp) == 0 {
		return nil, errors.New("malformed tlog proof: no checkpoint after an empty line")
	}
	lines := strings.Split(string(head), "\n")
	if lines[0] != tlogProofHeader {
		return nil, errors.New("malformed tlog proof: not c2sp.org/tlog-proof@v1")
	}
	p := &tlogProof{checkpoint: cp}
	lines = lines[1:]
	if len(lines) > 0 && strings.HasPrefix(lines[0], "extra ") {
		extra, err := base64.StdEncoding.Strict().DecodeString(lines[0][len("extra "):])
		if err != nil || strings.ContainsAny(lines[0], "\r") {
			return nil, errors.New("malformed tlog proof: extra data is not base64")
		}
		p.extra, p.hasExtra = extra, true
		lines = lines[1:]
	}
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "index ") {
		return nil, errors.New("malformed tlog proof: no index line")
	}
	idx, ok := parseDecimal(lines[0][len("index "):])
	if !ok {
		return nil, errors.New("malformed tlog proof: bad index")
	}
	p.index = idx
	lines = lines[1:]
	if len(lines) > maxProofHashes {
		return nil, fmt.Errorf("malformed tlog proof: more than %d hashes", maxProofHashes)
	}
	for i, l := range lines {
		h, ok := parseHash(l)
		if !ok {
			return nil, fmt.Errorf("malformed tlog proof: hash line %d", i+1)
		}
		p.path = append(p.path, h)
	}
	return p, nil
}

func verifyInclusionOracle(leaf []byte, index, size uint64, path [][]byte, root []byte) error {
	switch {
	case index >= size:
		return fmt.Errorf("index %d is not in a tree of %d entries", index, size)
	case len(path) != inclusionSize(index, size):
		return fmt.Errorf("the inclusion path has %d hashes; index %d of %d needs %d", len(path), index, size, inclusionSize(index, size))
	}
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, index, size, leaf, path, root); err != nil {
		return errors.New("the inclusion path does not lead to the checkpoint's root")
	}
	return nil
}
