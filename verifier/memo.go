package verifier

import "sync"

// memo is a map bounded to max entries that forgets the oldest entry
// first: the per-trust memos of parsed certificates (certmemo.go) and of
// built chains (chainmemo.go). Insertion order, not use, decides what is
// forgotten, so that a document cannot keep an entry alive by repeating
// it, and the bound holds whatever the input. Safe for concurrent use.
//
// Keys are strings and values any, not type parameters: the module's
// size counts, and two instantiations of a generic memo cost about 3 KB of
// brotli where the one type assertion per lookup costs nothing visible.
type memo struct {
	mu      sync.Mutex
	max     int
	entries map[string]any
	order   []string // insertion order, for eviction
}

func newMemo(max int) *memo {
	return &memo{max: max, entries: make(map[string]any)}
}

// getBytes is get(string(k)) without copying k: Go indexes a map by
// string(k) without allocating only where the conversion is written in the
// index expression itself, not when it is passed to get. Lookups key by
// whole certificates and headers, a copy each of up to kilobytes.
func (m *memo) getBytes(k []byte) (any, bool) {
	m.mu.Lock()
	v, ok := m.entries[string(k)]
	m.mu.Unlock()
	return v, ok
}

// put remembers v under k, forgetting the oldest entry beyond max.
func (m *memo) put(k string, v any) {
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
