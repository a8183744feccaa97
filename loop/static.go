package loop

import (
	"fmt"

	"github.com/panjf2000/gnet/v2"

	"github.com/gwsgi/gwsgi/environ"
	"github.com/gwsgi/gwsgi/pool"
	"github.com/gwsgi/gwsgi/wsgi"
)

// StaticFiles answers requests from files, without the app (the static
// package's Handler is one).
type StaticFiles interface {
	// Match reports whether env may name a file: it runs on an event loop,
	// so it must not block or allocate.
	Match(env *environ.Environ) bool
	// Serve answers env from a file; handled false, with start not
	// called, passes the request on to the app. It runs on the event loop:
	// it may open and stat a file, but not wait for anything else.
	Serve(env *environ.Environ, start wsgi.StartResponse) (it wsgi.Iterable, handled bool, err error)
}

// staticInlineMax is the largest file body the event loop sends itself,
// read into the connection's output as nginx does; a larger one goes to
// the static budget, whose goroutines send it with sendfile and may wait
// for a slow client without holding the loop up.
const staticInlineMax = 64 << 10

// staticThreads is the budget for files larger than staticInlineMax:
// goroutines, started as needed, that never wait for the app's lock (the
// GIL), so a file is not queued behind the app's requests. A client too
// slow to take a large file holds one for up to WriteTimeout.
const staticThreads = 256

// newStaticBudget makes the budget Config.Static's large files are sent
// on, or nil.
func newStaticBudget(cfg *Config) *pool.Budget {
	if cfg.Static == nil {
		return nil
	}
	return pool.NewBudget(pool.Config{Workers: staticThreads, Initial: 1, Queue: cfg.Queue})
}

// staticRun is an exchange answered from Config.Static: as the gateway's
// App it hands over what Static.Serve returned, and as a pool.Task it
// sends a large file from the static budget.
type staticRun exchange

// serveStatic answers x from Config.Static when its request names a file
// there (done true): a small answer right here on the loop, a large file
// (or any answer to a client slow to take the earlier ones) from the
// static budget. done false: x goes to the app. The caller has
// dispatched x (cs.ex is x, counted in flight and queued).
func (cs *connState) serveStatic(x *exchange) (act gnet.Action, done bool) {
	s := cs.srv
	if s.static == nil || cs.stream.active || !s.cfg.Static.Match(x.env) {
		return gnet.None, false
	}
	it, handled, err := (*staticRun)(x).find()
	if !handled {
		return gnet.None, false
	}
	x.staticIt, x.staticErr = it, err
	if small(it, x.env.Head) && cs.c.OutboundBuffered() <= s.cfg.HighWater {
		return cs.answerOnLoop(x), true
	}
	// A large file, or a client that has not taken the answers before
	// (pipelining): a goroutine sends it, waiting on the client as an
	// app's response does.
	if s.static.Submit((*staticRun)(x)) {
		s.count()
		return gnet.None, true
	}
	closeQuietly(it)
	x.staticIt, x.staticErr = nil, nil
	return cs.overloaded(x), true
}

// small reports whether the answer it has at most staticInlineMax body
// bytes to send.
func small(it wsgi.Iterable, head bool) bool {
	fb, ok := it.(wsgi.FileBody)
	if !ok || head {
		return true
	}
	_, _, count, ok := fb.File()
	return !ok || count <= staticInlineMax
}

// find asks Static for the file; a panic in it is an error (a 500).
func (r *staticRun) find() (it wsgi.Iterable, handled bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			it, handled, err = nil, true, fmt.Errorf("loop: static files: %v", p)
		}
	}()
	x := (*exchange)(r)
	return x.srv.cfg.Static.Serve(x.env, &x.resp)
}

// answerOnLoop sends x's answer from the loop: the gateway writes
// through gnet, which buffers what the socket does not take, and the
// request ends here; the caller serves the next one (cs.inlined).
func (cs *connState) answerOnLoop(x *exchange) gnet.Action {
	cs.srv.count()
	cs.srv.cfg.Metrics.AddQueued(-1)
	if x.tDispatch != 0 {
		x.tStart, x.writeNs = x.tDispatch, 0
	}
	x.onLoop = true
	wsgi.Serve((*staticRun)(x), x.env, &x.resp)
	x.onLoop = false
	keep := x.keep
	cs.srv.active.Add(-1)
	cs.ex, cs.continued = nil, false
	x.release()
	switch {
	case cs.closed: // a write failed: gnet closed the connection
		return gnet.None
	case !keep || cs.mustClose:
		cs.closing = true
		return gnet.Close
	}
	cs.inlined = true
	return gnet.None
}

// Run implements pool.Task: a large file, sent with sendfile.
func (r *staticRun) Run(w *pool.Worker) {
	x := (*exchange)(r)
	x.w = w
	x.srv.cfg.Metrics.AddQueued(-1)
	if x.tDispatch != 0 {
		x.tStart, x.writeNs = now(), 0
	}
	wsgi.Serve(r, x.env, &x.resp)
}

// Call implements wsgi.App: the answer find got.
func (r *staticRun) Call(*environ.Environ, wsgi.StartResponse) (wsgi.Iterable, error) {
	it, err := r.staticIt, r.staticErr
	r.staticIt, r.staticErr = nil, nil
	return it, err
}

// overloaded undoes the dispatch of x, which no goroutine can take, and
// answers 503.
func (cs *connState) overloaded(x *exchange) gnet.Action {
	cs.srv.cfg.Metrics.AddInflight(-1)
	cs.srv.cfg.Metrics.AddQueued(-1)
	cs.srv.active.Add(-1)
	cs.ex = nil
	x.release()
	return cs.reject(errOverloaded)
}

// closeQuietly closes an answer that will not be sent.
func closeQuietly(it wsgi.Iterable) {
	if it != nil {
		_ = it.Close()
	}
}
