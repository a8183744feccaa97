package loop

import (
	"bufio"
	"io"
	"net"
	"net/http"
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

// TestFullDuplexEcho: an app that writes each piece of a large streamed
// body back as it reads it (reading pauses while its buffer is full, but
// writing goes on) echoes all of it to a client that sends and reads at
// once.
func TestFullDuplexEcho(t *testing.T) {
	app := wsgi.AppFunc(func(env *environ.Environ, start wsgi.StartResponse) (wsgi.Iterable, error) {
		w, err := start.StartResponse("200 OK", nil, nil)
		if err != nil {
			return nil, err
		}
		buf := make([]byte, 32<<10)
		for {
			n, rerr := env.Body.Read(buf)
			if n > 0 {
				if _, err := w.Write(buf[:n]); err != nil {
					return nil, err
				}
			}
			if rerr != nil {
				return wsgi.Bytes(nil), nil
			}
		}
	})
	ts := start(t, Config{App: app, StreamBuffer: 64 << 10})
	c := ts.dial(t)
	const size = 16 << 20
	go func() {
		_, _ = io.WriteString(c, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: "+strconv.Itoa(size)+"\r\n\r\n")
		chunk := []byte(strings.Repeat("d", 64<<10))
		for sent := 0; sent < size; sent += len(chunk) {
			if _, err := c.Write(chunk); err != nil {
				return
			}
		}
	}()
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil || n != size {
		t.Fatalf("echoed %d bytes (%v), want %d", n, err, size)
	}
}
