package loop

import (
	"bytes"
	"io"
	"testing"
)

// TestAllocsPerRequest counts the whole process's allocations (server and
// this raw client, which allocates nothing itself) per keep-alive request:
// parse, environ, budget hand-off, app, response and the socket write.
func TestAllocsPerRequest(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	ts := start(t, Config{})
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
