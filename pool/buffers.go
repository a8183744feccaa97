package pool

import (
	"sync"

	"github.com/valyala/bytebufferpool"
)

// Retention caps of the buffer pools.
const (
	// MaxPooledBuffer is the largest ByteBuffer capacity, in bytes, that
	// PutBuffer keeps.
	MaxPooledBuffer = 1 << 20
	// MaxPooledVec is the largest vector capacity, in slices, that PutVec
	// keeps.
	MaxPooledVec = 1024
	// vecCap is the capacity of a new vector.
	vecCap = 16
)

var buffers bytebufferpool.Pool

// GetBuffer returns an empty ByteBuffer. The caller owns it until it
// passes it to PutBuffer.
func GetBuffer() *bytebufferpool.ByteBuffer {
	return buffers.Get()
}

// PutBuffer returns b to the pool; neither b nor b.B may be used after.
// Buffers larger than MaxPooledBuffer are dropped. PutBuffer(nil) does
// nothing.
func PutBuffer(b *bytebufferpool.ByteBuffer) {
	if b == nil || cap(b.B) > MaxPooledBuffer {
		return
	}
	buffers.Put(b) // resets b
}

var vecs = sync.Pool{
	New: func() any {
		v := make([][]byte, 0, vecCap)
		return &v
	},
}

// GetVec returns a pointer to an empty vector of byte slices for a
// vectored write. The caller owns it until it passes it to PutVec; the
// slices it appends stay the caller's.
func GetVec() *[][]byte {
	return vecs.Get().(*[][]byte)
}

// PutVec clears v (dropping its references to the caller's slices, up to
// its capacity), empties it and returns it to the pool; v must not be used
// after. Vectors larger than MaxPooledVec are dropped. PutVec(nil) does
// nothing.
func PutVec(v *[][]byte) {
	if v == nil || cap(*v) > MaxPooledVec {
		return
	}
	clear((*v)[:cap(*v)])
	*v = (*v)[:0]
	vecs.Put(v)
}
