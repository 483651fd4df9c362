package verifier

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"runtime"
	"strings"
	"testing"
)

var (
	oidGivenName = asn1.ObjectIdentifier{2, 5, 4, 42}
	oidSurname   = asn1.ObjectIdentifier{2, 5, 4, 4}
	oidEmail     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
)

func atv(oid asn1.ObjectIdentifier, v any) pkix.AttributeTypeAndValue {
	return pkix.AttributeTypeAndValue{Type: oid, Value: v}
}

func attr(last int, v any) pkix.AttributeTypeAndValue {
	return atv(asn1.ObjectIdentifier{2, 5, 4, last}, v)
}

// parsedName is a name as crypto/x509 fills it from a certificate: every
// attribute in Names, the known ones in their fields, no ExtraNames.
func parsedName(rdns ...pkix.RelativeDistinguishedNameSET) pkix.Name {
	var n pkix.Name
	n.FillFromRDNSequence((*pkix.RDNSequence)(&rdns))
	return n
}

// goldenNames are written as Go 1.26's pkix.Name.String wrote them, the
// format every report so far carries.
var goldenNames = []struct {
	name string
	n    pkix.Name
	want string
}{
	{"empty", pkix.Name{}, ""},
	{"estonian-id-card", parsedName(
		pkix.RelativeDistinguishedNameSET{attr(6, "EE")},
		pkix.RelativeDistinguishedNameSET{attr(3, "JÕEORG,JAAK-KRISTJAN,38001085718")},
		pkix.RelativeDistinguishedNameSET{atv(oidSurname, "JÕEORG")},
		pkix.RelativeDistinguishedNameSET{atv(oidGivenName, "JAAK-KRISTJAN")},
		pkix.RelativeDistinguishedNameSET{attr(5, "PNOEE-38001085718")},
	), `SERIALNUMBER=PNOEE-38001085718,CN=JÕEORG\,JAAK-KRISTJAN\,38001085718,C=EE,2.5.4.42=#130d4a41414b2d4b524953544a414e,2.5.4.4=#0c074ac395454f5247`},
	{"fields-in-fixed-order", parsedName(
		pkix.RelativeDistinguishedNameSET{attr(3, "Demo ESTEID 2026")},
		pkix.RelativeDistinguishedNameSET{attr(10, "Demo SK ID Solutions AS")},
		pkix.RelativeDistinguishedNameSET{attr(6, "EE")},
		pkix.RelativeDistinguishedNameSET{attr(17, "10115"), attr(9, "Pärnu mnt 1")},
		pkix.RelativeDistinguishedNameSET{attr(7, "Tallinn"), attr(8, "Harju")},
	), `CN=Demo ESTEID 2026,O=Demo SK ID Solutions AS,POSTALCODE=10115,STREET=Pärnu mnt 1,L=Tallinn,ST=Harju,C=EE`},
	{"values-of-one-field-joined", parsedName(
		pkix.RelativeDistinguishedNameSET{attr(11, "Unit A")},
		pkix.RelativeDistinguishedNameSET{attr(11, "Unit B"), attr(10, "Org")},
		pkix.RelativeDistinguishedNameSET{attr(3, "first CN")},
		pkix.RelativeDistinguishedNameSET{attr(3, "last CN")},
	), `CN=last CN,OU=Unit A+OU=Unit B,O=Org`},
	{"specials-escaped", parsedName(
		pkix.RelativeDistinguishedNameSET{attr(3, ` #a,b+c"d\e<f>g;h # `)},
		pkix.RelativeDistinguishedNameSET{attr(10, "#lead")},
		pkix.RelativeDistinguishedNameSET{attr(11, "mid # and space")},
	), `CN=\ #a\,b\+c\"d\\e\<f\>g\;h #\ ,OU=mid # and space,O=\#lead`},
	{"invalid-utf8-known-type", parsedName(
		pkix.RelativeDistinguishedNameSET{attr(3, "a\xffb")},
	), "CN=a\uFFFDb"},
	{"invalid-utf8-unknown-type-not-marshalled", parsedName(
		pkix.RelativeDistinguishedNameSET{atv(oidGivenName, "a\xff,b")},
	), "2.5.4.42=a\uFFFD\\,b"},
	{"email-utf8string", parsedName(
		pkix.RelativeDistinguishedNameSET{atv(oidEmail, "mari@example.ee")},
		pkix.RelativeDistinguishedNameSET{attr(3, "Mari")},
	), `CN=Mari,1.2.840.113549.1.9.1=#0c0f6d617269406578616d706c652e6565`},
	{"unknown-non-string", parsedName(
		pkix.RelativeDistinguishedNameSET{atv(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99}, int64(5))},
	), `1.3.6.1.4.1.99=#020105`},
	{"multi-valued-unknown-kept-apart", parsedName(
		pkix.RelativeDistinguishedNameSET{atv(oidGivenName, "MARI"), atv(oidSurname, "TAMM")},
	), `2.5.4.4=#130454414d4d,2.5.4.42=#13044d415249`},
	{"extra-names", pkix.Name{
		CommonName: "field CN",
		Country:    []string{"EE"},
		Names:      []pkix.AttributeTypeAndValue{atv(oidGivenName, "ignored with ExtraNames")},
		ExtraNames: []pkix.AttributeTypeAndValue{attr(3, "extra CN"), atv(oidSurname, "X")},
	}, `2.5.4.4=#130158,CN=extra CN,C=EE`},
}

func TestNameString(t *testing.T) {
	// Go 1.26 is the release whose format is kept: under it the library
	// must agree on every case, and the goldens are checked against it.
	pinned := strings.HasPrefix(runtime.Version(), "go1.26")
	for _, c := range goldenNames {
		if got := nameString(c.n); got != c.want {
			t.Errorf("%s: nameString = %q, want %q", c.name, got, c.want)
		}
		if pinned {
			if lib := c.n.String(); lib != c.want {
				t.Errorf("%s: Go 1.26's Name.String = %q, golden %q", c.name, lib, c.want)
			}
		}
	}
}

// FuzzNameString builds names from the fuzzer's bytes: nameString must
// not panic, and where every attribute has a short name (which no Go
// release writes differently) it agrees with the library; under Go 1.26
// it agrees everywhere.
func FuzzNameString(f *testing.F) {
	f.Add([]byte{6, 2, 'E', 'E', 3, 4, 'a', ',', 'b', ' ', 42, 1, '#'})
	f.Add([]byte{0x80 | 11, 1, 'x', 11, 1, 'y', 4, 2, 0xff, 'z'})
	pinned := strings.HasPrefix(runtime.Version(), "go1.26")
	f.Fuzz(func(t *testing.T, data []byte) {
		// Each attribute: a type byte (its low 6 bits the last arc of
		// 2.5.4.x; the high bit joins it to the previous RDN), a length,
		// the value's bytes.
		var rdns pkix.RDNSequence
		named := true
		for len(data) >= 2 {
			typ, n := data[0], int(data[1])
			data = data[2:]
			if n > len(data) {
				n = len(data)
			}
			a := attr(int(typ&0x3f), string(data[:n]))
			data = data[n:]
			if nameField(a.Type) == "" {
				named = false
			}
			if typ&0x80 != 0 && len(rdns) > 0 {
				rdns[len(rdns)-1] = append(rdns[len(rdns)-1], a)
			} else {
				rdns = append(rdns, pkix.RelativeDistinguishedNameSET{a})
			}
		}
		var n pkix.Name
		n.FillFromRDNSequence(&rdns)
		got := nameString(n)
		if named || pinned {
			if lib := n.String(); got != lib {
				t.Fatalf("nameString = %q, Name.String = %q", got, lib)
			}
		}
	})
}
