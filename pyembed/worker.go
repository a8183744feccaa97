package pyembed

/*
#include "pyembed.h"
*/
import "C"

import (
	"sync"
	"sync/atomic"

	"github.com/gwsgi/gwsgi/environ"
	"github.com/gwsgi/gwsgi/pool"
	"github.com/gwsgi/gwsgi/wsgi"
)

// worker is the Go half of a C pyembed_worker: the request it runs now.
// A thread worker belongs to one locked OS thread (WorkerInit); an
// ephemeral one serves one call from any goroutine and goes back to the
// free list. Workers are never freed: C objects may point at them.
type worker struct {
	cw   *C.pyembed_worker
	slot int
	busy bool // a request runs (thread workers: touched by their thread only)

	env   *environ.Environ
	start wsgi.StartResponse
	out   wsgi.Writer

	// the exception a failed callback leaves for pyembedRaise
	code C.int
	msg  string

	hdrs    []wsgi.Header
	vars    []int32
	scratch []byte
	it      iterable
}

// The worker table maps slots (the C side's handle) to workers. It only
// grows; readers load it without locking.
var (
	tableMu sync.Mutex
	table   atomic.Pointer[[]*worker]
	free    []*worker // workers without a thread, guarded by tableMu
)

// lookup returns the worker in slot; it does not allocate.
func lookup(slot C.int) *worker { return (*table.Load())[slot] }

// newWorker takes a free worker or makes one.
func newWorker() *worker {
	tableMu.Lock()
	defer tableMu.Unlock()
	if n := len(free); n > 0 {
		w := free[n-1]
		free = free[:n-1]
		return w
	}
	var old []*worker
	if p := table.Load(); p != nil {
		old = *p
	}
	w := &worker{slot: len(old)}
	w.cw = C.pyembed_worker_new(C.int(w.slot))
	if w.cw == nil {
		panic("pyembed: out of memory")
	}
	w.it.w = w
	next := make([]*worker, len(old)+1)
	copy(next, old)
	next[len(old)] = w
	table.Store(&next)
	return w
}

func putFree(w *worker) {
	w.env, w.start, w.out, w.busy = nil, nil, nil, false
	tableMu.Lock()
	free = append(free, w)
	tableMu.Unlock()
}

// WorkerInit gives the calling budget goroutine, which must be locked to
// its OS thread for life (loop.Config.LockOSThread), a persistent Python
// thread state; set it as loop.Config.WorkerInit. It stores its state in
// pw.Local. It may also be called by any goroutine locked to its thread,
// with a Worker of its own, to serve calls there; WorkerExit undoes it.
func (a *App) WorkerInit(pw *pool.Worker) {
	w := newWorker()
	C.pyembed_worker_attach(w.cw)
	pw.Local = w
}

// WorkerExit deletes the thread state WorkerInit made; it runs on the
// same thread. Set it as loop.Config.WorkerExit.
func (a *App) WorkerExit(pw *pool.Worker) {
	w, ok := pw.Local.(*worker)
	if !ok {
		return
	}
	C.pyembed_worker_detach(w.cw)
	pw.Local = nil
	putFree(w)
}

// acquire returns the worker to run a request on: the calling thread's if
// it has one and it is idle, else an ephemeral one (PyGILState per call).
func acquire() (w *worker, ephemeral bool) {
	if cw := C.pyembed_current(); cw != nil {
		w = lookup(cw.slot)
		if !w.busy {
			w.busy = true
			return w, false
		}
	}
	w = newWorker()
	w.busy = true
	return w, true
}

// release ends w's request.
func (w *worker) release(ephemeral bool) {
	if ephemeral {
		putFree(w)
		return
	}
	w.env, w.start, w.out, w.busy = nil, nil, nil, false
}
