/* control.c: what the server does to the interpreter from outside a
 * request: raise RequestTimeout in a stuck request's thread, and keep the
 * server's signal handlers when the app installs its own at import. */
#define PYEMBED_INTERNAL
#include "pyembed.h"

#include <signal.h>
#include <string.h>

/* pyembed_gil_ensure takes the GIL from a thread that has no thread state
 * of its own (PyGILState_Ensure); pyembed_gil_release gives it back. */
int pyembed_gil_ensure(void) { return (int)PyGILState_Ensure(); }

void pyembed_gil_release(int state) { PyGILState_Release((PyGILState_STATE)state); }

/* pyembed_interrupt sets RequestTimeout as w's thread's asynchronous
 * exception: it is raised there when the thread next runs Python code
 * (at once in a Python loop; when a blocking call returns otherwise).
 * The caller holds the GIL (pyembed_gil_ensure) and has checked that w
 * still runs the request to interrupt. Returns 1 when set. */
int pyembed_interrupt(pyembed_worker *w) {
	if (w->ts == NULL)
		return 0;
	if (PyThreadState_SetAsyncExc(w->ts->thread_id, pe_request_timeout) != 1)
		return 0;
	w->interrupted = 1;
	return 1;
}

/* pe_clear_interrupt drops a RequestTimeout still pending on w's thread
 * from a request that ended before it was raised; the caller holds the
 * GIL, at the start of the next request. */
void pe_clear_interrupt(pyembed_worker *w) {
	if (w->interrupted && w->ts != NULL) {
		PyThreadState_SetAsyncExc(w->ts->thread_id, NULL);
		w->interrupted = 0;
	}
}

/* The server's actions for the signals it keeps, saved before the app is
 * imported. */
static struct sigaction saved[NSIG];

/* pyembed_sig_save records sig's current action (the server's). */
void pyembed_sig_save(int sig) {
	if (sig > 0 && sig < NSIG)
		sigaction(sig, NULL, &saved[sig]);
}

/* pyembed_sig_reclaim puts the saved action of sig back if something (the
 * app's signal.signal at import) replaced it, and reports whether it
 * did. */
int pyembed_sig_reclaim(int sig) {
	struct sigaction now;
	if (sig <= 0 || sig >= NSIG || sigaction(sig, NULL, &now) != 0)
		return 0;
	if (now.sa_handler == saved[sig].sa_handler)
		return 0;
	sigaction(sig, &saved[sig], NULL);
	return 1;
}
