package verifier

import "sync"

// inflaters keeps inflate.go's decoders for reuse, for EU DCCs and status
// lists: a new inflater allocates its 96 KiB buffer, for an EU DCC several
// times the rest of a verification's allocations, which inside the
// WebAssembly module cost clearing and garbage collection. An inflater
// keeps no state from one stream to the next but its buffer and tables,
// which each stream overwrites before reading them. One pool belongs to
// one Trust, like its memos.
type inflaters struct{ pool sync.Pool }

func newInflaters() *inflaters { return &inflaters{} }

// inflater returns a DEFLATE decoder, as &inflater{} does.
func (p *inflaters) inflater() *inflater {
	if p != nil {
		if z, ok := p.pool.Get().(*inflater); ok {
			return z
		}
	}
	return &inflater{}
}

// putInflater gives a decoder from inflater back.
func (p *inflaters) putInflater(z *inflater) {
	if p != nil {
		p.pool.Put(z)
	}
}

// inflaters is the trust's pool of decoders, nil without a trust.
func (v *verification) inflaters() *inflaters {
	if v.opts.Trust == nil {
		return nil
	}
	return v.opts.Trust.inflaters
}
