package e2e

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestWorkers serves with -w 2: a master and two worker processes sharing
// the port. A killed worker is replaced, SIGHUP replaces both, SIGTERM
// stops everything.
func TestWorkers(t *testing.T) {
	s := startServer(t, nil, "-w", "2", "--threads", "2", "--chdir", "e2e/testdata", "pids:application")
	// The port accepts once the first worker listens; the second follows.
	first := s.waitPids(t, "two workers sharing the port", func(p map[int]int) bool { return len(p) == 2 })

	victim := anyPid(first)
	if err := syscall.Kill(victim, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	s.waitLog(t, "(pid "+strconv.Itoa(victim)+") exited: signal: killed; restarting it")
	after := s.waitPids(t, "a replacement for the killed worker", func(p map[int]int) bool {
		return len(p) == 2 && p[victim] == 0
	})

	if err := s.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	last := s.waitPids(t, "two new workers after SIGHUP", func(p map[int]int) bool {
		for pid := range after {
			if p[pid] > 0 {
				return false
			}
		}
		return len(p) == 2
	})

	s.stop(t)
	for pid := range last {
		if syscall.Kill(pid, 0) == nil {
			t.Errorf("worker %d still runs after the master stopped", pid)
		}
	}
}

func TestWorkersBootFailure(t *testing.T) {
	loadFails(t, []string{"-w", "2", "--chdir", "examples", "nosuchmodule:app"}, "ModuleNotFoundError: No module named 'nosuchmodule'", true)
}

// pids asks / on 40 new connections and counts the answers per worker pid;
// every worker must say wsgi.multiprocess is True.
func (s *server) pids(t *testing.T) map[int]int {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	seen := map[int]int{}
	for i := 0; i < 40; i++ {
		resp, err := client.Get(s.url("/"))
		if err != nil {
			continue // a worker being replaced may reset a connection
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		pid, multi, _ := strings.Cut(string(body), " ")
		n, err := strconv.Atoi(pid)
		if err != nil || multi != "True" {
			t.Fatalf("answer %q", body)
		}
		seen[n]++
	}
	return seen
}

// waitPids polls pids until ok holds, for up to 15 seconds.
func (s *server) waitPids(t *testing.T, what string, ok func(map[int]int) bool) map[int]int {
	t.Helper()
	var p map[int]int
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if p = s.pids(t); ok(p) {
			return p
		}
	}
	t.Fatalf("no %s: workers seen %v", what, p)
	return nil
}

func anyPid(p map[int]int) int {
	for pid := range p {
		return pid
	}
	return 0
}
