package pool

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Task is one unit of work, typically one request. Implementations are
// pooled pointers (*struct), so passing one to Submit does not allocate.
// Run executes on a worker goroutine and owns the task until it returns;
// it must not panic (a panic ends the process) and must not call Close.
type Task interface {
	Run(w *Worker)
}

// Gate serializes the part of every task that needs one shared resource,
// an embedded interpreter's global lock (the GIL). A worker that holds the
// gate runs queued tasks one after another without letting go of it; the
// Budget keeps one more worker waiting at the gate while tasks are queued,
// so that when the holder lets go inside a task (the app sleeps, reads a
// socket, waits for a database) the next queued task starts at once.
// Both methods are called on the worker's own goroutine (and OS thread).
type Gate interface {
	// Acquire blocks until w holds the gate.
	Acquire(w *Worker)
	// Release lets go of the gate if w's thread holds it now, and reports
	// whether it did. It is false when the gate was already released on
	// w's behalf (a callback from inside the interpreter that waits).
	Release(w *Worker) bool
}

// GateWaiter is implemented by a Gate that can wait for its holder to let
// go without making it let go. A standby waits that way while tasks keep
// finishing (the holder serves the queue) instead of taking the gate by
// force after Preempt and handing it back: each such hand-back costs the
// holder's thread a switch and its caches.
type GateWaiter interface {
	// AwaitAcquire takes the gate for w once its holder lets go of it
	// within d, and returns how long the taking itself then waited (the
	// gate can be taken by another in between, and then by force from
	// it). ok is false, and w does not hold the gate, when the holder kept
	// it for d.
	AwaitAcquire(w *Worker, d time.Duration) (took time.Duration, ok bool)
}

// GateTimer is implemented by a Gate that measures the waits for it
// itself, those made inside a task too (an interpreter taking its lock
// back after a blocking call). Waited returns w's total so far, in
// nanoseconds.
type GateTimer interface {
	Waited(w *Worker) int64
}

// Worker is one goroutine of a Budget. The Budget owns it; it is passed to
// Init, to every Task it runs and to Exit, always on that goroutine (and,
// with Config.LockOSThread, on the same OS thread).
type Worker struct {
	ID    int // 0 .. Workers-1
	Local any // per-worker state, set by Init (e.g. a Python thread state)
	b     *Budget

	wake    chan struct{} // a token to wake a parked worker
	holds   bool          // holds the gate (touched by the worker only)
	blocked bool          // let go of the gate in Block; Unblock takes it back
	gilWait int64         // nanoseconds spent in Unblock during the current task
	gilBase int64         // the GateTimer's total when the current task started
	task    atomic.Uint64 // 2n+1 while its n-th task runs, 2n between tasks
}

// Config sizes a Budget.
type Config struct {
	// Workers is the most worker goroutines, hence the most tasks that run
	// at once. Values below 1 mean 1.
	Workers int
	// Initial is how many workers start with the Budget; the others start
	// when a task finds no idle worker. 0 (or more than Workers) starts
	// them all.
	Initial int
	// Queue is how many tasks may wait beyond Workers: Submit accepts a
	// task while fewer than Workers+Queue are running or waiting.
	Queue int
	// LockOSThread locks every worker to its OS thread for the worker's
	// whole life: Init, every task and Exit run on that thread.
	LockOSThread bool
	// Gate, when set, runs tasks under it (see Gate): the workers hand
	// it on rather than each taking a task at once.
	Gate Gate
	// Preempt is how long a worker may wait at the gate before its
	// holder is made to let go (the interpreter's switch interval). A
	// standby that waited that long while a task ran took the gate from
	// a holder that did not block: it gives it back (see
	// acquireAsStandby). 0: every wait counts as a block.
	Preempt time.Duration
	// Init, when set, runs first on each worker, before it serves tasks.
	Init func(w *Worker)
	// Exit, when set, runs last on each worker, after Close has drained
	// the queue.
	Exit func(w *Worker)
}

// Budget is a bounded set of worker goroutines serving submitted tasks in
// the order they were submitted. Idle workers are woken last-parked first,
// so a light load keeps reusing the same few (warm) threads however large
// the budget. Its methods are safe for concurrent use.
type Budget struct {
	cfg Config

	mu      sync.Mutex
	ring    []Task    // FIFO of waiting tasks, capacity Workers+Queue
	head, n int       // ring[head] is the oldest of n waiting tasks
	idle    []*Worker // parked workers, the last parked on top
	standby int       // workers woken to wait at the gate, not yet through it
	started int       // workers spawned
	closed  bool

	workers  []Worker
	inFlight atomic.Int64
	finished atomic.Uint64  // tasks run to the end, ever: progress
	init     sync.WaitGroup // Init done on the initial workers
	done     sync.WaitGroup // workers gone
}

// NewBudget starts cfg.Initial worker goroutines (all of them by default)
// and returns once each has run cfg.Init.
func NewBudget(cfg Config) *Budget {
	cfg.Workers = max(cfg.Workers, 1)
	cfg.Queue = max(cfg.Queue, 0)
	if cfg.Initial <= 0 || cfg.Initial > cfg.Workers {
		cfg.Initial = cfg.Workers
	}
	b := &Budget{
		cfg:     cfg,
		ring:    make([]Task, cfg.Workers+cfg.Queue),
		idle:    make([]*Worker, 0, cfg.Workers),
		workers: make([]Worker, cfg.Workers),
	}
	for i := range b.workers {
		w := &b.workers[i]
		w.ID, w.b, w.wake = i, b, make(chan struct{}, 1)
	}
	b.mu.Lock()
	b.init.Add(cfg.Initial)
	for range cfg.Initial {
		b.spawn(false)
	}
	b.mu.Unlock()
	b.init.Wait()
	return b
}

// spawn starts the next worker; b.mu is held. A worker spawned for a task
// (awake) starts with a wake token, one spawned at start-up parks.
func (b *Budget) spawn(awake bool) {
	w := &b.workers[b.started]
	b.started++
	b.done.Add(1)
	if awake {
		w.wake <- struct{}{}
	}
	go w.serve(!awake)
}

// serve is a worker's life: lock, Init, tasks until Close, Exit.
func (w *Worker) serve(initial bool) {
	b := w.b
	defer b.done.Done()
	if b.cfg.LockOSThread {
		// Never unlocked: the thread carries per-worker state (Local) and
		// goes away with the goroutine.
		runtime.LockOSThread()
	}
	if b.cfg.Init != nil {
		b.cfg.Init(w)
	}
	if initial {
		b.mu.Lock()
		b.parkLocked(w)
		b.mu.Unlock()
		b.init.Done()
	}
	for range w.wake {
		if !w.shift() {
			break
		}
	}
	if b.cfg.Exit != nil {
		b.cfg.Exit(w)
	}
}

// shift serves tasks from the queue until it is empty, and reports whether
// the worker should park for more (false: the Budget is closed).
func (w *Worker) shift() bool {
	b := w.b
	gated := b.cfg.Gate != nil
	if gated {
		w.acquireAsStandby()
	}
	b.mu.Lock()
	if gated {
		b.standby--
	}
	for {
		t, ok := b.popLocked()
		if !ok {
			break
		}
		if gated {
			b.keepStandbyLocked()
		}
		b.mu.Unlock()
		b.inFlight.Add(1)
		w.startTask()
		w.task.Add(1)
		t.Run(w)
		w.task.Add(1)
		b.inFlight.Add(-1)
		b.finished.Add(1)
		if gated && !w.holds {
			b.cfg.Gate.Acquire(w)
			w.holds = true
		}
		b.mu.Lock()
	}
	closed := b.closed
	if !closed {
		b.parkLocked(w)
	}
	b.mu.Unlock()
	if gated {
		w.holds = false
		b.cfg.Gate.Release(w)
	}
	return !closed
}

// Submit queues t. It never blocks: it returns false when Workers+Queue
// tasks are running or waiting already (the server answers 503 with
// Retry-After), and after Close. On true the Budget owns t until its Run
// returns; on false the caller keeps it. Tasks start in the order they
// were submitted.
func (b *Budget) Submit(t Task) bool {
	b.mu.Lock()
	if b.closed || b.n+int(b.inFlight.Load()) >= len(b.ring) {
		b.mu.Unlock()
		return false
	}
	b.ring[(b.head+b.n)%len(b.ring)] = t
	b.n++
	if b.cfg.Gate != nil {
		b.keepStandbyLocked()
	} else {
		b.wakeLocked()
	}
	b.mu.Unlock()
	return true
}

// keepStandbyLocked makes sure a worker waits at the gate while tasks are
// queued: it takes over the moment the holder lets go. b.mu is held.
func (b *Budget) keepStandbyLocked() {
	if b.n > 0 && b.standby == 0 && b.wakeLocked() {
		b.standby++
	}
}

// wakeLocked wakes the last parked worker, or starts a new one while the
// budget allows; false when every worker is busy. b.mu is held.
func (b *Budget) wakeLocked() bool {
	if b.closed {
		return false
	}
	if k := len(b.idle); k > 0 {
		w := b.idle[k-1]
		b.idle = b.idle[:k-1]
		w.wake <- struct{}{}
		return true
	}
	if b.started < len(b.workers) {
		b.spawn(true)
		return true
	}
	return false
}

// popLocked takes the oldest queued task. b.mu is held.
func (b *Budget) popLocked() (Task, bool) {
	if b.n == 0 {
		return nil, false
	}
	t := b.ring[b.head]
	b.ring[b.head] = nil
	b.head = (b.head + 1) % len(b.ring)
	b.n--
	return t, true
}

// parkLocked puts w on the idle stack. b.mu is held.
func (b *Budget) parkLocked(w *Worker) { b.idle = append(b.idle, w) }

// TryNext takes the next queued task without blocking, for w to run within
// the task it is running now; ok is false when the queue is empty. The
// task counts as part of the current one in InFlight.
func (w *Worker) TryNext() (t Task, ok bool) {
	b := w.b
	b.mu.Lock()
	t, ok = b.popLocked()
	b.mu.Unlock()
	return t, ok
}

// Task returns the number of the task w runs now (odd), or of none
// (even). Safe from any goroutine: a task can read it in Run and hand it
// to another goroutine, which checks with Running that the task still
// runs.
func (w *Worker) Task() uint64 { return w.task.Load() }

// Running reports whether w still runs the task numbered task (Task).
func (w *Worker) Running(task uint64) bool { return task&1 == 1 && w.task.Load() == task }

// Budget returns the Budget w belongs to.
func (w *Worker) Budget() *Budget { return w.b }

// Close stops accepting tasks, lets the workers run every task already
// queued, waits for them to finish, and returns after each has run Exit.
// Later calls wait the same way. Close must not be called from a Task.
func (b *Budget) Close() {
	b.Abandon() // parked workers leave; busy ones after the queue
	b.done.Wait()
}

// Abandon is Close without the wait: parked workers leave, and workers
// still running a task (stuck in it) are left to it.
func (b *Budget) Abandon() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed {
		b.closed = true
		for i := range b.started {
			close(b.workers[i].wake)
		}
		b.idle = b.idle[:0]
	}
}

// InFlight returns how many workers are running a task now.
func (b *Budget) InFlight() int { return int(b.inFlight.Load()) }

// Queued returns how many tasks wait for a worker.
func (b *Budget) Queued() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.n
}

// Workers returns the most workers the Budget runs.
func (b *Budget) Workers() int { return len(b.workers) }

// Started returns how many workers have been started so far.
func (b *Budget) Started() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.started
}

// acquireAsStandby takes the gate for a standby: a worker that waits for
// the holder to let go so that it can take the queue on. The holder lets
// go when its task blocks, the standby's moment, or when the gate made it
// (a forced switch after Preempt): that holder is not blocked, it still
// runs its task and waits for the gate again, so the standby hands it
// back, steps aside for a moment and waits again. Taking the queue on
// then would leave a request half-served behind every later one.
//
// A forced switch can also take the gate from something that is not a
// task (a thread of the app's own that computes) while every task is
// blocked; then no task finishes meanwhile, and after maxHandBacks such
// hand-backs in a row the standby takes the queue on.
func (w *Worker) acquireAsStandby() {
	b := w.b
	g, preempt := b.cfg.Gate, b.cfg.Preempt
	idle := 0 // hand-backs in a row while no task finished
	for {
		done := b.finished.Load()
		if !w.takeGate(idle == 0) || b.inFlight.Load() == 0 {
			break
		}
		if b.finished.Load() != done {
			idle = 0
		} else if idle++; idle > maxHandBacks {
			break
		}
		g.Release(w)
		time.Sleep(preempt / 32)
	}
	w.holds = true
}

// takeGate takes the gate for a standby and reports whether that may
// have taken it from a holder by force: the taking waited Preempt or
// longer. With wait, a GateWaiter is first waited on without force for as
// long as tasks keep finishing (the holder serves the queue, and lets go
// when it blocks or the queue runs dry); the gate is taken by force only
// from a holder that let no task finish for Preempt: a long task, or
// something that is not a task while every task is blocked. Once that
// happened, and no task finished since, the standby's next turns take it
// by force at once (wait false), as often as a standby without a
// GateWaiter does.
func (w *Worker) takeGate(wait bool) (forced bool) {
	b := w.b
	g, preempt := b.cfg.Gate, b.cfg.Preempt
	if preempt <= 0 {
		g.Acquire(w)
		return false
	}
	if gw, ok := g.(GateWaiter); ok && wait {
		for {
			done := b.finished.Load()
			if took, ok := gw.AwaitAcquire(w, preempt); ok {
				return took >= preempt
			}
			if b.inFlight.Load() == 0 || b.finished.Load() == done {
				break
			}
		}
	}
	t0 := time.Now()
	g.Acquire(w)
	return time.Since(t0) >= preempt
}

// maxHandBacks is how many times in a row a standby hands the gate back
// while no task finishes before it takes the queue on anyway.
const maxHandBacks = 4

// startTask resets the gate wait of the task w starts.
func (w *Worker) startTask() {
	w.gilWait = 0
	if t, ok := w.b.cfg.Gate.(GateTimer); ok {
		w.gilBase = t.Waited(w)
	}
}
