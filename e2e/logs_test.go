package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLogRotation rotates the access and error logs the way logrotate
// does (rename, then SIGUSR1 to the master): the master and both workers
// reopen their files, every later line goes to the new files, none to the
// old ones, and the app's output (--capture-output) follows.
func TestLogRotation(t *testing.T) {
	dir := t.TempDir()
	access, errs := filepath.Join(dir, "access.log"), filepath.Join(dir, "error.log")
	s := startServer(t, nil, "-w", "2", "--access-logfile", access, "--error-logfile", errs,
		"--capture-output", "--chdir", "e2e/testdata", "printer")
	s.logFile = errs
	for i := 0; i < 10; i++ {
		s.get(t, fmt.Sprintf("/before/%d", i))
	}
	waitFor(t, errs, "stdout says /before/9", "stderr says /before/9")
	waitLines(t, access, 10)
	for _, p := range []string{access, errs} {
		if err := os.Rename(p, p+".1"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	waitCount(t, errs, "SIGUSR1: log files reopened", 3)
	for i := 0; i < 10; i++ {
		s.get(t, fmt.Sprintf("/after/%d", i))
	}
	waitFor(t, errs, "stdout says /after/9", "stderr says /after/9")
	if lines := waitLines(t, access, 10); len(lines) != 10 || !strings.Contains(lines[0], "/after/") {
		t.Errorf("the new access log has %d lines, want the 10 requests after the rotation: %q", len(lines), lines)
	}
	s.stop(t)
	if t.Failed() {
		return
	}
	for _, p := range []string{access, errs} {
		old, _ := os.ReadFile(p + ".1")
		if strings.Contains(string(old), "/after/") {
			t.Errorf("%s.1 got lines after the rotation:\n%s", p, old)
		}
	}
	b, _ := os.ReadFile(errs)
	if !strings.Contains(string(b), "shutting down gracefully") {
		t.Errorf("the shutdown lines are not in the new error log:\n%s", b)
	}
}

// waitCount waits until the file at path holds sub n times.
func waitCount(t *testing.T, path, sub string, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(path)
		if strings.Count(string(b), sub) >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s holds %q %d times, want %d:\n%s", path, sub, strings.Count(string(b), sub), n, b)
		}
	}
}
