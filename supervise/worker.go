package supervise

import (
	"os"
	"strconv"
)

// WorkerEnv is set, in a worker's environment, to its number (1..N).
const WorkerEnv = "GWSGI_WORKER"

// readyFD is the descriptor a worker reports readiness on.
const readyFD = 3

// IsWorker reports whether this process is a worker a master started.
func IsWorker() bool { return os.Getenv(WorkerEnv) != "" }

// WorkerID returns this worker's number, 0 outside a worker.
func WorkerID() int {
	n, _ := strconv.Atoi(os.Getenv(WorkerEnv))
	return n
}

// Ready tells the master that this worker listens. Outside a worker it
// does nothing.
func Ready() {
	if !IsWorker() {
		return
	}
	f := os.NewFile(readyFD, "ready")
	_, _ = f.Write([]byte{1})
	_ = f.Close()
}
