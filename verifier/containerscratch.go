package verifier

import "sync"

// containerScratch is the working memory of one container verification,
// given back when it ends: the archive's inflater (its 96 KiB buffer and
// Huffman tables, inflate.go) and the XML reader's buffers (xmltok.go).
// Made afresh for every container they were most of the bytes a container
// allocated, and in the WebAssembly module each allocation is cleared and
// later collected at ten times the native cost. Nothing in it outlives
// the verification or says anything about the last one: the inflater and
// the reader start every stream and document from their own state.
type containerScratch struct {
	inf inflater
	xml xmlScratch
}

// scratchPool holds containerScratch for reuse; like the inflaters, one
// belongs to one Trust.
type scratchPool struct{ pool sync.Pool }

// scratch returns a containerScratch from the trust's pool, or a new one
// without a trust.
func (v *verification) scratch() *containerScratch {
	if t := v.opts.Trust; t != nil && t.scratch != nil {
		if sc, ok := t.scratch.pool.Get().(*containerScratch); ok {
			return sc
		}
	}
	return &containerScratch{}
}

// putScratch gives sc back once nothing made with it is in use.
func (v *verification) putScratch(sc *containerScratch) {
	if t := v.opts.Trust; t != nil && t.scratch != nil {
		t.scratch.pool.Put(sc)
	}
}
