package loop

import (
	"bufio"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gwsgi/gwsgi/environ"
	"github.com/gwsgi/gwsgi/pool"
	"github.com/gwsgi/gwsgi/wsgi"
)

// TestDrainAnswersKeptAliveConnections: once a server drains, a
// connection whose last answer promised keep-alive still gets an answer
// to its next request (with Connection: close), and new connections wait
// in the kernel's queue instead of being accepted and dropped.
func TestDrainAnswersKeptAliveConnections(t *testing.T) {
	srv := start(t, Config{})
	c := srv.dial(t)
	br := bufio.NewReader(c)
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	if resp, _ := readResponse(t, br, "GET"); resp.Close {
		t.Fatal("the first answer closes the connection")
	}
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(t.Context()) }()
	waitFor(t, "draining", srv.draining.Load)
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, body := readResponse(t, br, "GET")
	if resp.StatusCode != 200 || body != "Hello, World!" || !resp.Close {
		t.Fatalf("during the drain: status %d body %q close %v", resp.StatusCode, body, resp.Close)
	}
	if err := <-shut; err != nil {
		t.Fatal(err)
	}
}

// TestStopAcceptingLeavesTheQueue: a server that stops accepting leaves
// new connections to whoever else accepts on its socket.
func TestStopAcceptingLeavesTheQueue(t *testing.T) {
	ln, srvLn := sharedListener(t)
	srv := start(t, Config{Listeners: []net.Listener{srvLn}})
	srv.get(t, "/", 200)
	srv.StopAccepting()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	other, err := ln.Accept() // the socket still listens: the connection is here
	if err != nil {
		t.Fatal(err)
	}
	other.Close()
}

// stuckApp blocks every request until release is closed; it ignores its
// interrupts, like a thread blocked outside Python.
type stuckApp struct {
	release     chan struct{}
	interrupted atomic.Int32
}

func (a *stuckApp) Call(env *environ.Environ, start wsgi.StartResponse) (wsgi.Iterable, error) {
	if string(env.PathInfo) == "/stuck" {
		<-a.release
	}
	if _, err := start.StartResponse("200 OK", []wsgi.Header{{Name: "Content-Length", Value: "2"}}, nil); err != nil {
		return nil, err
	}
	return wsgi.Bytes([]byte("ok")), nil
}

func (a *stuckApp) interrupt(w *pool.Worker, task uint64) bool {
	if !w.Running(task) {
		return false
	}
	a.interrupted.Add(1)
	return true
}

// TestTimeoutGivesUp: a request past the timeout is interrupted, then
// answered 500 and given up when it does not come back; the server asks
// to be replaced, serves others meanwhile, and its drain does not wait
// for the given-up request.
func TestTimeoutGivesUp(t *testing.T) {
	app := &stuckApp{release: make(chan struct{})}
	defer close(app.release)
	retired := make(chan string, 4)
	srv := start(t, Config{
		App:       app,
		Threads:   4,
		Timeout:   300 * time.Millisecond,
		Interrupt: app.interrupt,
		Retire:    func(why string) { retired <- why },
	})
	begin := time.Now()
	c := srv.dial(t)
	if _, err := io.WriteString(c, "GET /stuck HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, body := readResponse(t, bufio.NewReader(c), "GET")
	if resp.StatusCode != 500 || !strings.Contains(body, "timeout") || !resp.Close {
		t.Fatalf("status %d body %q close %v", resp.StatusCode, body, resp.Close)
	}
	if d := time.Since(begin); d < 300*time.Millisecond+interruptGrace || d > 5*time.Second {
		t.Errorf("answered after %v", d)
	}
	if app.interrupted.Load() != 1 {
		t.Errorf("interrupted %d times, want 1", app.interrupted.Load())
	}
	select {
	case why := <-retired:
		if !strings.Contains(why, "stuck") {
			t.Errorf("retire reason %q", why)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no retirement asked for")
	}
	srv.get(t, "/", 200)
	log := srv.log.String()
	if !contains(log, "GET /stuck from 127.0.0.1:") || !contains(log, "interrupting it") || !contains(log, "given up") {
		t.Errorf("log:\n%s", log)
	}
	srv.cutOK = true
	if err := srv.Shutdown(t.Context()); err != ErrCut {
		t.Errorf("shutdown after a given-up request: %v, want ErrCut", err)
	}
}

// stalledListener never accepts until it is closed, as an accept loop
// that falls behind: connections pile up in the kernel's queue.
type stalledListener struct {
	*net.TCPListener
	closed chan struct{}
}

func (l *stalledListener) Accept() (net.Conn, error) {
	<-l.closed
	return nil, net.ErrClosed
}

func (l *stalledListener) Close() error {
	close(l.closed)
	return l.TCPListener.Close()
}

// TestStopAcceptingServesTheQueue: connections the kernel had queued when
// the server stops accepting are taken on and answered, not left to be
// reset when the socket closes.
func TestStopAcceptingServesTheQueue(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := start(t, Config{Listeners: []net.Listener{&stalledListener{ln.(*net.TCPListener), make(chan struct{})}}})
	var conns []net.Conn
	for i := 0; i < 3; i++ {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	srv.StopAccepting()
	for i, c := range conns {
		resp, body := readResponse(t, bufio.NewReader(c), "GET")
		if resp.StatusCode != 200 || body != "Hello, World!" {
			t.Errorf("queued connection %d: status %d body %q", i, resp.StatusCode, body)
		}
	}
}
