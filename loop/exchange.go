package loop

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/panjf2000/gnet/v2"
	"golang.org/x/sys/unix"

	"github.com/gwsgi/gwsgi/accesslog"
	"github.com/gwsgi/gwsgi/environ"
	"github.com/gwsgi/gwsgi/pool"
	"github.com/gwsgi/gwsgi/wsgi"
)

// errBackpressure tells a waiting writer the connection's unsent output is
// above the high-water mark: wait, then probe again.
var errBackpressure = errors.New("loop: output backlog above high-water mark")

// errWriteTimeout ends a response whose client took nothing for WriteTimeout.
var errWriteTimeout = errors.New("loop: client took no response bytes for the write timeout")

// exchange is one request on its way through the app: it is the budget's
// Task and the response's Sink. The loop creates it, the app's goroutine
// uses it, and the loop releases it in complete, after Finish or Abort.
// Fields set by the loop before dispatch are read-only for the app.
//
// The app's goroutine writes the response straight to the socket while
// gnet holds none of its bytes (queued false), and hands what the socket
// does not take to gnet's AsyncWritev, which queues it in order.
type exchange struct {
	cs   *connState // the app's goroutine uses only cs.guard and cs.handoff
	c    gnet.Conn
	srv  *Server
	env  *environ.Environ
	resp wsgi.Response
	keep bool
	w    *pool.Worker // the budget worker running the app, set by Run

	// phase times (Config.Phases): clock readings and the time spent in
	// the sink, in nanoseconds; tDispatch is 0 when phases are not timed
	tDispatch, tStart, writeNs int64

	// access log and metrics (Config.AccessLog, Config.Metrics): the clock
	// at dispatch, and the record handed to the logger
	tBegin int64
	rec    accesslog.Record

	// timeouts (Config.Timeout): the worker and task number running x,
	// published by Run; who answers (sent*); and, owned by the loop, when
	// x was interrupted and whether it was given up
	runner      atomic.Pointer[pool.Worker]
	task        uint64
	sent        atomic.Int32
	interrupted int64
	abandoned   bool

	// an answer from Config.Static, handed from staticRun.find to the
	// gateway; onLoop while the loop sends it itself (the Sink methods
	// then write through gnet and never wait)
	staticIt  wsgi.Iterable
	staticErr error
	onLoop    bool

	queued  bool          // gnet may hold unsent bytes: no direct writes (set by the loop before it signals)
	backlog int           // gnet's unsent bytes at the last signal
	iov     [8]unix.Iovec // scratch for direct writes
	done    chan error    // Flush completions, to the app's goroutine

	onFlushed, onProbed, onFinished, onAborted gnet.AsyncCallback
}

// exchanges pools exchanges; New is set in init, since an exchange's
// callbacks refer back to the pool.
var exchanges sync.Pool

func init() { exchanges.New = func() any { return newExchange() } }

func newExchange() *exchange {
	x := &exchange{done: make(chan error, 1)}
	x.onFlushed = func(c gnet.Conn, err error) error { x.signal(c, err); return nil }
	x.onProbed = func(c gnet.Conn, err error) error {
		if err == nil && x.cs.closed {
			err = wsgi.ErrConnection
		}
		x.signal(c, err)
		return nil
	}
	x.onFinished = func(_ gnet.Conn, err error) error { x.cs.complete(x, err == nil && x.keep); return nil }
	x.onAborted = func(gnet.Conn, error) error { x.cs.complete(x, false); return nil }
	return x
}

// newExchange copies the parsed request into a pooled Environ.
func (cs *connState) newExchange() (*exchange, error) {
	if err := cs.setScheme(); err != nil {
		return nil, err
	}
	env := environ.Acquire()
	if err := env.Fill(&cs.req, &cs.ci, &cs.srv.envCfg); err != nil {
		environ.Release(env)
		if errors.Is(err, environ.ErrNotMounted) {
			return nil, errNotMounted
		}
		return nil, err
	}
	x := exchanges.Get().(*exchange)
	x.cs, x.c, x.srv, x.env = cs, cs.c, cs.srv, env
	x.resp.Reset(x, env, cs.srv.cfg.Log)
	return x, nil
}

// release returns the exchange and its Environ to their pools.
func (x *exchange) release() {
	environ.Release(x.env)
	x.resp.Reset(nil, nil, nil)
	x.cs, x.c, x.srv, x.env, x.keep = nil, nil, nil, nil, false
	x.w, x.tDispatch, x.tBegin = nil, 0, 0
	x.runner.Store(nil)
	x.sent.Store(sentNone)
	x.interrupted, x.abandoned = 0, false
	exchanges.Put(x)
}

// Run calls the app; it runs on a budget goroutine.
// It must not touch x after Serve: Finish hands x back to the loop.
func (x *exchange) Run(w *pool.Worker) {
	x.w = w
	x.srv.cfg.Metrics.AddQueued(-1)
	var t int64
	if x.tDispatch != 0 || x.srv.cfg.Timeout > 0 {
		t = now() // one reading for both
	}
	if x.tDispatch != 0 {
		x.tStart, x.writeNs = t, 0
	}
	if x.srv.cfg.Timeout > 0 {
		x.task = w.Task()
		x.runner.Store(w)
		x.cs.progress.Store(t)
	}
	wsgi.Serve(x.srv.cfg.App, x.env, &x.resp)
}

// report hands x's request to the access log and the metrics as the app
// hands its last bytes over, on the app's goroutine: the line's time and
// duration are the response's, and a scrape counts it at once, not when
// the loop next looks at the connection.
func (x *exchange) report() {
	l, m := x.srv.cfg.AccessLog, x.srv.cfg.Metrics
	if l == nil && m == nil {
		return
	}
	status := x.resp.Status()
	d := time.Duration(now() - x.tBegin)
	if m != nil {
		m.AddInflight(-1)
		m.Request(status, d)
		m.GILWait(time.Duration(x.w.GateWait()))
	}
	if l == nil || status == 0 {
		return // no access log, or dropped before the app started a response
	}
	x.rec = accesslog.Record{Env: x.env, Status: status, Sent: x.resp.Sent(), Head: x.resp.Head(), Duration: d}
	l.Log(&x.rec)
	x.rec = accesslog.Record{}
}

// clock reads the clock when phases are timed, else returns 0.
func (x *exchange) clock() int64 {
	if x.tDispatch == 0 {
		return 0
	}
	return now()
}

// wrote adds the time since t0 (a clock reading) to the write phase and
// returns the clock now.
func (x *exchange) wrote(t0 int64) int64 {
	if t0 == 0 {
		return 0
	}
	t := now()
	x.writeNs += t - t0
	return t
}

// record adds the request's phase times to the server's statistics; end
// is the clock when its response was handed to the socket.
func (x *exchange) record(end int64) {
	if end == 0 {
		return
	}
	gate := x.w.GateWait()
	ns := [NumPhases]int64{
		PhaseQueue: x.tStart - x.tDispatch,
		PhaseGate:  gate,
		PhaseApp:   end - x.tStart - x.writeNs - gate,
		PhaseWrite: x.writeNs,
		PhaseTotal: end - x.tDispatch,
	}
	x.srv.cfg.Phases.add(&ns)
}

// signal runs on the loop after a write: it wakes the writer unless the
// output backlog says it should wait longer.
func (x *exchange) signal(c gnet.Conn, err error) {
	if err == nil {
		x.backlog = c.OutboundBuffered()
		x.queued = x.backlog > 0
		if x.backlog > x.srv.cfg.HighWater {
			err = errBackpressure
		}
	}
	x.done <- err
}

// writeDirect writes vec to the socket from the app's goroutine, as far as
// it takes it now, and returns the rest for gnet; ok is false when it did
// not try.
func (x *exchange) writeDirect(vec [][]byte) (rest [][]byte, ok bool) {
	if x.queued {
		return vec, false
	}
	return x.cs.guard.writev(vec, &x.iov)
}

// Flush implements wsgi.Sink: one vectored write, waited for, then waiting
// while the connection's backlog stays above the high-water mark.
func (x *exchange) Flush(vec [][]byte) error {
	if !x.claim() {
		return wsgi.ErrConnection
	}
	if x.onLoop {
		return x.writeOnLoop(vec)
	}
	t0 := x.clock()
	defer x.wrote(t0)
	defer x.progressed()
	vec, ok := x.writeDirect(vec)
	if ok && len(vec) == 0 {
		return nil
	}
	if err := x.c.AsyncWritev(vec, x.onFlushed); err != nil {
		return err
	}
	x.w.Block() // the app's lock is not held while the client is slow
	err := <-x.done
	if err == errBackpressure {
		err = x.drain()
	}
	x.w.Unblock()
	return err
}

// drain waits while the connection's backlog stays above the high-water
// mark, probing it through the loop with a growing pause. A client that
// takes nothing for WriteTimeout is given up on.
func (x *exchange) drain() error {
	last, stalled := x.backlog, time.Now()
	for wait := 100 * time.Microsecond; ; {
		time.Sleep(wait)
		if wait < 20*time.Millisecond {
			wait *= 2
		}
		if err := x.c.Wake(x.onProbed); err != nil {
			return err
		}
		err := <-x.done
		if err != errBackpressure {
			return err
		}
		if x.backlog < last {
			last, stalled = x.backlog, time.Now()
		} else if time.Since(stalled) > x.srv.cfg.WriteTimeout {
			return x.stalled()
		}
	}
}

// stalled logs a client dropped for taking nothing and returns why.
func (x *exchange) stalled() error {
	x.srv.clients.printf("gwsgi: %s:%s took no response bytes for %v; dropping it", x.env.RemoteAddr, x.env.RemotePort, x.srv.cfg.WriteTimeout)
	return errWriteTimeout
}

// Finish implements wsgi.Sink: the last write; the loop completes the
// request when it is done.
func (x *exchange) Finish(vec [][]byte, keepAlive bool) {
	if !x.claim() {
		return // the loop answered and gave x up
	}
	x.keep = keepAlive
	t0 := x.clock()
	if x.onLoop {
		if x.writeOnLoop(vec) != nil {
			x.keep = false
		}
		x.record(x.wrote(t0))
		x.report()
		return // the loop ends the request when Serve returns
	}
	vec, ok := x.writeDirect(vec)
	x.record(x.wrote(t0))
	x.report()
	if ok && len(vec) == 0 {
		x.handOff()
		return
	}
	if len(vec) == 0 {
		if err := x.c.Wake(x.onFinished); err != nil {
			x.srv.active.Add(-1) // the engine is gone
		}
		return
	}
	if err := x.c.AsyncWritev(vec, x.onFinished); err != nil {
		x.srv.active.Add(-1)
	}
}

// claim reports whether the app may write x's response: unless the loop
// answered for it after its timeout, the app now owns the answer.
func (x *exchange) claim() bool {
	if x.srv.cfg.Timeout <= 0 {
		return true
	}
	return x.sent.Load() == sentApp || x.sent.CompareAndSwap(sentNone, sentApp)
}

// progressed restarts the timeout: the app sent response bytes.
func (x *exchange) progressed() {
	if x.srv.cfg.Timeout > 0 {
		x.cs.progress.Store(now())
	}
}

// handOff ends a request whose response is all written: unless the loop
// has input waiting or the connection must close now, it completes the
// request when it next looks at the connection, and nothing crosses
// goroutines now.
func (x *exchange) handOff() {
	if x.keep && !x.srv.draining.Load() && x.cs.handoff.CompareAndSwap(handoffBusy, handoffDone) {
		return
	}
	if err := x.c.Wake(x.onFinished); err != nil {
		x.srv.active.Add(-1) // the engine is gone
	}
}

// Abort implements wsgi.Sink: the connection is dropped.
func (x *exchange) Abort() {
	if x.claim() {
		x.report()
	}
	if x.onLoop {
		x.keep, x.cs.mustClose = false, true // the loop closes it when Serve returns
		return
	}
	if err := x.c.CloseWithCallback(x.onAborted); err != nil {
		x.srv.active.Add(-1)
	}
}

// Release implements wsgi.Releaser: the app's lock (the GIL) is let go of
// for CPU work that needs none, so queued requests run meanwhile.
func (x *exchange) Release() { x.w.Block() }

// Reacquire implements wsgi.Releaser.
func (x *exchange) Reacquire() { x.w.Unblock() }

// writeOnLoop writes vec through gnet from the connection's own loop:
// what the socket does not take now, gnet keeps and sends when it can.
func (x *exchange) writeOnLoop(vec [][]byte) error {
	if len(vec) == 0 {
		return nil
	}
	if _, err := x.c.Writev(vec); err != nil {
		return err
	}
	if x.cs.closed {
		return wsgi.ErrConnection
	}
	return nil
}
