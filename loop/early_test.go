package loop

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gwsgi/gwsgi/environ"
	"github.com/gwsgi/gwsgi/wsgi"
)

// refuseApp answers 413 at once, without reading the body.
var refuseApp = wsgi.AppFunc(func(_ *environ.Environ, start wsgi.StartResponse) (wsgi.Iterable, error) {
	body := []byte(strings.Repeat("too large; not read\n", 200))
	_, err := start.StartResponse("413 Content Too Large", []wsgi.Header{{Name: "Content-Type", Value: "text/plain"}}, nil)
	return wsgi.Bytes(body), err
})

// TestEarlyAnswerArrives: an app that answers a large upload without
// reading it gets its answer to a client that keeps sending at full
// speed (the connection lingers rather than resetting under it), and the
// connection then ends.
func TestEarlyAnswerArrives(t *testing.T) {
	ts := start(t, Config{App: refuseApp, HeaderTimeout: 2 * time.Second})
	for i := 0; i < 20; i++ {
		c := ts.dial(t)
		_, _ = io.WriteString(c, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1073741824\r\n\r\n")
		done := make(chan struct{})
		go func() { // the upload, at full speed, until the server ends it
			defer close(done)
			chunk := bytes.Repeat([]byte("u"), 64<<10)
			for {
				if _, err := c.Write(chunk); err != nil {
					return
				}
			}
		}()
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("upload %d: reading the answer: %v", i, err)
		}
		body, err := io.ReadAll(resp.Body)
		if resp.StatusCode != 413 || err != nil || len(body) != 4000 || !resp.Close {
			t.Fatalf("upload %d: status %d, %d body bytes (%v), close %v", i, resp.StatusCode, len(body), err, resp.Close)
		}
		if _, err := br.ReadByte(); err != io.EOF {
			t.Fatalf("upload %d: after the answer: %v, want EOF (the write side shut)", i, err)
		}
		c.Close()
		<-done
	}
	ts.get(t, "/", 413) // the server serves on
}

// TestNoContentFraming: an app's 204 with a Content-Length goes out
// without it and without a body, and the next request on the connection
// (already sent, pipelined) is answered as its own.
func TestNoContentFraming(t *testing.T) {
	app := wsgi.AppFunc(func(env *environ.Environ, start wsgi.StartResponse) (wsgi.Iterable, error) {
		if string(env.PathInfo) == "/none" {
			_, err := start.StartResponse("204 No Content", []wsgi.Header{{Name: "Content-Length", Value: "5"}}, nil)
			return wsgi.Bytes([]byte("hello")), err
		}
		_, err := start.StartResponse("200 OK", []wsgi.Header{{Name: "Content-Length", Value: "4"}}, nil)
		return wsgi.Bytes([]byte("next")), err
	})
	ts := start(t, Config{App: app})
	c := ts.dial(t)
	_, _ = io.WriteString(c, "GET /none HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n")
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(c)
	var raw strings.Builder
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the 204's head: %v (so far %q)", err, raw.String())
		}
		raw.WriteString(line)
		if line == "\r\n" {
			break
		}
	}
	if !strings.HasPrefix(raw.String(), "HTTP/1.1 204 ") || strings.Contains(strings.ToLower(raw.String()), "content-length") {
		t.Fatalf("204 head %q", raw.String())
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("the next response: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != "next" {
		t.Fatalf("next: status %d body %q", resp.StatusCode, body)
	}
}

// TestStreamedChunkedSizeLineSplit: a streamed chunked body whose size
// line arrives in two reads ("4", then "0\r\n...") keeps every byte: a
// read that completes no line consumes nothing, and nothing is dropped
// (a lost "4" would end the body early and turn the chunk's data into a
// request of its own).
func TestStreamedChunkedSizeLineSplit(t *testing.T) {
	ts := start(t, Config{MaxBufferedBody: 4 << 10, StreamBuffer: 16 << 10})
	c := ts.dial(t)
	first := strings.Repeat("a", 70000)
	smuggled := "GET /smuggled HTTP/1.1\r\nHost: x\r\nContent-Length: 22\r\n\r\n"
	smuggled += strings.Repeat("s", 64-len(smuggled))
	_, _ = io.WriteString(c, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n11170\r\n"+first+"\r\n4")
	time.Sleep(100 * time.Millisecond)
	_, _ = io.WriteString(c, "0\r\n"+smuggled+"\r\n0\r\n\r\n")
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != first+smuggled {
		t.Fatalf("status %d, %d body bytes, want 200 and the %d bytes sent", resp.StatusCode, len(body), len(first)+len(smuggled))
	}
}

// TestContinueToAResetClient: a client that asks for 100-continue on a
// streamed body and resets the connection before sending it takes no
// thread for good: with every thread's worth of them gone, the server
// still answers.
func TestContinueToAResetClient(t *testing.T) {
	ts := start(t, Config{Threads: 2, MaxBufferedBody: 4 << 10})
	for i := 0; i < 6; i++ {
		c := ts.dial(t)
		_ = c.(*net.TCPConn).SetLinger(0) // Close sends a reset
		_, _ = io.WriteString(c, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\n\r\n")
		c.Close()
	}
	time.Sleep(100 * time.Millisecond)
	ts.get(t, "/", 200)
}
