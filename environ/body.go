package environ

import (
	"bytes"
	"io"
	"sync"
)

// Body is a request body as the application reads it (wsgi.input). It has
// two modes, chosen by the server before it hands the request over:
//
//   - buffered: the whole body is copied in with SetBody or AppendBody and
//     reads never block. The zero Body is an empty buffered body.
//   - streamed: after Stream, the event loop passes bytes in with Feed and
//     ends the body with Finish; Read and ReadLine block until bytes, the
//     end of the body or an error arrive.
//
// Body lives inside an Environ and is reset with it. Only one goroutine may
// read (Read, ReadLine); in streamed mode Feed, Finish and Abort may be
// called from another goroutine, but never after the Environ is released.
type Body struct {
	buf []byte // buffered: the body is buf[r:w]; streamed: a ring of len(buf) bytes
	r   int    // buffered: read offset; streamed: offset of the first unread byte
	w   int    // buffered: end of the body; streamed: count of unread bytes

	stream bool // set before dispatch, read-only while the body is read

	// Streamed mode only, guarded by mu.
	mu      sync.Mutex
	cond    sync.Cond
	done    bool   // Finish was called
	finErr  error  // Finish's error, returned once the buffered bytes are read
	abort   error  // set by Abort, returned at once
	starved bool   // a Feed was short: call onSpace when space frees up
	onSpace func() // the loop's callback, called outside mu
	line    []byte // ReadLine's copy of a line, owned by the reader
	ring    *ring  // carries buf back to ringPool on release (ring.go)
}

// SetBody makes e.Body a buffered body holding a copy of p; see
// Body.SetBody.
func (e *Environ) SetBody(p []byte) { e.Body.SetBody(p) }

// AppendBody appends a copy of p to e.Body; see Body.AppendBody.
func (e *Environ) AppendBody(p []byte) { e.Body.AppendBody(p) }

// SetBody makes b a buffered body holding a copy of p.
func (b *Body) SetBody(p []byte) {
	b.stream = false
	b.buf = append(b.buf[:0], p...)
	b.r, b.w = 0, len(b.buf)
}

// AppendBody appends a copy of p to a buffered body, e.g. one decoded
// chunk of a chunked body. It must not be called once reading has begun.
func (b *Body) AppendBody(p []byte) {
	if b.stream {
		b.SetBody(nil)
	}
	b.buf = append(b.buf[:b.w], p...)
	b.w = len(b.buf)
}

// Streaming reports whether b is in streamed mode.
func (b *Body) Streaming() bool { return b.stream }

// Len returns the count of bytes that can be read now without blocking.
func (b *Body) Len() int {
	if !b.stream {
		return b.w - b.r
	}
	b.mu.Lock()
	n := b.w
	b.mu.Unlock()
	return n
}

// Read reads up to len(p) bytes of the body. It returns io.EOF at the end
// of the body. A buffered body never blocks; a streamed one blocks until
// it has bytes, ends or fails (the error of Finish, or ErrAborted).
func (b *Body) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if b.stream {
		return b.readStream(p)
	}
	if b.r >= b.w {
		return 0, io.EOF
	}
	n := copy(p, b.buf[b.r:b.w])
	b.r += n
	return n, nil
}

// ReadLine returns the next line of the body, through and including its
// '\n'. A line is cut short after max bytes when max > 0, after the
// capacity of a streamed body's buffer, and at the end of the body; so a
// line without '\n' and a nil error is either cut at one of these limits
// or the last of the body, and the next call tells which. At the end of
// the body ReadLine returns nil and io.EOF (or the error that ended a
// streamed body).
//
// The line aliases storage that b owns: it is valid only until the next
// call to a method of b, and must not be modified.
func (b *Body) ReadLine(max int) (line []byte, err error) {
	if b.stream {
		return b.readLineStream(max)
	}
	if b.r >= b.w {
		return nil, io.EOF
	}
	end := b.w
	if max > 0 && max < end-b.r {
		end = b.r + max
	}
	if i := bytes.IndexByte(b.buf[b.r:end], '\n'); i >= 0 {
		end = b.r + i + 1
	}
	line = b.buf[b.r:end:end]
	b.r = end
	return line, nil
}

// reset empties b, returns it to buffered mode and keeps its buffers unless
// their capacity exceeds max (when max > 0). With max > 0 (the Environ goes
// back to its pool) a streamed body's buffer goes to ringPool instead.
func (b *Body) reset(max int) {
	switch {
	case max > 0 && b.stream:
		b.dropRing()
	case max > 0 && cap(b.buf) > max:
		b.buf = nil
	default:
		b.buf = b.buf[:0]
	}
	if max > 0 && cap(b.line) > max {
		b.line = nil
	} else {
		b.line = b.line[:0]
	}
	b.r, b.w = 0, 0
	b.stream = false
	b.done, b.starved = false, false
	b.finErr, b.abort = nil, nil
	b.onSpace = nil
}
