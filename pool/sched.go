package pool

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// BatchScheduling puts every thread of the process, and so every thread
// it starts later (a new thread inherits its creator's policy), under
// Linux's SCHED_BATCH policy: the same priority and fair share as the
// default policy, but a thread that wakes up does not preempt the one
// running on its CPU; it runs when that one blocks or its time slice
// ends.
//
// For a server that shares a CPU between its event loop and a thread
// running Python, wake-up preemption is the main cost: every packet that
// wakes the loop, and every thread handed a request, interrupts Python in
// the middle of a call, so each request pays for several context switches
// and a cold cache. Without it the loop collects the packets that arrived
// meanwhile in one epoll_wait when Python pauses, and Python serves what
// is queued in a row.
//
// Threads may start while it runs, from threads it has not reached yet: it
// goes over the list again until a pass finds nothing left to change.
func BatchScheduling() error {
	for pass := 0; pass < 5; pass++ {
		changed, err := batchPass()
		if err != nil || changed == 0 {
			return err
		}
	}
	return nil
}

// batchPass moves every thread not under SCHED_BATCH to it, keeping its
// nice value, and returns how many it moved.
func batchPass() (int, error) {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return 0, fmt.Errorf("pool: batch scheduling: %w", err)
	}
	changed := 0
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		attr, err := unix.SchedGetAttr(tid, 0)
		if err == unix.ESRCH {
			continue // the thread has ended
		}
		if err != nil {
			return changed, fmt.Errorf("pool: batch scheduling of thread %d: %w", tid, err)
		}
		if attr.Policy == unix.SCHED_BATCH {
			continue
		}
		attr.Policy = unix.SCHED_BATCH
		if err := unix.SchedSetAttr(tid, attr, 0); err != nil && err != unix.ESRCH {
			return changed, fmt.Errorf("pool: batch scheduling of thread %d: %w", tid, err)
		}
		changed++
	}
	return changed, nil
}
