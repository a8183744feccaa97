package loop

import (
	"time"

	"github.com/panjf2000/gnet/v2"

	"github.com/gwsgi/gwsgi/pool"
)

// interruptGrace is how long a request interrupted for its timeout gets to
// unwind before the loop answers for it and gives its thread up.
const interruptGrace = time.Second

// Who may answer a request: the app, through its writes, or the loop,
// once it gave up on the app (exchange.sent).
const (
	sentNone int32 = iota // nothing written yet
	sentApp               // the app has written: the loop may only close
	sentLoop              // the loop answered: the app's writes are dropped
)

// interruptReq asks for the task numbered task of worker w to be
// interrupted.
type interruptReq struct {
	w    *pool.Worker
	task uint64
}

// overdue reports whether the request in flight on cs has run for longer
// than the timeout without sending response bytes. Safe from any
// goroutine.
func (cs *connState) overdue(t int64) bool {
	p := cs.progress.Load()
	return p != 0 && cs.srv.cfg.Timeout > 0 && t-p > int64(cs.srv.cfg.Timeout)
}

// timedOut acts on an overdue request, on its loop: first its thread is
// interrupted (Config.Interrupt); if it is still running interruptGrace
// later, the loop answers 500 (or closes the connection when the response
// has begun), gives the thread up and asks for this process to be
// replaced (Config.Retire).
func (cs *connState) timedOut(t int64) gnet.Action {
	x := cs.ex
	switch {
	case x.interrupted == 0:
		x.interrupted = t
		cs.srv.interrupt(x)
		return gnet.None
	case x.abandoned || t-x.interrupted < int64(interruptGrace):
		return gnet.None
	}
	x.abandoned = true
	cs.srv.stuck.Add(1)
	cs.srv.cfg.Log.Printf("gwsgi: %s still runs %v after it was interrupted (stuck outside Python?): its thread is given up", x.describe(), interruptGrace)
	cs.srv.retire("a request is stuck in its thread past --timeout")
	if x.sent.CompareAndSwap(sentNone, sentLoop) {
		_, _ = cs.c.Write(errorResponse(500, "the request ran past the server's timeout"))
		cs.srv.cfg.Metrics.Request(500, time.Duration(t-x.tBegin))
		cs.srv.cfg.Metrics.AddInflight(-1)
	}
	cs.mustClose = true
	return gnet.Close
}

// interrupt asks the interrupter to raise the timeout in x's thread; it
// never blocks the loop.
func (s *Server) interrupt(x *exchange) {
	w := x.runner.Load()
	s.cfg.Log.Printf("gwsgi: %s ran %v without sending response bytes (--timeout): interrupting it", x.describe(), s.cfg.Timeout)
	if w == nil || s.interrupts == nil {
		return
	}
	select {
	case s.interrupts <- interruptReq{w, x.task}:
	default:
	}
}

// interrupter runs Config.Interrupt for the loops, which must not wait
// for the app's lock, until the server stops.
func (s *Server) interrupter() {
	for {
		select {
		case r := <-s.interrupts:
			if !s.cfg.Interrupt(r.w, r.task) {
				s.cfg.Log.Printf("gwsgi: the timed-out request had ended, or its thread could not be interrupted")
			}
		case <-s.stopped:
			return
		}
	}
}

// retire asks for this process to be replaced (Config.Retire), off the
// calling loop; a master ignores a worker's repeated asks.
func (s *Server) retire(reason string) {
	if s.cfg.Retire != nil {
		go s.cfg.Retire(reason)
	}
}

// describe names x's request for the log. It allocates; it is for rare
// events.
func (x *exchange) describe() string {
	target := string(x.env.ScriptName) + string(x.env.PathInfo)
	if len(x.env.QueryString) > 0 {
		target += "?" + string(x.env.QueryString)
	}
	return string(x.env.Method) + " " + target + " from " + string(x.env.RemoteAddr) + ":" + string(x.env.RemotePort)
}
