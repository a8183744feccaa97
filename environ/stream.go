package environ

import (
	"bytes"
	"io"
)

// DefaultStreamBuffer is the capacity Stream uses when given 0 or less.
const DefaultStreamBuffer = 64 << 10

// Stream switches b to streamed mode with a buffer of capacity bytes
// (DefaultStreamBuffer when capacity <= 0), empty and not finished.
// onSpace, which may be nil, is called by the reader's goroutine, outside
// any lock, each time a read frees space after a Feed came back short: the
// loop then feeds the rest. It must not block and must not call back into
// the reader; it typically wakes the connection's event loop.
//
// Stream must be called before the body is handed to its reader.
func (b *Body) Stream(capacity int, onSpace func()) {
	if capacity <= 0 {
		capacity = DefaultStreamBuffer
	}
	if cap(b.buf) < capacity {
		b.takeRing(capacity)
	}
	b.buf = b.buf[:capacity]
	b.r, b.w = 0, 0
	b.cond.L = &b.mu
	b.done, b.starved = false, false
	b.finErr, b.abort = nil, nil
	b.onSpace = onSpace
	b.stream = true
}

// Feed copies as much of p as fits into a streamed body's buffer and
// returns the count; it never blocks. p is not retained. When the count is
// short of len(p), onSpace is called once the reader has freed space.
// After Finish or Abort, Feed discards p and returns len(p), so a loop can
// drain what the reader no longer wants. Feed on a buffered body returns 0.
func (b *Body) Feed(p []byte) int {
	if len(p) == 0 || !b.stream {
		return 0
	}
	b.mu.Lock()
	if b.done || b.abort != nil {
		b.mu.Unlock()
		return len(p)
	}
	size := len(b.buf)
	n := min(len(p), size-b.w)
	if n > 0 {
		tail := b.r + b.w
		if tail >= size {
			tail -= size
		}
		c := copy(b.buf[tail:], p[:n])
		copy(b.buf, p[c:n])
		b.w += n
		b.cond.Signal()
	}
	if n < len(p) {
		b.starved = true
	}
	b.mu.Unlock()
	return n
}

// Free returns how many bytes the next Feed accepts. When it returns 0 it
// counts as a short Feed: onSpace is called once the reader frees space,
// so a loop may stop feeding on Free() == 0 and wait for onSpace. After
// Finish or Abort it returns the buffer's capacity (Feed discards); on a
// buffered body it returns 0.
func (b *Body) Free() int {
	if !b.stream {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done || b.abort != nil {
		return len(b.buf)
	}
	free := len(b.buf) - b.w
	if free == 0 {
		b.starved = true
	}
	return free
}

// Finish ends a streamed body: with err nil, reads return io.EOF once the
// buffered bytes are read; otherwise they return err then (the client went
// away, the body was too large, ...). Later calls do nothing.
func (b *Body) Finish(err error) {
	b.mu.Lock()
	if !b.done && b.abort == nil {
		b.done = true
		b.finErr = err
		b.cond.Broadcast()
	}
	b.mu.Unlock()
}

// Abort fails a streamed body at once: a blocked reader wakes up and every
// read returns ErrAborted, buffered bytes or not. The server calls it when
// the connection dies. It does nothing to a buffered body.
func (b *Body) Abort() {
	if !b.stream {
		return
	}
	b.mu.Lock()
	if b.abort == nil {
		b.abort = ErrAborted
		b.cond.Broadcast()
	}
	b.mu.Unlock()
}

// readStream is Read in streamed mode; len(p) > 0.
func (b *Body) readStream(p []byte) (int, error) {
	b.mu.Lock()
	for b.w == 0 && !b.done && b.abort == nil {
		b.cond.Wait()
	}
	if b.abort != nil {
		err := b.abort
		b.mu.Unlock()
		return 0, err
	}
	if b.w == 0 {
		err := b.finErr
		b.mu.Unlock()
		if err == nil {
			err = io.EOF
		}
		return 0, err
	}
	n := min(len(p), b.w)
	c := copy(p[:n], b.buf[b.r:min(b.r+n, len(b.buf))])
	copy(p[c:n], b.buf)
	b.consume(n)
	notify := b.takeStarved()
	b.mu.Unlock()
	if notify != nil {
		notify()
	}
	return n, nil
}

// readLineStream is ReadLine in streamed mode.
func (b *Body) readLineStream(max int) ([]byte, error) {
	size := len(b.buf)
	limit := size
	if max > 0 && max < limit {
		limit = max
	}
	b.mu.Lock()
	var n int
	for {
		if b.abort != nil {
			err := b.abort
			b.mu.Unlock()
			return nil, err
		}
		avail := min(b.w, limit)
		first := b.buf[b.r:min(b.r+avail, size)]
		if i := bytes.IndexByte(first, '\n'); i >= 0 {
			n = i + 1
			break
		}
		if i := bytes.IndexByte(b.buf[:avail-len(first)], '\n'); i >= 0 {
			n = len(first) + i + 1
			break
		}
		if avail == limit || (b.done && avail > 0) {
			n = avail
			break
		}
		if b.done {
			err := b.finErr
			b.mu.Unlock()
			if err == nil {
				err = io.EOF
			}
			return nil, err
		}
		b.cond.Wait()
	}
	first := b.buf[b.r:min(b.r+n, size)]
	b.line = append(b.line[:0], first...)
	b.line = append(b.line, b.buf[:n-len(first)]...)
	b.consume(n)
	notify := b.takeStarved()
	b.mu.Unlock()
	if notify != nil {
		notify()
	}
	return b.line[:n:n], nil
}

// consume drops the first n unread bytes of the ring. b.mu is held.
func (b *Body) consume(n int) {
	b.w -= n
	if b.w == 0 {
		b.r = 0
		return
	}
	b.r += n
	if b.r >= len(b.buf) {
		b.r -= len(b.buf)
	}
}

// takeStarved returns onSpace if a Feed came back short since the last
// call, and clears the mark. b.mu is held.
func (b *Body) takeStarved() func() {
	if !b.starved || b.onSpace == nil {
		return nil
	}
	b.starved = false
	return b.onSpace
}

// NeedSpace tells a streamed body that its feeder waits for more room than
// Free reports (a chunk-size line that does not fit yet): onSpace is called
// once the reader frees space.
func (b *Body) NeedSpace() {
	b.mu.Lock()
	b.starved = true
	b.mu.Unlock()
}

// Received reports whether the whole body has arrived from the client: a
// buffered body always has; a streamed one once Finish was called without
// an error. A response written before that must close the connection, since
// the rest of the body is still on it.
func (b *Body) Received() bool {
	if !b.stream {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.done && b.finErr == nil && b.abort == nil
}
