package e2e

import (
	"syscall"
	"testing"
	"time"
)

// TestStalledServerServesWhatArrivedInTime stops the server for longer
// than its keep-alive and header timeouts while requests arrive, then
// lets it go on: the requests that arrived in time are served, and only
// the connection that really was too slow gets its 408, the idle one its
// close.
func TestStalledServerServesWhatArrivedInTime(t *testing.T) {
	s := startServer(t, nil, "--no-master", "--keep-alive", "1", "--header-timeout", "1")
	const req = "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"

	idle := s.dial(t) // kept alive, then sends its next request while the server is stopped
	idle.send(t, req)
	if resp, _ := idle.read(t, "GET"); resp.StatusCode != 200 {
		t.Fatalf("first request: %d", resp.StatusCode)
	}
	partial := s.dial(t) // sends the rest of its head while the server is stopped
	partial.send(t, req[:20])
	slow := s.dial(t) // never finishes its head
	slow.send(t, req[:20])
	quiet := s.dial(t) // sends nothing
	quiet.send(t, req)
	if resp, _ := quiet.read(t, "GET"); resp.StatusCode != 200 {
		t.Fatalf("first request: %d", resp.StatusCode)
	}
	time.Sleep(400 * time.Millisecond) // the partial heads are read, and a tick has put the kept-alive ones to idle

	pid := s.cmd.Process.Pid
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	defer func() { _ = syscall.Kill(pid, syscall.SIGCONT) }()
	time.Sleep(300 * time.Millisecond)
	idle.send(t, req)
	partial.send(t, req[20:])
	time.Sleep(time.Until(stopped.Add(2500 * time.Millisecond))) // past both timeouts
	if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}

	if resp, _ := idle.read(t, "GET"); resp.StatusCode != 200 {
		t.Errorf("request sent in time on a kept-alive connection: %d, want 200", resp.StatusCode)
	}
	if resp, _ := partial.read(t, "GET"); resp.StatusCode != 200 {
		t.Errorf("head completed in time: %d, want 200", resp.StatusCode)
	}
	if resp, _ := slow.read(t, "GET"); resp.StatusCode != 408 {
		t.Errorf("head never completed: %d, want 408", resp.StatusCode)
	}
	quiet.expectEOF(t)
}
