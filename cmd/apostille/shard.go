package main

import (
	"fmt"
	"strconv"
	"strings"
)

// shard is --shard K/N: of a JSON Lines input, the records on the lines L
// with (L-1) mod N = K. K counts from 0, as the JOB_COMPLETION_INDEX of a
// Kubernetes Indexed Job, so that pod K passes its own index. Lines are
// dealt out in turn, so every shard gets its share of any stretch of the
// input, and each shard's output is in line order, ready for a merge.
type shard struct{ k, n int }

func (s *shard) String() string {
	if s.n == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.k, s.n)
}

func (s *shard) Set(v string) error {
	ks, ns, ok := strings.Cut(v, "/")
	k, kerr := strconv.Atoi(ks)
	n, nerr := strconv.Atoi(ns)
	if !ok || kerr != nil || nerr != nil || n < 1 || k < 0 || k >= n || n > 1<<20 {
		return fmt.Errorf("want K/N with 0 <= K < N, e.g. 0/3, 1/3, 2/3")
	}
	s.k, s.n = k, n
	return nil
}

// has says whether line (from 1) is in the shard; without a shard every
// line is.
func (s shard) has(line int) bool {
	return s.n == 0 || (line-1)%s.n == s.k
}
