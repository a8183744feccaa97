package environ

import "sync"

// ring holds the buffer of a streamed body while it waits in ringPool for
// the next one; it travels with its buffer so that pooling allocates
// nothing.
type ring struct{ buf []byte }

// ringPool keeps the buffers of streamed bodies whose Environ was
// released. They are large (loop.Config.StreamBuffer, 256 KiB by
// default), and an Environ back in environPool that kept its own would
// pin one for every Environ that ever streamed a body: under a steady mix
// of uploads and small requests, in time every pooled Environ. Pooled
// apart, only the bodies streaming at once hold one, and the idle ones go
// with the garbage collector as sync.Pool lets them.
var ringPool = sync.Pool{New: func() any { return new(ring) }}

// takeRing gives b a streaming buffer of at least capacity bytes from
// ringPool (or a new one), keeping the holder to return it with.
func (b *Body) takeRing(capacity int) {
	r := ringPool.Get().(*ring)
	if cap(r.buf) < capacity {
		r.buf = make([]byte, capacity)
	}
	b.buf, r.buf = r.buf, nil
	b.ring = r
}

// dropRing hands a streamed body's buffer back to ringPool; b keeps no
// buffer. Both the loop and the reader must be done with b.
func (b *Body) dropRing() {
	r := b.ring
	if r == nil {
		r = new(ring)
	}
	r.buf, b.buf, b.ring = b.buf, nil, nil
	ringPool.Put(r)
}
