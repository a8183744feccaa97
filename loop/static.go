package loop

import (
	"fmt"

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
	// called, passes the request on to the app. It runs on a goroutine
	// of its own, which never holds the app's lock.
	Serve(env *environ.Environ, start wsgi.StartResponse) (it wsgi.Iterable, handled bool, err error)
}

// staticThreads is the budget for answers from files: goroutines, started
// as needed, that never wait for the app's lock (the GIL), so a file is
// not queued behind the app's requests. A client too slow to take a large
// file holds one for up to WriteTimeout.
const staticThreads = 256

// newStaticBudget makes the budget Config.Static's answers run on, or nil.
func newStaticBudget(cfg *Config) *pool.Budget {
	if cfg.Static == nil {
		return nil
	}
	return pool.NewBudget(pool.Config{Workers: staticThreads, Initial: 1, Queue: cfg.Queue})
}

// staticRun is an exchange whose request may name a file: it runs on the
// static budget, and passes the request on to the app's budget when no
// file answers it. Call hands the gateway what Static.Serve returned.
type staticRun exchange

// submitStatic sends x to the static budget when its request may name a
// file; false: it goes to the app's.
func (s *Server) submitStatic(x *exchange) (matched, ok bool) {
	if s.static == nil || !s.cfg.Static.Match(x.env) {
		return false, false
	}
	return true, s.static.Submit((*staticRun)(x))
}

// Run implements pool.Task.
func (r *staticRun) Run(w *pool.Worker) {
	x := (*exchange)(r)
	it, handled, err := r.find()
	if !handled {
		if !x.srv.budget.Submit(x) {
			x.w = w
			x.srv.clients.printf("gwsgi: 503 Service Unavailable to %s:%s: %s", x.env.RemoteAddr, x.env.RemotePort, errOverloaded.Reason)
			x.srv.cfg.Metrics.AddQueued(-1)
			wsgi.Serve(overloaded{}, x.env, &x.resp)
		}
		return
	}
	x.w = w
	x.srv.cfg.Metrics.AddQueued(-1)
	if x.tDispatch != 0 {
		x.tStart, x.writeNs = now(), 0
	}
	x.staticIt, x.staticErr = it, err
	wsgi.Serve(r, x.env, &x.resp)
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

// Call implements wsgi.App: the answer find got.
func (r *staticRun) Call(*environ.Environ, wsgi.StartResponse) (wsgi.Iterable, error) {
	it, err := r.staticIt, r.staticErr
	r.staticIt, r.staticErr = nil, nil
	return it, err
}

// overloaded answers 503 for a request no thread of the app can take.
type overloaded struct{}

func (overloaded) Call(_ *environ.Environ, start wsgi.StartResponse) (wsgi.Iterable, error) {
	_, err := start.StartResponse("503 Service Unavailable", []wsgi.Header{
		{Name: "Content-Type", Value: "text/plain; charset=utf-8"},
		{Name: "Connection", Value: "close"},
	}, nil)
	if err != nil {
		return nil, err
	}
	return wsgi.Bytes([]byte("Service Unavailable\n")), nil
}
