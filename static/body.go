package static

import (
	"io"
	"sync"

	"golang.org/x/sys/unix"
)

// chunkSize is what one Next reads when the gateway cannot sendfile.
const chunkSize = 64 << 10

var (
	bodyPool  = sync.Pool{New: func() any { return new(fileBody) }}
	chunkPool = sync.Pool{New: func() any { return new([chunkSize]byte) }}
)

// fileBody is the Iterable of a file answer: count bytes of an open
// regular file from offset. It owns fd from Serve until Close, which
// closes it and returns the fileBody (and its read buffer) to their
// pools: Close must be called exactly once, and nothing used after.
type fileBody struct {
	fd       int
	off, end int64 // next byte to send, and the end of the part
	buf      *[chunkSize]byte
}

func newFileBody(fd int, offset, count int64) *fileBody {
	b := bodyPool.Get().(*fileBody)
	b.fd, b.off, b.end = fd, offset, offset+count
	return b
}

// File implements wsgi.FileBody: the bytes not sent yet. The gateway
// sends them with sendfile, on the descriptor the fileBody owns.
func (b *fileBody) File() (fd int, offset, count int64, ok bool) {
	return b.fd, b.off, b.end - b.off, true
}

// Next reads the next piece with pread into a pooled 64 KiB buffer,
// which the chunk borrows until the next call or Close. A file that
// shrank under it ends with io.ErrUnexpectedEOF.
func (b *fileBody) Next() ([]byte, error) {
	if b.off >= b.end {
		return nil, io.EOF
	}
	if b.buf == nil {
		b.buf = chunkPool.Get().(*[chunkSize]byte)
	}
	p := b.buf[:min(int64(chunkSize), b.end-b.off)]
	for {
		n, err := unix.Pread(b.fd, p, b.off)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return nil, err
		case n == 0:
			return nil, io.ErrUnexpectedEOF
		}
		b.off += int64(n)
		if b.off >= b.end {
			return p[:n], io.EOF // the last piece: the head goes with it
		}
		return p[:n], nil
	}
}

// Buffered implements wsgi.Buffered: a file's bytes exist already, so the
// gateway may gather its pieces and send the head with the last one.
func (b *fileBody) Buffered() bool { return true }

// Close closes the file and returns b to its pool.
func (b *fileBody) Close() error {
	err := unix.Close(b.fd)
	if b.buf != nil {
		chunkPool.Put(b.buf)
	}
	*b = fileBody{fd: -1}
	bodyPool.Put(b)
	return err
}
