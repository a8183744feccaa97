package pool

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Task is one unit of work, typically one request. Implementations are
// pooled pointers (*struct), so passing one to Submit does not allocate.
// Run executes on a worker goroutine and owns the task until it returns;
// it must not panic (a panic ends the process) and must not call Close.
type Task interface {
	Run(w *Worker)
}

// Worker is one goroutine of a Budget. The Budget owns it; it is passed to
// Init, to every Task it runs and to Exit, always on that goroutine (and,
// with Config.LockOSThread, on the same OS thread).
type Worker struct {
	ID    int // 0 .. Workers-1
	Local any // per-worker state, set by Init (e.g. a Python thread state)
	b     *Budget
}

// Config sizes a Budget.
type Config struct {
	// Workers is the number of worker goroutines, hence the most tasks that
	// run at once. Values below 1 mean 1.
	Workers int
	// Queue is how many tasks may wait for a worker; 0 means a task is
	// accepted only when a worker is idle.
	Queue int
	// LockOSThread locks every worker to its OS thread for the worker's
	// whole life: Init, every task and Exit run on that thread.
	LockOSThread bool
	// Init, when set, runs first on each worker, before it serves tasks.
	Init func(w *Worker)
	// Exit, when set, runs last on each worker, after Close has drained
	// the queue.
	Exit func(w *Worker)
}

// Budget is a fixed set of worker goroutines serving submitted tasks.
// Its methods are safe for concurrent use.
type Budget struct {
	tasks    chan Task    // queue of capacity Config.Queue; idle workers wait on it
	mu       sync.RWMutex // Submit holds it shared, Close exclusively, so no send races the close
	closed   bool
	workers  []Worker
	inFlight atomic.Int64
	started  sync.WaitGroup // Init done on every worker
	done     sync.WaitGroup // workers gone
	cfg      Config
}

// NewBudget starts cfg.Workers worker goroutines and returns once each has
// run cfg.Init.
func NewBudget(cfg Config) *Budget {
	if cfg.Workers < 1 {
		cfg.Workers = 1
	}
	if cfg.Queue < 0 {
		cfg.Queue = 0
	}
	b := &Budget{
		tasks:   make(chan Task, cfg.Queue),
		workers: make([]Worker, cfg.Workers),
		cfg:     cfg,
	}
	b.started.Add(cfg.Workers)
	b.done.Add(cfg.Workers)
	for i := range b.workers {
		w := &b.workers[i]
		w.ID, w.b = i, b
		go w.serve()
	}
	b.started.Wait()
	return b
}

// serve is a worker's life: lock, Init, tasks until the queue is closed
// and empty, Exit.
func (w *Worker) serve() {
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
	b.started.Done()
	for t := range b.tasks {
		b.inFlight.Add(1)
		t.Run(w)
		b.inFlight.Add(-1)
	}
	if b.cfg.Exit != nil {
		b.cfg.Exit(w)
	}
}

// Submit hands t to an idle worker or, when all are busy, to the queue. It
// never blocks: it returns false when every worker is busy and the queue is
// full (the server answers 503 with Retry-After), and after Close. On true
// the Budget owns t until its Run returns; on false the caller keeps it.
func (b *Budget) Submit(t Task) bool {
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return false
	}
	select {
	case b.tasks <- t:
		b.mu.RUnlock()
		return true
	default:
		b.mu.RUnlock()
		return false
	}
}

// TryNext takes another queued task without blocking, for w to run within
// the task it is running now (GIL batching); ok is false when the queue is
// empty. The task counts as part of the current one in InFlight.
func (w *Worker) TryNext() (t Task, ok bool) {
	select {
	case t, ok = <-w.b.tasks:
		return t, ok
	default:
		return nil, false
	}
}

// Budget returns the Budget w belongs to.
func (w *Worker) Budget() *Budget { return w.b }

// Close stops accepting tasks, lets the workers run every task already
// queued, waits for them to finish, and returns after each has run Exit.
// Later calls return at once. Close must not be called from a Task.
func (b *Budget) Close() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		b.done.Wait()
		return
	}
	b.closed = true
	close(b.tasks)
	b.mu.Unlock()
	b.done.Wait()
}

// InFlight returns how many workers are running a task now.
func (b *Budget) InFlight() int { return int(b.inFlight.Load()) }

// Queued returns how many tasks wait for a worker.
func (b *Budget) Queued() int { return len(b.tasks) }

// Workers returns the number of workers.
func (b *Budget) Workers() int { return len(b.workers) }
