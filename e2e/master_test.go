package e2e

import (
	"context"
	"fmt"
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

// TestReloadUnderLoad: three SIGHUPs under a keep-alive load of 32
// connections replace every worker without one failed request: the
// master keeps the sockets, a draining worker stops accepting first and
// answers what its connections send with Connection: close.
func TestReloadUnderLoad(t *testing.T) {
	s := startServer(t, nil, "-w", "2", "--chdir", "e2e/testdata", "pids:application")
	s.waitLog(t, "every worker accepts (2 workers)")
	first := s.waitPids(t, "two workers", func(p map[int]int) bool { return len(p) == 2 })
	l := startLoad(s.addr, "/", 32)
	for i := 1; i <= 3; i++ {
		waitServed(t, l, 200)
		if err := s.cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		s.waitCount(t, "the one it replaces drains", 2*i, 30*time.Second)
	}
	waitServed(t, l, 200)
	l.finish(t)
	last := s.pids(t)
	for pid := range first {
		if last[pid] > 0 {
			t.Errorf("worker %d still serves after three reloads", pid)
		}
	}
}

// waitServed waits for n more answers of l.
func waitServed(t *testing.T, l *load, n int) {
	t.Helper()
	goal := l.served() + n
	for deadline := time.Now().Add(20 * time.Second); l.served() < goal; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("load stalled at %d answers", l.served())
		}
	}
}

// TestMaxRequests: workers ask to be replaced after about
// --max-requests requests and are, under load, with no failed request.
func TestMaxRequests(t *testing.T) {
	s := startServer(t, nil, "-w", "2", "--max-requests", "300", "--max-requests-jitter", "50", "--chdir", "e2e/testdata", "pids:application")
	s.waitLog(t, "every worker accepts (2 workers)")
	l := startLoad(s.addr, "/", 16)
	s.waitCount(t, "the one it replaces drains", 4, 60*time.Second)
	l.finish(t)
	log := s.log.String()
	if !strings.Contains(log, "requests (--max-requests)") {
		t.Errorf("no worker said why it asked to be replaced:\n%s", log)
	}
}

// TestTimeout: a request past --timeout gets RequestTimeout raised in its
// thread (a Python loop unwinds, its close() runs, the client gets a 500);
// one blocked outside Python is answered 500 a second later and its
// worker replaced; the server serves on.
func TestTimeout(t *testing.T) {
	s := startServer(t, nil, "--timeout", "1", "--chdir", "e2e/testdata", "stuck")
	s.waitLog(t, "every worker accepts (1 worker)")
	before := s.workerPid(t)

	start := time.Now()
	resp, body := s.get(t, "/spin")
	expect(t, resp, body, 500, nil)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("/spin answered after %v", d)
	}
	resp, body = s.get(t, "/unwound")
	expect(t, resp, body, 200, []byte("finally close"))
	s.waitLog(t, "GET /spin from 127.0.0.1:", "without sending response bytes (--timeout): interrupting it", "_gwsgi.RequestTimeout")
	if pid := s.workerPid(t); pid != before {
		t.Errorf("the worker was replaced after a request that unwound (%d, then %d)", before, pid)
	}

	start = time.Now()
	resp, body = s.get(t, "/sleep")
	expect(t, resp, body, 500, nil)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("/sleep answered after %v", d)
	}
	s.waitLog(t, "GET /sleep from 127.0.0.1:", "its thread is given up", "asks to be replaced: a request is stuck")
	s.waitCount(t, "the one it replaces drains", 1, 30*time.Second)
	resp, body = s.get(t, "/")
	expect(t, resp, body, 200, nil)
	for deadline := time.Now().Add(10 * time.Second); alive(before); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the worker with a stuck thread (pid %d) still runs", before)
		}
	}
}

// TestGracefulTimeout: a request that never returns does not keep the
// process tree alive past --graceful-timeout.
func TestGracefulTimeout(t *testing.T) {
	for _, mode := range []string{"master", "no-master"} {
		t.Run(mode, func(t *testing.T) {
			args := []string{"--graceful-timeout", "1", "--timeout", "0", "--chdir", "e2e/testdata", "stuck"}
			if mode == "no-master" {
				args = append([]string{"--no-master"}, args...)
			}
			s, worker := startSleeping(t, args...)
			start := time.Now()
			if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			s.awaitGone(t, worker, start, 3*time.Second)
			s.waitLog(t, "graceful timeout: 1 requests still in flight are cut")
		})
	}
}

// startSleeping starts gwsgi with args (serving the stuck app) and one
// request in its /sleep; the test stops it. It returns the server and
// its worker's pid.
func startSleeping(t *testing.T, args ...string) (*server, int) {
	t.Helper()
	s := startServer(t, nil, args...)
	s.stopOnce.Do(func() {}) // stopped by the test, not by the cleanup's graceful check
	worker := s.workerPid(t)
	c := s.dial(t)
	c.send(t, "GET /sleep HTTP/1.1\r\nHost: x\r\n\r\n")
	s.waitSleeping(t, 1)
	return s, worker
}

// awaitGone waits for the server and its worker to be gone, and checks
// that it took at most limit since start.
func (s *server) awaitGone(t *testing.T, worker int, start time.Time, limit time.Duration) {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		t.Fatal("still running 10 s after the signal")
	}
	for alive(worker) {
		time.Sleep(10 * time.Millisecond)
	}
	if d := time.Since(start); d > limit {
		t.Errorf("the process tree took %v to go, want at most %v", d, limit)
	}
}

// waitSleeping waits until the stuck app has n requests in /sleep.
func (s *server) waitSleeping(t *testing.T, n int) {
	t.Helper()
	want := []byte(strconv.Itoa(n))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		resp, body := s.get(t, "/sleeping")
		if resp.StatusCode == 200 && string(body) == string(want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s requests sleep, want %d", body, n)
		}
	}
}

// TestSecondSignal: a second SIGTERM ends a graceful stop at once, and
// SIGQUIT stops at once.
func TestSecondSignal(t *testing.T) {
	for _, sigs := range [][]syscall.Signal{{syscall.SIGTERM, syscall.SIGTERM}, {syscall.SIGINT, syscall.SIGINT}, {syscall.SIGQUIT}} {
		t.Run(fmt.Sprint(sigs), func(t *testing.T) {
			s, worker := startSleeping(t, "--graceful-timeout", "30", "--timeout", "0", "--chdir", "e2e/testdata", "stuck")
			start := time.Now()
			for i, sig := range sigs {
				if i > 0 {
					s.waitLog(t, "stopping workers gracefully")
				}
				if err := s.cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
			}
			s.awaitGone(t, worker, start, 3*time.Second)
		})
	}
}

// TestKillWorker: a worker killed with SIGKILL is replaced, also when it
// is the only one, and the port serves again within two seconds.
func TestKillWorker(t *testing.T) {
	s := startServer(t, nil, "--chdir", "e2e/testdata", "pids:application")
	s.waitLog(t, "every worker accepts (1 worker)")
	victim := s.workerPid(t)
	time.Sleep(time.Second) // a worker that dies at once is restarted after a pause
	start := time.Now()
	if err := syscall.Kill(victim, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for {
		resp, err := client.Get(s.url("/"))
		if err == nil {
			resp.Body.Close()
			if pid := s.workerPid(t); pid != victim && resp.StatusCode == 200 {
				break
			}
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("not serving 10 s after the worker was killed: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("serving again %v after the worker was killed, want within 2 s", d)
	}
}

// TestSignalsKeptFromApp: an app that installs SIGTERM and SIGINT
// handlers at import does not take them from gwsgi.
func TestSignalsKeptFromApp(t *testing.T) {
	for _, mode := range []string{"master", "no-master"} {
		t.Run(mode, func(t *testing.T) {
			args := []string{"--chdir", "e2e/testdata", "sighandlers"}
			if mode == "no-master" {
				args = append([]string{"--no-master"}, args...)
			}
			s := startServer(t, nil, args...)
			s.waitLog(t, "the app set its own handler for terminated", "the app set its own handler for interrupt")
			resp, body := s.get(t, "/")
			expect(t, resp, body, 200, nil)
			s.stop(t) // graceful, exit status 0, within stopTimeout
		})
	}
}

// TestTTINTTOU: SIGTTIN adds a worker, SIGTTOU removes one.
func TestTTINTTOU(t *testing.T) {
	s := startServer(t, nil, "--chdir", "e2e/testdata", "pids:application")
	s.waitLog(t, "every worker accepts (1 worker)")
	if err := s.cmd.Process.Signal(syscall.SIGTTIN); err != nil {
		t.Fatal(err)
	}
	s.waitLog(t, "SIGTTIN: now 2 workers")
	s.waitCount(t, "gwsgi: worker 2 (pid", 1, 30*time.Second)
	for deadline := time.Now().Add(10 * time.Second); len(children(t, s.cmd.Process.Pid)) != 2; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("children %v after SIGTTIN", children(t, s.cmd.Process.Pid))
		}
	}
	if err := s.cmd.Process.Signal(syscall.SIGTTOU); err != nil {
		t.Fatal(err)
	}
	s.waitLog(t, "SIGTTOU: now 1 worker")
	for deadline := time.Now().Add(10 * time.Second); len(children(t, s.cmd.Process.Pid)) != 1; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("children %v after SIGTTOU", children(t, s.cmd.Process.Pid))
		}
	}
	resp, body := s.get(t, "/")
	expect(t, resp, body, 200, nil)
}

// TestBinds: several -b at once, TCP and a unix socket, which curl
// reaches with --unix-socket; the socket file goes when the server stops.
func TestBinds(t *testing.T) {
	second := "127.0.0.1:" + freePort(t)
	sock := filepath.Join(t.TempDir(), "gwsgi.sock")
	s := startServer(t, nil, "-b", second, "-b", "unix:"+sock, "--chdir", "e2e/testdata", "pids:application")
	s.waitLog(t, "listening at unix:"+sock, "listening at http://"+second)
	for _, addr := range []string{s.addr, second} {
		resp, err := http.Get("http://" + addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: status %d", addr, resp.StatusCode)
		}
	}
	out, err := exec.Command("curl", "-sS", "--unix-socket", sock, "http://gwsgi/").CombinedOutput()
	if _, perr := strconv.Atoi(strings.Fields(string(out) + " x")[0]); err != nil || perr != nil {
		t.Errorf("curl --unix-socket: %v: %s", err, out)
	}
	fi, err := os.Stat(sock)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o777 {
		t.Errorf("socket mode %o, want 777 (gunicorn's umask 0)", fi.Mode().Perm())
	}
	s.stop(t)
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("socket file left after stop: %v", err)
	}
}

// TestFDBind: -b fd://3 serves on a socket the parent opened.
func TestFDBind(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ln.(*net.TCPListener).File()
	ln.Close()
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	var log syncBuffer
	cmd := exec.Command(gwsgiBin, "-b", "fd://3", "--chdir", "e2e/testdata", "pids:application")
	cmd.Dir, cmd.Stdout, cmd.Stderr = repoRoot, &log, &log
	cmd.ExtraFiles = []*os.File{f}
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	runAndGet(t, cmd, addr, &log)
	if !strings.Contains(log.String(), "listening at http://"+addr+" (fd://3)") {
		t.Errorf("log:\n%s", log.String())
	}
}

// TestSocketActivation: under systemd-socket-activate, gwsgi serves on
// the socket it is passed (LISTEN_FDS) instead of its -b.
func TestSocketActivation(t *testing.T) {
	addr := "127.0.0.1:" + freePort(t)
	unused := "127.0.0.1:" + freePort(t)
	var log syncBuffer
	cmd := exec.Command("systemd-socket-activate", "-l", addr, gwsgiBin, "-b", unused, "--chdir", "e2e/testdata", "pids:application")
	cmd.Dir, cmd.Stdout, cmd.Stderr = repoRoot, &log, &log
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	runAndGet(t, cmd, addr, &log)
	if !strings.Contains(log.String(), "(fd://3 from systemd)") {
		t.Errorf("log:\n%s", log.String())
	}
	if c, err := net.Dial("tcp", unused); err == nil {
		c.Close()
		t.Errorf("%s (the -b) was bound too", unused)
	}
}

// runAndGet starts cmd, GETs / from addr once it answers, and stops cmd
// with SIGTERM (it must exit with status 0).
func runAndGet(t *testing.T, cmd *exec.Cmd, addr string, log *syncBuffer) {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("exit after SIGTERM: %v\n%s", err, log.String())
			}
		case <-time.After(stopTimeout):
			_ = cmd.Process.Kill()
			t.Errorf("no exit within %v of SIGTERM:\n%s", stopTimeout, log.String())
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/", nil)
	for {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("status %d", resp.StatusCode)
			}
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("%s never answered: %v\n%s", addr, err, log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// alive reports whether process pid runs (a zombie does not).
func alive(pid int) bool {
	f := procStat(pid)
	return len(f) > 0 && f[0] != "Z"
}
