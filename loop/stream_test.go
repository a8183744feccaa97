package loop

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gwsgi/gwsgi/environ"
	"github.com/gwsgi/gwsgi/wsgi"
)

// blocks yields n chunks of size bytes each, or endlessly when n < 0, and
// records Close.
type blocks struct {
	chunk  []byte
	n      int
	closed *atomic.Int32
}

func (b *blocks) Next() ([]byte, error) {
	if b.n == 0 {
		return nil, io.EOF
	}
	b.n--
	return b.chunk, nil
}

func (b *blocks) Close() error { b.closed.Add(1); return nil }

func blocksApp(size, n int, closed *atomic.Int32) wsgi.App {
	chunk := bytes.Repeat([]byte("x"), size)
	return wsgi.AppFunc(func(_ *environ.Environ, start wsgi.StartResponse) (wsgi.Iterable, error) {
		_, err := start.StartResponse("200 OK", nil, nil)
		return &blocks{chunk: chunk, n: n, closed: closed}, err
	})
}

func TestLargeStreamedResponseToSlowReader(t *testing.T) {
	var closed atomic.Int32
	const size, n = 64 << 10, 256 // 16 MiB, far above the high-water mark
	ts := start(t, Config{App: blocksApp(size, n, &closed)})
	resp, err := http.Get(ts.url("/"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	time.Sleep(200 * time.Millisecond) // let the server hit backpressure
	total, err := io.Copy(io.Discard, resp.Body)
	if err != nil || total != size*n {
		t.Fatalf("read %d bytes (%v), want %d", total, err, size*n)
	}
	waitFor(t, "iterable closed", func() bool { return closed.Load() == 1 })
}

func TestClientGoneMidStreamClosesIterable(t *testing.T) {
	var closed atomic.Int32
	ts := start(t, Config{App: blocksApp(32<<10, -1, &closed)}) // endless
	c := ts.dial(t)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	if _, err := io.ReadFull(br, make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}
	c.Close()
	waitFor(t, "iterable closed after disconnect", func() bool { return closed.Load() == 1 })
	waitFor(t, "request completed", func() bool { return ts.active.Load() == 0 })
	// The server goes on serving: a new request gets its (endless) answer.
	c2 := ts.dial(t)
	io.WriteString(c2, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	line, err := bufio.NewReader(c2).ReadString('\n')
	if err != nil || line != "HTTP/1.1 200 OK\r\n" {
		t.Fatalf("status line %q, %v", line, err)
	}
}

func TestStreamedUploadAppReadsPartOnly(t *testing.T) {
	// The app answers without reading a large body: the connection closes
	// after the response, since the rest of the body is still unread.
	app := wsgi.AppFunc(func(_ *environ.Environ, start wsgi.StartResponse) (wsgi.Iterable, error) {
		_, err := start.StartResponse("200 OK", nil, nil)
		return wsgi.Bytes([]byte("ignored")), err
	})
	ts := start(t, Config{App: app})
	resp, err := http.Post(ts.url("/"), "text/plain", bytes.NewReader(make([]byte, 4<<20)))
	if err == nil {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != "ignored" || !resp.Close {
			t.Fatalf("body %q close %v", body, resp.Close)
		}
	}
	// The client may also see the close before it finished sending; either
	// way the server keeps serving.
	waitFor(t, "request completed", func() bool { return ts.active.Load() == 0 })
}

func TestStalledUploadTimesOut(t *testing.T) {
	ts := start(t, Config{HeaderTimeout: 300 * time.Millisecond})
	c := ts.dial(t)
	// A body too large to read before the app runs, then silence.
	io.WriteString(c, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n")
	io.WriteString(c, strings.Repeat("x", 1000))
	resp, _ := readResponse(t, bufio.NewReader(c), "POST")
	if resp.StatusCode != 500 || !resp.Close {
		t.Fatalf("status %d close %v, want 500 and close", resp.StatusCode, resp.Close)
	}
	waitFor(t, "timeout logged", func() bool {
		return contains(ts.log.String(), "request body: request head or body not received in time")
	})
	ts.get(t, "/", 200)
}

func TestStalledReaderIsDropped(t *testing.T) {
	var closed atomic.Int32
	ts := start(t, Config{App: blocksApp(64<<10, -1, &closed), WriteTimeout: 300 * time.Millisecond})
	c := ts.dial(t)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n") // and never read
	waitFor(t, "iterable closed after the write timeout", func() bool { return closed.Load() == 1 })
	waitFor(t, "request completed", func() bool { return ts.active.Load() == 0 })
	waitFor(t, "a log line", func() bool { return contains(ts.log.String(), "took no response bytes") })
}
