package tlog

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"github.com/apostille/apostille/verifier"
	"github.com/transparency-dev/tessera/api/layout"
	"github.com/transparency-dev/tessera/client"
	"golang.org/x/mod/sumdb/note"
	"k8s.io/klog/v2"
)

// Source reads a tlog-tiles log: Tessera's client.FileFetcher for a
// directory, client.HTTPFetcher for a URL.
type Source interface {
	ReadCheckpoint(ctx context.Context) ([]byte, error)
	ReadTile(ctx context.Context, level, index uint64, p uint8) ([]byte, error)
	ReadEntryBundle(ctx context.Context, index uint64, p uint8) ([]byte, error)
}

// DirSource reads a log from a directory.
func DirSource(dir string) Source { return client.FileFetcher{Root: dir} }

// FormatProof writes a c2sp.org/tlog-proof@v1 (no extra data).
func FormatProof(index uint64, path [][]byte, checkpoint []byte) []byte {
	var b bytes.Buffer
	b.WriteString("c2sp.org/tlog-proof@v1\nindex ")
	b.WriteString(strconv.FormatUint(index, 10))
	b.WriteByte('\n')
	for _, h := range path {
		b.WriteString(base64.StdEncoding.EncodeToString(h))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.Write(checkpoint)
	return b.Bytes()
}

// CheckpointSize reads the tree size of a checkpoint note without
// verifying it; callers verify elsewhere or built it themselves.
func CheckpointSize(cp []byte) (uint64, error) {
	c, err := parseCP(textOf(cp))
	if err != nil {
		return 0, err
	}
	return c.size, nil
}

// Prover builds inclusion proofs against one checkpoint of a log.
type Prover struct {
	src  Source
	cp   []byte
	size uint64
	pb   *client.ProofBuilder
}

// NewProver prepares proofs against checkpoint cp (as published, with any
// cosignatures) from the log's tiles.
func NewProver(ctx context.Context, src Source, cp []byte) (*Prover, error) {
	size, err := CheckpointSize(cp)
	if err != nil {
		return nil, err
	}
	pb, err := client.NewProofBuilder(ctx, size, src.ReadTile)
	if err != nil {
		return nil, err
	}
	return &Prover{src: src, cp: cp, size: size, pb: pb}, nil
}

// Proof is the tlog proof for the entry at index.
func (p *Prover) Proof(ctx context.Context, index uint64) ([]byte, error) {
	if index >= p.size {
		return nil, fmt.Errorf("index %d is not in the checkpoint (size %d)", index, p.size)
	}
	path, err := p.pb.InclusionProof(ctx, index)
	if err != nil {
		return nil, err
	}
	return FormatProof(index, path, p.cp), nil
}

// FindEntry returns the index of the document's entry in the first size
// entries of the log, scanning its entry bundles: a log of a million
// documents is 34 MB of bundles.
func FindEntry(ctx context.Context, src Source, doc []byte, size uint64) (uint64, bool, error) {
	found, err := FindEntries(ctx, src, [][]byte{doc}, size)
	if err != nil {
		return 0, false, err
	}
	i, ok := found[0]
	return i, ok, nil
}

// FindEntries finds the documents' entries among the log's first size
// entries, in one pass over the log: it returns, for each document found
// (by its position in docs), the index of its first entry.
func FindEntries(ctx context.Context, src Source, docs [][]byte, size uint64) (map[int]uint64, error) {
	want := map[string][]int{}
	for i, d := range docs {
		h := string(verifier.EntryHash(d))
		want[h] = append(want[h], i)
	}
	found := map[int]uint64{}
	if size == 0 || len(docs) == 0 {
		return found, nil
	}
	for ri := range layout.Range(0, size, size) {
		raw, err := src.ReadEntryBundle(ctx, ri.Index, ri.Partial)
		if err != nil {
			return nil, err
		}
		entries, err := bundleEntries(raw)
		if err != nil {
			return nil, err
		}
		for i, e := range entries {
			if at := ri.Index*layout.EntryBundleWidth + uint64(i); at >= size {
				break
			}
			for _, d := range want[string(e)] {
				if _, seen := found[d]; !seen {
					found[d] = ri.Index*layout.EntryBundleWidth + uint64(i)
				}
			}
			delete(want, string(e))
		}
		if len(want) == 0 {
			break
		}
	}
	return found, nil
}

// bundleEntries splits a tlog-tiles entry bundle (uint16 length-prefixed
// entries).
func bundleEntries(b []byte) ([][]byte, error) {
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 2 {
			return nil, errors.New("truncated entry bundle")
		}
		n := int(b[0])<<8 | int(b[1])
		if len(b) < 2+n {
			return nil, errors.New("truncated entry bundle")
		}
		out = append(out, b[2:2+n])
		b = b[2+n:]
	}
	if len(out) > layout.EntryBundleWidth {
		return nil, errors.New("entry bundle wider than 256")
	}
	return out, nil
}

// OpenCheckpoint verifies a checkpoint's signature by the log key vkey and
// returns the parsed note.
func OpenCheckpoint(cp []byte, logVKey string) (*note.Note, error) {
	v, err := note.NewVerifier(logVKey)
	if err != nil {
		return nil, err
	}
	return note.Open(cp, note.VerifierList(v))
}

var quietOnce sync.Once

// QuietLibraryLogs keeps Tessera's progress chatter (klog, Info level) off
// the terminal; warnings and errors still reach stderr.
func QuietLibraryLogs() {
	quietOnce.Do(func() {
		fs := flag.NewFlagSet("klog", flag.ContinueOnError)
		klog.InitFlags(fs)
		_ = fs.Set("logtostderr", "false")
		_ = fs.Set("alsologtostderr", "false")
		_ = fs.Set("stderrthreshold", "WARNING")
		klog.SetOutput(io.Discard)
	})
}

func parseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("not an http(s) URL: %q", s)
	}
	return u, nil
}

func newHTTPFetcher(u *url.URL, c *http.Client) (Source, error) {
	return client.NewHTTPFetcher(u, c)
}
