package verifier

import "sync"

// memo is a map bounded to max entries that forgets the oldest entry
// first: the per-trust memos of parsed certificates (certmemo.go) and of
// built chains (chainmemo.go). Insertion order, not use, decides what is
// forgotten, so that a document cannot keep an entry alive by repeating
// it, and the bound holds whatever the input. Safe for concurrent use.
type memo[K comparable, V any] struct {
	mu      sync.Mutex
	max     int
	entries map[K]V
	order   []K // insertion order, for eviction
}

func newMemo[K comparable, V any](max int) *memo[K, V] {
	return &memo[K, V]{max: max, entries: make(map[K]V)}
}

func (m *memo[K, V]) get(k K) (V, bool) {
	m.mu.Lock()
	v, ok := m.entries[k]
	m.mu.Unlock()
	return v, ok
}

// put remembers v under k, forgetting the oldest entry beyond max.
func (m *memo[K, V]) put(k K, v V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.entries[k]; !ok {
		if len(m.order) >= m.max {
			delete(m.entries, m.order[0])
			m.order = m.order[1:]
		}
		m.order = append(m.order, k)
	}
	m.entries[k] = v
}
