package loop

import (
	"bytes"
	"io"
	"testing"
)

// TestAllocsPerRequest counts the whole process's allocations (server and
// this raw client, which allocates nothing itself) per keep-alive request.
func TestAllocsPerRequest(t *testing.T) {
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
	allocs := testing.AllocsPerRun(2000, roundTrip)
	t.Logf("%.2f allocations per request", allocs)
}
