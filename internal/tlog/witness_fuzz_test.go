package tlog

import "testing"

// FuzzParseAddCheckpoint: the tlog-witness request parser takes network
// input; it must not panic and must bound what it accepts.
func FuzzParseAddCheckpoint(f *testing.F) {
	f.Add([]byte("old 0\n\nlog.example\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n— log.example AAAA\n"))
	f.Add([]byte("old 20852014\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\njrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, proof, cp, err := parseAddCheckpoint(b)
		if err == nil && (len(proof) > 63 || len(cp) == 0) {
			t.Fatalf("accepted %d proof lines, %d checkpoint bytes", len(proof), len(cp))
		}
	})
}
