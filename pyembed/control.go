package pyembed

/*
#include "pyembed.h"
*/
import "C"

import (
	"runtime"
	"syscall"

	"github.com/gwsgi/gwsgi/pool"
)

// Interrupt raises _gwsgi.RequestTimeout (a BaseException) in the thread
// of budget worker pw, if pw still runs the task whose number (pool
// Worker.Task) was task: the app unwinds when that thread next runs Python
// code, at once in a Python loop, when a blocking call returns otherwise.
// It takes the GIL to do so, so it may wait a switch interval; it must
// not run on an event loop. It reports whether it set the exception;
// set loop.Config.Interrupt to it.
func (a *App) Interrupt(pw *pool.Worker, task uint64) bool {
	w, ok := pw.Local.(*worker)
	if !ok {
		return false
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	st := C.pyembed_gil_ensure()
	defer C.pyembed_gil_release(st)
	if !pw.Running(task) {
		return false
	}
	return C.pyembed_interrupt(w.cw) == 1
}

// saveSignals records the actions of sigs (the server's) before an
// import.
func saveSignals(sigs []syscall.Signal) {
	for _, s := range sigs {
		C.pyembed_sig_save(C.int(s))
	}
}

// reclaimSignals puts the server's actions back for those of sigs the
// import replaced (the app called signal.signal), with a warning each:
// the server keeps the signals it is controlled by.
func reclaimSignals(sigs []syscall.Signal) {
	for _, s := range sigs {
		if C.pyembed_sig_reclaim(C.int(s)) == 1 {
			logf("gwsgi: the app set its own handler for %v while being imported; gwsgi keeps its handler (the app's will not run)", s)
		}
	}
}
