package tsl

import (
	"testing"
	"time"
)

// FuzzRead: any input is read or refused with a reason, never a panic.
func FuzzRead(f *testing.F) {
	signer := mustCerts(f, "testdata/test/trusted-test-tsl.crt")
	f.Add(mustRead(f, "testdata/test/tl-mp-test-EE.xml"))
	f.Add([]byte(`<TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#"><SchemeInformation/></TrustServiceStatusList>`))
	f.Add([]byte(`<!DOCTYPE a><a/>`))
	when := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Read(data, Options{Signers: signer, At: when, MaxSize: 1 << 20})
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("not a *tsl.Error: %v", err)
			}
			return
		}
		for _, p := range l.Providers {
			for _, s := range p.Services {
				s.StatusAt(when)
			}
		}
	})
}
