// Package supervise runs gwsgi as a master and worker processes, the way
// gunicorn does. The master never imports Python: it owns the listening
// sockets for the server's whole life and passes them to its workers,
// each a whole single-process gwsgi (event loops, thread budget, its own
// embedded Python) that accepts from the same sockets. Since the sockets
// are the master's, a worker that stops accepting (it drains for a reload,
// a recycling or a stop) leaves the connections queued in the kernel to
// the others, and to the worker that replaces it.
//
// The master restarts a worker that dies, replaces workers one at a time
// on SIGHUP (the new ones import the app afresh; each old one drains once
// its replacement accepts), replaces a worker that asks for it (after
// --max-requests, or when a request is stuck in its thread past
// --timeout), adds or removes one on SIGTTIN and SIGTTOU, passes SIGUSR1
// on, stops them gracefully on SIGTERM or SIGINT within the graceful
// timeout, at once on a second SIGTERM or SIGINT, and fast on SIGQUIT.
//
// A worker is this program again with WorkerEnv set to its slot number,
// started as Config.Credential when set (gunicorn's --user and --group:
// the master keeps its own ids).
// It talks to the master through the pipe passed as descriptor 3: a line
// "ready" once it accepts, "retire REASON" to be replaced (see Ready and
// Retire). The sockets follow, from descriptor 4 (listen.Files).
package supervise
