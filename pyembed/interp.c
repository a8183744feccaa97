/* interp.c: interpreter life cycle, app import, thread states, errors. */
#define PYEMBED_INTERNAL
#include "pyembed.h"
#include "_cgo_export.h"

#include <stdlib.h>
#include <string.h>

/* Room in the template's table, and so in every environ dict copied from
 * it: the template, the CGI variables and about twenty header fields fit
 * without the dict growing while build_environ fills it. */
#define TEMPLATE_ROOM 42
PyObject *pe_template;          /* constant part of every environ dict */
PyObject *pe_keys[PE_NFIXED];   /* interned CGI names */
PyObject *pe_key_input, *pe_key_close;
PyObject *pe_format_exception;  /* traceback.format_exception */
PyObject *pe_file_wrapper;      /* _gwsgi.FileWrapper */
PyObject *pe_request_timeout;   /* _gwsgi.RequestTimeout */
static PyObject *pe_load_fn;    /* _gwsgi.load */
static PyObject *pe_at_exit_fn; /* _gwsgi.at_exit */
static PyThreadState *main_ts;  /* the initializing thread's state */
static __thread pyembed_worker *tls_worker;

static const char *fixed_names[PE_NFIXED] = {
	"REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING",
	"CONTENT_TYPE", "CONTENT_LENGTH", "SERVER_NAME", "SERVER_PORT",
	"SERVER_PROTOCOL", "REMOTE_ADDR", "REMOTE_PORT", "wsgi.url_scheme",
	"RAW_URI",
};

/* Common values, interned so that most requests build no str for them. */
static const char *common_values[] = {
	"GET", "POST", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS",
	"HTTP/1.1", "HTTP/1.0", "http", "https", "", "/", "80", "443",
	"127.0.0.1", "localhost",
};
#define NCOMMON (sizeof common_values / sizeof common_values[0])
static PyObject *common_objs[NCOMMON];

/* ---- header-name cache: HTTP_* names interned on first sight ---- */

#define NAME_SLOTS 512   /* power of two */
#define NAME_MAX_CACHED 384
#define NAME_MAX_LEN 64
#define VALUE_MAX_KEPT 512 /* longer values (header fields, CGI variables) are not kept for reuse */
static struct {
	uint32_t hash;
	PyObject *s;     /* interned str, owned by the cache */
	PyObject *value; /* the field's last value (str), owned by the cache, or NULL */
} name_cache[NAME_SLOTS];
static int name_count;

static uint32_t fnv(const char *p, Py_ssize_t n) {
	uint32_t h = 2166136261u;
	for (Py_ssize_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 16777619u;
	}
	return h;
}

/* same reports whether the latin-1 str s holds the n bytes at p. */
static int same(PyObject *s, const char *p, Py_ssize_t n) {
	return PyUnicode_GET_LENGTH(s) == n && memcmp(PyUnicode_1BYTE_DATA(s), p, n) == 0;
}

/* name_slot returns the cache slot of an HTTP_* name, interning and
 * caching the name the first time it is seen, or -1 when it is not cached
 * (too long, the cache full, out of memory: PyErr_Occurred says which).
 * GIL held. */
static int name_slot(const char *p, Py_ssize_t n) {
	if (n > NAME_MAX_LEN)
		return -1;
	uint32_t h = fnv(p, n);
	for (uint32_t i = h & (NAME_SLOTS - 1), probes = 0; probes < NAME_SLOTS; i = (i + 1) & (NAME_SLOTS - 1), probes++) {
		PyObject *s = name_cache[i].s;
		if (s == NULL) {
			if (name_count >= NAME_MAX_CACHED)
				return -1;
			PyObject *v = PyUnicode_DecodeLatin1(p, n, NULL); /* new ref */
			if (v == NULL)
				return -1;
			PyUnicode_InternInPlace(&v); /* steals v, gives back a new ref: the cache's */
			name_cache[i].hash = h;
			name_cache[i].s = v;
			name_count++;
			return (int)i;
		}
		if (name_cache[i].hash == h && same(s, p, n))
			return (int)i;
	}
	return -1;
}

/* pe_header returns in *k and *v new references to the name (an HTTP_*
 * name) and value strs of a header field: the name interned and cached
 * the first time it is seen, the value the str the same field had last
 * when the bytes are the same (a client sends the same Host, User-Agent
 * and Accept with every request). Returns -1 with an exception set and
 * both NULL on failure. GIL held. */
int pe_header(const char *name, Py_ssize_t nn, const char *val, Py_ssize_t vn, PyObject **k, PyObject **v) {
	*k = *v = NULL;
	int i = name_slot(name, nn);
	if (i < 0) {
		if (PyErr_Occurred())
			return -1;
		*k = PyUnicode_DecodeLatin1(name, nn, NULL); /* new ref */
		*v = *k ? PyUnicode_DecodeLatin1(val, vn, NULL) : NULL; /* new ref */
		if (*v == NULL) {
			Py_CLEAR(*k);
			return -1;
		}
		return 0;
	}
	PyObject *last = name_cache[i].value;
	if (last != NULL && same(last, val, vn)) {
		Py_INCREF(last);
		*v = last;
	} else {
		*v = PyUnicode_DecodeLatin1(val, vn, NULL); /* new ref */
		if (*v == NULL)
			return -1;
		if (vn <= VALUE_MAX_KEPT) {
			Py_INCREF(*v);
			Py_XSETREF(name_cache[i].value, *v);
		}
	}
	*k = Py_NewRef(name_cache[i].s);
	return 0;
}

/* last_value holds the str each fixed variable had last, reused while
 * requests bring the same bytes (the same path, host, address); guarded
 * by the GIL. */
static PyObject *last_value[PE_NFIXED];

/* pe_value returns a new reference to the str of a CGI value: the one it
 * had last, an interned common value, or a new one. GIL held. */
PyObject *pe_value(int which, const char *p, Py_ssize_t n) {
	PyObject *s = last_value[which];
	if (s != NULL && same(s, p, n))
		return Py_NewRef(s);
	if (which == PE_REQUEST_METHOD || which == PE_SERVER_PROTOCOL || which == PE_URL_SCHEME ||
	    which == PE_SCRIPT_NAME || which == PE_PATH_INFO || which == PE_SERVER_PORT ||
	    which == PE_SERVER_NAME || which == PE_REMOTE_ADDR || which == PE_RAW_URI) {
		for (size_t i = 0; i < NCOMMON; i++) {
			s = common_objs[i];
			if (same(s, p, n)) {
				Py_XSETREF(last_value[which], Py_NewRef(s));
				return Py_NewRef(s);
			}
		}
	}
	s = PyUnicode_DecodeLatin1(p, n, NULL); /* new ref */
	if (s != NULL && n <= VALUE_MAX_KEPT)
		Py_XSETREF(last_value[which], Py_NewRef(s));
	return s;
}

/* ---- _gwsgi: the support module ---- */

/* write_log writes the str s to the error log, at the Python logging
 * level (10 debug ... 50 critical), or as a wsgi.errors line when level
 * is 0; the GIL is released meanwhile. */
static PyObject *write_log(int level, PyObject *s) {
	Py_ssize_t n;
	const char *p = PyUnicode_AsUTF8AndSize(s, &n); /* borrowed from s */
	if (p == NULL)
		return NULL;
	Py_INCREF(s); /* keep p alive without the GIL */
	Py_BEGIN_ALLOW_THREADS
	if (level == 0)
		pyembedLog((char *)p, n);
	else
		pyembedLogAt(level, (char *)p, n);
	Py_END_ALLOW_THREADS
	Py_DECREF(s);
	Py_RETURN_NONE;
}

static PyObject *gw_log(PyObject *self, PyObject *arg) {
	(void)self;
	if (!PyUnicode_Check(arg)) {
		PyErr_Format(PyExc_TypeError, "wsgi.errors.write() argument must be str, not %.100s", Py_TYPE(arg)->tp_name);
		return NULL;
	}
	return write_log(0, arg);
}

static PyObject *gw_log_at(PyObject *self, PyObject *args) {
	(void)self;
	int level;
	PyObject *msg;
	if (!PyArg_ParseTuple(args, "iU:log_at", &level, &msg))
		return NULL;
	return write_log(level > 0 ? level : 10, msg);
}

static PyMethodDef gw_methods[] = {
	{"log", gw_log, METH_O, "log(str): write to the server's error log"},
	{"log_at", gw_log_at, METH_VARARGS, "log_at(level, str): write to the server's error log at a logging level"},
	{NULL, NULL, 0, NULL},
};

static int add_common(void) {
	for (int i = 0; i < PE_NFIXED; i++) {
		pe_keys[i] = PyUnicode_InternFromString(fixed_names[i]); /* new ref, kept */
		if (pe_keys[i] == NULL)
			return -1;
	}
	for (size_t i = 0; i < NCOMMON; i++) {
		common_objs[i] = PyUnicode_InternFromString(common_values[i]); /* new ref, kept */
		if (common_objs[i] == NULL)
			return -1;
	}
	pe_key_input = PyUnicode_InternFromString("wsgi.input"); /* new ref, kept */
	pe_key_close = PyUnicode_InternFromString("close");      /* new ref, kept */
	return pe_key_input && pe_key_close ? 0 : -1;
}

static int set_item(PyObject *d, const char *k, PyObject *v) {
	/* steals v */
	if (v == NULL)
		return -1;
	PyObject *key = PyUnicode_InternFromString(k); /* new ref */
	if (key == NULL) {
		Py_DECREF(v);
		return -1;
	}
	int rc = PyDict_SetItem(d, key, v); /* does not steal */
	Py_DECREF(key);
	Py_DECREF(v);
	return rc;
}

/* run_source executes src in the module dict d; -1 with the exception set
 * if it fails. */
static int run_source(PyObject *d, const char *src, const char *filename) {
	PyObject *code = Py_CompileString(src, filename, Py_file_input); /* new ref */
	if (code == NULL)
		return -1;
	PyObject *r = PyEval_EvalCode(code, d, d); /* new ref */
	Py_DECREF(code);
	if (r == NULL)
		return -1;
	Py_DECREF(r);
	return 0;
}

static int build_support(const char *src, const char *hooks_src, int multiprocess) {
	PyObject *mod = PyImport_AddModule("_gwsgi"); /* borrowed (owned by sys.modules) */
	if (mod == NULL)
		return -1;
	PyObject *d = PyModule_GetDict(mod); /* borrowed */
	for (PyMethodDef *m = gw_methods; m->ml_name != NULL; m++) {
		PyObject *f = PyCFunction_NewEx(m, NULL, NULL); /* new ref */
		if (f == NULL || PyDict_SetItemString(d, m->ml_name, f) < 0) {
			Py_XDECREF(f);
			return -1;
		}
		Py_DECREF(f);
	}
	if (PyDict_GetItemString(d, "__builtins__") == NULL && /* borrowed */
	    PyDict_SetItemString(d, "__builtins__", PyEval_GetBuiltins()) < 0) /* borrowed */
		return -1;
	if (run_source(d, src, "<gwsgi support.py>") < 0 || run_source(d, hooks_src, "<gwsgi hooks.py>") < 0)
		return -1;
	pe_load_fn = PyDict_GetItemString(d, "load");              /* borrowed */
	pe_at_exit_fn = PyDict_GetItemString(d, "at_exit");        /* borrowed */
	pe_file_wrapper = PyDict_GetItemString(d, "FileWrapper");  /* borrowed */
	pe_request_timeout = PyDict_GetItemString(d, "RequestTimeout"); /* borrowed */
	PyObject *errors = PyDict_GetItemString(d, "errors");      /* borrowed */
	if (!pe_load_fn || !pe_at_exit_fn || !pe_file_wrapper || !pe_request_timeout || !errors) {
		PyErr_SetString(PyExc_RuntimeError, "gwsgi support module incomplete");
		return -1;
	}
	Py_INCREF(pe_load_fn);
	Py_INCREF(pe_at_exit_fn);
	Py_INCREF(pe_file_wrapper);
	Py_INCREF(pe_request_timeout);

	PyObject *tb = PyImport_ImportModule("traceback"); /* new ref */
	if (tb == NULL)
		return -1;
	pe_format_exception = PyObject_GetAttrString(tb, "format_exception"); /* new ref, kept */
	Py_DECREF(tb);
	if (pe_format_exception == NULL)
		return -1;

	pe_template = _PyDict_NewPresized(TEMPLATE_ROOM); /* new ref, kept */
	if (pe_template == NULL)
		return -1;
	Py_INCREF(errors); /* set_item steals */
	Py_INCREF(pe_file_wrapper);
	if (set_item(pe_template, "SERVER_SOFTWARE", PyUnicode_FromString("gwsgi")) < 0 ||
	    set_item(pe_template, "wsgi.version", Py_BuildValue("(ii)", 1, 0)) < 0 ||
	    set_item(pe_template, "wsgi.errors", errors) < 0 ||
	    set_item(pe_template, "wsgi.multithread", PyBool_FromLong(1)) < 0 ||
	    set_item(pe_template, "wsgi.multiprocess", PyBool_FromLong(multiprocess)) < 0 ||
	    set_item(pe_template, "wsgi.run_once", PyBool_FromLong(0)) < 0 ||
	    set_item(pe_template, "wsgi.input_terminated", PyBool_FromLong(1)) < 0 ||
	    set_item(pe_template, "wsgi.file_wrapper", pe_file_wrapper) < 0)
		return -1;
	return 0;
}

/* err_text formats the pending Python exception, clears it, and returns a
 * malloc'd string (never NULL). GIL held. */
static char *err_text(Py_ssize_t *len) {
	PyObject *type, *value, *tb;
	PyErr_Fetch(&type, &value, &tb); /* new refs (each may be NULL) */
	PyErr_NormalizeException(&type, &value, &tb);
	char *out = NULL;
	Py_ssize_t n = 0;
	if (type != NULL && pe_format_exception != NULL) {
		if (tb != NULL && value != NULL)
			PyException_SetTraceback(value, tb);
		PyObject *lines = PyObject_CallFunctionObjArgs(pe_format_exception, type,
			value ? value : Py_None, tb ? tb : Py_None, NULL); /* new ref */
		PyObject *sep = lines ? PyUnicode_FromString("") : NULL; /* new ref */
		PyObject *joined = sep ? PyUnicode_Join(sep, lines) : NULL; /* new ref */
		const char *p = joined ? PyUnicode_AsUTF8AndSize(joined, &n) : NULL; /* borrowed */
		if (p != NULL) {
			out = malloc(n + 1);
			if (out) {
				memcpy(out, p, n);
				out[n] = 0;
			}
		}
		Py_XDECREF(joined);
		Py_XDECREF(sep);
		Py_XDECREF(lines);
		PyErr_Clear(); /* a failure to format is reported below */
	}
	if (out == NULL && type != NULL) {
		/* fall back to the type name */
		const char *name = ((PyTypeObject *)type)->tp_name;
		n = strlen(name);
		out = malloc(n + 1);
		if (out)
			memcpy(out, name, n + 1);
	}
	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
	if (out == NULL) {
		out = strdup("unknown Python error");
		n = out ? (Py_ssize_t)strlen(out) : 0;
	}
	*len = n;
	return out;
}

/* pyembed_init initializes the interpreter on the calling thread, which
 * keeps the GIL: the caller then loads apps and calls pyembed_save_main.
 * Returns 0, or -1 when the interpreter cannot start (it prints why), or
 * -2 when the support module fails (the traceback is printed to stderr). */
int pyembed_init(const char *program, const char *support_src, const char *hooks_src, int multiprocess) {
	PyConfig config;
	PyConfig_InitPythonConfig(&config);
	config.install_signal_handlers = 0; /* Go owns signals */
	config.parse_argv = 0;
	PyStatus st = PyConfig_SetBytesString(&config, &config.program_name, program);
	if (!PyStatus_Exception(st)) {
		char *argv0 = "gwsgi";
		st = PyConfig_SetBytesArgv(&config, 1, &argv0);
	}
	if (!PyStatus_Exception(st))
		st = Py_InitializeFromConfig(&config);
	PyConfig_Clear(&config);
	if (PyStatus_Exception(st)) {
		if (st.err_msg)
			fprintf(stderr, "gwsgi: python: %s%s%s\n", st.func ? st.func : "", st.func ? ": " : "", st.err_msg);
		return -1;
	}
	if (add_common() < 0 || pe_types_ready() < 0 || build_support(support_src, hooks_src, multiprocess) < 0) {
		PyErr_Print();
		return -2;
	}
	return 0;
}

/* pyembed_save_main releases the GIL held by the initializing thread. */
void pyembed_save_main(void) { main_ts = PyEval_SaveThread(); }

/* pyembed_restore_main takes the GIL back on the initializing thread. */
void pyembed_restore_main(void) { PyEval_RestoreThread(main_ts); }

/* pyembed_finalize ends the interpreter; the caller is the initializing
 * thread and holds the GIL (pyembed_restore_main). */
int pyembed_finalize(void) {
	if (pe_at_exit_fn != NULL) {
		PyObject *r = PyObject_CallNoArgs(pe_at_exit_fn); /* new ref */
		if (r == NULL) {
			Py_ssize_t n;
			char *msg = err_text(&n);
			if (msg != NULL) {
				pyembedLogAt(40, msg, n);
				free(msg);
			}
		}
		Py_XDECREF(r);
	}
	Py_CLEAR(pe_load_fn);
	Py_CLEAR(pe_at_exit_fn);
	return Py_FinalizeEx();
}

/* pyembed_load imports spec on the initializing thread, which holds the
 * GIL. It returns a new reference to the callable, or NULL with *err a
 * malloc'd traceback. paths is a '\0'-separated list ended by an empty
 * string ("" for none); options is the JSON object _gwsgi.load reads. */
PyObject *pyembed_load(const char *spec, const char *chdir, const char *paths, const char *options, char **err) {
	PyObject *list = PyList_New(0); /* new ref */
	PyObject *res = NULL;
	if (list != NULL) {
		int ok = 1;
		for (const char *p = paths; *p; p += strlen(p) + 1) {
			PyObject *s = PyUnicode_DecodeFSDefault(p); /* new ref */
			if (s == NULL || PyList_Append(list, s) < 0)
				ok = 0;
			Py_XDECREF(s);
			if (!ok)
				break;
		}
		if (ok)
			res = PyObject_CallFunction(pe_load_fn, "ssOs", spec, chdir, list, options); /* new ref */
		Py_DECREF(list);
	}
	if (res == NULL) {
		Py_ssize_t n;
		*err = err_text(&n);
	}
	return res;
}

/* pyembed_decref drops a reference; the caller holds the GIL. */
void pyembed_decref(PyObject *o) { Py_XDECREF(o); }

/* ---- workers ---- */

pyembed_worker *pyembed_worker_new(int slot) {
	pyembed_worker *w = calloc(1, sizeof *w);
	if (w)
		w->slot = slot;
	return w;
}

/* pyembed_worker_attach gives w a persistent thread state bound to the
 * calling OS thread (which Go has locked for life) and makes w that
 * thread's worker. The GIL need not be held. */
void pyembed_worker_attach(pyembed_worker *w) {
	PyInterpreterState *interp = main_ts->interp;
	w->ts = PyThreadState_New(interp); /* binds to this thread's PyGILState slot if free */
	tls_worker = w;
}

/* pyembed_worker_detach deletes w's thread state; the calling thread is
 * the one that attached it. */
void pyembed_worker_detach(pyembed_worker *w) {
	if (w->ts == NULL)
		return;
	PyEval_RestoreThread(w->ts);
	pe_drop_deferred(w);
	Py_CLEAR(w->start_cache);
	Py_CLEAR(w->input_cache);
	Py_CLEAR(w->write_cache);
	PyThreadState_Clear(w->ts);
	PyThreadState_DeleteCurrent(); /* releases the GIL */
	w->ts = NULL;
	if (tls_worker == w)
		tls_worker = NULL;
}

int pe_gil_running;

/* set_running counts w in pe_gil_running (on) or not. Only w's thread
 * calls it. */
static void set_running(pyembed_worker *w, int on) {
	if (w->running != on) {
		w->running = on;
		__atomic_add_fetch(&pe_gil_running, on ? 1 : -1, __ATOMIC_SEQ_CST);
	}
}

/* pe_set_active starts (on) or ends w's request, and keeps pe_gil_running:
 * the workers whose request runs and whose thread has not let go of the
 * GIL of its own accord since. A worker starts its request holding the
 * GIL. */
void pe_set_active(pyembed_worker *w, int on) {
	w->active = on;
	set_running(w, on);
}

#ifdef PE_WRAP_GIL
void __real_PyEval_RestoreThread(PyThreadState *ts);
PyThreadState *__real_PyEval_SaveThread(void);

int pe_gil_takers;

/* The interpreter's own calls to PyEval_SaveThread and
 * PyEval_RestoreThread (-Wl,--wrap), so every Py_BEGIN_ALLOW_THREADS and
 * Py_END_ALLOW_THREADS of its built-in modules (time.sleep, sockets,
 * select, files, locks), and this package's, go through these wrappers.
 * Extension modules loaded at run time call the real ones.
 *
 * __wrap_PyEval_SaveThread: a request's thread lets go of the GIL of its
 * own accord (it blocks, or the gate lets go); it no longer counts in
 * pe_gil_running. After any release of a worker's thread (the gate's too)
 * a standby waiting aside may take the GIL on. */
PyThreadState *__wrap_PyEval_SaveThread(void) {
	pyembed_worker *w = tls_worker;
	if (w == NULL)
		return __real_PyEval_SaveThread();
	set_running(w, 0);
	PyThreadState *ts = __real_PyEval_SaveThread();
	pe_gil_let_go();
	return ts;
}

/* __wrap_PyEval_RestoreThread adds the time the calling thread waited for
 * the GIL to its worker while a request runs there, and counts the
 * request in pe_gil_running again. pe_gil_takers counts the threads
 * inside it: those about to take the GIL or waiting for it (gilwait.c
 * leaves the GIL to them). */
void __wrap_PyEval_RestoreThread(PyThreadState *ts) {
	pyembed_worker *w = tls_worker;
	int timed = w != NULL && w->active;
	int64_t t0 = timed ? pe_mono_ns() : 0;
	__atomic_add_fetch(&pe_gil_takers, 1, __ATOMIC_SEQ_CST);
	__real_PyEval_RestoreThread(ts);
	__atomic_sub_fetch(&pe_gil_takers, 1, __ATOMIC_SEQ_CST);
	if (timed) {
		w->gil_wait_ns += pe_mono_ns() - t0;
		set_running(w, 1);
	}
}
#endif

/* pyembed_current returns the calling thread's worker, NULL if none. */
pyembed_worker *pyembed_current(void) { return tls_worker; }

/* pe_enter takes the GIL for one entry point, unless the gate holds it
 * for the worker already (then the entry point runs under it). */
void pe_enter(pyembed_worker *w) {
	if (w->held)
		return;
	if (w->ts)
		PyEval_RestoreThread(w->ts);
	else
		w->gs = PyGILState_Ensure();
}

/* pe_leave undoes pe_enter: the gate's GIL stays held. */
void pe_leave(pyembed_worker *w) {
	if (w->held)
		return;
	if (w->ts)
		PyEval_SaveThread();
	else
		PyGILState_Release(w->gs);
}

/* pyembed_gate_acquire takes the GIL with w's persistent thread state and
 * keeps it across entry points until pyembed_gate_release: a worker
 * serving several requests in a row takes it once. */
void pyembed_gate_acquire(pyembed_worker *w) {
	PyEval_RestoreThread(w->ts);
	w->held = 1;
}

/* pyembed_gate_release gives back the GIL pyembed_gate_acquire took, if
 * the calling thread holds it at this moment: a Go callback that C runs
 * between Py_BEGIN_ALLOW_THREADS and Py_END_ALLOW_THREADS has released it
 * already. Returns 1 when it released the GIL. */
int pyembed_gate_release(pyembed_worker *w) {
	if (!w->held || _PyThreadState_UncheckedGet() != w->ts)
		return 0;
	w->held = 0;
	PyEval_SaveThread();
	return 1;
}

/* pyembed_switch_interval_us is the interpreter's switch interval
 * (sys.getswitchinterval()), in microseconds. */
long pyembed_switch_interval_us(void) { return (long)_PyEval_GetSwitchInterval(); }

/* pe_fail records msg as w's error. */
void pe_fail(pyembed_worker *w, const char *msg) {
	free(w->err);
	w->errlen = strlen(msg);
	w->err = strdup(msg);
	if (w->err == NULL)
		w->errlen = 0;
}

/* pe_fail_exc records the pending Python exception as w's error. */
void pe_fail_exc(pyembed_worker *w) {
	free(w->err);
	w->err = err_text(&w->errlen);
}

/* pyembed_reserve makes w->buf hold at least n bytes; Go calls it, without
 * the GIL, from a read callback. */
char *pyembed_reserve(pyembed_worker *w, Py_ssize_t n) {
	if (n > w->capbuf) {
		Py_ssize_t c = w->capbuf ? w->capbuf : 256;
		while (c < n)
			c *= 2;
		char *b = realloc(w->buf, c);
		if (b == NULL)
			return NULL;
		w->buf = b;
		w->capbuf = c;
	}
	return w->buf;
}

/* pe_raise sets a Python exception for a Go callback's status. */
void pe_raise(int code, const char *p, Py_ssize_t n) {
	PyObject *type;
	switch (code) {
	case PE_TYPE_ERROR: type = PyExc_TypeError; break;
	case PE_VALUE_ERROR: type = PyExc_ValueError; break;
	case PE_OS_ERROR: type = PyExc_OSError; break;
	default: type = PyExc_RuntimeError; break;
	}
	PyObject *msg = PyUnicode_DecodeUTF8(p, n, "replace"); /* new ref */
	if (msg == NULL)
		return;
	PyErr_SetObject(type, msg);
	Py_DECREF(msg);
}

/* pyembed_set_error lets Go set a Python exception (GIL held). */
void pyembed_set_error(int code, const char *p, Py_ssize_t n) { pe_raise(code, p, n); }
