package verifier

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// The report's details and times written without fmt (report.go,
// status.go, attest.go, signed.go) against the fmt forms they replace.

var detailTimes = []time.Time{
	{},
	time.Unix(0, 0),
	time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC),
	time.Date(2026, 1, 15, 9, 0, 0, 999, time.FixedZone("x", 3600)),
	time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC),
	time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
	time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
	time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC),
	time.Unix(math.MaxInt64/2, 0),
}

func TestTimeStrings3(t *testing.T) {
	for _, a := range detailTimes {
		for _, b := range detailTimes {
			for _, c := range detailTimes {
				x, y, z := timeStrings3(a, b, c)
				if x != timeString(a) || y != timeString(b) || z != timeString(c) {
					t.Fatalf("%v %v %v: %q %q %q", a, b, c, x, y, z)
				}
			}
		}
	}
}

func TestStatusDetail(t *testing.T) {
	for _, iat := range detailTimes {
		for _, idx := range []uint64{0, 7, 255, 256, 1 << 40, math.MaxUint64} {
			for _, what := range []string{"not revoked", "revoked by its issuer", "suspended by its issuer", ""} {
				want := fmt.Sprintf("%s (%s, index %d)", what, "status list of "+timeString(iat), idx)
				if got := statusDetail(what, iat, idx); got != want {
					t.Fatalf("got %q, want %q", got, want)
				}
			}
		}
	}
}

func TestAttestedDetail(t *testing.T) {
	for _, notes := range [][]string{nil, {"a"}, {"the proof's extra data is not authenticated and was ignored", "b; c"}} {
		for _, n := range []int{0, 1, 3, 1000} {
			for _, origin := range []string{"", "log.example.ee/documents", clip(strings.Repeat("é", 100))} {
				for _, v := range []uint64{0, 9, 1 << 63} {
					want := strings.Join(append([]string{fmt.Sprintf("entry %d of %s (size %d), %d embassy cosignatures", v, origin, v+1, n)}, notes...), "; ")
					if got := attestedDetail(v, origin, v+1, n, notes); got != want {
						t.Fatalf("got %q, want %q", got, want)
					}
				}
			}
		}
	}
}
