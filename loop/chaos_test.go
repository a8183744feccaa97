package loop

import (
	"bufio"
	"io"
	"math/rand"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// chaosRequests mixes valid requests with malformed, partial and abandoned
// ones; each is sent on its own connection, whole or in random pieces.
var chaosRequests = []string{
	"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /stream?n=50 HTTP/1.1\r\nHost: x\r\n\r\n",
	"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world",
	"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n" + strings.Repeat("z", 200000),
	"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /write?n=5 HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET / HTTP/1.0\r\n\r\n",
	"G\x00T / HTTP/1.1\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
	"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n",
	"GET /" + strings.Repeat("a", 10000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\n",                // never finished
	"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", // a TLS hello
	"GET /panic HTTP/1.1\r\nHost: x\r\n\r\n",
}

// TestChaos throws a bounded storm of good and bad clients at the server
// at once (each connection also may vanish mid-request), then checks that
// nothing is left in flight and that it still serves.
func TestChaos(t *testing.T) {
	ts := start(t, Config{HeaderTimeout: 300 * time.Millisecond, KeepAlive: 200 * time.Millisecond, Threads: 4, Queue: 64})
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(seed))
			for i := 0; i < 40; i++ {
				chaosClient(ts.addr, chaosRequests[rng.Intn(len(chaosRequests))], rng)
			}
		}(int64(g))
	}
	wg.Wait()
	waitFor(t, "no request in flight", func() bool { return ts.active.Load() == 0 })
	for i := 0; i < 3; i++ {
		if body := ts.get(t, "/", 200); body != "Hello, World!" {
			t.Fatalf("body %q", body)
		}
	}
}

// chaosClient sends raw in random pieces, then reads a little or all of
// the answer, or hangs up early.
func chaosClient(addr, raw string, rng *rand.Rand) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	for len(raw) > 0 {
		n := 1 + rng.Intn(len(raw))
		if _, err := io.WriteString(c, raw[:n]); err != nil {
			return
		}
		raw = raw[n:]
		if rng.Intn(8) == 0 {
			return // vanish mid-request
		}
	}
	br := bufio.NewReader(c)
	switch rng.Intn(3) {
	case 0:
		return
	case 1:
		_, _ = br.ReadString('\n')
	default:
		_, _ = io.Copy(io.Discard, io.LimitReader(br, 1<<20))
	}
}
