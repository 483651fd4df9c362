package verifier

import (
	"compress/zlib"
	"io"
	"sync"
)

// inflaters keeps decoders for reuse: zlib readers for status lists and
// inflate.go's decoders for EU DCCs. A new zlib reader allocates flate's
// 32 KB window and its Huffman tables, a new inflater its 96 KiB buffer:
// for an EU DCC, several times the rest of a verification's allocations,
// which inside the WebAssembly module cost clearing and garbage
// collection. A reader reset onto a new stream (zlib.Resetter) decodes
// exactly as a new one and fails on the same errors; an inflater keeps no
// state from one stream to the next but its buffer and tables, which each
// stream overwrites before reading them. One pool belongs to one Trust,
// like its memos.
type inflaters struct{ zlib, dcc sync.Pool }

func newInflaters() *inflaters { return &inflaters{} }

// get returns a zlib reader of r, as zlib.NewReader(r) does.
func (p *inflaters) get(r io.Reader) (io.ReadCloser, error) {
	if p != nil {
		if z, ok := p.zlib.Get().(io.ReadCloser); ok {
			if err := z.(zlib.Resetter).Reset(r, nil); err != nil {
				p.zlib.Put(z)
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
		p.zlib.Put(z)
	}
}

// inflater returns a DEFLATE decoder, as &inflater{} does.
func (p *inflaters) inflater() *inflater {
	if p != nil {
		if z, ok := p.dcc.Get().(*inflater); ok {
			return z
		}
	}
	return &inflater{}
}

// putInflater gives a decoder from inflater back.
func (p *inflaters) putInflater(z *inflater) {
	if p != nil {
		p.dcc.Put(z)
	}
}

// inflaters is the trust's pool of decoders, nil without a trust.
func (v *verification) inflaters() *inflaters {
	if v.opts.Trust == nil {
		return nil
	}
	return v.opts.Trust.inflaters
}
