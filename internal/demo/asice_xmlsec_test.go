package demo

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestContainersXMLSec1 holds the demo's XAdES to xmlsec1 (libxml2's C14N
// and XML Signature; `make unit` installs it, scripts/xmlsec1.sh): the core
// signature of every demo container verifies, the detached references read
// from the container's files, except where the demo changed a file after
// signing. The wrapped signature passes too: core validation cannot see
// that its SignedProperties were moved, which is why the verifier checks
// where they are.
func TestContainersXMLSec1(t *testing.T) {
	xmlsec, err := exec.LookPath("xmlsec1")
	if err != nil {
		t.Fatal("xmlsec1 is missing (scripts/xmlsec1.sh installs it): a missing oracle is not a pass")
	}
	w, err := Build(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range w.Man.Samples {
		if s.Format != "asice" && s.Format != "bdoc" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(w.Dir, s.File))
		if err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		var sigs, maps []string
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			p := filepath.Join(dir, filepath.FromSlash(f.Name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
			switch {
			case strings.HasPrefix(f.Name, "META-INF/signatures"):
				sigs = append(sigs, p)
			case !strings.HasPrefix(f.Name, "META-INF/") && f.Name != "mimetype":
				maps = append(maps, "--url-map:"+f.Name, p)
			}
		}
		for _, sig := range sigs {
			args := append([]string{"--verify", "--insecure", "--id-attr:Id", "http://uri.etsi.org/01903/v1.3.2#:SignedProperties"}, maps...)
			out, err := exec.Command(xmlsec, append(args, sig)...).CombinedOutput()
			ok := err == nil && bytes.HasPrefix(out, []byte("OK"))
			if want := s.Reason != "digest_mismatch"; ok != want {
				t.Errorf("%s %s: xmlsec1 verifies %v, want %v\n%s", s.File, filepath.Base(sig), ok, want, out)
			}
		}
	}
}
