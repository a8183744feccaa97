package e2e

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// nobody and nogroup are Debian's unprivileged user and group.
const nobody, nogroup = 65534, 65534

// sharedDir returns a new directory under /tmp that every user may enter
// and read (t.TempDir's is root's alone), removed when the test ends. The
// gwsgi binary's directory is opened up as well, so that a worker running
// as nobody can execute it.
func sharedDir(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("switching users needs root")
	}
	if err := os.Chmod(filepath.Dir(gwsgiBin), 0o755); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("/tmp", "gwsgi-owner-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// ids returns the real, effective, saved and file-system ids on the
// "Uid:" or "Gid:" line of /proc/PID/status, and its "Groups:" line.
func ids(t *testing.T, pid int, line string) (idList, groups string) {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(l, ":")
		switch k {
		case line:
			idList = strings.Join(strings.Fields(v), " ")
		case "Groups":
			groups = strings.TrimSpace(v)
		}
	}
	return idList, groups
}

// expectIDs checks that every uid and gid of pid is uid and gid, and
// that it has no supplementary group but gid (none when dropped is set).
func expectIDs(t *testing.T, who string, pid, uid, gid int, dropped bool) {
	t.Helper()
	u, groups := ids(t, pid, "Uid")
	g, _ := ids(t, pid, "Gid")
	if want := strings.Repeat(strconv.Itoa(uid)+" ", 4); u+" " != want {
		t.Errorf("%s (pid %d): uids %q, want %d", who, pid, u, uid)
	}
	if want := strings.Repeat(strconv.Itoa(gid)+" ", 4); g+" " != want {
		t.Errorf("%s (pid %d): gids %q, want %d", who, pid, g, gid)
	}
	if dropped && groups != "" {
		t.Errorf("%s (pid %d): supplementary groups %q, want none", who, pid, groups)
	}
}

// expectTitle checks what /proc and ps show of pid: title as its command
// line, and its first 15 bytes as its name.
func expectTitle(t *testing.T, pid int, title string) {
	t.Helper()
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		t.Fatal(err)
	}
	if string(cmdline) != title+"\x00" {
		t.Errorf("pid %d: cmdline %q, want %q", pid, cmdline, title+"\x00")
	}
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(comm)); got != title[:15] {
		t.Errorf("pid %d: comm %q, want %q", pid, got, title[:15])
	}
	out, err := exec.Command("ps", "-o", "args=", "-p", strconv.Itoa(pid)).Output()
	if err != nil {
		t.Logf("ps: %v", err) // /proc was checked
	} else if got := strings.TrimSpace(string(out)); got != title {
		t.Errorf("pid %d: ps shows %q, want %q", pid, got, title)
	}
}

// owned checks that path belongs to uid and gid.
func owned(t *testing.T, path string, uid, gid int) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st := fi.Sys().(*syscall.Stat_t); int(st.Uid) != uid || int(st.Gid) != gid {
		t.Errorf("%s owned by %d:%d, want %d:%d", path, st.Uid, st.Gid, uid, gid)
	}
}

// TestOwnerWorkerAsNobody: with -u nobody -g nogroup, the master stays
// root and its worker runs as nobody:nogroup without root's groups; the
// titles name them; the worker serves, on TCP and on a unix socket the
// master gave to nobody, appends to the access log the master created and
// gave it, and counts into the master's metrics.
func TestOwnerWorkerAsNobody(t *testing.T) {
	dir := sharedDir(t)
	access, sock := filepath.Join(dir, "access.log"), filepath.Join(dir, "gwsgi.sock")
	maddr := "127.0.0.1:" + freePort(t)
	s := startServer(t, nil, "-b", "unix:"+sock, "-u", "nobody", "-g", "nogroup", "-w", "1", "-n", "myapp",
		"--access-logfile", access, "--metrics-bind", maddr, "--chdir", "e2e/testdata", "pids:application")
	s.waitLog(t, "every worker accepts (1 worker)")
	master, worker := s.cmd.Process.Pid, s.workerPid(t)

	expectIDs(t, "the master", master, 0, 0, false)
	expectIDs(t, "the worker", worker, nobody, nogroup, true)
	expectTitle(t, master, "gwsgi: master [myapp]")
	expectTitle(t, worker, "gwsgi: worker [myapp]")

	resp, body := s.get(t, "/")
	expect(t, resp, body, 200, []byte(strconv.Itoa(worker)+" False"))

	owned(t, sock, nobody, nogroup)
	uc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		},
	}}
	uresp, err := uc.Get("http://unix/over-unix")
	if err != nil {
		t.Fatal(err)
	}
	ubody, _ := io.ReadAll(uresp.Body)
	uresp.Body.Close()
	expect(t, uresp, ubody, 200, []byte(strconv.Itoa(worker)+" False"))

	owned(t, access, nobody, nogroup)
	waitFile(t, access, `"GET / HTTP/1.1" 200`, `"GET /over-unix HTTP/1.1" 200`)

	if got := scrape(t, maddr)[`gwsgi_http_requests_total{code="200"}`]; got != 2 {
		t.Errorf("the master's metrics count %v requests, want 2", got)
	}

	// Rotated away, the access log is created anew by the master on
	// SIGUSR1 and given to nobody, who may not create files in dir.
	if err := os.Rename(access, access+".1"); err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	s.waitCount(t, "log files reopened", 2, 5*time.Second) // the master's, then the worker's
	resp, body = s.get(t, "/after-rotation")
	expect(t, resp, body, 200, nil)
	owned(t, access, nobody, nogroup)
	waitFile(t, access, `"GET /after-rotation HTTP/1.1" 200`)
}

// waitFile waits up to 5 s for the file at path to contain every one of
// subs.
func waitFile(t *testing.T, path string, subs ...string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		missing := ""
		for _, sub := range subs {
			if !strings.Contains(string(b), sub) {
				missing = sub
				break
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s lacks %q:\n%s", path, missing, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestOwnerNoMaster: without a master, the process binds as root, then
// becomes nobody:nogroup (every thread) before it loads the app; its
// title names the app by default.
func TestOwnerNoMaster(t *testing.T) {
	dir := sharedDir(t)
	access := filepath.Join(dir, "access.log")
	s := startServer(t, nil, "--no-master", "-u", "nobody", "-g", "nogroup", "--access-logfile", access,
		"--chdir", "e2e/testdata", "pids:application")
	pid := s.cmd.Process.Pid
	resp, body := s.get(t, "/")
	expect(t, resp, body, 200, []byte(strconv.Itoa(pid)+" False"))
	expectIDs(t, "the process", pid, nobody, nogroup, true)
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*", pid))
	for _, task := range tasks {
		tid, _ := strconv.Atoi(filepath.Base(task))
		if u, _ := ids(t, tid, "Uid"); u != "65534 65534 65534 65534" {
			t.Errorf("thread %d: uids %q, want nobody's", tid, u)
		}
	}
	expectTitle(t, pid, "gwsgi: master [pids:application]")
	waitFile(t, access, `"GET / HTTP/1.1" 200`)
}

// TestOwnerRefusals: an unknown user or group is refused at start, and
// a process that is not root cannot run its workers as another user; it
// can as itself.
func TestOwnerRefusals(t *testing.T) {
	sharedDir(t)
	for _, tc := range []struct {
		args []string
		as   *syscall.Credential
		want string
	}{
		{[]string{"-u", "no-such-user-gwsgi"}, nil, `--user: no such user: "no-such-user-gwsgi"`},
		{[]string{"-g", "no-such-group-gwsgi"}, nil, `--group: no such group: "no-such-group-gwsgi"`},
		{[]string{"-u", "root"}, &syscall.Credential{Uid: nobody, Gid: nogroup}, "only root can run the workers as another user or group"},
		{[]string{"--no-master", "-g", "root"}, &syscall.Credential{Uid: nobody, Gid: nogroup}, "only root can"},
	} {
		cmd := command("127.0.0.1:"+freePort(t), io.Discard, nil, append(tc.args, "--chdir", "e2e/testdata", "pids:application")...)
		cmd.Stdout, cmd.Stderr = nil, nil
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: tc.as}
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || !strings.Contains(string(out), tc.want) {
			t.Errorf("gwsgi %q: %v, output %q; want a failure saying %q", tc.args, err, out, tc.want)
		}
	}

	// As nobody, asking for nobody is no switch.
	addr := "127.0.0.1:" + freePort(t)
	var log syncBuffer
	cmd := command(addr, &log, nil, "-u", "nobody", "-g", "nogroup", "--chdir", "e2e/testdata", "pids:application")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nogroup}}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if err := <-done; err != nil {
			t.Errorf("gwsgi as nobody: %v\n%s", err, log.String())
		}
	}()
	c := dialWhenUp(t, addr, done, &log)
	defer c.Close()
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: e2e\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("gwsgi as nobody: %v %v", resp, err)
	}
	resp.Body.Close()
}

// dialWhenUp connects to addr once it accepts, failing when the server
// exits first or takes too long.
func dialWhenUp(t *testing.T, addr string, done <-chan error, log *syncBuffer) net.Conn {
	t.Helper()
	for deadline := time.Now().Add(startTimeout); ; time.Sleep(20 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			_ = c.SetDeadline(time.Now().Add(10 * time.Second))
			return c
		}
		select {
		case err := <-done:
			t.Fatalf("gwsgi exited before serving (%v):\n%s", err, log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not accepting after %v:\n%s", addr, startTimeout, log.String())
		}
	}
}

// TestWorkerConnections: a worker with --worker-connections 2 open
// leaves a third connection in the kernel's queue, unanswered, until one
// of the two closes; then it serves it.
func TestWorkerConnections(t *testing.T) {
	s := startServer(t, nil, "-w", "1", "--worker-connections", "2", "--chdir", "e2e/testdata", "pids:application")
	s.waitLog(t, "every worker accepts (1 worker)")
	request := func(c *rawConn, wait time.Duration) bool {
		t.Helper()
		_ = c.SetReadDeadline(time.Now().Add(wait))
		if _, err := c.br.Peek(1); err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return false
			}
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if resp, _ := c.read(t, "GET"); resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		return true
	}
	var open []*rawConn
	for range 3 {
		c := s.dial(t)
		c.send(t, "GET / HTTP/1.1\r\nHost: e2e\r\n\r\n")
		open = append(open, c)
	}
	if !request(open[0], 10*time.Second) || !request(open[1], 10*time.Second) {
		t.Fatal("the first two connections are not served")
	}
	if request(open[2], 500*time.Millisecond) {
		t.Fatal("a third connection was served while two are open under --worker-connections 2")
	}
	open[0].Close()
	if !request(open[2], 10*time.Second) {
		t.Fatal("the third connection is not served after the first closed")
	}
}
