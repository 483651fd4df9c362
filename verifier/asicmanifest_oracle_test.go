package verifier

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
)

// parseManifestOracle is parseManifest as it was on encoding/xml's Token
// stream, kept as the oracle of TestParseManifestDifferential.
func parseManifestOracle(b []byte) ([]manifestEntry, error) {
	bad := func(what string) error { return readFail(Malformed, "META-INF/manifest.xml: %s", what) }
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	var out []manifestEntry
	depth, roots := 0, 0
	for first := true; ; first = false {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, bad("not well-formed XML")
		}
		switch t := tok.(type) {
		case xml.ProcInst:
			if !first || t.Target != "xml" {
				return nil, bad("a processing instruction")
			}
		case xml.Directive:
			return nil, bad("a DOCTYPE or other directive")
		case xml.CharData:
			if len(bytes.TrimLeft(t, " \t\r\n")) != 0 {
				return nil, bad("text outside attributes")
			}
		case xml.Comment:
		case xml.StartElement:
			depth++
			switch {
			case depth == 1 && roots == 0 && t.Name == xml.Name{Space: manifestNS, Local: "manifest"}:
				roots++
				if err := manifestAttrsOracle(t.Attr, "version"); err != nil {
					return nil, err
				}
			case depth == 2 && t.Name == xml.Name{Space: manifestNS, Local: "file-entry"}:
				if err := manifestAttrsOracle(t.Attr, "full-path", "media-type", "version", "size", "preferred-view-mode"); err != nil {
					return nil, err
				}
				e, ok := manifestEntry{}, 0
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "full-path":
						e.Path, ok = a.Value, ok+1
					case "media-type":
						e.MediaType, ok = a.Value, ok+1
					}
				}
				if ok != 2 {
					return nil, bad("a file-entry without full-path or media-type")
				}
				out = append(out, e)
			default:
				return nil, bad("an element other than manifest and its file-entry elements")
			}
		case xml.EndElement:
			depth--
		}
	}
	if roots != 1 || depth != 0 {
		return nil, bad("no manifest:manifest root")
	}
	return out, nil
}

// manifestAttrs checks an element's attributes: namespace declarations and
// the named attributes of the manifest namespace, each at most once.
func manifestAttrsOracle(attrs []xml.Attr, allowed ...string) error {
	seen := map[xml.Name]bool{}
	for _, a := range attrs {
		if seen[a.Name] {
			return readFail(Malformed, "META-INF/manifest.xml: an attribute appears twice")
		}
		seen[a.Name] = true
		if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
			continue
		}
		if a.Name.Space != manifestNS || !slices.Contains(allowed, a.Name.Local) {
			return readFail(Malformed, "META-INF/manifest.xml: an attribute OpenDocument does not define here")
		}
	}
	return nil
}

// TestParseManifestDifferential: on every manifest of testdata/asice and
// edits of one, parseManifest on readXML's tree reads what the encoding/xml
// reader read, or refuses what it refused (Malformed). The differences are
// deliberate and listed in manifestOnlyRefused / manifestValueNormalised.
func TestParseManifestDifferential(t *testing.T) {
	var base []byte
	n := 0
	in := xmlDiffInputs(t)
	names := slices.Sorted(maps.Keys(in))
	for _, name := range names {
		b := in[name]
		if !strings.HasSuffix(name, "META-INF/manifest.xml") {
			continue
		}
		n++
		if base == nil && strings.Contains(string(b), "file-entry") {
			base = b
		}
		compareManifests(t, name, b)
	}
	if n < 50 || base == nil {
		t.Fatalf("%d manifests in the corpus", n)
	}
	root := bytes.Index(base, []byte("<manifest:manifest"))
	edits := []string{
		strings.Replace(string(base), "<manifest:file-entry", "<!-- c --><manifest:file-entry", 1),
		strings.Replace(string(base), "<manifest:file-entry", "\n\t <![CDATA[ ]]><manifest:file-entry", 1),
		strings.Replace(string(base), "<manifest:file-entry", "x<manifest:file-entry", 1),
		strings.Replace(string(base), "<manifest:file-entry", "<manifest:file-entry manifest:size=\"1\"", 1),
		strings.Replace(string(base), "<manifest:file-entry", "<manifest:file-entry manifest:size=\"1\" manifest:size=\"2\"", 1),
		strings.Replace(string(base), "<manifest:file-entry", "<manifest:file-entry id=\"1\"", 1),
		strings.Replace(string(base), "<manifest:file-entry", "<manifest:encryption-data/><manifest:file-entry", 1),
		strings.Replace(string(base), "/>", "><manifest:x/></manifest:file-entry>", 1),
		strings.Replace(string(base), "/>", ">y</manifest:file-entry>", 1),
		strings.Replace(string(base), "/>", "> </manifest:file-entry>", 1),
		strings.Replace(string(base), "manifest:media-type=", "manifest:media=", 1),
		string(base) + "<manifest:manifest/>",
		string(base) + "<!-- c -->",
		string(base[:root]) + "<!DOCTYPE m>" + string(base[root:]),
		string(base[:root]) + "<?pi?>" + string(base[root:]),
		string(base[:root]) + "<m:manifest xmlns:m=\"" + manifestNS + "\"/>",
		string(base[:len(base)/2]),
		strings.Replace(string(base), "&", "&amp;", 1),
		strings.Replace(string(base), "manifest:full-path=\"", "manifest:full-path=\"&#97;&amp;", 1),
	}
	for i, e := range edits {
		compareManifests(t, fmt.Sprintf("edit %d", i), []byte(e))
	}
	for i, e := range manifestOnlyRefused {
		got, err := parseManifest([]byte(e), nil)
		if errReason(err) != Malformed || err == nil || got != nil {
			t.Errorf("only refused %d: %v", i, err)
		}
		if _, err := parseManifestOracle([]byte(e)); err != nil {
			t.Errorf("only refused %d: the oracle refuses it too (%v)", i, err)
		}
	}
	for i, e := range manifestValueNormalised {
		got, err := parseManifest([]byte(e), nil)
		if err != nil || len(got) != 1 || got[0].Path != "a b c" {
			t.Errorf("normalised %d: %v %q", i, err, got)
		}
	}
}

const manifestHead = `<manifest:manifest xmlns:manifest="` + manifestNS + `">`

// manifestOnlyRefused are manifests encoding/xml read and readXML refuses
// (Malformed): its namespace and declaration rules.
var manifestOnlyRefused = []string{
	`<?xml encoding="UTF-8" version="1.0"?>` + manifestHead + `</manifest:manifest>`,
	`<manifest:manifest xmlns:manifest="` + manifestNS + `" xmlns:p=""></manifest:manifest>`,
	`<manifest:manifest xmlns:manifest="` + manifestNS + `" xmlns:p="urn:a&#10;b"></manifest:manifest>`,
	`<manifest:manifest xmlns:manifest="` + manifestNS + `" xmlns:xml="urn:x"></manifest:manifest>`,
}

// manifestValueNormalised: a tab or line feed in an attribute value is a
// space (XML 1.0 section 3.3.3), where encoding/xml kept it.
var manifestValueNormalised = []string{
	manifestHead + "<manifest:file-entry manifest:full-path=\"a\tb\nc\" manifest:media-type=\"x\"/></manifest:manifest>",
	manifestHead + "<manifest:file-entry manifest:full-path=\"a\r\nb\rc\" manifest:media-type=\"x\"/></manifest:manifest>",
}

func compareManifests(t *testing.T, name string, b []byte) {
	t.Helper()
	got, gerr := parseManifest(b, nil)
	want, werr := parseManifestOracle(b)
	if (gerr == nil) != (werr == nil) || errReason(gerr) != errReason(werr) || !slices.Equal(got, want) {
		t.Errorf("%s: %v %q; oracle %v %q", name, gerr, got, werr, want)
	}
}

// FuzzParseManifest: a manifest is read or refused (Malformed,
// LimitExceeded), and one read is one the encoding/xml reader read too,
// with as many entries.
func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(manifestHead + `<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.etsi.asic-e+zip"/></manifest:manifest>`))
	for _, e := range manifestValueNormalised {
		f.Add([]byte(e))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := parseManifest(b, nil)
		if err != nil {
			if r := errReason(err); r != Malformed && r != LimitExceeded {
				t.Fatalf("reason %s", r)
			}
			return
		}
		want, werr := parseManifestOracle(b)
		if werr != nil || len(got) != len(want) {
			t.Fatalf("read %d entries; the oracle: %v, %d", len(got), werr, len(want))
		}
	})
}
