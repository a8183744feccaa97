package pool

import (
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// gateTask runs until its gate is closed, counting how many gate tasks run
// at once.
type gateTask struct {
	gate      <-chan struct{}
	cur, peak *atomic.Int64
	ran       *atomic.Int64
}

func (t *gateTask) Run(*Worker) {
	n := t.cur.Add(1)
	for {
		p := t.peak.Load()
		if n <= p || t.peak.CompareAndSwap(p, n) {
			break
		}
	}
	<-t.gate
	t.cur.Add(-1)
	t.ran.Add(1)
}

type counters struct{ cur, peak, ran atomic.Int64 }

func (c *counters) task(gate <-chan struct{}) *gateTask {
	return &gateTask{gate: gate, cur: &c.cur, peak: &c.peak, ran: &c.ran}
}

// waitFor polls cond for up to 5 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestBudgetBoundsInFlightAndRejects(t *testing.T) {
	const workers, queue = 3, 5
	b := NewBudget(Config{Workers: workers, Queue: queue})
	defer b.Close()
	if b.Workers() != workers {
		t.Fatalf("Workers = %d", b.Workers())
	}
	var c counters
	gate := make(chan struct{})
	for i := 0; i < workers; i++ {
		// A worker may be between tasks for a moment; retry until taken.
		waitFor(t, "a worker to take a task", func() bool { return b.Submit(c.task(gate)) })
		waitFor(t, "the task to start", func() bool { return b.InFlight() == i+1 })
	}
	for i := 0; i < queue; i++ {
		if !b.Submit(c.task(gate)) {
			t.Fatalf("queued Submit %d refused", i)
		}
	}
	if b.Queued() != queue {
		t.Fatalf("Queued = %d, want %d", b.Queued(), queue)
	}
	if b.Submit(c.task(gate)) {
		t.Fatal("Submit accepted with all workers busy and the queue full")
	}
	close(gate)
	waitFor(t, "all tasks", func() bool { return c.ran.Load() == workers+queue })
	if p := c.peak.Load(); p != workers {
		t.Fatalf("peak in flight = %d, want %d", p, workers)
	}
	waitFor(t, "idle workers", func() bool { return b.InFlight() == 0 && b.Queued() == 0 })
}

func TestBudgetBoundedUnderLoad(t *testing.T) {
	const workers = 4
	b := NewBudget(Config{Workers: workers, Queue: 16})
	var c counters
	gate := make(chan struct{})
	close(gate)
	accepted := 0
	var wg sync.WaitGroup
	var mu sync.Mutex
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				if b.Submit(c.task(gate)) {
					mu.Lock()
					accepted++
					mu.Unlock()
				}
				if i%64 == 0 {
					runtime.Gosched()
				}
			}
		}()
	}
	wg.Wait()
	b.Close()
	if int(c.ran.Load()) != accepted {
		t.Fatalf("ran %d of %d accepted tasks", c.ran.Load(), accepted)
	}
	if p := c.peak.Load(); p > workers {
		t.Fatalf("peak in flight = %d > %d workers", p, workers)
	}
}

func TestBudgetQueueZeroIdleWorker(t *testing.T) {
	b := NewBudget(Config{Workers: 1, Queue: 0})
	defer b.Close()
	var c counters
	gate := make(chan struct{})
	waitFor(t, "the idle worker to accept", func() bool { return b.Submit(c.task(gate)) })
	waitFor(t, "the task to start", func() bool { return b.InFlight() == 1 })
	if b.Submit(c.task(gate)) {
		t.Fatal("Queue 0: Submit accepted with the only worker busy")
	}
	close(gate)
}

// orderTask records its number.
type orderTask struct {
	n   int
	mu  *sync.Mutex
	out *[]int
}

func (t *orderTask) Run(*Worker) {
	t.mu.Lock()
	*t.out = append(*t.out, t.n)
	t.mu.Unlock()
}

func TestBudgetFIFO(t *testing.T) {
	b := NewBudget(Config{Workers: 1, Queue: 100})
	var c counters
	gate := make(chan struct{})
	waitFor(t, "the worker", func() bool { return b.Submit(c.task(gate)) })
	waitFor(t, "the task to start", func() bool { return b.InFlight() == 1 })
	var mu sync.Mutex
	var out []int
	for i := 0; i < 100; i++ {
		if !b.Submit(&orderTask{n: i, mu: &mu, out: &out}) {
			t.Fatalf("Submit %d refused", i)
		}
	}
	close(gate)
	b.Close()
	if len(out) != 100 {
		t.Fatalf("ran %d tasks", len(out))
	}
	for i, n := range out {
		if n != i {
			t.Fatalf("order %v", out)
		}
	}
}

func TestBudgetCloseDrains(t *testing.T) {
	var exits atomic.Int64
	b := NewBudget(Config{Workers: 2, Queue: 50, Exit: func(*Worker) { exits.Add(1) }})
	var c counters
	gate := make(chan struct{})
	submitted := 0
	for i := 0; i < 52; i++ {
		if b.Submit(c.task(gate)) {
			submitted++
		}
	}
	closed := make(chan struct{})
	go func() {
		b.Close()
		close(closed)
	}()
	waitFor(t, "Close to stop accepting", func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return b.closed
	})
	select {
	case <-closed:
		t.Fatal("Close returned before the tasks ran")
	case <-time.After(10 * time.Millisecond):
	}
	close(gate)
	<-closed
	if int(c.ran.Load()) != submitted || submitted < 50 {
		t.Fatalf("ran %d of %d submitted", c.ran.Load(), submitted)
	}
	if exits.Load() != 2 {
		t.Fatalf("Exit ran %d times, want 2", exits.Load())
	}
	if b.Submit(c.task(gate)) {
		t.Fatal("Submit accepted after Close")
	}
	b.Close() // idempotent
}

// tidTask checks that it runs on its worker's thread.
type tidTask struct {
	bad  *atomic.Int64
	done *sync.WaitGroup
}

func (t *tidTask) Run(w *Worker) {
	for i := 0; i < 3; i++ {
		if syscall.Gettid() != w.Local.(int) {
			t.bad.Add(1)
		}
		runtime.Gosched()
		time.Sleep(10 * time.Microsecond)
	}
	t.done.Done()
}

func TestBudgetLockOSThread(t *testing.T) {
	const workers = 4
	var mu sync.Mutex
	tids := map[int]int{} // worker ID → thread of Init
	var bad atomic.Int64
	b := NewBudget(Config{
		Workers:      workers,
		Queue:        1000,
		LockOSThread: true,
		Init: func(w *Worker) {
			tid := syscall.Gettid()
			w.Local = tid
			mu.Lock()
			tids[w.ID] = tid
			mu.Unlock()
		},
		Exit: func(w *Worker) {
			mu.Lock()
			defer mu.Unlock()
			if syscall.Gettid() != tids[w.ID] || w.Local.(int) != tids[w.ID] {
				bad.Add(1)
			}
			delete(tids, w.ID)
		},
	})
	mu.Lock()
	if len(tids) != workers {
		t.Fatalf("Init ran on %d workers", len(tids))
	}
	distinct := map[int]bool{}
	for _, tid := range tids {
		distinct[tid] = true
	}
	mu.Unlock()
	if len(distinct) != workers {
		t.Fatalf("%d workers share %d threads", workers, len(distinct))
	}
	var done sync.WaitGroup
	for i := 0; i < 500; i++ {
		done.Add(1)
		task := &tidTask{bad: &bad, done: &done}
		waitFor(t, "room", func() bool { return b.Submit(task) })
	}
	done.Wait()
	b.Close()
	if bad.Load() != 0 {
		t.Fatalf("%d checks ran off their worker's thread", bad.Load())
	}
	if len(tids) != 0 {
		t.Fatalf("Exit did not run on %d workers", len(tids))
	}
}

// batchTask runs every queued task itself, through TryNext.
type batchTask struct {
	ran *[]int
	n   int
}

func (t *batchTask) Run(w *Worker) {
	*t.ran = append(*t.ran, t.n)
	for {
		next, ok := w.TryNext()
		if !ok {
			return
		}
		nt := next.(*batchTask)
		*nt.ran = append(*nt.ran, -nt.n) // negative: run through TryNext
	}
}

func TestWorkerTryNext(t *testing.T) {
	b := NewBudget(Config{Workers: 1, Queue: 10})
	var c counters
	gate := make(chan struct{})
	waitFor(t, "the worker", func() bool { return b.Submit(c.task(gate)) })
	waitFor(t, "the task to start", func() bool { return b.InFlight() == 1 })
	var ran []int // only touched by the single worker
	for i := 1; i <= 5; i++ {
		if !b.Submit(&batchTask{ran: &ran, n: i}) {
			t.Fatal("refused")
		}
	}
	close(gate)
	b.Close()
	want := []int{1, -2, -3, -4, -5}
	if len(ran) != len(want) {
		t.Fatalf("ran %v, want %v", ran, want)
	}
	for i := range want {
		if ran[i] != want[i] {
			t.Fatalf("ran %v, want %v", ran, want)
		}
	}
	if b.Workers() != 1 {
		t.Fatal("Workers")
	}
}

// pingTask signals done when run.
type pingTask struct{ done chan struct{} }

func (t *pingTask) Run(*Worker) { t.done <- struct{}{} }

func TestSubmitZeroAllocs(t *testing.T) {
	b := NewBudget(Config{Workers: 2, Queue: 4})
	defer b.Close()
	task := &pingTask{done: make(chan struct{})}
	n := testing.AllocsPerRun(1000, func() {
		for !b.Submit(task) {
			runtime.Gosched()
		}
		<-task.done
	})
	if n != 0 {
		t.Fatalf("Submit→Run: %v allocs, want 0", n)
	}
}

func BenchmarkSubmitRoundTrip(b *testing.B) {
	bud := NewBudget(Config{Workers: 1, Queue: 1})
	defer bud.Close()
	task := &pingTask{done: make(chan struct{})}
	b.ReportAllocs()
	for b.Loop() {
		for !bud.Submit(task) {
			runtime.Gosched()
		}
		<-task.done
	}
}

// countTask only counts; used to measure throughput with a full pipeline.
type countTask struct{ n *atomic.Int64 }

func (t *countTask) Run(*Worker) { t.n.Add(1) }

func BenchmarkSubmitParallel(b *testing.B) {
	bud := NewBudget(Config{Workers: runtime.GOMAXPROCS(0), Queue: 1024})
	var n atomic.Int64
	task := &countTask{n: &n}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			for !bud.Submit(task) {
				runtime.Gosched()
			}
		}
	})
	bud.Close()
}
