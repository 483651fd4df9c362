package verifier

import "slices"

// sortIndex returns 0, ..., n-1 in idx (reused), ordered by cmp of two
// indices, ties by index. Callers sort through it rather than with
// slices.SortFunc on their own element types: the []int instantiation is
// linked anyway (checkTiling), and each other element type would link its
// own copy of the sort, about 20 KB of the module.
func sortIndex(n int, cmp func(i, j int) int, idx []int) []int {
	idx = idx[:0]
	for i := range n {
		idx = append(idx, i)
	}
	slices.SortFunc(idx, func(i, j int) int {
		if c := cmp(i, j); c != 0 {
			return c
		}
		return i - j
	})
	return idx
}
