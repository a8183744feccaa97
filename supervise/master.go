package supervise

import (
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Config is a master's configuration.
type Config struct {
	Workers int      // how many workers to keep running
	Argv    []string // the worker's command line: this program's own
	Log     *log.Logger
	// BootTimeout bounds how long a worker may take to listen.
	BootTimeout time.Duration
	// StopTimeout bounds how long workers get to stop gracefully before
	// they are killed (the server's graceful timeout plus a margin).
	StopTimeout time.Duration
}

// ErrBoot is returned when a worker could not start: it exited, or did not
// listen in time, before it ever served. The master then stops the others
// rather than restart a worker that cannot boot.
var ErrBoot = errors.New("supervise: a worker failed to boot")

// restartPause is the least time between two starts of one worker slot, so
// a worker that dies at once does not spin.
const restartPause = time.Second

// master is the running state of Run.
type master struct {
	cfg   Config
	procs map[int]*proc  // by slot
	exits chan exited    // from every worker's wait goroutine
	sigs  chan os.Signal // SIGTERM, SIGINT, SIGHUP
	spawn chan spawnReq  // to the locked spawning goroutine (see spawner)
}

// Run starts cfg.Workers workers and supervises them until SIGTERM or
// SIGINT, then stops them gracefully. It returns ErrBoot (wrapped) when a
// worker fails to boot.
func Run(cfg Config) error {
	if cfg.Workers < 1 {
		cfg.Workers = 1
	}
	if cfg.BootTimeout <= 0 {
		cfg.BootTimeout = 60 * time.Second
	}
	if cfg.StopTimeout <= 0 {
		cfg.StopTimeout = 35 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = log.Default()
	}
	m := &master{
		cfg:   cfg,
		procs: make(map[int]*proc),
		exits: make(chan exited, cfg.Workers*2),
		sigs:  make(chan os.Signal, 4),
		spawn: make(chan spawnReq),
	}
	signal.Notify(m.sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer signal.Stop(m.sigs)
	go spawner(m.spawn)
	cfg.Log.Printf("gwsgi: master %d starting %d workers", os.Getpid(), cfg.Workers)
	for slot := 1; slot <= cfg.Workers; slot++ {
		if err := m.start(slot); err != nil {
			m.stopAll()
			return err
		}
	}
	return m.supervise()
}

// supervise restarts workers that die and answers signals.
func (m *master) supervise() error {
	for {
		select {
		case e := <-m.exits:
			if m.procs[e.slot] != e.p {
				continue // a replaced worker, stopped on purpose
			}
			m.cfg.Log.Printf("gwsgi: worker %d (pid %d) exited: %v; restarting it", e.slot, e.p.cmd.Process.Pid, e.err)
			delete(m.procs, e.slot)
			time.Sleep(time.Until(e.p.started.Add(restartPause)))
			if err := m.start(e.slot); err != nil {
				m.stopAll()
				return err
			}
		case s := <-m.sigs:
			if s == syscall.SIGHUP {
				m.cfg.Log.Printf("gwsgi: SIGHUP: replacing workers one at a time")
				if err := m.replaceAll(); err != nil {
					m.stopAll()
					return err
				}
				continue
			}
			m.cfg.Log.Printf("gwsgi: %v: stopping workers gracefully", s)
			m.stopAll()
			return nil
		}
	}
}

// start runs the worker for slot and waits until it listens.
func (m *master) start(slot int) error {
	p, err := m.launch(slot)
	if err != nil {
		return err
	}
	if err := p.awaitReady(m.cfg.BootTimeout); err != nil {
		_ = p.cmd.Process.Kill()
		return fmt.Errorf("%w: worker %d: %v", ErrBoot, slot, err)
	}
	m.procs[slot] = p
	go func() {
		<-p.done
		m.exits <- exited{slot, p, p.err}
	}()
	return nil
}

// replaceAll starts a new worker for each slot, and stops the old one once
// the new one listens, so the address is never without a worker.
func (m *master) replaceAll() error {
	for slot := 1; slot <= m.cfg.Workers; slot++ {
		old := m.procs[slot]
		if err := m.start(slot); err != nil {
			return err
		}
		if old != nil {
			old.stop(m.cfg.StopTimeout)
		}
	}
	return nil
}

// stopAll asks every worker to stop gracefully and waits for them.
func (m *master) stopAll() {
	for _, p := range m.procs {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
	}
	for slot, p := range m.procs {
		p.stop(m.cfg.StopTimeout)
		delete(m.procs, slot)
	}
}

type exited struct {
	slot int
	p    *proc
	err  error
}
