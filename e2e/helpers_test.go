package e2e

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gwsgi/gwsgi/internal/syncbuf"
)

// python is the interpreter whose packages (flask, django) the apps use
// and that runs the http.client checks: Debian's, which is also the one
// gwsgi links (pkg-config python3-embed).
const python = "/usr/bin/python3"

const (
	startTimeout = 10 * time.Second // until the port accepts connections
	stopTimeout  = 10 * time.Second // from SIGTERM to exit
)

var (
	gwsgiBin string // the gwsgi binary built by TestMain
	repoRoot string // the module root, where the server runs
)

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("e2e: skipped in -short mode")
		os.Exit(0)
	}
	os.Exit(buildAndRun(m))
}

// buildAndRun builds cmd/gwsgi into a temporary directory and runs the
// tests.
func buildAndRun(m *testing.M) int {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if gomod := strings.TrimSpace(string(out)); err == nil && gomod != "" && gomod != os.DevNull {
		repoRoot = filepath.Dir(gomod)
	} else if repoRoot, err = filepath.Abs(".."); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	dir, err := os.MkdirTemp("", "gwsgi-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	gwsgiBin = filepath.Join(dir, "gwsgi")
	build := exec.Command("go", "build", "-o", gwsgiBin, "./cmd/gwsgi")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build ./cmd/gwsgi: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// syncBuffer is a log destination safe for the writer goroutine of
// exec.Cmd and the test reading it at the same time.
type syncBuffer = syncbuf.Buffer

// server is one running gwsgi process.
type server struct {
	cmd  *exec.Cmd
	addr string // 127.0.0.1:port
	port string
	log  *syncBuffer // stdout and stderr
	// logFile, when set, is the --error-logfile the server writes its
	// lines to instead.
	logFile string
	done    chan struct{}
	err     error // from cmd.Wait, once done is closed
	client  *http.Client

	stopOnce sync.Once
}

// freePort returns a port that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}

// command returns an unstarted gwsgi process bound to addr, run from the
// repository root, whose output goes to log.
func command(addr string, log io.Writer, env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(gwsgiBin, append([]string{"-b", addr}, args...)...)
	cmd.Dir = repoRoot
	cmd.Stdout, cmd.Stderr = log, log
	// A worker that outlives a killed master must not hold Wait on its
	// output forever.
	cmd.WaitDelay = 5 * time.Second
	// No __pycache__ in the repository, whatever the caller's environment.
	cmd.Env = append(os.Environ(), append([]string{"PYTHONDONTWRITEBYTECODE=1"}, env...)...)
	return cmd
}

// startServer runs gwsgi with args (after -b) and waits until its port
// accepts connections. The server is stopped when the test ends.
func startServer(t *testing.T, env []string, args ...string) *server {
	t.Helper()
	s := &server{port: freePort(t), log: &syncBuffer{}, done: make(chan struct{})}
	s.addr = "127.0.0.1:" + s.port
	s.cmd = command(s.addr, s.log, env, args...)
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.done)
	}()
	jar, _ := cookiejar.New(nil)
	s.client = &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	t.Cleanup(func() {
		s.stop(t)
		if t.Failed() {
			t.Logf("gwsgi %s log:\n%s", strings.Join(args, " "), s.log.String())
		}
	})
	deadline := time.Now().Add(startTimeout)
	for {
		c, err := net.DialTimeout("tcp", s.addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return s
		}
		select {
		case <-s.done:
			t.Fatalf("gwsgi %s exited before serving (%v):\n%s", strings.Join(args, " "), s.err, s.log.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("gwsgi %s: %s not accepting after %v:\n%s", strings.Join(args, " "), s.addr, startTimeout, s.log.String())
		}
	}
}

// stop sends SIGTERM and checks that the server shuts down gracefully:
// exit status 0 within stopTimeout. Later calls do nothing.
func (s *server) stop(t *testing.T) {
	t.Helper()
	s.stopOnce.Do(func() {
		s.client.CloseIdleConnections()
		if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Errorf("SIGTERM: %v", err)
		}
		select {
		case <-s.done:
		case <-time.After(stopTimeout):
			_ = s.cmd.Process.Kill()
			<-s.done
			t.Errorf("gwsgi did not exit within %v of SIGTERM", stopTimeout)
			return
		}
		if s.err != nil {
			t.Errorf("gwsgi exited with %v after SIGTERM, want status 0", s.err)
		}
		text := s.log.String()
		if s.logFile != "" {
			b, _ := os.ReadFile(s.logFile)
			text = string(b)
		}
		if !strings.Contains(text, "shutting down gracefully") {
			t.Errorf("no graceful shutdown line in the log")
		}
	})
}

func (s *server) url(path string) string { return "http://" + s.addr + path }

// do sends req and returns the response with its body read in full.
func (s *server) do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", req.Method, req.URL, err)
	}
	return resp, body
}

func (s *server) get(t *testing.T, path string) (*http.Response, []byte) {
	t.Helper()
	return s.do(t, newRequest(t, http.MethodGet, s.url(path), nil, ""))
}

func (s *server) post(t *testing.T, path, contentType string, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	return s.do(t, newRequest(t, http.MethodPost, s.url(path), body, contentType))
}

func newRequest(t *testing.T, method, url string, body io.Reader, contentType string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if _, ok := body.(*io.PipeReader); ok {
		req.ContentLength = -1 // unknown: sent chunked
	}
	return req
}

// noRedirect returns a client of s that does not follow redirects.
func (s *server) noRedirect() *http.Client {
	c := *s.client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// waitLog waits up to 5 s for the server log to contain every one of
// subs, and returns the log.
func (s *server) waitLog(t *testing.T, subs ...string) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		log := s.log.String()
		missing := ""
		for _, sub := range subs {
			if !strings.Contains(log, sub) {
				missing = sub
				break
			}
		}
		if missing == "" {
			return log
		}
		if time.Now().After(deadline) {
			t.Fatalf("server log lacks %q:\n%s", missing, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// expect checks a response's status and, unless want is nil, its body.
func expect(t *testing.T, resp *http.Response, body []byte, status int, want []byte) {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("%s %s: status %d, want %d (body %q)", resp.Request.Method, resp.Request.URL, resp.StatusCode, status, clip(body))
	}
	if want != nil && !bytes.Equal(body, want) {
		t.Errorf("%s %s: body %q, want %q", resp.Request.Method, resp.Request.URL, clip(body), clip(want))
	}
}

// clip shortens a body for messages.
func clip(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + fmt.Sprintf("... (%d bytes)", len(b))
	}
	return string(b)
}

// rawConn is a raw TCP connection to the server, for what net/http does
// not send: pipelining, hand-made chunking, malformed requests.
type rawConn struct {
	net.Conn
	br *bufio.Reader
}

func (s *server) dial(t *testing.T) *rawConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", s.addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	return &rawConn{Conn: c, br: bufio.NewReader(c)}
}

func (c *rawConn) send(t *testing.T, s string) {
	t.Helper()
	if _, err := io.WriteString(c, s); err != nil {
		t.Fatal(err)
	}
}

// read reads one response to a request of method, body included.
func (c *rawConn) read(t *testing.T, method string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.ReadResponse(c.br, &http.Request{Method: method})
	if err != nil {
		t.Fatalf("reading the response to %s: %v", method, err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("reading the body of the response to %s: %v", method, err)
	}
	return resp, body
}

// expectEOF checks that the server has closed the connection.
func (c *rawConn) expectEOF(t *testing.T) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := c.br.Read(make([]byte, 1))
	if !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("after the response: read %d bytes, err %v; want the connection closed", n, err)
	}
}

// runPython runs a script with /usr/bin/python3 -c, PORT set to the
// server's port, and returns its standard output.
func (s *server) runPython(t *testing.T, script string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-c", script)
	cmd.Env = append(os.Environ(), "PORT="+s.port, "PYTHONDONTWRITEBYTECODE=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, stderr.String())
	}
	return out
}

// pattern returns n bytes of a fixed, non-repeating-looking pattern.
func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	x := uint32(seed) + 1
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// pipeBody returns a body of unknown length (net/http sends it chunked)
// that delivers data in pieces of size piece.
func pipeBody(data []byte, piece int) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		for len(data) > 0 {
			n := min(piece, len(data))
			if _, err := pw.Write(data[:n]); err != nil {
				return
			}
			data = data[n:]
		}
		pw.Close()
	}()
	return pr
}

// workerPid returns the pid of the master's one worker process (the
// server itself under --no-master).
func (s *server) workerPid(t *testing.T) int {
	t.Helper()
	kids := children(t, s.cmd.Process.Pid)
	switch len(kids) {
	case 0:
		return s.cmd.Process.Pid
	case 1:
		return kids[0]
	}
	t.Fatalf("master %d has %d children, want one", s.cmd.Process.Pid, len(kids))
	return 0
}

// children lists the processes pid started, from every one of its
// threads (the master starts workers from a thread of its own).
func children(t *testing.T, pid int) []int {
	t.Helper()
	files, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var kids []int
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // the thread ended
		}
		for _, k := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(k); err == nil {
				kids = append(kids, n)
			}
		}
	}
	return kids
}
