package verifier

import (
	"archive/zip"
	"bytes"
	"crypto"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// xmlsec1 (Debian's package: libxml2's C14N and XML Signature, an
// implementation independent of ours) is the oracle of the canonical
// SignedInfo and of every reference's pre-digest data. `make test`
// installs it (scripts/xmlsec1.sh, a prerequisite of `make unit`).

// xmlsec1Path finds xmlsec1 or fails: a missing oracle is not a pass.
func xmlsec1Path(tb testing.TB) string {
	tb.Helper()
	p, err := exec.LookPath("xmlsec1")
	if err != nil {
		tb.Fatal("xmlsec1 is missing: run `make xmlsec1` (scripts/xmlsec1.sh; as root: apt-get install -y xmlsec1)")
	}
	return p
}

// xmlsecRun is what xmlsec1 --verify printed for one signature.
type xmlsecRun struct {
	OK        bool     // the signature verified
	PreDigest [][]byte // per reference, in order, until the first that failed
	PreSigned []byte   // the canonical SignedInfo; nil when a reference failed first
}

// runXMLSec verifies the signature file sig (in dir) with xmlsec1:
// the KeyInfo certificate is taken without chain checks (--insecure),
// every element type carrying an Id is declared an Id for same-document
// references, detached references are mapped to files in dir, and the
// pre-digest and pre-signed buffers are read from --print-debug.
func runXMLSec(tb testing.TB, bin, dir, sig string, idTypes []string, urls map[string]string, nodeID string) xmlsecRun {
	tb.Helper()
	args := []string{"--verify", "--insecure", "--store-references", "--store-signatures", "--print-debug"}
	for _, n := range idTypes {
		args = append(args, "--id-attr:Id", n)
	}
	for u, f := range urls {
		args = append(args, "--url-map:"+u, f)
	}
	if nodeID != "" {
		args = append(args, "--node-id", nodeID)
	}
	args = append(args, sig)
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout = &out
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if os.Getenv("XMLSEC_DEBUG") != "" {
		tb.Logf("xmlsec1 %q: %s", args, stderr.Bytes())
	}
	run := xmlsecRun{OK: err == nil}
	b := out.Bytes()
	// One context per reference processed; xmlsec1 prints no buffer
	// for an empty pre-digest data (an empty data file).
	for _, part := range bytes.Split(b, []byte("= REFERENCE VERIFICATION CONTEXT\n"))[1:] {
		pre := debugBuffers(part, "PreDigest")
		switch len(pre) {
		case 0:
			run.PreDigest = append(run.PreDigest, []byte{})
		case 1:
			run.PreDigest = append(run.PreDigest, pre[0])
		default:
			tb.Fatalf("xmlsec1 printed %d buffers for one reference", len(pre))
		}
	}
	if ps := debugBuffers(b, "PreSigned"); len(ps) == 1 {
		run.PreSigned = ps[0]
	}
	return run
}

// debugBuffers cuts the buffers xmlsec1's --print-debug dumps as
// "== <what> data - start buffer:\n<bytes>\n== <what> data - end buffer".
func debugBuffers(b []byte, what string) [][]byte {
	start := []byte("== " + what + " data - start buffer:\n")
	end := []byte("\n== " + what + " data - end buffer")
	var out [][]byte
	for {
		i := bytes.Index(b, start)
		if i < 0 {
			return out
		}
		b = b[i+len(start):]
		j := bytes.Index(b, end)
		if j < 0 {
			return out
		}
		out = append(out, b[:j])
		b = b[j+len(end):]
	}
}

// idTypesOf lists "namespace:local" of every element with an Id.
func idTypesOf(e *xmlElement, seen map[string]bool, out []string) []string {
	if _, ok := e.Attr("", "Id"); ok {
		k := e.Space + ":" + e.Local
		if e.Space == "" {
			k = e.Local
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, c := range e.Elements() {
		out = idTypesOf(c, seen, out)
	}
	return out
}

// xmlsecAgreement counts what the oracle compared.
type xmlsecAgreement struct {
	sigs, signedInfo, refs, ourRefused, oracleSilent, valueAgree, policy int
}

// compareWithXMLSec checks one ds:Signature of a document against
// xmlsec1. files maps decoded data file names to their paths in dir.
func compareWithXMLSec(t *testing.T, bin, dir, sigFile string, doc *xmlDocument, s *xmlSignature, files map[string]string, resolve xmlResolver, multi bool, agg *xmlsecAgreement, label string) {
	t.Helper()
	urls := map[string]string{}
	for _, r := range s.References {
		if strings.HasPrefix(r.URI, "#") {
			continue
		}
		if name, err := url.PathUnescape(r.URI); err == nil {
			if f, ok := files[name]; ok {
				urls[r.URI] = f
			}
		}
	}
	nodeID := ""
	if multi {
		nodeID = s.ID
	}
	run := runXMLSec(t, bin, dir, sigFile, idTypesOf(doc.Root, map[string]bool{}, nil), urls, nodeID)
	agg.sigs++
	results := s.CheckReferences(resolve)
	if len(run.PreDigest) == 0 && run.PreSigned == nil {
		agg.oracleSilent++
		t.Logf("%s: xmlsec1 printed nothing to compare", label)
		return
	}
	for i, pre := range run.PreDigest {
		if i >= len(results) {
			t.Errorf("%s: xmlsec1 has more references than we read", label)
			break
		}
		r := results[i]
		if r.Err != nil {
			t.Logf("%s: reference %d: we refuse (%s), xmlsec1 digested %d bytes", label, i, errReason(r.Err), len(pre))
			continue
		}
		h := s.References[i].Hash.New()
		h.Write(pre)
		if !bytes.Equal(h.Sum(nil), r.Digest) {
			t.Errorf("%s: reference %d (%s): our digest differs from xmlsec1's pre-digest data\n%s", label, i, s.References[i].URI, c14nDiff(s, i, pre))
			continue
		}
		agg.refs++
	}
	if run.PreSigned != nil {
		if !bytes.Equal(run.PreSigned, s.SignedInfoC14N) {
			t.Errorf("%s: canonical SignedInfo differs from xmlsec1's\nours:   %q\nxmlsec: %q", label, s.SignedInfoC14N, run.PreSigned)
		} else {
			agg.signedInfo++
		}
	}
	ours, policy := false, false
	for _, c := range s.KeyInfoCertificates() {
		err := s.VerifyValue(&Options{}, c)
		if err == nil {
			ours = true
			break
		}
		policy = policy || errReason(err) == AlgNotAllowed
	}
	allMatch := true
	for _, r := range results {
		allMatch = allMatch && r.Match
	}
	switch {
	case (ours && allMatch) == run.OK:
		agg.valueAgree++
	case policy && run.OK:
		// RSA keys under 2048 bits: refused by our policy (crypto.go
		// minRSABits), not a disagreement about the bytes.
		agg.policy++
	default:
		t.Logf("%s: xmlsec1 says verified=%v, we say value=%v references=%v", label, run.OK, ours, allMatch)
	}
}

// c14nDiff shows where our canonical form of a same-document reference
// departs from xmlsec1's.
func c14nDiff(s *xmlSignature, i int, pre []byte) string {
	ref := s.References[i]
	id, ok := strings.CutPrefix(ref.URI, "#")
	if !ok {
		return fmt.Sprintf("detached: xmlsec1 read %d bytes", len(pre))
	}
	m := c14nMethod{URI: c14n10URI}
	if ref.c14n != nil {
		m = *ref.c14n
	}
	m.Comments = false
	ours, err := canonicalize(s.Element.doc.ByID(id), m, nil)
	if err != nil {
		return err.Error()
	}
	k := 0
	for k < len(ours) && k < len(pre) && ours[k] == pre[k] {
		k++
	}
	lo := max(0, k-80)
	return fmt.Sprintf("first difference at byte %d\nours:   %q\nxmlsec: %q", k, ours[lo:min(len(ours), k+80)], pre[lo:min(len(pre), k+80)])
}

// TestXMLSecOracleCorpus compares, for every signature file of every
// container of testdata/asice (read with archive/zip, so that containers
// the ASiC reader refuses count too), our canonical SignedInfo and
// reference digests with xmlsec1's.
func TestXMLSecOracleCorpus(t *testing.T) {
	bin := xmlsec1Path(t)
	var agg xmlsecAgreement
	for _, v := range loadASiCVectors(t) {
		data := v.read(t)
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			continue
		}
		dir := t.TempDir()
		files := map[string]string{}
		contents := map[string][]byte{}
		var sigFiles []*zip.File
		for _, f := range zr.File {
			if strings.HasSuffix(f.Name, "/") || f.Name == "mimetype" {
				continue
			}
			if strings.HasPrefix(f.Name, "META-INF/") {
				if strings.Contains(f.Name, "signatures") && strings.HasSuffix(f.Name, ".xml") {
					sigFiles = append(sigFiles, f)
				}
				continue
			}
			b, ok := readZipFile(f, 8<<20)
			if !ok || strings.Contains(f.Name, "..") {
				continue
			}
			// Data files keep their names beside sig.xml, so that
			// xmlsec1 resolves the reference URIs itself.
			p := filepath.Join(dir, filepath.FromSlash(f.Name))
			if os.MkdirAll(filepath.Dir(p), 0o700) != nil || os.WriteFile(p, b, 0o600) != nil {
				continue // a name no file can have ("."): xmlsec1 finds nothing there either
			}
			files[f.Name], contents[f.Name] = p, b
		}
		resolve := func(name string, h crypto.Hash) ([]byte, error) {
			b, ok := contents[name]
			if !ok {
				return nil, readFail(PayloadMissing, "no such data file")
			}
			d := h.New()
			d.Write(b)
			return d.Sum(nil), nil
		}
		for _, sf := range sigFiles {
			b, ok := readZipFile(sf, 8<<20)
			if !ok {
				continue
			}
			label := v.ID + " " + sf.Name
			doc, err := readXML(b, xmlLimits{})
			if err != nil {
				agg.ourRefused++
				t.Logf("%s: we refuse the document (%s)", label, errReason(err))
				continue
			}
			sigPath := filepath.Join(dir, "sig.xml")
			if err := os.WriteFile(sigPath, b, 0o600); err != nil {
				t.Fatal(err)
			}
			sigs := []*xmlElement{doc.Root}
			if !isDS(doc.Root, "Signature") {
				sigs = doc.Root.ChildrenNamed(dsNamespace, "Signature")
			}
			for _, e := range sigs {
				s, err := parseXMLSignature(e)
				if err != nil {
					agg.ourRefused++
					t.Logf("%s: we refuse the signature (%s)", label, errReason(err))
					continue
				}
				compareWithXMLSec(t, bin, dir, sigPath, doc, s, files, resolve, len(sigs) > 1, &agg, label)
			}
		}
	}
	t.Logf("xmlsec1 oracle: %d signatures compared: %d canonical SignedInfo equal, %d reference digests equal, verification outcome agrees on %d (%d more where our policy refuses an RSA key under 2048 bits); %d refused by us, %d where xmlsec1 printed nothing",
		agg.sigs, agg.signedInfo, agg.refs, agg.valueAgree, agg.policy, agg.ourRefused, agg.oracleSilent)
	if agg.signedInfo == 0 || agg.refs == 0 {
		t.Fatal("the oracle compared nothing")
	}
}

func readZipFile(f *zip.File, limit int64) ([]byte, bool) {
	rc, err := f.Open()
	if err != nil {
		return nil, false
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit))
	return b, err == nil
}
