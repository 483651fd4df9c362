package verifier

// The OpenDocument manifest of a DigiDoc container, META-INF/manifest.xml
// (OpenDocument 1.2 part 3, chapter 4): the container's own media type
// (full-path "/") and one media type per data file. It is read with
// readXML, the reader of the signatures, so that encoding/xml is not in
// the WebAssembly module at all, and then held to a short list of what may
// appear.

import (
	"slices"
	"strings"
)

// manifestNS is the namespace of the manifest's elements and attributes.
const manifestNS = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"

// manifestEntry is one manifest:file-entry.
type manifestEntry struct {
	Path      string // manifest:full-path
	MediaType string // manifest:media-type
}

// parseManifest reads a manifest strictly: what readXML accepts (UTF-8, no
// DOCTYPE, so no entities beyond XML's five, no processing instruction but
// the XML declaration, namespaces well-formed, within its limits), a
// manifest:manifest root holding only empty manifest:file-entry elements
// with the attributes OpenDocument defines for them, no text but white
// space. Encryption data (an encrypted file) is refused with the rest.
// Every refusal is Malformed but a limit's (LimitExceeded). xs is the
// reader's memory (nil: new).
func parseManifest(b []byte, xs *xmlScratch) ([]manifestEntry, error) {
	bad := func(what string) error { return readFail(Malformed, "META-INF/manifest.xml: %s", what) }
	d, err := xs.readXML(b, xmlLimits{})
	if err != nil {
		if errReason(err) == LimitExceeded {
			return nil, err
		}
		return nil, bad("not well-formed XML")
	}
	root := d.Root
	if root.Space != manifestNS || root.Local != "manifest" {
		return nil, bad("no manifest:manifest root")
	}
	if err := manifestAttrs(root, "version"); err != nil {
		return nil, err
	}
	var out []manifestEntry
	for _, c := range root.Children {
		switch {
		case c.Kind == xmlTextNode && !onlySpace(c.Text):
			return nil, bad("text outside attributes")
		case c.Kind != xmlElementNode:
			continue
		}
		e := c.Elem
		if e.Space != manifestNS || e.Local != "file-entry" || e.elementCount() != 0 {
			return nil, bad("an element other than manifest and its file-entry elements")
		}
		for _, t := range e.Children {
			if t.Kind == xmlTextNode && !onlySpace(t.Text) {
				return nil, bad("text outside attributes")
			}
		}
		if err := manifestAttrs(e, "full-path", "media-type", "version", "size", "preferred-view-mode"); err != nil {
			return nil, err
		}
		path, ok1 := e.Attr(manifestNS, "full-path")
		mt, ok2 := e.Attr(manifestNS, "media-type")
		if !ok1 || !ok2 {
			return nil, bad("a file-entry without full-path or media-type")
		}
		out = append(out, manifestEntry{path, mt})
	}
	return out, nil
}

func onlySpace(s string) bool { return strings.Trim(s, " \t\r\n") == "" }

// manifestAttrs checks an element's attributes (readXML has refused one
// twice, and keeps namespace declarations apart): only the named
// attributes of the manifest namespace.
func manifestAttrs(e *xmlElement, allowed ...string) error {
	for _, a := range e.Attrs {
		if a.Space != manifestNS || !slices.Contains(allowed, a.Local) {
			return readFail(Malformed, "META-INF/manifest.xml: an attribute OpenDocument does not define here")
		}
	}
	return nil
}
