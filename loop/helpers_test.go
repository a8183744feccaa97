package loop

import (
	"bufio"
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gwsgi/gwsgi/examples/hello"
	"github.com/gwsgi/gwsgi/internal/syncbuf"
)

// syncBuf is a log destination tests can read.
type syncBuf = syncbuf.Buffer

type testServer struct {
	*Server
	addr  string
	log   *syncBuf
	cutOK bool // the test expects Shutdown to return ErrCut
}

// start serves cfg (the hello app when cfg.App is nil) on a free port and
// shuts it down when the test ends.
func start(t *testing.T, cfg Config) *testServer {
	t.Helper()
	if cfg.App == nil {
		cfg.App = hello.App{}
	}
	cfg.Addr = "127.0.0.1:0"
	cfg.Loops = 2
	lb := &syncBuf{}
	cfg.Log = log.New(lb, "", 0)
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve() }()
	<-srv.Ready()
	if srv.Addr() == nil {
		t.Fatalf("server did not start: %v", <-errc)
	}
	ts := &testServer{Server: srv, addr: srv.Addr().String(), log: lb}
	t.Cleanup(func() {
		// Idle keep-alive connections would be kept a second by the drain.
		http.DefaultClient.CloseIdleConnections()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil && !(ts.cutOK && err == ErrCut) {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-errc; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return ts
}

func (ts *testServer) url(path string) string { return "http://" + ts.addr + path }

// dial opens a raw connection with a deadline.
func (ts *testServer) dial(t *testing.T) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c
}

// roundTrip sends raw bytes on a new connection and reads one response.
func (ts *testServer) roundTrip(t *testing.T, raw string) (*http.Response, string) {
	t.Helper()
	c := ts.dial(t)
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	return readResponse(t, bufio.NewReader(c), "GET")
}

func readResponse(t *testing.T, br *bufio.Reader, method string) (*http.Response, string) {
	t.Helper()
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	resp.Body.Close()
	return resp, string(body)
}

// get fetches path with Go's HTTP client and checks the status.
func (ts *testServer) get(t *testing.T, path string, want int) string {
	t.Helper()
	resp, err := http.Get(ts.url(path))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != want {
		t.Fatalf("GET %s: status %d, want %d; body %q", path, resp.StatusCode, want, body)
	}
	return string(body)
}

// waitFor polls cond for up to two seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// sharedListener returns a listening socket the test keeps (ln, closed
// when the test ends) and the server's own descriptor of the same socket
// (srvLn), as a worker shares its sockets with the others: what the
// server leaves queued, ln can still accept.
func sharedListener(t *testing.T) (ln, srvLn net.Listener) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	mine, err := ln.(*net.TCPListener).File() // the server's own descriptor
	if err != nil {
		t.Fatal(err)
	}
	srvLn, err = net.FileListener(mine)
	mine.Close()
	if err != nil {
		t.Fatal(err)
	}
	return ln, srvLn
}
