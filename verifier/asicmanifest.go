package verifier

// The OpenDocument manifest of a DigiDoc container, META-INF/manifest.xml
// (OpenDocument 1.2 part 3, chapter 4): the container's own media type
// (full-path "/") and one media type per data file. It is read here with
// encoding/xml's token stream (namespaces resolved) and a short list of what may appear; when the
// strict XML reader of the XAdES work exists, parseManifest is the one
// function to switch to it.

import (
	"bytes"
	"encoding/xml"
	"io"
	"slices"
)

// manifestNS is the namespace of the manifest's elements and attributes.
const manifestNS = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"

// manifestEntry is one manifest:file-entry.
type manifestEntry struct {
	Path      string // manifest:full-path
	MediaType string // manifest:media-type
}

// parseManifest reads a manifest strictly: UTF-8, no DOCTYPE (so no
// entities beyond XML's five), no processing instruction but the XML
// declaration, a manifest:manifest root holding only empty
// manifest:file-entry elements with the attributes OpenDocument defines
// for them, no text but whitespace, no attribute twice. Encryption data
// (an encrypted file) is refused with the rest.
func parseManifest(b []byte) ([]manifestEntry, error) {
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
				if err := manifestAttrs(t.Attr, "version"); err != nil {
					return nil, err
				}
			case depth == 2 && t.Name == xml.Name{Space: manifestNS, Local: "file-entry"}:
				if err := manifestAttrs(t.Attr, "full-path", "media-type", "version", "size", "preferred-view-mode"); err != nil {
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
func manifestAttrs(attrs []xml.Attr, allowed ...string) error {
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
