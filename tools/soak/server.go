package main

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// startTimeout bounds a server's start, until it answers GET /.
const startTimeout = 30 * time.Second

// server is a gwsgi master the soak started, serving the soak app.
type server struct {
	cmd     *exec.Cmd
	addr    string
	logPath string
	exited  chan struct{} // closed when the master has exited
	waitErr error         // its exit status, once exited is closed
}

// serverArgs are the flags the soak serves the app with.
func (cfg *config) serverArgs(addr string) []string {
	return []string{
		"-b", addr,
		"--chdir", cfg.Chdir,
		"-w", strconv.Itoa(cfg.Workers),
		"--threads", strconv.Itoa(cfg.Threads),
		"--header-timeout", seconds(cfg.HeaderTimeout),
		"--keep-alive", seconds(cfg.KeepAlive),
		"--graceful-timeout", "10",
		cfg.App,
	}
}

// seconds renders d as whole seconds, as gwsgi's flags take them.
func seconds(d time.Duration) string { return strconv.Itoa(int(d.Round(time.Second) / time.Second)) }

// startServer starts cfg.Bin on a free 127.0.0.1 port, its output in
// cfg.Log, and waits until it answers GET / with the soak app's hello.
func startServer(cfg *config) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(cfg.Log)
	if err != nil {
		return nil, err
	}
	defer logf.Close() // the child has its own descriptor
	cmd := exec.Command(cfg.Bin, cfg.serverArgs(addr)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	sv := &server{cmd: cmd, addr: addr, logPath: cfg.Log, exited: make(chan struct{})}
	go func() {
		sv.waitErr = cmd.Wait()
		close(sv.exited)
	}()
	deadline := time.Now().Add(startTimeout)
	for {
		if err := probe(addr, 5*time.Second); err == nil {
			return sv, nil
		} else if time.Now().After(deadline) {
			sv.stop()
			return nil, fmt.Errorf("%s did not answer GET / on %s within %v: %v (see %s)", cfg.Bin, addr, startTimeout, err, cfg.Log)
		}
		select {
		case <-sv.exited:
			return nil, fmt.Errorf("%s exited at start: %v (see %s)", cfg.Bin, sv.waitErr, cfg.Log)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// freeAddr returns a 127.0.0.1 address with a port free a moment ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// probe sends GET / to addr and expects the hello within timeout.
func probe(addr string, timeout time.Duration) error {
	c, err := dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	r := getHello("probe")
	r.Close = true
	resp, err := c.do(r, timeout)
	if err != nil {
		return err
	}
	return r.check(resp)
}

// pid is the master's pid.
func (sv *server) pid() int { return sv.cmd.Process.Pid }

// alive reports whether the master still runs.
func (sv *server) alive() bool {
	select {
	case <-sv.exited:
		return false
	default:
		return true
	}
}

// stop stops the server as an operator would (SIGTERM: a graceful stop),
// and kills its process group if it is still there after a while. It
// returns the master's exit status.
func (sv *server) stop() error {
	if sv.alive() {
		_ = sv.cmd.Process.Signal(syscall.SIGTERM)
	}
	select {
	case <-sv.exited:
	case <-time.After(30 * time.Second):
		_ = syscall.Kill(-sv.pid(), syscall.SIGKILL)
		<-sv.exited
		return errors.New("still running 30s after SIGTERM: killed")
	}
	return sv.waitErr
}

// logFindings are the lines of a server's log that speak of trouble.
type logFindings struct {
	Path        string   `json:"path"`
	Lines       int      `json:"lines"`
	Rejected    int      `json:"rejected"`     // requests the server refused itself ("gwsgi: 400 ...")
	Tracebacks  int      `json:"tracebacks"`   // Python tracebacks: the app failed
	GoPanics    int      `json:"go_panics"`    // "panic:" or "fatal error:": a process crashed
	WorkerExits int      `json:"worker_exits"` // workers that exited or were replaced
	Stuck       int      `json:"stuck"`        // requests past --timeout
	Samples     []string `json:"samples,omitempty"`
}

// trouble reports whether the findings say a process crashed or was
// replaced, or the app failed.
func (f *logFindings) trouble() bool {
	return f.Tracebacks > 0 || f.GoPanics > 0 || f.WorkerExits > 0 || f.Stuck > 0
}

// scanLog reads the server's log for trouble.
func scanLog(path string) (*logFindings, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	lf := &logFindings{Path: path}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		lf.Lines++
		bad := true
		switch {
		case strings.Contains(line, "] gwsgi: 4") || strings.Contains(line, "] gwsgi: 5"):
			lf.Rejected++
			bad = false
		case strings.HasPrefix(line, "Traceback "):
			lf.Tracebacks++
		case strings.HasPrefix(line, "panic:") || strings.HasPrefix(line, "fatal error:"):
			lf.GoPanics++
		case strings.Contains(line, "gwsgi: worker") && (strings.Contains(line, "exited") || strings.Contains(line, "replaced")):
			lf.WorkerExits++
		case strings.Contains(line, "--timeout") || strings.Contains(line, "stuck"):
			lf.Stuck++
		default:
			bad = false
		}
		if bad && len(lf.Samples) < maxSamples {
			lf.Samples = append(lf.Samples, clip(line))
		}
	}
	return lf, sc.Err()
}
