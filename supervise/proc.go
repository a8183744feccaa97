package supervise

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gwsgi/gwsgi/listen"
	"github.com/gwsgi/gwsgi/metrics"
)

// proc is one worker process. Its fields are the master loop's, except
// what its goroutines send on the master's channels.
type proc struct {
	slot    int
	age     int // its start number (see AgeEnv)
	cmd     *exec.Cmd
	started time.Time
	ready   bool      // it said "ready"
	retired bool      // it was told to stop: its exit is expected
	killAt  time.Time // when a retired worker is killed if still running
	done    chan struct{}
	err     error           // how it exited, once done is closed
	region  *metrics.Region // its statistics, when the master serves metrics
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

func (p *proc) signal(s syscall.Signal) { _ = p.cmd.Process.Signal(s) }

// event is what a worker's goroutines report to the master loop.
type event struct {
	p    *proc
	kind eventKind
	text string // the retire reason, or how it exited
}

type eventKind int

const (
	evReady  eventKind = iota // it accepts connections
	evRetire                  // it asks to be replaced
	evExit                    // it exited
)

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

// launch starts the worker for slot with its control pipe and the
// sockets; its goroutines report on m.events.
func (m *master) launch(slot int) (*proc, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	files, env := listen.Files(m.cfg.Sockets, socketFD)
	cmd := exec.Command(m.cfg.Argv[0], m.cfg.Argv[1:]...)
	m.age++
	cmd.Env = append(os.Environ(), WorkerEnv+"="+strconv.Itoa(slot), AgeEnv+"="+strconv.Itoa(m.age), env)
	region, regionFile, err := m.metricsFor(cmd, &files)
	if err != nil {
		_, _ = r.Close(), w.Close()
		return nil, err
	}
	if regionFile != nil {
		defer regionFile.Close() // the worker has its copy once started
	}
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.ExtraFiles = append([]*os.File{w}, files...) // descriptors 3, 4, ...
	// The worker stops with the master, should the master be killed, and
	// runs as the user it is given, if any.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM, Credential: m.cfg.Credential}
	reply := make(chan error)
	m.spawn <- spawnReq{cmd, reply}
	err = <-reply
	_ = w.Close()
	if err != nil {
		_ = r.Close()
		_ = region.Close()
		return nil, fmt.Errorf("supervise: start worker %d: %w", slot, err)
	}
	p := &proc{slot: slot, age: m.age, cmd: cmd, started: time.Now(), done: make(chan struct{}), region: region}
	m.cfg.Metrics.Add(p.pid(), region)
	go p.listen(r, m.events)
	go p.wait(r, m.events)
	return p, nil
}

// wait reports the worker's exit. It closes the control pipe, in case a
// process the worker started still holds its end.
func (p *proc) wait(r *os.File, events chan<- event) {
	p.err = p.cmd.Wait()
	_ = r.Close()
	close(p.done)
	events <- event{p: p, kind: evExit}
}

// listen reads the worker's control lines until it exits.
func (p *proc) listen(r *os.File, events chan<- event) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "ready":
			events <- event{p: p, kind: evReady}
		case strings.HasPrefix(line, "retire "):
			events <- event{p: p, kind: evRetire, text: strings.TrimPrefix(line, "retire ")}
		}
	}
}

// MetricsEnv names the descriptor of a worker's metrics region.
const MetricsEnv = "GWSGI_METRICS_FD"

// metricsFor gives the worker cmd a shared-memory metrics region, passed
// after the sockets, when the master serves metrics.
func (m *master) metricsFor(cmd *exec.Cmd, files *[]*os.File) (*metrics.Region, *os.File, error) {
	if m.cfg.Metrics == nil {
		return nil, nil, nil
	}
	region, f, err := metrics.NewRegion()
	if err != nil {
		return nil, nil, fmt.Errorf("supervise: metrics region: %w", err)
	}
	*files = append(*files, f)
	cmd.Env = append(cmd.Env, MetricsEnv+"="+strconv.Itoa(socketFD+len(*files)-1))
	return region, f, nil
}

// WorkerMetrics maps the metrics region the master passed this worker;
// nil when it passed none.
func WorkerMetrics() (*metrics.Region, error) {
	v := os.Getenv(MetricsEnv)
	if v == "" || !IsWorker() {
		return nil, nil
	}
	fd, err := strconv.Atoi(v)
	if err != nil {
		return nil, fmt.Errorf("%s=%q: %w", MetricsEnv, v, err)
	}
	return metrics.OpenRegion(uintptr(fd))
}
