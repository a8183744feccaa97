// Package supervise runs gwsgi as a master and worker processes, the way
// gunicorn's -w does: every worker is a whole single-process gwsgi (event
// loops, thread budget, its own embedded Python) listening on the same
// address with SO_REUSEPORT, so the kernel spreads connections over them
// and each gets a core of its own. The master never imports Python: it
// starts the workers, restarts one that dies, and on SIGTERM or SIGINT
// stops them all gracefully; SIGHUP replaces them one at a time.
//
// A worker is this program again, with the environment variable
// WorkerEnv set to its number; it reports that it listens by writing a
// byte to the pipe passed as file descriptor 3 (see Ready).
package supervise
