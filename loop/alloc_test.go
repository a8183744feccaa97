package loop

import (
	"bytes"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/gwsgi/gwsgi/pool"
)

// TestAllocsPerRequest counts the whole process's allocations (server and
// this raw client, which allocates nothing itself) per keep-alive request:
// parse, environ, budget hand-off, app, response and the socket write.
func TestAllocsPerRequest(t *testing.T) {
	allocsPerRequest(t, Config{})
}

// The same with the budget under a gate (as for Python's GIL) and every
// request's phase times recorded.
func TestAllocsPerRequestGatedTimed(t *testing.T) {
	phases := new(PhaseStats)
	allocsPerRequest(t, Config{Gate: &mutexGate{}, Preempt: 5 * time.Millisecond, Phases: phases})
	if n, _ := phases.Summary(); n < 3000 {
		t.Fatalf("%d requests timed, want all 3000", n)
	}
}

// mutexGate is a pool.Gate over a mutex.
type mutexGate struct{ mu sync.Mutex }

func (g *mutexGate) Acquire(*pool.Worker) { g.mu.Lock() }

func (g *mutexGate) Release(*pool.Worker) bool { g.mu.Unlock(); return true }

func allocsPerRequest(t *testing.T, cfg Config) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	ts := start(t, cfg)
	c := ts.dial(t)
	req := []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	buf := make([]byte, 4096)
	roundTrip := func() {
		if _, err := c.Write(req); err != nil {
			t.Fatal(err)
		}
		n := 0
		for !bytes.HasSuffix(buf[:n], []byte("Hello, World!")) {
			m, err := c.Read(buf[n:])
			if err != nil && err != io.EOF {
				t.Fatal(err)
			}
			n += m
		}
	}
	for i := 0; i < 1000; i++ {
		roundTrip() // warm the pools
	}
	// AllocsPerRun averages (and rounds down) over the runs, so gnet's rare
	// resizing of its epoll event array does not count.
	if allocs := testing.AllocsPerRun(2000, roundTrip); allocs != 0 {
		t.Fatalf("%v allocations per keep-alive request, want 0", allocs)
	}
}
