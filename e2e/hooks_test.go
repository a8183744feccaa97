package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServerHooksLikeGunicorn runs testdata/hooks.conf.py, which defines
// post_fork, post_worker_init, pre_request, post_request, worker_exit and
// child_exit, under gunicorn and under gwsgi, sends both the same
// requests, replaces the worker (SIGHUP) and stops the server: every hook
// runs at the same points with the same arguments, as the lines they
// write show.
func TestServerHooksLikeGunicorn(t *testing.T) {
	dir := t.TempDir()
	got := map[string][]string{}
	for _, name := range []string{"gunicorn", "gwsgi"} {
		out := filepath.Join(dir, name+".hooks")
		log := runHooked(t, name, out)
		got[name] = sortedLines(readLines(t, out))
		if !strings.Contains(log, "hooks: worker 1 booted") || !strings.Contains(log, "hooks: child_exit for worker 1") {
			t.Errorf("%s: the hooks' worker.log and server.log lines are not in the error log:\n%s", name, log)
		}
	}
	want, have := strings.Join(got["gunicorn"], "\n"), strings.Join(got["gwsgi"], "\n")
	if want != have {
		t.Errorf("the hooks saw different things:\ngunicorn:\n%s\ngwsgi:\n%s", want, have)
	}
	if len(got["gwsgi"]) < 14 {
		t.Errorf("only %d hook lines:\n%s", len(got["gwsgi"]), have)
	}
}

// runHooked runs server name ("gunicorn" or "gwsgi") with the hooks'
// config file, sends it requests, replaces its worker, stops it, and
// returns its log.
func runHooked(t *testing.T, name, out string) string {
	t.Helper()
	addr := "127.0.0.1:" + freePort(t)
	args := []string{"-c", "hooks.conf.py", "-b", addr, "-w", "1", "hooksapp"}
	cmd := exec.Command(gwsgiBin, args...)
	if name == "gunicorn" {
		cmd = exec.Command(python, append([]string{"-m", "gunicorn"}, args...)...)
	}
	log := &syncBuffer{}
	cmd.Dir = filepath.Join(repoRoot, "e2e", "testdata")
	cmd.Stdout, cmd.Stderr = log, log
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "HOOKS_OUT="+out)
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if t.Failed() {
			t.Logf("%s log:\n%s", name, log.String())
		}
	}()
	waitAccepting(t, addr)
	for _, req := range []string{
		"GET /a/b?x=1 HTTP/1.1\r\nHost: h\r\nX-Test: yes\r\nConnection: close\r\n\r\n",
		"GET /boom HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"POST /form HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
		"HEAD /head HTTP/1.0\r\n\r\n",
	} {
		exchangeRaw(t, addr, req)
	}
	_ = cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, out, "post_worker_init age=2", "child_exit age=1")
	waitAccepting(t, addr)
	exchangeRaw(t, addr, "GET /stream HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
	_ = cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Errorf("%s exited with %v after SIGTERM", name, err)
	}
	waitFor(t, out, "child_exit age=2")
	return log.String()
}

// waitFor waits until the file at path holds every one of subs.
func waitFor(t *testing.T, path string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		waitCount(t, path, sub, 1)
	}
}

// readLines returns the lines of the file at path.
func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}
