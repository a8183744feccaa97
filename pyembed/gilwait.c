/* Waiting for the GIL without taking it from its holder.
 *
 * A thread that calls PyEval_RestoreThread while another holds the GIL
 * waits for the switch interval (5 ms) and then makes the holder let go,
 * whatever the holder is doing. The gate's standby (pool.Worker's
 * acquireAsStandby) waits for the holder to block instead: it waits on
 * the GIL's own condition variable, which every release signals, and
 * takes the GIL once a release was the standby's (gil_released). So under
 * a CPU-bound load the thread serving the queue keeps the GIL, and the
 * standby costs it no forced switch every 5 ms.
 *
 * This reads CPython 3.11's GIL (_PyRuntime.ceval.gil), an internal
 * structure; other versions keep it elsewhere, and there the wait is
 * PyEval_RestoreThread's own. */

#define Py_BUILD_CORE 1
#include "pyembed.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030C0000
#include "internal/pycore_runtime.h"
#define PE_GIL_VISIBLE 1
#endif

/* pe_mono_ns reads the monotonic clock, in nanoseconds. */
int64_t pe_mono_ns(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

#ifdef PE_GIL_VISIBLE

/* pe_gil_grace_ns is how long a GIL let go of for an unknown reason stays
 * free before the standby takes it: time for the thread it may have been
 * taken from (a forced switch) to take it back. Tests change it. */
int64_t pe_gil_grace_ns = 200000;

#ifdef PE_WRAP_GIL
#define TAKERS() __atomic_load_n(&pe_gil_takers, __ATOMIC_SEQ_CST)
#else
#define TAKERS() 0
#endif
#define RUNNING() __atomic_load_n(&pe_gil_running, __ATOMIC_SEQ_CST)

/* The standby waits aside, on a condition of its own, while other threads
 * are on their way to take the GIL: on the GIL's condition it would be
 * woken by releases that are theirs, only to pass them on. A worker's
 * thread that lets go of the GIL of its own accord (its request blocks,
 * or the gate lets go) wakes it (pe_gil_let_go) when the release is the
 * standby's. One standby waits at a time (the budget keeps one). */
static pthread_mutex_t aside_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t aside_cv = PTHREAD_COND_INITIALIZER;
static int aside; /* the standby waits aside */

/* pe_gil_let_go runs after a worker's thread let go of the GIL of its own
 * accord (__wrap_PyEval_SaveThread), without the GIL. */
void pe_gil_let_go(void) {
	if (!__atomic_load_n(&aside, __ATOMIC_SEQ_CST) || RUNNING() != 0 || TAKERS() != 0)
		return;
	pthread_mutex_lock(&aside_mu);
	pthread_cond_signal(&aside_cv);
	pthread_mutex_unlock(&aside_mu);
}

/* wait_aside waits until end at most, or until pe_gil_let_go wakes it;
 * it returns at once when the GIL is free and nobody is on the way to it
 * any more. */
static void wait_aside(struct _gil_runtime_state *gil, int64_t end) {
	struct timespec dl = {.tv_sec = end / 1000000000, .tv_nsec = end % 1000000000};
	pthread_mutex_lock(&aside_mu);
	__atomic_store_n(&aside, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_lock(&gil->mutex);
	int changed = !_Py_atomic_load_relaxed(&gil->locked) && TAKERS() == 0;
	pthread_mutex_unlock(&gil->mutex);
	if (!changed)
		pthread_cond_clockwait(&aside_cv, &aside_mu, CLOCK_MONOTONIC, &dl);
	__atomic_store_n(&aside, 0, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&aside_mu);
}

/* gil_released waits up to timeout_ns for the GIL to be released to the
 * standby, and reports whether it was. It never asks the holder to let go.
 *
 * A free GIL is the standby's when no thread is on its way to take it
 * (PyEval_RestoreThread), and every request's thread that held it let go
 * of it of its own accord: it blocks in a call, or the gate let go
 * (pe_gil_running is 0). A GIL taken from a request's thread by force
 * (another thread waited the switch interval and made it let go) is not:
 * that thread waits to take it back, and taking the queue on then would
 * leave its request behind the queue. When a request's thread lets go in
 * an extension module's call, which calls the real PyEval_SaveThread, the
 * two look alike; that GIL is taken once it has stayed free for
 * pe_gil_grace_ns. */
static int gil_released(int64_t timeout_ns) {
	struct _gil_runtime_state *gil = &_PyRuntime.ceval.gil;
	int64_t now = pe_mono_ns(), end = now + timeout_ns, unclaimed = 0;
	unsigned long switches = 0; /* gil->switch_number when unclaimed was set */
	int mine = 0;
	pthread_mutex_lock(&gil->mutex);
	for (;;) {
		int locked = _Py_atomic_load_relaxed(&gil->locked), takers = TAKERS();
		if (locked || gil->switch_number != switches)
			unclaimed = 0; /* taken since */
		if (!locked && takers == 0) {
			if (RUNNING() == 0 || (unclaimed && now - unclaimed >= pe_gil_grace_ns)) {
				mine = 1;
				break;
			}
			if (!unclaimed) {
				unclaimed = now;
				switches = gil->switch_number;
			}
		}
		if (!locked) {
			/* The condition is the one take_gil waits on, and a
			 * release wakes one of its waiters: one that is not the
			 * standby's goes on to the others. */
			pthread_cond_signal(&gil->cond);
		}
		if (now >= end)
			break;
		if (takers > 0) {
			pthread_mutex_unlock(&gil->mutex);
			wait_aside(gil, end);
			pthread_mutex_lock(&gil->mutex);
		} else {
			int64_t until = unclaimed && unclaimed + pe_gil_grace_ns < end ? unclaimed + pe_gil_grace_ns : end;
			struct timespec dl = {.tv_sec = until / 1000000000, .tv_nsec = until % 1000000000};
			pthread_cond_clockwait(&gil->cond, &gil->mutex, CLOCK_MONOTONIC, &dl);
		}
		now = pe_mono_ns();
	}
	pthread_mutex_unlock(&gil->mutex);
	return mine;
}
#else
int64_t pe_gil_grace_ns;

void pe_gil_let_go(void) {}

static int gil_released(int64_t timeout_ns) {
	(void)timeout_ns;
	return 1;
}
#endif

/* pyembed_gate_await takes the GIL for w's thread state, as
 * pyembed_gate_acquire does, once its holder lets go of it within
 * timeout_ns. It returns -1, without the GIL, when the holder kept it that
 * long; otherwise the nanoseconds it then waited in PyEval_RestoreThread:
 * another thread may take the GIL in between, and a wait of the switch
 * interval there took it from that thread by force. */
int64_t pyembed_gate_await(pyembed_worker *w, int64_t timeout_ns) {
	if (!gil_released(timeout_ns))
		return -1;
	int64_t t0 = pe_mono_ns();
	pyembed_gate_acquire(w);
	return pe_mono_ns() - t0;
}
