package main

import (
	"os"
	"strings"
	"time"
)

// The machine may be shared: other processes using CPU during a run skew
// it. Before each run the harness waits (a while) for the machine to be
// idle, and during the run it measures how much CPU went to anything but
// the server and wrk.

const (
	quietBusy  = 0.15             // CPUs' worth of use that still counts as idle
	quietLimit = 20 * time.Second // longest wait for an idle machine
)

// busySeconds is the CPU time all CPUs spent running processes (user, nice,
// system) or stolen by the hypervisor since boot, from the first line of
// /proc/stat. Interrupt and softirq time is left out: with IRQ time
// accounting the loopback traffic of the run itself lands there.
func busySeconds() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0
	}
	// user nice system idle iowait irq softirq steal
	var busy int
	for _, i := range []int{1, 2, 3, 8} {
		busy += atoi(f[i])
	}
	return float64(busy) / clockTicks
}

// pacer holds the time a whole invocation may spend, beyond its planned
// runs, waiting for an idle machine and repeating runs it disturbed.
type pacer struct{ spare time.Duration }

// waitQuiet waits until the machine uses less than quietBusy CPUs over half
// a second, or until quietLimit or the spare time runs out. It returns how
// long it waited and the last load it saw, in CPUs.
func (p *pacer) waitQuiet() (time.Duration, float64) {
	began := time.Now()
	const window = 500 * time.Millisecond
	for {
		b0 := busySeconds()
		time.Sleep(window)
		load := (busySeconds() - b0) / window.Seconds()
		waited := time.Since(began)
		if load < quietBusy || waited >= quietLimit || waited >= p.spare {
			p.spare -= min(p.spare, max(0, waited-window))
			return waited, load
		}
		time.Sleep(time.Second)
	}
}

// retry says whether a run that took d may be repeated, and takes d from
// the spare time if so.
func (p *pacer) retry(d time.Duration) bool {
	if p.spare < d {
		return false
	}
	p.spare -= d
	return true
}
