package e2e

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestGunicornFlags: -e sets the app's environment, -p writes the
// master's pid (removed at exit), --limit-request-field_size bounds each
// header field, -k gthread is accepted.
func TestGunicornFlags(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "gwsgi.pid")
	s := startServer(t, nil, "-e", "GREETING=hello from -e", "-p", pidFile, "--limit-request-field_size", "100", "-k", "gthread", "--chdir", "e2e/testdata", "envvar")
	resp, body := s.get(t, "/")
	expect(t, resp, body, 200, []byte("hello from -e"))

	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err != nil || pid != s.cmd.Process.Pid {
		t.Errorf("pid file holds %q, want %d", b, s.cmd.Process.Pid)
	}

	req := newRequest(t, http.MethodGet, s.url("/"), nil, "")
	req.Header.Set("X-Long", strings.Repeat("v", 100))
	resp, body = s.do(t, req)
	expect(t, resp, body, 431, nil)
	if !strings.Contains(string(body), "header field too large") {
		t.Errorf("431 body %q", body)
	}
	req = newRequest(t, http.MethodGet, s.url("/"), nil, "")
	req.Header.Set("X-Long", strings.Repeat("v", 80))
	resp, body = s.do(t, req)
	expect(t, resp, body, 200, nil)

	s.stop(t)
	if _, err := os.Stat(pidFile); !os.IsNotExist(err) {
		t.Errorf("pid file left after stop: %v", err)
	}
}

// TestUnsupportedWorkerClass: a worker class gwsgi has no equivalent for
// is refused by name, not ignored.
func TestUnsupportedWorkerClass(t *testing.T) {
	out, err := exec.Command(gwsgiBin, "-k", "gevent", "app").CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Errorf("exit %v, want status 2", err)
	}
	if !strings.Contains(string(out), `--worker-class "gevent" is not supported`) {
		t.Errorf("output %q", out)
	}
}
