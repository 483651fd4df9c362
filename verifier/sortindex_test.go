package verifier

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSortIndex: the indices come out in the order a stable sort of the
// elements gives, ties in their first order, on random keys with many ties.
func TestSortIndex(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var idx []int
	for n := range 200 {
		keys := make([]int, n)
		for i := range keys {
			keys[i] = rng.IntN(n/4 + 1)
		}
		want := make([]int, n)
		for i := range want {
			want[i] = i
		}
		slices.SortStableFunc(want, func(i, j int) int { return keys[i] - keys[j] })
		idx = sortIndex(n, func(i, j int) int { return keys[i] - keys[j] }, idx)
		if !slices.Equal(idx, want) {
			t.Fatalf("%d keys: %v, want %v", n, idx, want)
		}
	}
}
