package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// proc is a running server: its own process group, output kept in a tail.
type proc struct {
	cmd    *exec.Cmd
	out    *tail
	exited chan struct{}
	err    error // set before exited closes
}

// start runs argv in dir as a new process group.
func start(dir string, argv []string) (*proc, error) {
	p := &proc{out: &tail{max: 16 << 10}, exited: make(chan struct{})}
	p.cmd = exec.Command(argv[0], argv[1:]...)
	p.cmd.Dir = dir
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

// waitPort dials addr until it answers, the process exits, or ctx ends.
func (p *proc) waitPort(ctx context.Context, addr string) error {
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-p.exited:
			return fmt.Errorf("exited before listening: %v", p.err)
		case <-ctx.Done():
			return errors.New("not listening after " + startTimeout.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stop sends SIGTERM to the group, then SIGKILL if it is still there after
// grace. It says which signal ended it.
func (p *proc) stop(grace time.Duration) string {
	pg := -p.pid()
	select {
	case <-p.exited:
		return "had exited"
	default:
	}
	_ = syscall.Kill(pg, syscall.SIGTERM)
	select {
	case <-p.exited:
		// Workers of a pre-fork server may outlive the master briefly.
		_ = syscall.Kill(pg, syscall.SIGKILL)
		return "SIGTERM"
	case <-time.After(grace):
	}
	_ = syscall.Kill(pg, syscall.SIGKILL)
	<-p.exited
	return "SIGKILL after " + grace.String()
}

// tail keeps the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tail) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(b), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
