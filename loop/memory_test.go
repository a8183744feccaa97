package loop

import (
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gwsgi/gwsgi/environ"
	"github.com/gwsgi/gwsgi/wsgi"
)

// rss is this process's resident memory in bytes.
func rss(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// TestUploadMemoryBounded: 1,000 connections announce 1 GiB bodies and
// send their first 16 KiB while every thread is busy, and one more sends
// its body at full speed to an app that does not read it: the server's
// memory grows by what its configuration allows (the streamed bodies'
// buffers), not by what the clients send. Reading a connection whose
// body has nowhere to go pauses (pause.go).
func TestUploadMemoryBounded(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	app := wsgi.AppFunc(func(_ *environ.Environ, start wsgi.StartResponse) (wsgi.Iterable, error) {
		<-release
		_, err := start.StartResponse("200 OK", nil, nil)
		return wsgi.Bytes([]byte("done")), err
	})
	ts := start(t, Config{App: app, Threads: 2, Queue: 2000})
	defer once.Do(func() { close(release) })
	before := rss(t)

	head := "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1073741824\r\n\r\n"
	conns := make([]net.Conn, 0, 1001)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	part := strings.Repeat("b", 16<<10)
	for i := 0; i < 1000; i++ {
		c := ts.dial(t)
		conns = append(conns, c)
		if _, err := io.WriteString(c, head+part); err != nil {
			t.Fatal(err)
		}
	}
	fast := ts.dial(t)
	conns = append(conns, fast)
	sent := make(chan int64, 1)
	go func() { // at full speed, for as long as the server takes it
		chunk := make([]byte, 64<<10)
		var n int64
		_, _ = io.WriteString(fast, head)
		for n < 1<<30 {
			_ = fast.SetWriteDeadline(time.Now().Add(2 * time.Second))
			m, err := fast.Write(chunk)
			n += int64(m)
			if err != nil {
				break
			}
		}
		sent <- n
	}()
	n := <-sent
	time.Sleep(200 * time.Millisecond)
	grown := rss(t) - before
	t.Logf("1,000 uploads queued and one stalled after %d MiB: memory grew by %d MiB", n>>20, grown>>20)
	if grown > 64<<20 && !raceEnabled { // the race detector's shadow memory grows with the heap
		t.Errorf("memory grew by %d MiB, want under 64 MiB", grown>>20)
	}
	if n > 64<<20 {
		t.Errorf("the server took %d MiB of a body the app does not read, want it paused after its buffer", n>>20)
	}
	once.Do(func() { close(release) })
}
