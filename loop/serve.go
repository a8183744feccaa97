package loop

import (
	"github.com/panjf2000/gnet/v2"

	"github.com/gwsgi/gwsgi/httpparse"
)

var continue100 = []byte("HTTP/1.1 100 Continue\r\n\r\n")

// serve serves the requests the connection's input holds, one after the
// other while each is answered on the loop itself (a small file), until
// one goes to the app, the input runs out or the connection must close.
func (cs *connState) serve() gnet.Action {
	for {
		cs.inlined = false
		if act := cs.serveOne(); act != gnet.None || !cs.inlined {
			return act
		}
	}
}

// serveOne parses the next request from the connection's input and
// dispatches it, or waits for more bytes.
func (cs *connState) serveOne() gnet.Action {
	buf := cs.input()
	if len(buf) == 0 {
		if phase(cs.phase.Load()) != phaseIdle {
			cs.setPhase(phaseIdle) // a wake-up does not restart the idle time
		}
		return gnet.None
	}
	if cs.proxyPending {
		if act, done := cs.proxyHeader(buf); !done {
			return act
		}
		if buf = cs.input(); len(buf) == 0 {
			cs.enterHead()
			return gnet.None
		}
	}
	n, act, ok := cs.head(buf)
	if !ok {
		return act
	}
	req := &cs.req
	switch {
	case !req.HasBody():
		return cs.dispatchBuffered(buf[:n], nil)
	case req.Chunked:
		return cs.serveChunked(buf, n)
	case req.ContentLength <= int64(cs.srv.cfg.MaxBufferedBody):
		total := n + int(req.ContentLength)
		if len(buf) < total {
			return cs.waitBody(n)
		}
		return cs.dispatchBuffered(buf[:total], buf[n:total])
	default:
		return cs.startStream(n)
	}
}

// head returns the length of the request head at the start of buf, parsed
// into cs.req, and ok; or, when it is incomplete or bad, what to do. A
// head that arrives in pieces is parsed once: each call resumes where the
// last stopped, and a parsed head whose body is awaited is not parsed
// again (cs.req follows buf should it move).
func (cs *connState) head(buf []byte) (int, gnet.Action, bool) {
	if cs.headLen > 0 {
		cs.prog.Follow(buf, &cs.req)
		return cs.headLen, gnet.None, true
	}
	n, err := cs.parser.Resume(buf, &cs.req, &cs.prog)
	if err == httpparse.ErrNeedMore {
		cs.keep()
		cs.enterHead()
		return 0, gnet.None, false
	}
	if err != nil {
		return 0, cs.reject(err), false
	}
	return n, gnet.None, true
}

// waitBody waits for the rest of a body that is read before dispatch; the
// head of length n is not parsed again.
func (cs *connState) waitBody(n int) gnet.Action {
	cs.headLen = n
	cs.keep()
	cs.sendContinue()
	cs.enterHead()
	return gnet.None
}

// sendContinue answers Expect: 100-continue once per request.
func (cs *connState) sendContinue() {
	if cs.req.Expect100 && !cs.continued && cs.req.ProtoMinor >= 1 {
		cs.continued = true
		_, _ = cs.c.Write(continue100)
	}
}

// dispatchBuffered dispatches a request whose head and body are all in
// msg; body is its (Content-Length) body within msg.
func (cs *connState) dispatchBuffered(msg, body []byte) gnet.Action {
	cs.headLen, cs.bodyOff = 0, 0
	ex, err := cs.newExchange()
	if err != nil {
		return cs.reject(err)
	}
	if len(body) > 0 {
		ex.env.SetBody(body)
	}
	cs.consume(len(msg))
	return cs.dispatch(ex)
}

// serveChunked reads a chunked body before dispatch when it is small,
// else streams it. While the body arrives it is checked from where the
// last read stopped (cs.bodyOff); once complete it is decoded into the
// exchange in one pass, so each byte is looked at twice at most.
func (cs *connState) serveChunked(buf []byte, n int) gnet.Action {
	if len(buf)-n > cs.srv.cfg.MaxBufferedBody {
		return cs.startStream(n)
	}
	if cs.bodyOff == 0 {
		cs.dec.Reset(cs.srv.cfg.Limits)
		cs.bodyOff = n
	}
	for {
		data, m, done, err := cs.dec.Decode(buf[cs.bodyOff:])
		if err != nil {
			cs.headLen, cs.bodyOff = 0, 0
			return cs.reject(err)
		}
		cs.bodyOff += m
		if done {
			break
		}
		if m == 0 && len(data) == 0 {
			return cs.waitBody(n)
		}
	}
	return cs.dispatchChunked(buf, n)
}

// dispatchChunked decodes the complete chunked body after the head of
// length n into a new exchange and dispatches it.
func (cs *connState) dispatchChunked(buf []byte, n int) gnet.Action {
	cs.headLen, cs.bodyOff = 0, 0
	cs.dec.Reset(cs.srv.cfg.Limits)
	ex, err := cs.newExchange()
	if err != nil {
		return cs.reject(err)
	}
	for off := n; ; {
		data, m, done, err := cs.dec.Decode(buf[off:])
		if err != nil { // cannot happen: the body was checked
			ex.release()
			return cs.reject(err)
		}
		ex.env.AppendBody(data)
		off += m
		if done {
			cs.consume(off)
			return cs.dispatch(ex)
		}
	}
}

// startStream dispatches a request whose body is too large to read first:
// it is fed to wsgi.input as it arrives, with backpressure.
func (cs *connState) startStream(n int) gnet.Action {
	cs.headLen, cs.bodyOff = 0, 0
	ex, err := cs.newExchange()
	if err != nil {
		return cs.reject(err)
	}
	cs.consume(n)
	cs.stream = stream{active: true, chunked: cs.req.Chunked, remaining: cs.req.ContentLength}
	if cs.req.Chunked {
		cs.dec.Reset(cs.srv.cfg.Limits)
	}
	size := cs.srv.cfg.StreamBuffer
	if !cs.req.Chunked && cs.req.ContentLength < int64(size) {
		size = int(cs.req.ContentLength)
	}
	ex.env.Body.Stream(size, cs.wake)
	cs.sendContinue()
	if cs.closed { // the write failed and gnet closed the connection: OnClose has run
		cs.stream.active = false
		ex.release()
		return gnet.None
	}
	if act := cs.dispatch(ex); act != gnet.None {
		return act
	}
	cs.setPhase(phaseStream)
	cs.pumpBody()
	return gnet.None
}

// pumpBody feeds a streamed body, and gives up on a client that sent
// nothing for HeaderTimeout while the app waits for its bytes: the app's
// read fails and the connection closes after the response.
func (cs *connState) pumpBody() {
	moved := cs.feed()
	cs.flowControl()
	switch {
	case !cs.stream.active: // complete, or failed
	case moved || cs.ex.env.Body.Free() == 0: // progress, or the app is the one behind
		cs.setPhase(phaseStream)
	case cs.expired(now()):
		cs.srv.clients.printf("gwsgi: %s:%s: request body: %s", cs.ci.RemoteAddr, cs.ci.RemotePort, errTimeout.Reason)
		cs.endStream(errTimeout)
		cs.mustClose = true
	}
}

// feed moves buffered body bytes into wsgi.input as far as it has room,
// and reports whether it moved any.
func (cs *connState) feed() (moved bool) {
	body := &cs.ex.env.Body
	for cs.stream.active {
		buf := cs.input()
		free := body.Free()
		if len(buf) == 0 || free == 0 {
			return moved
		}
		if len(buf) > free {
			buf = buf[:free]
		}
		if !cs.stream.chunked {
			if int64(len(buf)) > cs.stream.remaining {
				buf = buf[:cs.stream.remaining]
			}
			m := body.Feed(buf)
			cs.consume(m)
			moved = moved || m > 0
			cs.stream.remaining -= int64(m)
			if cs.stream.remaining == 0 {
				cs.endStream(nil)
			}
			continue
		}
		data, m, done, err := cs.dec.Decode(buf)
		if err == nil && m == 0 && len(data) == 0 && len(buf) == free {
			body.NeedSpace() // a size line does not fit in the room left yet
			return moved
		}
		if err != nil {
			cs.srv.clients.printf("gwsgi: %s:%s: request body: %v", cs.ci.RemoteAddr, cs.ci.RemotePort, err)
			cs.endStream(err)
			cs.mustClose = true
			return moved
		}
		body.Feed(data) // fits: data is part of buf, which fits
		cs.consume(m)
		moved = moved || m > 0
		if done {
			cs.endStream(nil)
		} else if m == 0 {
			return moved
		}
	}
	return moved
}

// endStream ends a streamed body; the request goes on without a timeout.
func (cs *connState) endStream(err error) {
	cs.stream.active = false
	cs.resumeReads()
	cs.ex.env.Body.Finish(err)
	cs.setPhase(phaseBusy)
}

// dispatch hands a request to the goroutine budget; when the budget is
// full the client gets a 503.
func (cs *connState) dispatch(ex *exchange) gnet.Action {
	cs.ex = ex
	cs.setPhase(phaseBusy)
	cs.srv.active.Add(1)
	ex.resp.ForceClose = cs.mustClose
	ex.resp.Draining = &cs.srv.draining
	ex.queued = cs.c.OutboundBuffered() > 0
	if cs.srv.cfg.Phases != nil {
		ex.tDispatch = max(now(), 1)
	}
	if cs.srv.cfg.AccessLog != nil || cs.srv.cfg.Metrics != nil {
		ex.tBegin = now()
	}
	if cs.stream.active || cs.buffered() > 0 {
		cs.handoff.Store(handoffKick) // input waits: the app's goroutine must wake the loop
	} else {
		cs.handoff.Store(handoffBusy)
	}
	cs.srv.cfg.Metrics.AddInflight(1)
	cs.srv.cfg.Metrics.AddQueued(1)
	if act, done := cs.serveStatic(ex); done {
		return act
	}
	if cs.srv.budget.Submit(ex) {
		cs.srv.count()
		return gnet.None
	}
	cs.stream.active = false
	return cs.overloaded(ex)
}

// complete runs on the loop when the app is done with a request and its
// response is handed to the socket; keep says the connection may go on.
func (cs *connState) complete(ex *exchange, keep bool) {
	cs.srv.active.Add(-1)
	cs.progress.Store(0)
	unread := cs.stream.active
	cs.ex, cs.stream.active, cs.continued = nil, false, false
	cs.resumeReads()
	ex.release()
	if cs.closed {
		return
	}
	// While draining, a response that promised keep-alive is honoured:
	// the next request is served, and its answer closes the connection.
	if unread {
		if cs.linger() == gnet.Close {
			cs.closing = true
			_ = cs.c.Close()
		}
		return
	}
	if !keep || cs.mustClose || cs.serve() == gnet.Close {
		cs.closing = true // gnet closes it soon; read nothing more meanwhile
		_ = cs.c.Close()
	}
}
