package supervise

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

// proc is one worker process.
type proc struct {
	cmd     *exec.Cmd
	ready   *os.File      // the read end of its readiness pipe
	done    chan struct{} // closed when it exited; err says how
	err     error
	started time.Time
}

type spawnReq struct {
	cmd   *exec.Cmd
	reply chan error
}

// spawner starts every worker from one OS thread that lives as long as the
// process: Pdeathsig is tied to the thread that forked, and Go may end
// other threads, which would kill their children with them.
func spawner(reqs <-chan spawnReq) {
	runtime.LockOSThread()
	for r := range reqs {
		r.reply <- r.cmd.Start()
	}
}

// launch starts the worker for slot with its readiness pipe.
func (m *master) launch(slot int) (*proc, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(m.cfg.Argv[0], m.cfg.Argv[1:]...)
	cmd.Env = append(os.Environ(), WorkerEnv+"="+strconv.Itoa(slot))
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{w} // fd 3 in the worker
	// The worker dies with the master, should the master be killed.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	reply := make(chan error)
	m.spawn <- spawnReq{cmd, reply}
	err = <-reply
	_ = w.Close()
	if err != nil {
		_ = r.Close()
		return nil, fmt.Errorf("supervise: start worker %d: %w", slot, err)
	}
	p := &proc{cmd: cmd, ready: r, done: make(chan struct{}), started: time.Now()}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// awaitReady waits for the worker's readiness byte: an exit or a timeout
// first means it failed to boot.
func (p *proc) awaitReady(timeout time.Duration) error {
	defer p.ready.Close()
	_ = p.ready.SetReadDeadline(time.Now().Add(timeout))
	buf := make([]byte, 1)
	if n, err := p.ready.Read(buf); n == 1 {
		return nil
	} else if errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("did not listen within %v", timeout)
	}
	// The pipe closed without a byte: the worker exited.
	<-p.done
	return fmt.Errorf("exited before it listened: %v", p.err)
}

// stop asks the worker to stop and waits up to timeout, then kills it.
func (p *proc) stop(timeout time.Duration) {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(timeout):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}
