package supervise

import (
	"os"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// WorkerEnv is set, in a worker's environment, to its slot number (1..N).
const WorkerEnv = "GWSGI_WORKER"

// controlFD is the descriptor of a worker's pipe to its master; the
// sockets follow it.
const (
	controlFD = 3
	socketFD  = 4
)

// IsWorker reports whether this process is a worker a master started.
func IsWorker() bool { return os.Getenv(WorkerEnv) != "" }

// WorkerID returns this worker's slot number, 0 outside a worker.
func WorkerID() int {
	n, _ := strconv.Atoi(os.Getenv(WorkerEnv))
	return n
}

// A worker's control pipe is not for the processes it starts.
func init() {
	if IsWorker() {
		unix.CloseOnExec(controlFD)
	}
}

var control struct {
	once sync.Once
	mu   sync.Mutex
	f    *os.File
}

// tell writes one line to the master; outside a worker it does nothing.
func tell(line string) {
	if !IsWorker() {
		return
	}
	control.once.Do(func() { control.f = os.NewFile(controlFD, "master") })
	control.mu.Lock()
	defer control.mu.Unlock()
	_, _ = control.f.WriteString(line + "\n")
}

// Ready tells the master that this worker accepts connections.
func Ready() { tell("ready") }

// Retire asks the master to replace this worker: it starts a new one and,
// once that one accepts, stops this one gracefully. The worker serves on
// meanwhile. reason is logged by the master (one line, no newline).
func Retire(reason string) {
	tell("retire " + strings.ReplaceAll(reason, "\n", " "))
}

// AgeEnv is set, in a worker's environment, to its start number: 1 for
// the first worker the master starts, then 2, 3, ... for every worker
// started since, replacements included (gunicorn's worker.age).
const AgeEnv = "GWSGI_WORKER_AGE"

// WorkerAge returns this worker's start number, 0 outside a worker.
func WorkerAge() int {
	n, _ := strconv.Atoi(os.Getenv(AgeEnv))
	return n
}
