package loop

import (
	"sync/atomic"
	"time"

	"github.com/panjf2000/gnet/v2"
	"github.com/valyala/bytebufferpool"
	"golang.org/x/sys/unix"

	"github.com/gwsgi/gwsgi/environ"
	"github.com/gwsgi/gwsgi/httpparse"
)

// phase is what a connection is waiting for; it picks the timeout.
type phase int32

const (
	phaseHead   phase = iota // a request's head or buffered body: HeaderTimeout, then 408
	phaseIdle                // kept alive with nothing buffered: KeepAlive, then close
	phaseBusy                // a request is with the app: no timeout
	phaseLinger              // error sent, reading and dropping input: HeaderTimeout, then close
	phaseStream              // the app runs and reads a body still arriving: HeaderTimeout without progress
)

// drainIdle is how long a connection with nothing in flight is kept once
// the server drains: a client that sends its next request meanwhile gets
// its answer (with Connection: close) instead of a connection closed under
// it.
const drainIdle = time.Second

// maxPipelined bounds the input a client may queue while its connection
// has a request in flight.
const maxPipelined = 1 << 20

// connState is one connection's state. Everything in it is owned by the
// connection's event-loop goroutine, except phase and since, which the
// ticker reads to find expired connections.
type connState struct {
	srv    *Server
	c      gnet.Conn
	ci     environ.ConnInfo
	parser httpparse.Parser
	req    httpparse.Request
	dec    httpparse.ChunkedDecoder

	// A request read in pieces resumes where the last read stopped:
	// prog for its head; headLen, once the head is parsed, while a body
	// read before dispatch arrives; bodyOff, for a chunked body, where
	// checking it resumes (from the head's start).
	prog    httpparse.Progress
	headLen int
	bodyOff int

	in    *bytebufferpool.ByteBuffer // input kept across reads (input.go), nil when none
	inOff int                        // bytes of in consumed

	ex           *exchange // the request in flight, nil when none
	stream       stream    // a large body being fed to ex's wsgi.input
	continued    bool      // 100 Continue was sent for the request being read
	mustClose    bool      // the connection cannot carry another request
	closing      bool      // Close was asked for: no more requests
	shutPending  bool      // lingering: shut the write side once the answer is sent
	paused       bool      // reading is paused: a streamed body has nowhere to go (pause.go)
	closed       bool      // OnClose ran
	inlined      bool      // the request dispatched last was answered on the loop: serve goes on
	trusted      bool      // the peer may set the scheme headers (Config.Schemes)
	proxyPending bool      // a PROXY header may still come (Config.ProxyProtocol)
	wake         func()    // wakes the loop for this connection (bound once)
	guard        fdGuard   // direct writes from the app's goroutine

	handoff atomic.Int32 // handoffBusy, handoffKick or handoffDone while ex is set

	phase    atomic.Int32
	since    atomic.Int64 // the clock (now) when the phase began
	progress atomic.Int64 // clock (now) when the app last started or sent bytes; 0: none runs (Config.Timeout)
}

// stream is the state of a body fed to wsgi.input while the app runs.
type stream struct {
	active    bool
	chunked   bool
	remaining int64 // Content-Length bodies: bytes still to feed
}

// OnOpen sets up a connection's state; while draining, it refuses it.
// Either way the connection now holds its slot (Config.MaxConns), which
// OnClose gives back.
func (s *Server) OnOpen(c gnet.Conn) ([]byte, gnet.Action) {
	if e, ok := c.Context().(*enrollment); ok {
		e.opened = true
	}
	if s.draining.Load() {
		return nil, gnet.Close
	}
	cs := &connState{srv: s, c: c, parser: httpparse.Parser{Limits: s.cfg.Limits}}
	cs.ci.RemoteAddr, cs.ci.RemotePort = splitAddr(c.RemoteAddr())
	cs.ci.LocalAddr, cs.ci.LocalPort = splitAddr(c.LocalAddr())
	cs.ci.URLScheme = "http"
	cs.trusted = s.cfg.Schemes != nil && s.cfg.ForwardedTrust.Allows(cs.ci.RemoteAddr)
	cs.proxyPending = s.cfg.ProxyProtocol
	cs.wake = func() { _ = c.Wake(nil) }
	cs.guard.fd = c.Fd()
	cs.setPhase(phaseHead)
	c.SetContext(cs)
	s.track(cs)
	s.cfg.Metrics.AddConns(1)
	return nil, gnet.None
}

// OnClose gives the connection's slot back (Config.MaxConns) and wakes an
// app blocked on its request body; the request's exchange is released
// when the app is done with it.
func (s *Server) OnClose(c gnet.Conn, _ error) gnet.Action {
	s.slots.give() // every connection OnOpen saw holds one
	cs, ok := c.Context().(*connState)
	if !ok {
		return gnet.None
	}
	cs.closed = true
	cs.guard.close()
	cs.release()
	s.untrack(cs)
	s.cfg.Metrics.AddConns(-1)
	if cs.ex == nil {
		return gnet.None
	}
	if cs.kick() {
		cs.ex.env.Body.Abort() // the app's goroutine wakes the loop when done
	} else {
		cs.complete(cs.ex, false)
	}
	return gnet.None
}

// kick asks the app's goroutine to wake the loop when it is done; false
// means it is done already.
func (cs *connState) kick() bool {
	for {
		switch h := cs.handoff.Load(); h {
		case handoffDone:
			return false
		case handoffKick:
			return true
		default:
			if cs.handoff.CompareAndSwap(h, handoffKick) {
				return true
			}
		}
	}
}

// OnTraffic is called by gnet when bytes arrive, and by Wake.
func (s *Server) OnTraffic(c gnet.Conn) gnet.Action {
	cs, ok := c.Context().(*connState)
	if !ok {
		return gnet.Close
	}
	return cs.onTraffic()
}

func (cs *connState) onTraffic() gnet.Action {
	if cs.ex != nil {
		if cs.handoff.Load() == handoffDone {
			// The app wrote its whole response and let go: no timeout
			// applies, nothing streams (a streamed body sets handoffKick).
			cs.complete(cs.ex, cs.ex.keep)
			return gnet.None
		}
		if t := now(); cs.srv.cfg.Timeout > 0 && cs.overdue(t) {
			if act := cs.timedOut(t); act != gnet.None {
				return act
			}
		}
		if cs.stream.active {
			cs.pumpBody()
			return gnet.None
		}
		if !cs.kick() {
			cs.complete(cs.ex, cs.ex.keep)
			return gnet.None
		}
		if cs.buffered() > maxPipelined {
			cs.srv.clients.printf("gwsgi: %s:%s queued over %d bytes behind a running request; closing", cs.ci.RemoteAddr, cs.ci.RemotePort, maxPipelined)
			return gnet.Close
		}
		return gnet.None
	}
	switch p := phase(cs.phase.Load()); {
	case p == phaseLinger:
		if cs.expired(now()) {
			return gnet.Close
		}
		cs.dropInput()
		return cs.shutWhenSent()
	case cs.closing:
		return gnet.Close
	case cs.expired(now()):
		return cs.onExpired()
	}
	return cs.serve()
}

// onExpired acts for a connection whose head or keep-alive time is up.
// A loop that runs late (a stopped or overloaded process) must not time
// out a request that arrived in time, so the input is looked at first:
// bytes still unread in the socket are read (the read event follows this
// wake-up), and a request complete in the input is served. Only then is
// an incomplete head answered 408, and an idle connection closed.
func (cs *connState) onExpired() gnet.Action {
	if unread(cs.c.Fd()) > 0 {
		return gnet.None
	}
	if cs.buffered() == 0 {
		return gnet.Close
	}
	act := cs.serve()
	if act != gnet.None || cs.ex != nil || cs.closing {
		return act
	}
	if phase(cs.phase.Load()) == phaseHead && cs.expired(now()) {
		return cs.reject(errTimeout) // still incomplete
	}
	return gnet.None // a head begun while idle: its own time starts now
}

// unread is how many bytes the kernel holds for fd that were not read
// yet; 0 when it cannot tell.
func unread(fd int) int {
	n, err := unix.IoctlGetInt(fd, unix.SIOCINQ)
	if err != nil {
		return 0
	}
	return n
}

// expired reports whether the connection's current phase has outlived its
// timeout. Safe from any goroutine.
func (cs *connState) expired(now int64) bool {
	var limit time.Duration
	switch phase(cs.phase.Load()) {
	case phaseHead, phaseLinger, phaseStream:
		limit = cs.srv.cfg.HeaderTimeout
	case phaseIdle:
		limit = cs.srv.cfg.KeepAlive
		if cs.srv.draining.Load() {
			limit = min(limit, drainIdle)
		}
	default:
		return cs.handoff.Load() == handoffDone // its loop has a request to complete
	}
	return now-cs.since.Load() > int64(limit)
}

// setPhase enters phase p. Its start is read from the clock for the
// phases that time out on it: a busy connection times out on its
// request's progress instead (expired, overdue), so dispatch reads no
// clock.
func (cs *connState) setPhase(p phase) {
	cs.phase.Store(int32(p))
	if p != phaseBusy {
		cs.since.Store(now())
	}
}

// enterHead starts the header timeout unless it is already running.
func (cs *connState) enterHead() {
	if phase(cs.phase.Load()) != phaseHead {
		cs.setPhase(phaseHead)
	}
}
