// Package pool holds gwsgi's goroutine budget, its scheduling policy and
// its buffer pools.
//
// A Budget bounds how many application calls run at once, the way
// eventlet's GreenPool bounds its green threads: up to Workers worker
// goroutines, each optionally locked to its own OS thread for life (an
// embedded CPython keeps a thread state per thread), serve the tasks
// handed over by Submit in the order they came. Submit never blocks: when
// Workers+Queue tasks are running or waiting it reports false and the
// server answers 503. Workers start as tasks need them, and idle ones are
// woken last-parked first, so a light load keeps reusing a few warm
// threads however large the budget.
//
// With a Gate (the GIL), tasks do not each wake a worker. The worker that
// holds the gate serves the queue one task after another without letting
// go of it, and one more worker waits at the gate while tasks are queued:
// when the holder lets go inside a task (the app sleeps, reads a socket,
// waits for its database, or the server waits for a slow client through
// Worker.Block) the waiting worker takes the queue on at once, and another
// comes to wait. So a CPU-bound app runs on about one thread and an
// I/O-bound one gets as many requests in flight as it blocks on, from one
// budget. A waiting worker that gets the gate only after the interpreter's
// switch interval took it from a holder that did not block: it hands it
// back (Config.Preempt). A Gate that can be waited on without force
// (GateWaiter) is, while the holder keeps finishing tasks.
//
// BatchScheduling puts the process under SCHED_BATCH, so that threads
// waking up (the event loop, a worker handed the gate) do not preempt the
// thread running Python.
//
// The buffer pools wrap bytebufferpool for response assembly (GetBuffer,
// PutBuffer) and keep [][]byte vectors for vectored writes (GetVec,
// PutVec). Both drop what grew too large instead of pinning it.
package pool
