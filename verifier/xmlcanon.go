package verifier

// CanonicalXML is for hosts that sign or check XML outside a verification
// (the demo writing its XAdES signatures, a trusted-list reader checking a
// whole list's digest), so that they canonicalise with the same reader and
// writer a verification uses instead of keeping a canonicaliser of their
// own. The module's entry point never calls it, so it costs the module
// nothing.

// XMLLimits bound the work of reading the document CanonicalXML is given;
// a zero field takes the verifier's default (4 MiB, depth 64, 20,000
// elements, 64 attributes an element). Hosts reading larger documents,
// such as trusted lists, raise them.
type XMLLimits struct {
	Size     int
	Depth    int
	Elements int
	Attrs    int
}

// CanonicalXML reads doc as the verifier reads XML (strictly: no DTD, one
// element per Id) and returns the canonical form, under the method a
// canonicalisation URI names, of the element whose Id is id, or of the
// root when id is "". With enveloped, the enveloped-signature transform
// comes first: the document's ds:Signature, which must be the only one, is
// left out. prefixList is an exclusive method's
// InclusiveNamespaces PrefixList ("" for none). A #WithComments method
// keeps comments: a same-document reference by bare name, which drops
// them, would pass the method without comments. A document the verifier
// would refuse, an unknown method or a missing Id is an error.
func CanonicalXML(doc []byte, id, method, prefixList string, enveloped bool, lim XMLLimits) ([]byte, error) {
	m, err := c14nMethodOf(method, prefixList)
	if err != nil {
		return nil, err
	}
	d, err := readXML(doc, xmlLimits(lim))
	if err != nil {
		return nil, err
	}
	e := d.Root
	if id != "" {
		if e = d.ByID(id); e == nil {
			return nil, readFail(Malformed, "no element with that Id")
		}
	}
	var sig *xmlElement
	if enveloped {
		sigs := dsSignatures(d.Root, nil)
		if len(sigs) != 1 {
			// Which one a transform would leave out depends on which
			// holds the reference; a host asking has only one.
			return nil, readFail(Malformed, "%d ds:Signature elements, not one", len(sigs))
		}
		sig = sigs[0]
	}
	return canonicalize(e, m, sig)
}

// dsSignatures appends the ds:Signature elements at and under e.
func dsSignatures(e *xmlElement, to []*xmlElement) []*xmlElement {
	if e.Space == dsNamespace && e.Local == "Signature" {
		to = append(to, e)
	}
	for _, c := range e.Elements() {
		to = dsSignatures(c, to)
	}
	return to
}
