package e2e

import (
	"bufio"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// peer is a reference server (gunicorn) run from e2e/testdata.
type peer struct {
	cmd  *exec.Cmd
	addr string
	log  *syncBuffer
}

// startGunicorn runs Debian's gunicorn with args (after -b) from
// e2e/testdata and waits until it accepts. `make deps` installs it.
func startGunicorn(t *testing.T, args ...string) *peer {
	t.Helper()
	if err := exec.Command(python, "-c", "import gunicorn").Run(); err != nil {
		t.Fatalf("gunicorn is not installed for %s (make deps installs it): %v", python, err)
	}
	p := &peer{addr: "127.0.0.1:" + freePort(t), log: &syncBuffer{}}
	p.cmd = exec.Command(python, append([]string{"-m", "gunicorn", "-b", p.addr}, args...)...)
	p.cmd.Dir = filepath.Join(repoRoot, "e2e", "testdata")
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	p.cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	p.cmd.WaitDelay = 5 * time.Second
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		_ = p.cmd.Wait()
		if t.Failed() {
			t.Logf("gunicorn log:\n%s", p.log.String())
		}
	})
	waitAccepting(t, p.addr)
	return p
}

// waitAccepting waits until addr accepts connections.
func waitAccepting(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(startTimeout); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return
		}
	}
	t.Fatalf("%s not accepting after %v", addr, startTimeout)
}

// exchange sends one raw request on a connection of its own and reads the
// response through.
func exchangeRaw(t *testing.T, addr, req string) int {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	method, _, _ := strings.Cut(req, " ")
	resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: method})
	if err != nil {
		t.Fatalf("%q: %v", req, err)
	}
	defer resp.Body.Close()
	_, _ = bufio.NewReader(resp.Body).WriteTo(discard{})
	return resp.StatusCode
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// accessRequests exercise the access log's atoms; each closes its
// connection.
var accessRequests = []string{
	"GET /hello?x=1&y=%22z%22 HTTP/1.1\r\nHost: h.example\r\nUser-Agent: ua \"quoted\"\r\nReferer: http://ref/\r\n" +
		"Authorization: Basic Ym9iOnNlY3JldA==\r\nX-Test: t-1\r\nConnection: close\r\n\r\n",
	"GET /caf%C3%A9 HTTP/1.1\r\nHost: h.example\r\nX-Test: caf\xe9\r\nConnection: close\r\n\r\n",
	"HEAD /hello HTTP/1.1\r\nHost: h.example\r\nConnection: close\r\n\r\n",
	"POST /echo HTTP/1.1\r\nHost: h.example\r\nContent-Type: text/x-test\r\nContent-Length: 7\r\nConnection: close\r\n\r\npayload",
	"GET /stream HTTP/1.1\r\nHost: h.example\r\nConnection: close\r\n\r\n",
	"GET /short HTTP/1.0\r\n\r\n",
	"GET /hello HTTP/1.1\r\nHost: h.example\r\nAuthorization: Bearer abc\r\nConnection: close\r\n\r\n",
}

// accessFormat has every atom but the time and pid ones, which differ.
const accessFormat = `%(h)s %(l)s %(u)s "%(r)s" %(s)s %(b)s %(B)s "%(f)s" "%(a)s" %(m)s %(U)s %(q)s %(H)s ` +
	`%({x-test}i)s %({content-type}i)s %({content-type}o)s %({x-app}o)s %({server}o)s %({http_host}e)s %({remote_addr}e)s %({nope}e)s %(zz)s 100%%`

// TestAccessLogMatchesGunicorn sends the same requests to gunicorn and to
// gwsgi, both with the same --access-logfile and --access-logformat
// flags, and compares the lines: identical but for the time.
func TestAccessLogMatchesGunicorn(t *testing.T) {
	dir := t.TempDir()
	for _, format := range []string{accessFormat, `%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"`} {
		guni := filepath.Join(dir, "gunicorn.log")
		own := filepath.Join(dir, "gwsgi.log")
		g := startGunicorn(t, "--access-logfile", guni, "--access-logformat", format, "accessapp:application")
		s := startServer(t, nil, "--access-logfile", own, "--access-logformat", format, "--chdir", "e2e/testdata", "accessapp:application")
		for _, req := range accessRequests {
			if a, b := exchangeRaw(t, g.addr, req), exchangeRaw(t, s.addr, req); a != b {
				t.Errorf("%q: gunicorn %d, gwsgi %d", req, a, b)
			}
		}
		want := waitLines(t, guni, len(accessRequests))
		got := waitLines(t, own, len(accessRequests))
		stamp := regexp.MustCompile(`\[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\]`)
		for i := range want {
			w, g := stamp.ReplaceAllString(want[i], "[time]"), stamp.ReplaceAllString(got[i], "[time]")
			if w != g {
				t.Errorf("request %d:\ngunicorn %s\ngwsgi    %s", i, w, g)
			}
		}
		os.Remove(guni)
		os.Remove(own)
	}
}

// waitLines waits for n lines in the file at path and returns them.
func waitLines(t *testing.T, path string, n int) []string {
	t.Helper()
	var lines []string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(path)
		lines = strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		if len(b) > 0 && len(lines) >= n {
			return lines
		}
	}
	t.Fatalf("%s: %d lines, want %d: %q", path, len(lines), n, lines)
	return nil
}

// startWith runs a server command from e2e/testdata (no -b: the config
// file binds) and waits until addr accepts; it is stopped with SIGTERM.
func startWith(t *testing.T, addr string, env []string, name string, args ...string) {
	t.Helper()
	log := &syncBuffer{}
	cmd := exec.Command(name, args...)
	cmd.Dir = filepath.Join(repoRoot, "e2e", "testdata")
	cmd.Stdout, cmd.Stderr = log, log
	cmd.Env = append(append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1"), env...)
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("%s log:\n%s", name, log.String())
		}
	})
	waitAccepting(t, addr)
}

// TestConfigFileLikeGunicorn runs one gunicorn.conf.py (bind, workers,
// threads, accesslog, access_log_format with a request header, errorlog,
// loglevel, raw_env, forwarded_allow_ips, wsgi_app) under gunicorn -c and
// gwsgi -c, sends both the same requests, and compares the answers and
// the access-log lines.
func TestConfigFileLikeGunicorn(t *testing.T) {
	if err := exec.Command(python, "-c", "import gunicorn").Run(); err != nil {
		t.Fatalf("gunicorn is not installed (make deps installs it): %v", err)
	}
	dir := t.TempDir()
	type run struct{ addr, access, errors string }
	runs := map[string]*run{}
	for _, name := range []string{"gunicorn", "gwsgi"} {
		r := &run{addr: "127.0.0.1:" + freePort(t), access: filepath.Join(dir, name+".access"), errors: filepath.Join(dir, name+".errors")}
		runs[name] = r
		env := []string{"TEST_BIND=" + r.addr, "TEST_ACCESS=" + r.access, "TEST_ERROR=" + r.errors}
		if name == "gunicorn" {
			startWith(t, r.addr, env, python, "-m", "gunicorn", "-c", "shared.conf.py")
		} else {
			startWith(t, r.addr, env, gwsgiBin, "-c", "shared.conf.py")
		}
	}
	reqs := append([]string{
		"GET /env HTTP/1.1\r\nHost: h\r\nX-Forwarded-Proto: https\r\nConnection: close\r\n\r\n",
	}, accessRequests...)
	for _, req := range reqs {
		g, own := runs["gunicorn"], runs["gwsgi"]
		if a, b := exchangeRaw(t, g.addr, req), exchangeRaw(t, own.addr, req); a != b {
			t.Errorf("%q: gunicorn %d, gwsgi %d", req, a, b)
		}
	}
	for _, name := range []string{"gunicorn", "gwsgi"} {
		body := getBody(t, runs[name].addr, "/env", "X-Forwarded-Proto: https\r\n")
		if body != "from-config https" {
			t.Errorf("%s: /env says %q, want raw_env's greeting and the forwarded scheme", name, body)
		}
	}
	want := sortedLines(waitLines(t, runs["gunicorn"].access, len(reqs)+1))
	got := sortedLines(waitLines(t, runs["gwsgi"].access, len(reqs)+1))
	if strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Errorf("access logs differ:\ngunicorn:\n%s\ngwsgi:\n%s", strings.Join(want, "\n"), strings.Join(got, "\n"))
	}
	for name, r := range runs {
		b, _ := os.ReadFile(r.errors)
		if !regexp.MustCompile(`\[\d+\] \[INFO\] `).Match(b) {
			t.Errorf("%s error log %s has no [pid] [INFO] line:\n%s", name, r.errors, b)
		}
	}
}

// getBody sends GET path with extra header lines and returns the body.
func getBody(t *testing.T, addr, path, headers string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	_, _ = c.Write([]byte("GET " + path + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n" + headers + "\r\n"))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sb strings.Builder
	_, _ = bufio.NewReader(resp.Body).WriteTo(&sb)
	return sb.String()
}

func sortedLines(lines []string) []string {
	out := append([]string(nil), lines...)
	sort.Strings(out)
	return out
}
