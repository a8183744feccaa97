package loop

import "github.com/valyala/bytebufferpool"

// A connection's unconsumed input is what gnet holds, read from the
// socket, and, once a request has had to wait for more bytes, the bytes
// the connection kept (in). gnet's Peek copies everything it holds into
// one slice whenever its ring is not empty, so a head or body that
// arrives in many reads would be copied again at each: the connection
// keeps such a request's bytes itself instead, and each read adds only
// its own. A request that arrives in one read is parsed where gnet read
// it, without a copy.
//
// in and its offset are the event loop's, like the rest of connState.

// input returns the connection's unconsumed input: the bytes kept, with
// what gnet holds moved after them, or gnet's bytes when none are kept.
// The slice is valid until the next call of a method of this file.
func (cs *connState) input() []byte {
	if cs.in == nil {
		buf, _ := cs.c.Peek(-1)
		return buf
	}
	cs.take()
	return cs.in.B[cs.inOff:]
}

// keep moves what gnet holds into the connection's own buffer, for a
// request that waits for more bytes: the next reads add to it.
func (cs *connState) keep() {
	if cs.in == nil {
		if cs.c.InboundBuffered() == 0 {
			return
		}
		cs.in = bytebufferpool.Get()
	}
	cs.take()
}

// take appends what gnet holds to the kept bytes, after moving them to
// the front of the buffer when most of it is consumed.
func (cs *connState) take() {
	if cs.c.InboundBuffered() == 0 {
		return
	}
	if cs.inOff > 0 && cs.inOff >= len(cs.in.B)/2 {
		n := copy(cs.in.B, cs.in.B[cs.inOff:])
		cs.in.B, cs.inOff = cs.in.B[:n], 0
	}
	buf, _ := cs.c.Peek(-1)
	cs.in.B = append(cs.in.B, buf...)
	_, _ = cs.c.Discard(-1)
}

// consume drops the first n bytes of the input. (gnet's Discard takes
// n <= 0 to mean everything: it is never called so.)
func (cs *connState) consume(n int) {
	if n <= 0 {
		return
	}
	if cs.in == nil {
		_, _ = cs.c.Discard(n)
		return
	}
	cs.inOff += n
	if cs.inOff >= len(cs.in.B) { // input() had moved what gnet held into in
		cs.release()
	}
}

// buffered is how many input bytes are waiting.
func (cs *connState) buffered() int {
	n := cs.c.InboundBuffered()
	if cs.in != nil {
		n += len(cs.in.B) - cs.inOff
	}
	return n
}

// dropInput drops every input byte.
func (cs *connState) dropInput() {
	_, _ = cs.c.Discard(-1)
	cs.release()
}

// release gives the kept bytes' buffer back to its pool.
func (cs *connState) release() {
	if cs.in != nil {
		bytebufferpool.Put(cs.in)
		cs.in, cs.inOff = nil, 0
	}
}
