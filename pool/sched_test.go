package pool

import (
	"os"
	"runtime"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// policies counts the process's threads by scheduling policy.
func policies(t *testing.T) map[uint32]int {
	t.Helper()
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	out := map[uint32]int{}
	for _, e := range tasks {
		tid, _ := strconv.Atoi(e.Name())
		attr, err := unix.SchedGetAttr(tid, 0)
		if err == nil {
			out[attr.Policy]++
		}
	}
	return out
}

// Every thread ends up under SCHED_BATCH, and so do threads started after.
// The test process keeps the policy: nothing else here depends on it.
func TestBatchScheduling(t *testing.T) {
	if err := BatchScheduling(); err != nil {
		t.Fatal(err)
	}
	// A budget of locked workers starts a new thread for each.
	b := NewBudget(Config{Workers: 8, LockOSThread: true})
	defer b.Close()
	runtime.GC()
	got := policies(t)
	if len(got) != 1 || got[unix.SCHED_BATCH] == 0 {
		t.Fatalf("threads by policy: %v, want all %d (SCHED_BATCH)", got, unix.SCHED_BATCH)
	}
}
