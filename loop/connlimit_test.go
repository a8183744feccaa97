package loop

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// client is one keep-alive connection of a test.
type client struct {
	net.Conn
	br *bufio.Reader
}

// connect opens a connection to addr and sends one request on it.
func connect(t *testing.T, addr string) *client {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	return &client{Conn: c, br: bufio.NewReader(c)}
}

// answered waits up to wait for the response to the request connect sent.
func (c *client) answered(t *testing.T, wait time.Duration) bool {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(wait))
	if _, err := c.br.Peek(1); err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return false
		}
		t.Fatalf("waiting for the response: %v", err)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, body := readResponse(t, c.br, "GET")
	if resp.StatusCode != 200 || body != "Hello, World!" {
		t.Fatalf("status %d body %q", resp.StatusCode, body)
	}
	return true
}

// TestMaxConnsWaitsForAClose: with two connections open under
// MaxConns 2, a third one connects (the kernel queues it) but is not
// accepted, so it gets no answer until one of the two closes; then it is
// served.
func TestMaxConnsWaitsForAClose(t *testing.T) {
	srv := start(t, Config{MaxConns: 2})
	a, b := connect(t, srv.addr), connect(t, srv.addr)
	if !a.answered(t, 5*time.Second) || !b.answered(t, 5*time.Second) {
		t.Fatal("the first two connections are not served")
	}
	c := connect(t, srv.addr)
	if c.answered(t, 300*time.Millisecond) {
		t.Fatal("a third connection was served with two open under MaxConns 2")
	}
	if n := srv.open(); n != 2 {
		t.Errorf("%d connections open, want 2", n)
	}
	a.Close()
	if !c.answered(t, 5*time.Second) {
		t.Fatal("the third connection is not served after the first closed")
	}
	if _, err := io.WriteString(b, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	if !b.answered(t, 5*time.Second) {
		t.Fatal("the second connection is no longer served")
	}
	d := connect(t, srv.addr)
	if d.answered(t, 300*time.Millisecond) {
		t.Fatal("a fourth connection was served with two open")
	}
	b.Close()
	c.Close()
	if !d.answered(t, 5*time.Second) {
		t.Fatal("the fourth connection is not served after two closed")
	}
}

// TestMaxConnsSeveralListeners: an accept loop waiting on an idle
// listener holds no slot, so under MaxConns 1 a connection on either
// listener is served while the other is idle.
func TestMaxConnsSeveralListeners(t *testing.T) {
	var lns []net.Listener
	for range 2 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
	}
	first, second := lns[0].Addr().String(), lns[1].Addr().String()
	start(t, Config{Listeners: lns, MaxConns: 1})
	for i := range 3 {
		for _, addr := range []string{second, first} {
			c := connect(t, addr)
			if !c.answered(t, 5*time.Second) {
				t.Fatalf("round %d: %s not served while the other listener is idle", i, addr)
			}
			other := connect(t, map[string]string{first: second, second: first}[addr])
			if other.answered(t, 200*time.Millisecond) {
				t.Fatalf("round %d: a second connection served under MaxConns 1", i)
			}
			c.Close()
			if !other.answered(t, 5*time.Second) {
				t.Fatalf("round %d: the waiting connection not served after the other closed", i)
			}
			other.Close()
		}
	}
}

// TestMaxConnsStopAcceptingLeavesTheQueue: at the cap, the connections
// queued when the server stops accepting are left in the kernel's queue,
// for the other processes sharing the socket.
func TestMaxConnsStopAcceptingLeavesTheQueue(t *testing.T) {
	ln, srvLn := sharedListener(t)
	srv := start(t, Config{Listeners: []net.Listener{srvLn}, MaxConns: 1})
	a := connect(t, ln.Addr().String())
	if !a.answered(t, 5*time.Second) {
		t.Fatal("the first connection is not served")
	}
	b := connect(t, ln.Addr().String())
	if b.answered(t, 200*time.Millisecond) {
		t.Fatal("a second connection served under MaxConns 1")
	}
	srv.StopAccepting()
	other, err := ln.Accept() // still queued: another process can take it
	if err != nil {
		t.Fatal(err)
	}
	other.Close()
	a.Close()
}
