package verifier

import (
	"os"
	"testing"
)

// BenchmarkReadXML reads a real XAdES signature (the largest signatures
// file of testdata/asice that reads) and a trusted list with readXML, and with the
// encoding/xml reader it replaced (readXMLOracle) for comparison.
func BenchmarkReadXML(b *testing.B) {
	var sig []byte
	for _, s := range corpusSignatures(b) {
		if _, err := readXMLOracle(s.XML, xmlLimits{}); err == nil && len(s.XML) > len(sig) {
			sig = s.XML
		}
	}
	tsl, err := os.ReadFile("../internal/tsl/testdata/live/EE.xml")
	if err != nil {
		b.Fatal(err)
	}
	for _, doc := range []struct {
		name string
		b    []byte
	}{{"signature", sig}, {"trusted-list", tsl}} {
		for _, rd := range []struct {
			name string
			read func([]byte, xmlLimits) (*xmlDocument, error)
		}{{"readXML", readXML}, {"encoding-xml", readXMLOracle}} {
			b.Run(doc.name+"/"+rd.name, func(b *testing.B) {
				b.SetBytes(int64(len(doc.b)))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := rd.read(doc.b, xmlLimits{}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
