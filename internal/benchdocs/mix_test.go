package benchdocs

import (
	"bytes"
	"testing"

	"github.com/apostille/apostille/verifier"
)

// TestMixDecidesAsListed verifies every document of the mix natively at
// At and requires the demo manifest's verdict and reason.
func TestMixDecidesAsListed(t *testing.T) {
	m, err := MakeMix()
	if err != nil {
		t.Fatal(err)
	}
	trust, err := verifier.ParseTrust("demo", m.Trust)
	if err != nil {
		t.Fatal(err)
	}
	formats := map[string]int{}
	for _, d := range m.Docs {
		formats[d.Format]++
		rep := verifier.Verify(d.Data, verifier.Options{Trust: trust, Time: At, Proof: d.Proof, Payload: d.Payload})
		if string(rep.Verdict) != d.Verdict || string(rep.Reason) != d.Reason {
			t.Errorf("%s: %s/%s, want %s/%s", d.Name, rep.Verdict, rep.Reason, d.Verdict, d.Reason)
		}
	}
	for _, f := range []string{"jws-compact", "jws-x5c", "cwt", "dcc", "mdoc", "sd-jwt", "attested"} {
		if formats[f] == 0 {
			t.Errorf("no %s document in the mix", f)
		}
	}
}

// TestMixDeterministic builds the mix twice and compares it.
func TestMixDeterministic(t *testing.T) {
	a, err := MakeMix()
	if err != nil {
		t.Fatal(err)
	}
	b, err := MakeMix()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Trust, b.Trust) || len(a.Docs) != len(b.Docs) {
		t.Fatal("two builds differ")
	}
	for i := range a.Docs {
		if !bytes.Equal(a.Docs[i].Data, b.Docs[i].Data) || !bytes.Equal(a.Docs[i].Proof, b.Docs[i].Proof) {
			t.Errorf("%s differs between two builds", a.Docs[i].Name)
		}
	}
}

// BenchmarkMix verifies the mix natively, per format. With -cpuprofile
// and -benchmem it is the proxy for the module's own work (the module
// runs the same code, about ten times slower per operation, and pays most
// for allocations).
func BenchmarkMix(b *testing.B) {
	m, err := MakeMix()
	if err != nil {
		b.Fatal(err)
	}
	parsed, err := verifier.ParseTrust("demo", m.Trust)
	if err != nil {
		b.Fatal(err)
	}
	trust := &verifier.Trust{}
	trust.Add(parsed)
	for _, f := range append(m.Formats(), "all") {
		b.Run(f, func(b *testing.B) {
			var buf []byte
			for b.Loop() {
				for i := range m.Docs {
					d := &m.Docs[i]
					if f != "all" && d.Format != f {
						continue
					}
					buf = verifier.Verify(d.Data, verifier.Options{Trust: trust, Time: At, Proof: d.Proof, Payload: d.Payload}).AppendJSON(buf[:0])
				}
			}
		})
	}
}
