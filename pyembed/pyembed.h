/* pyembed.h: the C side of package pyembed, the only cgo code of gwsgi.
 *
 * Ownership conventions: every CPython call in the .c files is marked
 * "new ref", "borrowed" or "steals". A pyembed_worker is malloc'd once and
 * never freed while the interpreter lives (Python objects may keep a
 * pointer to it); Go hands it out again through its free list.
 */
#ifndef GWSGI_PYEMBED_H
#define GWSGI_PYEMBED_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

/* Indexes of the fixed CGI variables in the vars array given to
 * pyembed_call: each takes two int32s, offset and length (length < 0: the
 * variable is absent). The HTTP_* variables follow, four int32s each:
 * name offset, name length, value offset, value length. */
enum {
	PE_REQUEST_METHOD,
	PE_SCRIPT_NAME,
	PE_PATH_INFO,
	PE_QUERY_STRING,
	PE_CONTENT_TYPE,
	PE_CONTENT_LENGTH,
	PE_SERVER_NAME,
	PE_SERVER_PORT,
	PE_SERVER_PROTOCOL,
	PE_REMOTE_ADDR,
	PE_REMOTE_PORT,
	PE_URL_SCHEME,
	PE_RAW_URI,
	PE_NFIXED
};

/* Result kinds of pyembed_call. */
enum {
	PE_ERROR = -1,  /* err holds the message */
	PE_LIST = 1,    /* chunks hold every body chunk (list or tuple of bytes) */
	PE_ITER = 2,    /* pyembed_next yields the chunks */
	PE_FILE = 3     /* a wsgi.file_wrapper over a regular file: file_* say where; pyembed_next iterates it too */
};

/* Status codes the Go callbacks return to C. */
enum {
	PE_OK = 0,
	PE_TYPE_ERROR = 1,   /* msg: raise TypeError */
	PE_VALUE_ERROR = 2,  /* msg: raise ValueError */
	PE_OS_ERROR = 3,     /* msg: raise OSError (connection or body lost) */
	PE_RUNTIME_ERROR = 4,
	PE_RERAISE = 5       /* re-raise the exc_info given to start_response */
};

/* A string borrowed from a Python str (1-byte kind) for a Go callback. */
typedef struct {
	const char *p;
	Py_ssize_t n;
} pe_str;

/* One OS thread's (or one ephemeral caller's) Python state and the state
 * of the request it runs. Only the thread that runs the request touches it,
 * under the GIL except where noted. */
typedef struct pyembed_worker {
	int slot;            /* index in Go's worker table */
	PyThreadState *ts;   /* persistent thread state; NULL: PyGILState per call */
	PyGILState_STATE gs; /* PyGILState_Ensure's result while ts == NULL */
	uint32_t gen;        /* request generation; objects of older requests are stale */
	int active;          /* a request runs (pe_set_active) */
	int running;         /* ... and the thread has not let go of the GIL of its own accord since (counted in pe_gil_running) */
	int held;            /* the gate holds the GIL for ts across calls (pyembed_gate_*) */
	int64_t gil_wait_ns; /* time this thread waited for the GIL while a request ran (PE_WRAP_GIL) */
	int interrupted;     /* RequestTimeout was set for ts (pyembed_interrupt), under the GIL */

	PyObject *start_cache; /* start_response object reused while nobody else holds it */
	PyObject *input_cache; /* wsgi.input object, idem */
	PyObject *write_cache; /* write callable, idem */

	PyObject *result;    /* new ref: what the app returned */
	PyObject *iter;      /* new ref: iter(result), PE_ITER only */
	PyObject *cur;       /* new ref: the chunk pyembed_next returned last */

	/* PE_LIST: the chunks; Go reads ptrs/lens without the GIL, since objs
	 * holds a reference to each bytes object until pyembed_close. */
	PyObject **objs;
	pe_str *chunks;
	Py_ssize_t nchunks, capchunks;

	/* PE_FILE: the file's descriptor (owned by the result), offset and
	 * the bytes left */
	int file_fd;
	int64_t file_off, file_len;

	/* a finished small list result whose references pyembed_defer kept
	 * for the worker's next call to drop under the GIL it takes anyway */
	PyObject **dobjs;
	Py_ssize_t ndobjs, capdobjs;

	/* pyembed_next's chunk (owned by cur) */
	const char *out_p;
	Py_ssize_t out_n;

	/* error text of the last failed call, malloc'd; Go frees it */
	char *err;
	Py_ssize_t errlen;

	/* start_response's header list, borrowed from the str objects */
	pe_str *hdrs;
	Py_ssize_t caphdrs;

	/* readline's bytes, written by Go */
	char *buf;
	Py_ssize_t capbuf;
} pyembed_worker;

/* interp.c */
int pyembed_init(const char *program, const char *support_src, const char *hooks_src, int multiprocess);
void pyembed_save_main(void);
void pyembed_restore_main(void);
int pyembed_finalize(void);
PyObject *pyembed_load(const char *spec, const char *chdir, const char *paths, const char *options, char **err);
void pyembed_decref(PyObject *o);
pyembed_worker *pyembed_worker_new(int slot);
void pyembed_worker_attach(pyembed_worker *w);
void pyembed_worker_detach(pyembed_worker *w);
pyembed_worker *pyembed_current(void);
char *pyembed_reserve(pyembed_worker *w, Py_ssize_t n);
void pyembed_gate_acquire(pyembed_worker *w);
int pyembed_gate_release(pyembed_worker *w);
long pyembed_switch_interval_us(void);
void pyembed_set_error(int code, const char *p, Py_ssize_t n);

/* gilwait.c */
int64_t pyembed_gate_await(pyembed_worker *w, int64_t timeout_ns);
int64_t pe_mono_ns(void);
extern int64_t pe_gil_grace_ns;
void pe_gil_let_go(void);
extern int pe_gil_running; /* requests whose thread has not let go of the GIL of its own accord (interp.c) */
#ifdef PE_WRAP_GIL
extern int pe_gil_takers; /* threads in PyEval_RestoreThread (interp.c) */
#endif

/* control.c */
int pyembed_gil_ensure(void);
void pyembed_gil_release(int state);
int pyembed_interrupt(pyembed_worker *w);
void pe_clear_interrupt(pyembed_worker *w);
void pyembed_sig_save(int sig);
int pyembed_sig_reclaim(int sig);

/* call.c */
int pyembed_call(pyembed_worker *w, PyObject *app, const char *base, const int32_t *vars, int nheaders);
int pyembed_next(pyembed_worker *w);
int pyembed_close(pyembed_worker *w);
int pyembed_defer(pyembed_worker *w);
void pe_drop_deferred(pyembed_worker *w);

/* internal, shared between the .c files */
#ifdef PYEMBED_INTERNAL
extern PyTypeObject pe_start_type, pe_write_type, pe_input_type;
extern PyObject *pe_template;     /* constant part of every environ */
extern PyObject *pe_keys[PE_NFIXED];
extern PyObject *pe_key_input, *pe_key_close;
extern PyObject *pe_format_exception;
extern PyObject *pe_file_wrapper;
extern PyObject *pe_request_timeout;
void pe_enter(pyembed_worker *w);
void pe_leave(pyembed_worker *w);
void pe_fail(pyembed_worker *w, const char *msg);
void pe_fail_exc(pyembed_worker *w);
void pe_set_active(pyembed_worker *w, int on);
int pe_header(const char *name, Py_ssize_t nn, const char *val, Py_ssize_t vn, PyObject **k, PyObject **v);
PyObject *pe_value(int which, const char *p, Py_ssize_t n);
PyObject *pe_start_new(pyembed_worker *w);
PyObject *pe_input_new(pyembed_worker *w);
int pe_types_ready(void);
void pe_raise(int code, const char *p, Py_ssize_t n);
#endif

#endif
