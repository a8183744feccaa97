package pyembed

/*
#include "pyembed.h"
*/
import "C"

import (
	"time"

	"github.com/gwsgi/gwsgi/pool"
)

// gate is the GIL as a pool.Gate: a budget worker that holds it serves
// queued requests one after another without giving it back, and gives it
// back when it waits (pool.Worker.Block) or runs out of requests. Workers
// must have run App.WorkerInit.
type gate struct{}

// Gate returns the GIL as a pool.Gate for the server's budget
// (loop.Config.Gate).
func (a *App) Gate() pool.Gate { return gate{} }

// Acquire takes the GIL for pw's thread state and keeps it.
func (gate) Acquire(pw *pool.Worker) {
	C.pyembed_gate_acquire(pw.Local.(*worker).cw)
}

// AwaitAcquire implements pool.GateWaiter: it takes the GIL once its
// holder lets go of it within d, without making it let go (see gilwait.c).
func (gate) AwaitAcquire(pw *pool.Worker, d time.Duration) (took time.Duration, ok bool) {
	ns := C.pyembed_gate_await(pw.Local.(*worker).cw, C.int64_t(d))
	return time.Duration(ns), ns >= 0
}

// setGILGrace sets how long a GIL let go of for an unknown reason stays
// free before the standby takes it (see gilwait.c), and returns the old
// value. Tests only; no standby may be waiting.
func setGILGrace(d time.Duration) time.Duration {
	old := time.Duration(C.pe_gil_grace_ns)
	C.pe_gil_grace_ns = C.int64_t(d)
	return old
}

// Release gives the GIL back if pw's thread holds it now.
func (gate) Release(pw *pool.Worker) bool {
	return C.pyembed_gate_release(pw.Local.(*worker).cw) != 0
}

// Waited implements pool.GateTimer: the time pw's thread has waited for
// the GIL while serving requests, in nanoseconds, counted by the wrapper
// of PyEval_RestoreThread (0 in a pyshared build).
func (gate) Waited(pw *pool.Worker) int64 {
	return int64(pw.Local.(*worker).cw.gil_wait_ns)
}

// SwitchInterval is the interpreter's switch interval: how long a thread
// waiting for the GIL lets its holder run before it makes it let go.
func (a *App) SwitchInterval() time.Duration {
	return time.Duration(C.pyembed_switch_interval_us()) * time.Microsecond
}
