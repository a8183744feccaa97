package supervise

import (
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gwsgi/gwsgi/listen"
	"github.com/gwsgi/gwsgi/metrics"
	"github.com/gwsgi/gwsgi/sdnotify"
)

// Config is a master's configuration.
type Config struct {
	Workers int              // how many workers to keep running (SIGTTIN/SIGTTOU change it)
	Argv    []string         // the worker's command line: this program's own
	Sockets []*listen.Socket // the listening sockets, passed to every worker
	Log     *log.Logger
	// Metrics, when set, gets each worker's statistics region while the
	// worker runs, and counts its replacements.
	Metrics *metrics.Collector
	// Credential, when set, is the user and groups the workers run as
	// (gunicorn's user and group); the master keeps its own. The worker
	// process starts as them, before it runs Argv.
	Credential *syscall.Credential
	// Reopen, when set, is called on SIGUSR1 (before the workers are told
	// to reopen their log files): the master reopens its own.
	Reopen func()
	// ChildExit, when set, is called from the master's loop each time a
	// worker has exited, with its pid and start number (gunicorn's
	// child_exit hook). It must not block.
	ChildExit func(pid, age int)
	// BootTimeout bounds how long a worker may take to accept.
	BootTimeout time.Duration
	// GracefulTimeout is the workers' own graceful timeout: a worker told
	// to stop is killed if it still runs KillMargin after it.
	GracefulTimeout time.Duration
}

// KillMargin is how long after its graceful timeout a stopping worker is
// killed: the worker ends itself at the timeout, and this is its last
// chance to.
const KillMargin = time.Second

// ErrBoot is returned when a worker could not start: it exited, or did not
// accept in time, before it ever served. The master then stops the others
// rather than restart a worker that cannot boot. (A replacement that
// fails to boot on a reload only logs it: the old worker serves on.)
var ErrBoot = errors.New("supervise: a worker failed to boot")

// restartPause is the least time between two starts of one worker slot, so
// a worker that dies at once does not spin.
const restartPause = time.Second

// master is the running state of Run; only its loop goroutine touches it.
type master struct {
	cfg     Config
	workers int
	procs   map[int]*proc      // the worker serving each slot
	pending map[int]*proc      // a replacement booting for a slot
	leaving map[*proc]struct{} // workers told to stop
	restart map[int]time.Time  // slots whose worker died, and when to restart them
	queue   []int              // slots waiting to be replaced, one at a time
	booted  bool               // every first worker has accepted
	stop    time.Time          // when stopping: when the stragglers are killed
	events  chan event         // from every worker's goroutines
	sigs    chan os.Signal     // the signals the master handles
	spawn   chan spawnReq      // to the locked spawning goroutine (see spawner)
	fail    error              // why Run ends with an error
	age     int                // workers started so far (see AgeEnv)
}

// Run starts cfg.Workers workers on cfg.Sockets and supervises them until
// they are stopped by a signal. It returns ErrBoot (wrapped) when a worker
// fails to boot.
func Run(cfg Config) error {
	if cfg.Workers < 1 {
		cfg.Workers = 1
	}
	if cfg.BootTimeout <= 0 {
		cfg.BootTimeout = 60 * time.Second
	}
	if cfg.GracefulTimeout <= 0 {
		cfg.GracefulTimeout = 30 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = log.Default()
	}
	m := &master{
		cfg:     cfg,
		workers: cfg.Workers,
		procs:   make(map[int]*proc),
		pending: make(map[int]*proc),
		leaving: make(map[*proc]struct{}),
		restart: make(map[int]time.Time),
		events:  make(chan event, 16),
		sigs:    make(chan os.Signal, 8),
		spawn:   make(chan spawnReq),
	}
	signal.Notify(m.sigs, handled...)
	defer signal.Stop(m.sigs)
	go spawner(m.spawn)
	cfg.Log.Printf("gwsgi: master %d starting %s", os.Getpid(), plural(cfg.Workers))
	for slot := 1; slot <= m.workers; slot++ {
		if !m.start(slot, false) {
			m.halt(fmt.Errorf("%w: worker %d could not start", ErrBoot, slot))
		}
	}
	return m.loop()
}

// loop handles events, signals and deadlines until every worker is gone
// after a stop.
func (m *master) loop() error {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !m.stopping() || m.running() > 0 {
		select {
		case e := <-m.events:
			m.handle(e)
		case s := <-m.sigs:
			m.onSignal(s.(syscall.Signal))
		case now := <-tick.C:
			m.deadlines(now)
		}
	}
	return m.fail
}

func (m *master) stopping() bool { return !m.stop.IsZero() }

// running counts the worker processes that have not exited.
func (m *master) running() int { return len(m.procs) + len(m.pending) + len(m.leaving) }

// start launches a worker for slot, as its replacement when replace is
// set; false means it could not be started.
func (m *master) start(slot int, replace bool) bool {
	p, err := m.launch(slot)
	if err != nil {
		m.cfg.Log.Printf("gwsgi: %v", err)
		return false
	}
	if replace {
		m.pending[slot] = p
	} else {
		m.procs[slot] = p
	}
	return true
}

// handle applies one worker event.
func (m *master) handle(e event) {
	p := e.p
	switch e.kind {
	case evReady:
		m.onReady(p)
	case evRetire:
		if m.procs[p.slot] == p && !p.retired {
			m.cfg.Log.Printf("gwsgi: worker %d (pid %d) asks to be replaced: %s", p.slot, p.pid(), e.text)
			m.enqueue(p.slot)
		}
	case evExit:
		m.onExit(p)
	}
}

func (m *master) onReady(p *proc) {
	p.ready = true
	switch {
	case m.pending[p.slot] == p:
		delete(m.pending, p.slot)
		old := m.procs[p.slot]
		m.procs[p.slot] = p
		m.cfg.Log.Printf("gwsgi: worker %d (pid %d) accepts; the one it replaces drains", p.slot, p.pid())
		m.cfg.Metrics.Restarted()
		if old != nil {
			m.retire(old)
		}
		m.next()
	case m.procs[p.slot] == p && m.booted:
		m.cfg.Log.Printf("gwsgi: worker %d (pid %d) accepts", p.slot, p.pid())
	case m.procs[p.slot] == p:
		for _, q := range m.procs {
			if !q.ready {
				return
			}
		}
		m.booted = true
		m.cfg.Log.Printf("gwsgi: every worker accepts (%s)", plural(len(m.procs)))
		notify(m.cfg.Log, sdnotify.Ready+"\n"+sdnotify.Status("serving with "+plural(len(m.procs))))
	}
}

func (m *master) onExit(p *proc) {
	m.cfg.Metrics.Retire(p.region)
	if m.cfg.ChildExit != nil {
		m.cfg.ChildExit(p.pid(), p.age)
	}
	if _, ok := m.leaving[p]; ok {
		delete(m.leaving, p)
		return
	}
	if m.stopping() {
		delete(m.procs, p.slot)
		delete(m.pending, p.slot)
		return
	}
	if m.pending[p.slot] == p {
		delete(m.pending, p.slot)
		m.cfg.Log.Printf("gwsgi: the replacement of worker %d (pid %d) exited before it accepted: %v; the old one serves on", p.slot, p.pid(), p.err)
		m.next()
		return
	}
	if m.procs[p.slot] != p {
		return
	}
	delete(m.procs, p.slot)
	if !p.ready {
		m.cfg.Log.Printf("gwsgi: worker %d (pid %d) exited before it accepted: %v", p.slot, p.pid(), p.err)
		m.halt(fmt.Errorf("%w: worker %d: %v", ErrBoot, p.slot, p.err))
		return
	}
	m.cfg.Log.Printf("gwsgi: worker %d (pid %d) exited: %v; restarting it", p.slot, p.pid(), p.err)
	m.cfg.Metrics.Restarted()
	m.restart[p.slot] = p.started.Add(restartPause)
}

// enqueue queues slot for replacement unless it is already queued or
// being replaced, and starts the next replacement.
func (m *master) enqueue(slot int) {
	if m.pending[slot] != nil {
		return
	}
	for _, s := range m.queue {
		if s == slot {
			return
		}
	}
	m.queue = append(m.queue, slot)
	m.next()
}

// next starts the next queued replacement unless one is booting: workers
// are replaced one at a time.
func (m *master) next() {
	for len(m.pending) == 0 && len(m.queue) > 0 && !m.stopping() {
		slot := m.queue[0]
		m.queue = m.queue[1:]
		if m.procs[slot] != nil && slot <= m.workers {
			m.start(slot, true)
		}
	}
}

// retire tells p to stop gracefully; it is killed if it still runs
// KillMargin after the graceful timeout.
func (m *master) retire(p *proc) {
	if p.retired {
		return
	}
	p.retired = true
	p.killAt = time.Now().Add(m.cfg.GracefulTimeout + KillMargin)
	m.leaving[p] = struct{}{}
	if m.procs[p.slot] == p {
		delete(m.procs, p.slot)
	}
	if m.pending[p.slot] == p {
		delete(m.pending, p.slot)
	}
	p.signal(syscall.SIGTERM)
}

// deadlines restarts dead workers when their pause is over, kills workers
// that overstay, and ends a stop that took too long.
func (m *master) deadlines(now time.Time) {
	for slot, at := range m.restart {
		if now.After(at) && !m.stopping() {
			delete(m.restart, slot)
			if slot <= m.workers && m.procs[slot] == nil {
				m.start(slot, false)
			}
		}
	}
	for _, set := range []map[int]*proc{m.procs, m.pending} {
		for _, p := range set {
			if !p.ready && now.Sub(p.started) > m.cfg.BootTimeout {
				m.cfg.Log.Printf("gwsgi: worker %d (pid %d) did not accept within %v; killing it", p.slot, p.pid(), m.cfg.BootTimeout)
				p.signal(syscall.SIGKILL)
			}
		}
	}
	for p := range m.leaving {
		if now.After(p.killAt) {
			p.signal(syscall.SIGKILL)
		}
	}
	if m.stopping() && now.After(m.stop) {
		m.each(syscall.SIGKILL)
	}
}

// halt stops every worker gracefully and makes Run return err.
func (m *master) halt(err error) {
	if m.fail == nil {
		m.fail = err
	}
	m.stopAll(syscall.SIGTERM, m.cfg.GracefulTimeout+KillMargin)
}

// stopAll sends sig to every worker and kills what still runs after
// timeout.
func (m *master) stopAll(sig syscall.Signal, timeout time.Duration) {
	at := time.Now().Add(timeout)
	if !m.stopping() {
		listen.Quiesce(m.cfg.Sockets) // what is queued is served, nothing new is queued
		notify(m.cfg.Log, sdnotify.Stopping)
	}
	if !m.stopping() || at.Before(m.stop) {
		m.stop = at
	}
	m.restart = map[int]time.Time{}
	m.queue = nil
	m.each(sig)
}

// each sends sig to every worker process.
func (m *master) each(sig syscall.Signal) {
	for _, p := range m.procs {
		p.signal(sig)
	}
	for _, p := range m.pending {
		p.signal(sig)
	}
	for p := range m.leaving {
		p.signal(sig)
	}
}

// notify tells systemd (Type=notify units) the master's state; a failure
// is logged, and serving goes on.
func notify(l *log.Logger, state string) {
	if _, err := sdnotify.Notify(state); err != nil {
		l.Printf("gwsgi: telling systemd %q: %v", state, err)
	}
}
