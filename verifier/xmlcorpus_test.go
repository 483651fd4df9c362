package verifier

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
	"testing"
)

// corpusSignature is one META-INF/*signatures*.xml of a container of
// testdata/asice, read with archive/zip so that containers the ASiC reader
// refuses still give their signatures to the XML tests.
type corpusSignature struct {
	Vector asicVector
	Name   string
	XML    []byte
}

func corpusSignatures(tb testing.TB) []corpusSignature {
	tb.Helper()
	var out []corpusSignature
	for _, v := range loadASiCVectors(tb) {
		data := v.read(tb)
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			continue
		}
		for _, f := range zr.File {
			if !strings.HasPrefix(f.Name, "META-INF/") || !strings.Contains(f.Name, "signatures") || !strings.HasSuffix(f.Name, ".xml") {
				continue
			}
			rc, err := f.Open()
			if err != nil {
				continue
			}
			b, err := io.ReadAll(io.LimitReader(rc, 8<<20))
			rc.Close()
			if err != nil {
				continue
			}
			out = append(out, corpusSignature{v, f.Name, b})
		}
	}
	return out
}
