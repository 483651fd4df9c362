package verifier

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

// TestInclusionVectors runs transparency-dev/merkle's inclusion vectors
// (testdata/merkle, SOURCE) through verifyInclusion, the check the
// verifier applies to every proof.
func TestInclusionVectors(t *testing.T) {
	var happy int
	for _, v := range merkleInclusionVectors(t) {
		err := verifyInclusion(nil, v.LeafHash, v.LeafIdx, v.TreeSize, v.Proof, v.Root)
		if (err != nil) != v.WantErr {
			t.Errorf("%s: error %v, want error %v", v.file, err, v.WantErr)
		}
		if !v.WantErr {
			happy++
		}
	}
	if happy == 0 {
		t.Fatal("no vector expects success")
	}
}

// merkleInclusionVector is one of transparency-dev/merkle's inclusion
// vectors (testdata/merkle, SOURCE).
type merkleInclusionVector struct {
	file     string
	LeafIdx  uint64   `json:"leafIdx"`
	TreeSize uint64   `json:"treeSize"`
	Root     []byte   `json:"root"`
	LeafHash []byte   `json:"leafHash"`
	Proof    [][]byte `json:"proof"`
	WantErr  bool     `json:"wantErr"`
}

func merkleInclusionVectors(t *testing.T) []merkleInclusionVector {
	files, err := filepath.Glob("testdata/merkle/inclusion/*/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no vectors: %v", err)
	}
	files2, _ := filepath.Glob("testdata/merkle/inclusion/*/*/*.json")
	var out []merkleInclusionVector
	for _, f := range append(files, files2...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		v := merkleInclusionVector{file: f}
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, v)
	}
	return out
}

// TestInclusionEveryIndex checks inclusionSize and verifyInclusion against
// the reference tree for every index of trees up to 70 leaves.
func TestInclusionEveryIndex(t *testing.T) {
	l := newTestLog(t, "x", "x")
	for i := 0; i < 70; i++ {
		l.add([]byte{byte(i)})
	}
	for size := 1; size <= 70; size++ {
		root := refRoot(l.leaves[:size])
		for i := 0; i < size; i++ {
			path := refPath(i, l.leaves[:size])
			if n := inclusionSize(uint64(i), uint64(size)); n != len(path) {
				t.Fatalf("inclusionSize(%d, %d) = %d, want %d", i, size, n, len(path))
			}
			if err := verifyInclusion(nil, l.leaves[i], uint64(i), uint64(size), path, root); err != nil {
				t.Fatalf("index %d of %d: %v", i, size, err)
			}
		}
	}
}

// TestInteriorNodeNotALeaf: the node over leaves 0 and 1 verifies as
// "leaf 0" of a two-leaf view of a four-leaf tree; the signed size (4)
// is what stops it, by fixing the path length.
func TestInteriorNodeNotALeaf(t *testing.T) {
	l := newTestLog(t, "x", "x")
	l.add([]byte("a"), []byte("b"), []byte("c"), []byte("d"))
	root := refRoot(l.leaves)
	node := refNode(l.leaves[0], l.leaves[1])
	right := refNode(l.leaves[2], l.leaves[3])
	if err := verifyInclusion(nil, node, 0, 2, [][]byte{right}, root); err != nil {
		t.Fatalf("the two-leaf view should verify (that is the attack): %v", err)
	}
	if err := verifyInclusion(nil, node, 0, 4, [][]byte{right}, root); err == nil {
		t.Fatal("an interior node verified as a leaf of the four-leaf tree")
	}
}

func TestParseTLogProof(t *testing.T) {
	b, err := os.ReadFile("testdata/c2sp/tlog-proof.tlog-proof")
	if err != nil {
		t.Fatal(err)
	}
	p, err := parseTLogProof(b)
	if err != nil {
		t.Fatalf("the C2SP example does not parse: %v", err)
	}
	if p.index != 73894 || len(p.path) != 5 || !p.hasExtra || !bytes.HasPrefix(p.checkpoint, []byte("example.com/fancylog\n")) {
		t.Fatalf("parsed %+v", p)
	}
	for name, bad := range map[string]string{
		"no header":          strings.Replace(string(b), "c2sp.org/tlog-proof@v1\n", "", 1),
		"leading zero":       strings.Replace(string(b), "index 73894", "index 073894", 1),
		"negative":           strings.Replace(string(b), "index 73894", "index -1", 1),
		"no index":           strings.Replace(string(b), "index 73894\n", "", 1),
		"extra after index":  strings.Replace(strings.Replace(string(b), "extra ", "xtra ", 1), "index 73894\n", "index 73894\nextra AAAA\n", 1),
		"short hash":         strings.Replace(string(b), "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=", "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPl==", 1),
		"CR":                 strings.Replace(string(b), "\n", "\r\n", 3),
		"no checkpoint":      string(b[:bytes.Index(b, []byte("\n\n"))+2]),
		"bad extra":          strings.Replace(string(b), "extra YW", "extra !!", 1),
		"unpadded hash line": strings.Replace(string(b), "lQ=\n", "lQ\n", 1),
	} {
		if _, err := parseTLogProof([]byte(bad)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	long := "c2sp.org/tlog-proof@v1\nindex 0\n" + strings.Repeat("gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\n", 65) + "\nx\n"
	if _, err := parseTLogProof([]byte(long)); err == nil {
		t.Error("65 hashes accepted")
	}
}

func TestParseCheckpoint(t *testing.T) {
	b, err := os.ReadFile("testdata/c2sp/tlog-checkpoint.note")
	if err != nil {
		t.Fatal(err)
	}
	_, err = note.Open(b, nil)
	var un *note.UnverifiedNoteError
	if !errors.As(err, &un) {
		t.Fatalf("the C2SP example is not a well-formed note: %v", err)
	}
	cp, err := parseCheckpoint(un.Note.Text)
	if err != nil || cp.origin != "example.com/behind-the-sofa" || cp.size != 20852163 || len(cp.root) != 32 {
		t.Fatalf("parsed %+v, %v", cp, err)
	}
	for name, bad := range map[string]string{
		"two lines":     "o\n1\n",
		"no newline":    "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=",
		"empty origin":  "\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"leading zero":  "o\n01\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"plus size":     "o\n+1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"huge size":     "o\n18446744073709551616\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"short root":    "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jx\n",
		"empty ext":     "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\nx\n",
		"url-safe root": "o\n1\nCsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I=\n",
	} {
		if _, err := parseCheckpoint(bad); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestSignedNoteExample: our vkey parser and Ed25519 check verify the
// C2SP signed-note example.
func TestSignedNoteExample(t *testing.T) {
	vk, _ := os.ReadFile("testdata/c2sp/signed-note.vkey")
	msg, _ := os.ReadFile("testdata/c2sp/signed-note.note")
	k, err := parseVKey(strings.TrimSpace(string(vk)))
	if err != nil {
		t.Fatal(err)
	}
	n, err := openNote(msg, []*noteKey{k}, &Options{})
	if err != nil || n.Text != "This is an example message.\n" {
		t.Fatalf("%v", err)
	}
	bad := bytes.Replace(msg, []byte("example message"), []byte("example massage"), 1)
	var inv *note.InvalidSignatureError
	if _, err := openNote(bad, []*noteKey{k}, &Options{}); !errors.As(err, &inv) {
		t.Fatalf("altered note: %v", err)
	}
}

// TestCosignatureExample: the C2SP cosignature example's line decodes to
// the timestamp the spec's signed message shows (its key is not given).
func TestCosignatureExample(t *testing.T) {
	msg, _ := os.ReadFile("testdata/c2sp/tlog-cosignature.note")
	_, err := note.Open(msg, nil)
	var un *note.UnverifiedNoteError
	if !errors.As(err, &un) || len(un.Note.UnverifiedSigs) != 2 {
		t.Fatalf("%v", err)
	}
	// A key with the example's name and ID cannot verify it (we do not have
	// the witness's key), but the structure is the cosignature/v1 one.
	s := un.Note.UnverifiedSigs[1]
	k := &noteKey{name: s.Name, hash: s.Hash, sigType: sigTypeCosignature, pub: seedKey("x").Public().(ed25519.PublicKey)}
	if _, ok := verifyCosignature(k, &Options{}, []byte(un.Note.Text), s); ok {
		t.Fatal("a wrong key verified the example")
	}
	want := "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
	if got := string(CosignatureMessage(1679315147, []byte(un.Note.Text))); got != want {
		t.Fatalf("message %q", got)
	}
}

func TestParseVKey(t *testing.T) {
	c := newCosigner("embassy.example", "e")
	if k, err := parseVKey(c.vkey); err != nil || k.sigType != sigTypeCosignature {
		t.Fatalf("%v", err)
	}
	for name, bad := range map[string]string{
		"wrong id":    strings.Replace(c.vkey, c.vkey[len("embassy.example+"):len("embassy.example+")+8], "00000000", 1),
		"upper hex":   strings.ToUpper(c.vkey[:len("embassy.example+")+8]) + c.vkey[len("embassy.example+")+8:],
		"no key":      "embassy.example+12345678+",
		"plus name":   "a+b+12345678+AQ==",
		"two parts":   "embassy.example+12345678",
		"space name":  "a b+12345678+AQ==",
		"short key":   "embassy.example+12345678+BAAA",
		"ml-dsa type": "embassy.example+12345678+Bg==",
	} {
		if _, err := parseVKey(bad); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
