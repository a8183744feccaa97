package wsgi

import (
	"io"
	"sync"
)

// bytesBody is the Iterable Bytes returns; it goes back to its pool on Close.
type bytesBody struct {
	chunk []byte
	done  bool
}

var bytesPool = sync.Pool{New: func() any { return new(bytesBody) }}

// Bytes returns a Buffered Iterable of one chunk, from a pool: the common
// "return [body]" of a WSGI app. p must stay unchanged until Close.
func Bytes(p []byte) Iterable {
	b := bytesPool.Get().(*bytesBody)
	b.chunk, b.done = p, false
	return b
}

func (b *bytesBody) Next() ([]byte, error) {
	if b.done {
		return nil, io.EOF
	}
	b.done = true
	return b.chunk, nil
}

func (b *bytesBody) Close() error {
	b.chunk = nil
	bytesPool.Put(b)
	return nil
}

func (b *bytesBody) Buffered() bool { return true }

// Empty returns a Buffered Iterable with no chunks.
func Empty() Iterable { return Bytes(nil) }
