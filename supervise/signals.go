package supervise

import (
	"os"
	"sort"
	"strconv"
	"syscall"
	"time"
)

// handled are the signals the master acts on, as gunicorn's arbiter.
var handled = []os.Signal{
	syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGHUP,
	syscall.SIGTTIN, syscall.SIGTTOU, syscall.SIGUSR1,
}

// fastStop is how long workers get to exit on SIGQUIT before they are
// killed.
const fastStop = time.Second

// onSignal acts on one signal.
func (m *master) onSignal(s syscall.Signal) {
	switch s {
	case syscall.SIGTERM, syscall.SIGINT:
		if m.stopping() {
			m.cfg.Log.Printf("gwsgi: %v again: stopping at once", s)
			m.stopAll(syscall.SIGKILL, 0)
			return
		}
		m.cfg.Log.Printf("gwsgi: %v: stopping workers gracefully (up to %v)", s, m.cfg.GracefulTimeout)
		m.stopAll(syscall.SIGTERM, m.cfg.GracefulTimeout+KillMargin)
	case syscall.SIGQUIT:
		m.cfg.Log.Printf("gwsgi: %v: stopping workers now", s)
		m.stopAll(syscall.SIGQUIT, fastStop)
	case syscall.SIGHUP:
		if m.stopping() {
			return
		}
		m.cfg.Log.Printf("gwsgi: SIGHUP: replacing workers one at a time")
		for _, slot := range m.slots() {
			m.enqueue(slot)
		}
	case syscall.SIGTTIN:
		if m.stopping() {
			return
		}
		m.workers++
		m.cfg.Log.Printf("gwsgi: SIGTTIN: now %s", plural(m.workers))
		delete(m.restart, m.workers)
		m.start(m.workers, false)
	case syscall.SIGTTOU:
		if m.stopping() || m.workers <= 1 {
			return
		}
		slot := m.workers
		m.workers--
		m.cfg.Log.Printf("gwsgi: SIGTTOU: now %s", plural(m.workers))
		delete(m.restart, slot)
		for _, p := range []*proc{m.pending[slot], m.procs[slot]} {
			if p != nil {
				m.retire(p)
			}
		}
	case syscall.SIGUSR1:
		if m.cfg.Reopen != nil {
			m.cfg.Reopen()
		}
		m.cfg.Log.Printf("gwsgi: SIGUSR1: workers reopen their log files")
		for _, p := range m.procs {
			p.signal(syscall.SIGUSR1)
		}
	}
}

// slots returns the slots that have a worker, in order.
func (m *master) slots() []int {
	var s []int
	for slot := range m.procs {
		s = append(s, slot)
	}
	sort.Ints(s)
	return s
}

// plural says "1 worker", "2 workers".
func plural(n int) string {
	if n == 1 {
		return "1 worker"
	}
	return strconv.Itoa(n) + " workers"
}
