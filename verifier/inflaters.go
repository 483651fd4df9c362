package verifier

import (
	"compress/zlib"
	"io"
	"sync"
)

// inflaters keeps zlib readers for reuse. A new reader allocates flate's
// 32 KB window and its Huffman tables: for an EU DCC, several times the
// rest of a verification's allocations, which inside the WebAssembly
// module cost clearing and garbage collection. A reader reset onto a new
// stream (zlib.Resetter) decodes exactly as a new one and fails on the
// same errors. One pool belongs to one Trust, like its memos.
type inflaters struct{ pool sync.Pool }

func newInflaters() *inflaters { return &inflaters{} }

// get returns a zlib reader of r, as zlib.NewReader(r) does.
func (p *inflaters) get(r io.Reader) (io.ReadCloser, error) {
	if p != nil {
		if z, ok := p.pool.Get().(io.ReadCloser); ok {
			if err := z.(zlib.Resetter).Reset(r, nil); err != nil {
				p.pool.Put(z)
				return nil, err
			}
			return z, nil
		}
	}
	return zlib.NewReader(r)
}

// put gives a reader from get back.
func (p *inflaters) put(z io.ReadCloser) {
	if p != nil && z != nil {
		p.pool.Put(z)
	}
}

// inflaters is the trust's pool of zlib readers, nil without a trust.
func (v *verification) inflaters() *inflaters {
	if v.opts.Trust == nil {
		return nil
	}
	return v.opts.Trust.inflaters
}
