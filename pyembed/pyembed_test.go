package pyembed

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gwsgi/gwsgi/environ"
	"github.com/gwsgi/gwsgi/httpparse"
	"github.com/gwsgi/gwsgi/internal/syncbuf"
	"github.com/gwsgi/gwsgi/pool"
	"github.com/gwsgi/gwsgi/wsgi"
)

// One interpreter per process: TestMain loads the test apps once.
var (
	validated *App // testdata/wsgiapps.py:application, under wsgiref.validate
	raw       *App // the same router without the validator
	logBuf    syncBuf
	main0     *thread // a budget-like worker thread with its own thread state
)

func TestMain(m *testing.M) {
	var err error
	opts := Options{Spec: "wsgiapps:application", PythonPath: []string{"testdata"}, ErrorLog: log.New(&logBuf, "", 0)}
	if validated, err = Load(opts); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	opts.Spec = "wsgiapps:raw"
	if raw, err = Load(opts); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	main0 = newThread(validated)
	code := m.Run()
	main0.stop()
	if err := raw.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	if err := validated.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}

// syncBuf is a log destination the test reads.
type syncBuf = syncbuf.Buffer

// thread is a goroutine locked to its OS thread with a worker thread state,
// like one of the server's budget goroutines.
type thread struct {
	fns  chan func()
	done chan struct{}
	pw   pool.Worker // the budget worker it stands for
}

func newThread(app *App) *thread {
	th := &thread{fns: make(chan func()), done: make(chan struct{})}
	ready := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		app.WorkerInit(&th.pw)
		close(ready)
		for f := range th.fns {
			f()
		}
		app.WorkerExit(&th.pw)
		close(th.done)
	}()
	<-ready
	return th
}

func (th *thread) do(f func()) {
	done := make(chan struct{})
	th.fns <- func() { f(); close(done) }
	<-done
}

func (th *thread) stop() {
	close(th.fns)
	<-th.done
}

// sink records what the gateway sends, like wsgi's test sink.
type sink struct {
	out      bytes.Buffer
	finished bool
	aborted  bool
}

func (s *sink) Flush(vec [][]byte) error {
	for _, b := range vec {
		s.out.Write(b)
	}
	return nil
}

func (s *sink) Finish(vec [][]byte, keep bool) {
	for _, b := range vec {
		s.out.Write(b)
	}
	s.finished = true
}

func (s *sink) Abort() { s.aborted = true }

type result struct {
	status  string
	head    string
	body    string
	log     string
	aborted bool
}

// request parses raw (a request head; body follows it) and serves it with
// app on the calling goroutine.
func request(t *testing.T, app wsgi.App, rawReq string) result {
	t.Helper()
	var p httpparse.Parser
	var req httpparse.Request
	buf := []byte(rawReq)
	n, err := p.Parse(buf, &req)
	if err != nil {
		t.Fatalf("parse %q: %v", rawReq, err)
	}
	env := environ.Acquire()
	defer environ.Release(env)
	if err := env.Fill(&req, &environ.ConnInfo{RemoteAddr: "127.0.0.1", RemotePort: "5555"}, nil); err != nil {
		t.Fatal(err)
	}
	env.SetBody(buf[n:])
	s := &sink{}
	l := &syncBuf{}
	var r wsgi.Response
	r.Reset(s, env, l)
	wsgi.Serve(app, env, &r)
	if s.finished == s.aborted {
		t.Fatalf("finished %v, aborted %v: want exactly one", s.finished, s.aborted)
	}
	head, body, _ := strings.Cut(s.out.String(), "\r\n\r\n")
	status, _, _ := strings.Cut(head, "\r\n")
	if strings.Contains(head, "Transfer-Encoding: chunked") && !s.aborted {
		body = unchunk(t, body)
	}
	return result{status: status, head: head, body: body, log: l.String(), aborted: s.aborted}
}

// get serves a request on the worker thread.
func get(t *testing.T, app wsgi.App, rawReq string) (res result) {
	t.Helper()
	main0.do(func() { res = request(t, app, rawReq) })
	return res
}

func req(method, path string, headers ...string) string {
	return method + " " + path + " HTTP/1.1\r\nHost: example.com\r\n" + strings.Join(headers, "") + "\r\n"
}

func post(path, ctype, body string) string {
	return fmt.Sprintf("POST %s HTTP/1.1\r\nHost: example.com\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s", path, ctype, len(body), body)
}

// noProblems fails when the validator or an __del__ complained, and
// returns the paths whose iterables were closed.
func noProblems(t *testing.T) []string {
	t.Helper()
	res := get(t, raw, req("GET", "/problems"))
	var out [2][]string
	if err := json.Unmarshal([]byte(res.body), &out); err != nil {
		t.Fatalf("problems: %v in %q", err, res.body)
	}
	if len(out[0]) > 0 {
		t.Errorf("Python reported problems: %q", out[0])
	}
	return out[1]
}

func wantStatus(t *testing.T, res result, status string) {
	t.Helper()
	if res.status != "HTTP/1.1 "+status {
		t.Fatalf("status %q, want %q\nhead: %s\nbody: %s\nlog: %s", res.status, status, res.head, res.body, res.log)
	}
}

func TestHello(t *testing.T) {
	for _, app := range []*App{validated, raw} {
		res := get(t, app, req("GET", "/"))
		wantStatus(t, res, "200 OK")
		if res.body != "Hello, World!" || (app == raw && !strings.Contains(res.head, "Content-Length: 13")) {
			t.Errorf("%s: head %q body %q", app.Spec(), res.head, res.body)
		}
	}
	noProblems(t)
}

func TestTupleIsBuffered(t *testing.T) {
	res := get(t, raw, req("GET", "/tuple"))
	wantStatus(t, res, "200 OK")
	if res.body != "abc" || !strings.Contains(res.head, "Content-Length: 3") {
		t.Errorf("head %q body %q", res.head, res.body)
	}
}

func TestHeadHasNoBody(t *testing.T) {
	res := get(t, validated, req("HEAD", "/"))
	wantStatus(t, res, "200 OK")
	if res.body != "" {
		t.Errorf("HEAD body %q", res.body)
	}
	noProblems(t)
}

func TestEnviron(t *testing.T) {
	res := get(t, validated, req("GET", "/env?a=1&b=%20", "User-Agent: test/1.0\r\n", "X-Custom: caf\xe9\r\n"))
	wantStatus(t, res, "200 OK")
	var env map[string]any
	if err := json.Unmarshal([]byte(res.body), &env); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"REQUEST_METHOD":        "GET",
		"SCRIPT_NAME":           "",
		"PATH_INFO":             "/env",
		"QUERY_STRING":          "a=1&b=%20",
		"SERVER_NAME":           "example.com",
		"SERVER_PORT":           "80",
		"SERVER_PROTOCOL":       "HTTP/1.1",
		"REMOTE_ADDR":           "127.0.0.1",
		"REMOTE_PORT":           "5555",
		"HTTP_HOST":             "example.com",
		"HTTP_USER_AGENT":       "test/1.0",
		"HTTP_X_CUSTOM":         "café",
		"SERVER_SOFTWARE":       "gwsgi",
		"wsgi.url_scheme":       "http",
		"wsgi.multithread":      true,
		"wsgi.multiprocess":     false,
		"wsgi.run_once":         false,
		"wsgi.input_terminated": true,
		"wsgi.version":          []any{1.0, 0.0},
	}
	for k, v := range want {
		if got, ok := env[k]; !ok || fmt.Sprint(got) != fmt.Sprint(v) {
			t.Errorf("%s = %#v, want %#v", k, got, v)
		}
	}
	for _, k := range []string{"CONTENT_TYPE", "CONTENT_LENGTH"} {
		if _, ok := env[k]; ok {
			t.Errorf("%s present in a GET without body", k)
		}
	}
	noProblems(t)
}

// The strs kept from one request for the next (the last value of each
// variable and header field) never leak into a request that sent other
// bytes: same lengths, other bytes; more fields than the environ's room;
// a value too long to keep; a field that comes and goes.
func TestEnvironValuesNotStale(t *testing.T) {
	many := make([]string, 0, 30)
	for i := range 30 {
		many = append(many, fmt.Sprintf("X-Many-%02d: v%02d\r\n", i, i))
	}
	long := strings.Repeat("L", 600)
	steps := []struct {
		path    string
		headers []string
		want    map[string]string
		absent  []string
	}{
		{"/env?q=1", []string{"User-Agent: test/1.0\r\n", "X-Long: " + long + "\r\n"},
			map[string]string{"QUERY_STRING": "q=1", "HTTP_USER_AGENT": "test/1.0", "HTTP_X_LONG": long}, []string{"HTTP_X_MANY_00"}},
		{"/env?q=2", append([]string{"User-Agent: test/2.0\r\n", "X-Long: " + long[1:] + "M\r\n"}, many...),
			map[string]string{"QUERY_STRING": "q=2", "HTTP_USER_AGENT": "test/2.0", "HTTP_X_LONG": long[1:] + "M",
				"HTTP_X_MANY_00": "v00", "HTTP_X_MANY_29": "v29"}, nil},
		{"/env?q=1", []string{"User-Agent: test/1.0\r\n"},
			map[string]string{"QUERY_STRING": "q=1", "HTTP_USER_AGENT": "test/1.0"}, []string{"HTTP_X_LONG", "HTTP_X_MANY_29"}},
		{"/env", []string{"User-Agent: \r\n"},
			map[string]string{"QUERY_STRING": "", "HTTP_USER_AGENT": ""}, nil},
	}
	for i, st := range steps {
		res := get(t, raw, req("GET", st.path, st.headers...))
		wantStatus(t, res, "200 OK")
		var env map[string]any
		if err := json.Unmarshal([]byte(res.body), &env); err != nil {
			t.Fatal(err)
		}
		for k, v := range st.want {
			if got, ok := env[k]; !ok || got != v {
				t.Errorf("request %d: %s = %.40q, want %.40q", i, k, got, v)
			}
		}
		for _, k := range st.absent {
			if _, ok := env[k]; ok {
				t.Errorf("request %d: %s present", i, k)
			}
		}
	}
	noProblems(t)
}

// A hand-built Environ whose slices are not in its arena takes the copy
// path.
func TestHandBuiltEnviron(t *testing.T) {
	env := environ.Acquire()
	defer environ.Release(env)
	env.Method, env.PathInfo, env.ServerName, env.ServerPort = []byte("GET"), []byte("/env"), []byte("h"), []byte("8080")
	env.KeepAlive, env.ProtoMinor = true, 1
	env.Headers = append(env.Headers, environ.Var{Name: []byte("HTTP_X_A"), Value: []byte("b")})
	s := &sink{}
	var r wsgi.Response
	r.Reset(s, env, &syncBuf{})
	main0.do(func() { wsgi.Serve(raw, env, &r) })
	out := s.out.String()
	for _, w := range []string{`"HTTP_X_A": "b"`, `"SERVER_PORT": "8080"`, `"wsgi.url_scheme": "http"`, `"SERVER_PROTOCOL": "HTTP/1.1"`} {
		if !strings.Contains(out, w) {
			t.Errorf("missing %s in %s", w, out)
		}
	}
}

func TestPostEcho(t *testing.T) {
	body := strings.Repeat("0123456789", 10000) // 100 kB: read in growing steps
	res := get(t, validated, post("/echo", "application/x-test", body))
	wantStatus(t, res, "200 OK")
	if res.body != body || !strings.Contains(res.head, "Content-Type: application/x-test") {
		t.Errorf("echo: %d bytes back of %d; head %q", len(res.body), len(body), res.head)
	}
	res = get(t, raw, post("/readall", "text/plain", "all of it"))
	if res.body != "all of it" {
		t.Errorf("read(): %q", res.body)
	}
	noProblems(t)
}

func TestReadlines(t *testing.T) {
	res := get(t, validated, post("/lines", "text/plain", "first line\nsecond\nthird\nlast"))
	wantStatus(t, res, "200 OK")
	if want := `["first line\n", "sec", "ond\n", "third\n", "last"]`; res.body != want {
		t.Errorf("got %s, want %s", res.body, want)
	}
	res = get(t, raw, post("/iterlines", "text/plain", "a\nb\n"))
	if want := `["a\n", "b\n"]`; res.body != want {
		t.Errorf("iter: got %s, want %s", res.body, want)
	}
	noProblems(t)
}

func TestStreamedBody(t *testing.T) {
	// The body arrives in pieces while the app reads it, with the GIL released.
	var p httpparse.Parser
	var hreq httpparse.Request
	head := []byte("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Length: 300000\r\n\r\n")
	if _, err := p.Parse(head, &hreq); err != nil {
		t.Fatal(err)
	}
	env := environ.Acquire()
	defer environ.Release(env)
	if err := env.Fill(&hreq, nil, nil); err != nil {
		t.Fatal(err)
	}
	space := make(chan struct{}, 1)
	env.Body.Stream(4096, func() {
		select {
		case space <- struct{}{}:
		default:
		}
	})
	want := bytes.Repeat([]byte("abcdefghij"), 30000)
	go func() {
		rest := want
		for len(rest) > 0 {
			n := env.Body.Feed(rest)
			rest = rest[n:]
			if len(rest) > 0 && n == 0 {
				select {
				case <-space:
				case <-time.After(10 * time.Millisecond):
				}
			}
		}
		env.Body.Finish(nil)
	}()
	s := &sink{}
	var r wsgi.Response
	r.Reset(s, env, &syncBuf{})
	main0.do(func() { wsgi.Serve(validated, env, &r) })
	_, body, _ := strings.Cut(s.out.String(), "\r\n\r\n")
	if body = unchunk(t, body); body != string(want) {
		t.Errorf("streamed echo: %d bytes back of %d", len(body), len(want))
	}
	noProblems(t)
}

func TestWriteCallable(t *testing.T) {
	res := get(t, validated, req("GET", "/write"))
	wantStatus(t, res, "200 OK")
	if !strings.Contains(res.head, "Transfer-Encoding: chunked") || !strings.Contains(res.body, "one,") || !strings.Contains(res.body, "three") {
		t.Errorf("head %q body %q", res.head, res.body)
	}
	noProblems(t)
}

func TestGeneratorIsClosed(t *testing.T) {
	for _, path := range []string{"/gen", "/late", "/closeable"} {
		res := get(t, validated, req("GET", path))
		wantStatus(t, res, "200 OK")
		if path != "/closeable" && !strings.Contains(res.body, "chunk1\n") {
			t.Errorf("%s: body %q", path, res.body)
		}
		if closed := noProblems(t); len(closed) != 1 || closed[0] != path {
			t.Errorf("%s: closed %q", path, closed)
		}
	}
}

func TestGeneratorFailsMidBody(t *testing.T) {
	res := get(t, validated, req("GET", "/gen-fail"))
	if !res.aborted {
		t.Errorf("want the connection dropped after the head was sent; head %q", res.head)
	}
	if !strings.Contains(res.log, "RuntimeError: boom in generator") || !strings.Contains(res.log, "Traceback") {
		t.Errorf("log lacks the traceback: %s", res.log)
	}
	if closed := noProblems(t); len(closed) != 1 {
		t.Errorf("closed %q", closed)
	}
}

func TestExcInfo(t *testing.T) {
	res := get(t, validated, req("GET", "/excinfo"))
	wantStatus(t, res, "500 Internal Server Error")
	if res.body != "error page" {
		t.Errorf("body %q", res.body)
	}
	res = get(t, validated, req("GET", "/excinfo-sent"))
	if !res.aborted || !strings.Contains(res.log, "ValueError: after headers") {
		t.Errorf("aborted %v, log %s", res.aborted, res.log)
	}
	noProblems(t)
}

func TestFileWrapper(t *testing.T) {
	src, err := os.ReadFile("testdata/wsgiapps.py")
	if err != nil {
		t.Fatal(err)
	}
	res := get(t, validated, req("GET", "/file"))
	wantStatus(t, res, "200 OK")
	if !strings.Contains(res.head, "Transfer-Encoding: chunked") {
		t.Errorf("head %q", res.head)
	}
	if res.body != string(src) {
		t.Errorf("file body: %d bytes, want %d", len(res.body), len(src))
	}
	noProblems(t)
}

func unchunk(t *testing.T, s string) string {
	t.Helper()
	var out strings.Builder
	for {
		line, rest, ok := strings.Cut(s, "\r\n")
		if !ok {
			t.Fatalf("bad chunked body at %q", s)
		}
		var n int
		if _, err := fmt.Sscanf(line, "%x", &n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return out.String()
		}
		out.WriteString(rest[:n])
		s = rest[n+2:]
	}
}

func TestAppErrors(t *testing.T) {
	cases := []struct {
		app  *App
		path string
		log  string
	}{
		{validated, "/raise", "ValueError: boom in app"},
		{raw, "/raise", "Traceback (most recent call last)"},
		{raw, "/str", "app returned str; WSGI needs an iterable of bytes"},
		{raw, "/nostart", "before start_response"},
		{raw, "/none", "app returned NoneType, which is not iterable"},
		{raw, "/yield-str", "app yielded str, WSGI needs bytes"},
		{raw, "/list-str", "app returned a list holding str; WSGI needs bytes"},
	}
	for _, c := range cases {
		res := get(t, c.app, req("GET", c.path))
		wantStatus(t, res, "500 Internal Server Error")
		if !strings.Contains(res.log, c.log) {
			t.Errorf("%s %s: log %q lacks %q", c.app.Spec(), c.path, res.log, c.log)
		}
	}
	noProblems(t)
}

func TestStartResponseChecks(t *testing.T) {
	res := get(t, raw, req("GET", "/types"))
	wantStatus(t, res, "200 OK")
	if res.body != "TypeError,TypeError,TypeError,ValueError,TypeError" {
		t.Errorf("errors raised: %q", res.body)
	}
	res = get(t, raw, req("GET", "/hopbyhop"))
	wantStatus(t, res, "200 OK")
	if res.body != "dropped" || !strings.Contains(res.head, "X-Kept: yes") ||
		strings.Contains(res.head, "Keep-Alive") || !strings.Contains(res.head, "Connection: close") {
		t.Errorf("hop-by-hop headers: %q %q", res.head, res.body)
	}
}

func TestErrorsStream(t *testing.T) {
	res := get(t, validated, req("GET", "/errors"))
	wantStatus(t, res, "200 OK")
	l := logBuf.String()
	if !strings.Contains(l, "to the log: line one\n") || !strings.Contains(l, "line two\n") {
		t.Errorf("server log: %q", l)
	}
	noProblems(t)
}

// Calls from goroutines that never ran WorkerInit use PyGILState.
func TestEphemeralCallers(t *testing.T) {
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				res := request(t, validated, req("GET", "/gen"))
				if !strings.Contains(res.body, "chunk2") {
					t.Errorf("body %q", res.body)
					return
				}
			}
		}()
	}
	wg.Wait()
	if closed := noProblems(t); len(closed) != 160 {
		t.Errorf("%d closed, want 160", len(closed))
	}
}

// One thread sleeps in Python (time.sleep releases the GIL) while the
// others are served: they all finish before the sleeper wakes up.
func TestGILReleasedWhileSleeping(t *testing.T) {
	threads := make([]*thread, 4)
	for i := range threads {
		threads[i] = newThread(validated)
	}
	defer func() {
		for _, th := range threads {
			th.stop()
		}
	}()
	sleeperDone := make(chan time.Time, 1)
	go threads[0].do(func() {
		if res := request(t, validated, req("GET", "/sleep")); res.body != "slept" {
			t.Errorf("sleep: %q", res.body)
		}
		sleeperDone <- time.Now()
	})
	time.Sleep(20 * time.Millisecond) // let it enter time.sleep
	t0 := time.Now()
	var wg sync.WaitGroup
	for _, th := range threads[1:] {
		wg.Add(1)
		go th.do(func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				if res := request(t, validated, req("GET", "/")); res.body != "Hello, World!" {
					t.Errorf("hello: %q", res.body)
					return
				}
			}
		})
	}
	wg.Wait()
	fastDone := time.Now()
	woke := <-sleeperDone
	if !fastDone.Before(woke) {
		t.Errorf("150 fast requests took %v and ended after the 200ms sleeper: the GIL was not released", fastDone.Sub(t0))
	}
	noProblems(t)
}
