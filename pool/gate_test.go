package pool

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// lockGate is a Gate over a mutex, standing in for an interpreter's lock:
// tasks that block (sleepTask) let go of it through Block and Unblock.
type lockGate struct {
	mu      sync.Mutex
	holders atomic.Int64 // workers holding it now: at most 1
	peak    atomic.Int64
}

func (g *lockGate) Acquire(*Worker) {
	g.mu.Lock()
	g.took()
}

// took counts a holder in; g.mu is held.
func (g *lockGate) took() {
	if n := g.holders.Add(1); n > g.peak.Load() {
		g.peak.Store(n)
	}
}

// checkExclusive fails t unless one worker at a time held the gate.
func (g *lockGate) checkExclusive(t *testing.T) {
	t.Helper()
	if g.peak.Load() != 1 {
		t.Fatalf("%d workers held the gate at once", g.peak.Load())
	}
}

func (g *lockGate) Release(*Worker) bool {
	g.holders.Add(-1)
	g.mu.Unlock()
	return true
}

// waitGate is a lockGate that is also a GateWaiter: AwaitAcquire takes the
// lock only when it finds it free and never makes its holder let go.
// acquires counts the calls to Acquire: with tasks that never block, only
// a standby that gave up waiting calls it, to take the gate by force.
type waitGate struct {
	lockGate
	acquires atomic.Int64
}

func (g *waitGate) Acquire(w *Worker) {
	g.acquires.Add(1)
	g.lockGate.Acquire(w)
}

func (g *waitGate) AwaitAcquire(_ *Worker, d time.Duration) (time.Duration, bool) {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(20 * time.Microsecond) {
		if g.mu.TryLock() {
			g.took()
			return 0, true
		}
	}
	return 0, false
}

// eachGate runs f as a subtest with each kind of gate: one that is waited
// for by taking it (lockGate) and a GateWaiter (waitGate). base is the
// lockGate inside g.
func eachGate(t *testing.T, f func(t *testing.T, g Gate, base *lockGate)) {
	t.Run("lock", func(t *testing.T) {
		g := &lockGate{}
		f(t, g, g)
	})
	t.Run("wait", func(t *testing.T) {
		g := &waitGate{}
		f(t, g, &g.lockGate)
	})
}

// spinTask records the order tasks start in and which worker ran them.
type spinTask struct {
	n    int
	mu   *sync.Mutex
	out  *[]int
	ids  map[int]bool
	done *sync.WaitGroup
	spin time.Duration
}

func (t *spinTask) Run(w *Worker) {
	t.mu.Lock()
	*t.out = append(*t.out, t.n)
	t.ids[w.ID] = true
	t.mu.Unlock()
	for end := time.Now().Add(t.spin); time.Now().Before(end); {
	}
	t.done.Done()
}

// Under a gate, CPU-bound tasks run one at a time, in submission order,
// on a couple of workers however large the budget: the holder serves the
// queue, one standby waits, the rest stay parked or unstarted.
func TestGateRunsQueueInOrderOnFewWorkers(t *testing.T) {
	eachGate(t, func(t *testing.T, g Gate, base *lockGate) {
		b := NewBudget(Config{Workers: 256, Initial: 4, Queue: 64, Gate: g, LockOSThread: true})
		defer b.Close()
		var mu sync.Mutex
		var out []int
		ids := map[int]bool{}
		var done sync.WaitGroup
		const n = 200
		done.Add(n)
		for i := range n {
			for !b.Submit(&spinTask{n: i, mu: &mu, out: &out, ids: ids, done: &done, spin: 20 * time.Microsecond}) {
				time.Sleep(100 * time.Microsecond)
			}
		}
		done.Wait()
		mu.Lock()
		defer mu.Unlock()
		for i, v := range out {
			if v != i {
				t.Fatalf("task %d started in place %d: %v", v, i, out)
			}
		}
		base.checkExclusive(t)
		if len(ids) > 4 || b.Started() > 4 {
			t.Fatalf("%d workers ran tasks, %d started; want at most the 4 initial ones", len(ids), b.Started())
		}
	})
}

// sleepTask holds the gate, lets go of it to wait (as an app that sleeps
// or reads a socket does), takes it back and ends.
type sleepTask struct {
	cur, peak *atomic.Int64
	nap       time.Duration
	done      *sync.WaitGroup
}

func (t *sleepTask) Run(w *Worker) {
	n := t.cur.Add(1)
	for p := t.peak.Load(); n > p && !t.peak.CompareAndSwap(p, n); p = t.peak.Load() {
	}
	w.Block()
	time.Sleep(t.nap)
	w.Unblock()
	t.cur.Add(-1)
	t.done.Done()
}

// Tasks that block overlap: when the holder lets go, the standby takes the
// next task at once, and new workers start as long as tasks wait.
func TestGateOverlapsBlockingTasks(t *testing.T) {
	eachGate(t, func(t *testing.T, g Gate, base *lockGate) {
		b := NewBudget(Config{Workers: 64, Initial: 2, Queue: 64, Gate: g, LockOSThread: true})
		defer b.Close()
		var cur, peak atomic.Int64
		var done sync.WaitGroup
		const n = 48
		done.Add(n)
		t0 := time.Now()
		for range n {
			if !b.Submit(&sleepTask{cur: &cur, peak: &peak, nap: 200 * time.Millisecond, done: &done}) {
				t.Fatal("refused")
			}
		}
		done.Wait()
		if p := peak.Load(); p < n/2 {
			t.Fatalf("at most %d of %d blocking tasks overlapped (in %v)", p, n, time.Since(t0))
		}
		base.checkExclusive(t)
	})
}

// A task that holds the gate longer than Preempt keeps the queue in order
// and the gate exclusive: the standby that waited past Preempt does not
// take the queue on as though the holder had blocked.
func TestGateLongTaskKeepsOrder(t *testing.T) {
	eachGate(t, func(t *testing.T, g Gate, base *lockGate) {
		b := NewBudget(Config{Workers: 4, Initial: 4, Queue: 8, Gate: g, Preempt: 5 * time.Millisecond, LockOSThread: true})
		defer b.Close()
		var mu sync.Mutex
		var out []int
		ids := map[int]bool{}
		var done sync.WaitGroup
		done.Add(3)
		// The first task holds the gate for 30 ms without blocking; the
		// standby waiting behind it waits past Preempt, so when it finally
		// gets the gate it must not count that as a block.
		for i := range 3 {
			spin := time.Duration(0)
			if i == 0 {
				spin = 30 * time.Millisecond
			}
			if !b.Submit(&spinTask{n: i, mu: &mu, out: &out, ids: ids, done: &done, spin: spin}) {
				t.Fatal("refused")
			}
		}
		done.Wait()
		mu.Lock()
		defer mu.Unlock()
		if len(out) != 3 || out[0] != 0 || out[1] != 1 || out[2] != 2 {
			t.Fatalf("order %v", out)
		}
		base.checkExclusive(t)
	})
}

// While every task is blocked, something that is not a task (a thread of
// the app's own that computes) holding the gate in slices longer than
// Preempt does not keep the queue waiting for the blocked task: the
// standby hands the gate back a few times, sees no task finish, and takes
// the queue on.
func TestGateStandbyServesQueueWhileAHogHoldsIt(t *testing.T) {
	eachGate(t, func(t *testing.T, g Gate, base *lockGate) {
		b := NewBudget(Config{Workers: 4, Initial: 4, Queue: 8, Gate: g, Preempt: 2 * time.Millisecond, LockOSThread: true})
		defer b.Close()
		stop := make(chan struct{})
		defer close(stop)
		var cur, peak atomic.Int64
		var done sync.WaitGroup
		done.Add(1)
		if !b.Submit(&sleepTask{cur: &cur, peak: &peak, nap: 500 * time.Millisecond, done: &done}) {
			t.Fatal("refused")
		}
		waitFor(t, "the blocking task", func() bool { return cur.Load() == 1 })
		go func() { // the hog: 20 ms slices, the gate free only for a moment
			for {
				select {
				case <-stop:
					return
				default:
				}
				base.mu.Lock()
				time.Sleep(20 * time.Millisecond)
				base.mu.Unlock()
			}
		}()
		var mu sync.Mutex
		var out []int
		var quick sync.WaitGroup
		quick.Add(1)
		t0 := time.Now()
		if !b.Submit(&spinTask{n: 1, mu: &mu, out: &out, ids: map[int]bool{}, done: &quick}) {
			t.Fatal("refused")
		}
		quick.Wait()
		if d := time.Since(t0); d > 450*time.Millisecond { // the blocked task naps 500 ms
			t.Fatalf("a queued task waited %v behind a blocked one", d)
		}
		done.Wait()
	})
}

// A standby waiting on a GateWaiter does not take the gate by force while
// the holder keeps finishing tasks: a CPU-bound queue several Preempts
// long is served without one forced take, in order, by one holder at a
// time. (A plain Gate's standby calls Acquire at once.)
func TestGateWaiterStandbyWaitsWithoutForce(t *testing.T) {
	g := &waitGate{}
	b := NewBudget(Config{Workers: 8, Initial: 4, Queue: 256, Gate: g, Preempt: 25 * time.Millisecond, LockOSThread: true})
	defer b.Close()
	var mu sync.Mutex
	var out []int
	var done sync.WaitGroup
	const n = 200 // 200 × 0.5 ms: four Preempts
	done.Add(n)
	for i := range n {
		if !b.Submit(&spinTask{n: i, mu: &mu, out: &out, ids: map[int]bool{}, done: &done, spin: 500 * time.Microsecond}) {
			t.Fatal("refused")
		}
	}
	done.Wait()
	if k := g.acquires.Load(); k != 0 {
		t.Errorf("the standby took the gate by force %d times while tasks finished", k)
	}
	mu.Lock()
	defer mu.Unlock()
	for i, v := range out {
		if v != i {
			t.Fatalf("task %d started in place %d", v, i)
		}
	}
	g.checkExclusive(t)
}
