package pool

import "time"

// Block lets go of the gate before the running task waits for something
// other than the gate (a slow client, the rest of a request body), so that
// queued tasks run meanwhile; Unblock takes it back. Without a gate, or
// when the gate is not held at this point, both do nothing. Called on the
// worker's own goroutine only; a nil Worker is allowed.
func (w *Worker) Block() {
	if w == nil || !w.holds {
		return
	}
	b := w.b
	if !b.cfg.Gate.Release(w) {
		return
	}
	w.holds, w.blocked = false, true
	b.mu.Lock()
	b.keepStandbyLocked() // a real block: someone must take the queue on
	b.mu.Unlock()
}

// Unblock takes back the gate Block let go of, and adds the time it waited
// for it to the task's gate wait (GateWait) unless the Gate times its
// waits itself.
func (w *Worker) Unblock() {
	if w == nil || !w.blocked {
		return
	}
	g := w.b.cfg.Gate
	if _, timed := g.(GateTimer); timed {
		g.Acquire(w)
	} else {
		t0 := time.Now()
		g.Acquire(w)
		w.gilWait += int64(time.Since(t0))
	}
	w.holds, w.blocked = true, false
}

// GateWait returns how long the running task has waited for the gate, in
// nanoseconds: in Unblock, and inside the task when the Gate is a
// GateTimer. A nil Worker has waited 0.
func (w *Worker) GateWait() int64 {
	if w == nil {
		return 0
	}
	if t, ok := w.b.cfg.Gate.(GateTimer); ok {
		return w.gilWait + t.Waited(w) - w.gilBase
	}
	return w.gilWait
}
