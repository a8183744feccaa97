/* call.c: one request: environ dict, the app call, the result's chunks,
 * close(). Every entry point takes the GIL with the worker's thread state
 * and gives it back before returning. */
#define PYEMBED_INTERNAL
#include "pyembed.h"

#include <stdlib.h>

/* build_environ returns a new reference to the environ dict of a request
 * whose variables are described by base and vars (see pyembed.h). */
static PyObject *build_environ(pyembed_worker *w, const char *base, const int32_t *vars, int nheaders) {
	PyObject *env = PyDict_Copy(pe_template); /* new ref */
	if (env == NULL)
		return NULL;
	for (int i = 0; i < PE_NFIXED; i++) {
		int32_t off = vars[2 * i], n = vars[2 * i + 1];
		if (n < 0)
			continue;
		PyObject *v = pe_value(i, base + off, n); /* new ref */
		if (v == NULL || PyDict_SetItem(env, pe_keys[i], v) < 0) {
			Py_XDECREF(v);
			Py_DECREF(env);
			return NULL;
		}
		Py_DECREF(v);
	}
	const int32_t *h = vars + 2 * PE_NFIXED;
	for (int i = 0; i < nheaders; i++, h += 4) {
		PyObject *k, *v; /* new refs */
		if (pe_header(base + h[0], h[1], base + h[2], h[3], &k, &v) < 0 || PyDict_SetItem(env, k, v) < 0) {
			Py_XDECREF(k);
			Py_XDECREF(v);
			Py_DECREF(env);
			return NULL;
		}
		Py_DECREF(k);
		Py_DECREF(v);
	}
	PyObject *input = pe_input_new(w); /* new ref */
	if (input == NULL || PyDict_SetItem(env, pe_key_input, input) < 0) {
		Py_XDECREF(input);
		Py_DECREF(env);
		return NULL;
	}
	Py_DECREF(input);
	return env;
}

/* call_close calls result.close() when the result has one. Returns -1 with
 * the exception pending when close() raised. */
static int call_close(PyObject *result) {
	if (PyList_CheckExact(result) || PyTuple_CheckExact(result) ||
	    PyBytes_CheckExact(result) || PyUnicode_CheckExact(result))
		return 0;
	PyObject *close = PyObject_GetAttr(result, pe_key_close); /* new ref */
	if (close == NULL) {
		if (PyErr_ExceptionMatches(PyExc_AttributeError)) {
			PyErr_Clear();
			return 0;
		}
		return -1;
	}
	PyObject *r = PyObject_CallNoArgs(close); /* new ref */
	Py_DECREF(close);
	if (r == NULL)
		return -1;
	Py_DECREF(r);
	return 0;
}

/* cleanup drops every reference the request holds and calls close().
 * Returns -1 (with w->err) when close() raised. GIL held. */
static int cleanup(pyembed_worker *w) {
	int rc = 0;
	Py_CLEAR(w->cur);
	for (Py_ssize_t i = 0; i < w->nchunks; i++)
		Py_CLEAR(w->objs[i]);
	w->nchunks = 0;
	Py_CLEAR(w->iter);
	if (w->result != NULL) {
		if (call_close(w->result) < 0) {
			pe_fail_exc(w);
			rc = -1;
		}
		Py_CLEAR(w->result);
	}
	pe_set_active(w, 0);
	return rc;
}

/* fail_type records fmt, with obj's type name for its %s, as the error. */
static void fail_type(pyembed_worker *w, const char *fmt, PyObject *obj) {
	PyObject *m = PyUnicode_FromFormat(fmt, Py_TYPE(obj)->tp_name); /* new ref */
	const char *p = m ? PyUnicode_AsUTF8(m) : NULL;                 /* borrowed */
	if (p)
		pe_fail(w, p);
	else
		pe_fail_exc(w);
	Py_XDECREF(m);
}

/* fail_result records the error as fail_type does, then closes the result. */
static int fail_result(pyembed_worker *w, const char *fmt, PyObject *obj) {
	fail_type(w, fmt, obj);
	if (cleanup(w) < 0)
		PyErr_Clear(); /* the first error is the one reported */
	return PE_ERROR;
}

static int grow_chunks(pyembed_worker *w, Py_ssize_t n) {
	if (n <= w->capchunks)
		return 0;
	Py_ssize_t c = w->capchunks ? w->capchunks : 8;
	while (c < n)
		c *= 2;
	PyObject **objs = realloc(w->objs, c * sizeof *objs);
	if (objs == NULL)
		return -1;
	w->objs = objs;
	pe_str *chunks = realloc(w->chunks, c * sizeof *chunks);
	if (chunks == NULL)
		return -1;
	w->chunks = chunks;
	w->capchunks = c;
	return 0;
}

/* locate_file asks a wsgi.file_wrapper result where its file is: 0 with
 * w->file_* set when it wraps a regular file, -1 otherwise (the result is
 * then iterated). GIL held. */
static int locate_file(pyembed_worker *w) {
	PyObject *t = PyObject_CallMethod(w->result, "_gwsgi_file", NULL); /* new ref */
	long long fd, off, len;
	int ok = t != NULL && PyTuple_Check(t) &&
	         PyArg_ParseTuple(t, "LLL", &fd, &off, &len) && fd >= 0 && off >= 0 && len >= 0;
	if (!ok)
		PyErr_Clear(); /* None, or anything odd: iterate instead */
	Py_XDECREF(t);
	if (!ok)
		return -1;
	w->file_fd = (int)fd;
	w->file_off = off;
	w->file_len = len;
	return 0;
}

/* classify turns the app's result into PE_LIST, PE_ITER or PE_FILE. GIL held. */
static int classify(pyembed_worker *w) {
	PyObject *res = w->result;
	if (PyList_CheckExact(res) || PyTuple_CheckExact(res)) {
		Py_ssize_t n = PySequence_Fast_GET_SIZE(res);
		PyObject **items = PySequence_Fast_ITEMS(res); /* borrowed */
		if (grow_chunks(w, n) < 0) {
			PyErr_NoMemory();
			pe_fail_exc(w);
			cleanup(w);
			return PE_ERROR;
		}
		for (Py_ssize_t i = 0; i < n; i++) {
			PyObject *item = items[i]; /* borrowed */
			if (!PyBytes_Check(item))
				return fail_result(w, "app returned a list holding %s; WSGI needs bytes", item);
			Py_INCREF(item); /* the list may change once the GIL is released */
			w->objs[i] = item;
			w->chunks[i].p = PyBytes_AS_STRING(item);
			w->chunks[i].n = PyBytes_GET_SIZE(item);
			w->nchunks = i + 1;
		}
		return PE_LIST;
	}
	if (PyUnicode_Check(res))
		return fail_result(w, "app returned %s; WSGI needs an iterable of bytes, such as [body.encode()]", res);
	if (PyBytes_Check(res))
		return fail_result(w, "app returned %s; WSGI needs an iterable of bytes, such as [body]", res);
	w->iter = PyObject_GetIter(res); /* new ref */
	if (w->iter == NULL) {
		PyErr_Clear();
		return fail_result(w, "app returned %s, which is not iterable; WSGI needs an iterable of bytes", res);
	}
	if (Py_IS_TYPE(res, (PyTypeObject *)pe_file_wrapper) && locate_file(w) == 0)
		return PE_FILE;
	return PE_ITER;
}

/* pyembed_call runs the app for one request. On PE_LIST and PE_ITER the
 * request stays active until pyembed_close; on PE_ERROR it is over. */
int pyembed_call(pyembed_worker *w, PyObject *app, const char *base, const int32_t *vars, int nheaders) {
	pe_enter(w);
	pe_clear_interrupt(w);
	pe_drop_deferred(w);
	w->gen++;
	pe_set_active(w, 1);
	int rc;
	PyObject *env = build_environ(w, base, vars, nheaders); /* new ref */
	PyObject *start = env ? pe_start_new(w) : NULL;          /* new ref */
	if (start == NULL) {
		pe_fail_exc(w);
		Py_XDECREF(env);
		cleanup(w);
		pe_leave(w);
		return PE_ERROR;
	}
	PyObject *args[2] = {env, start};
	w->result = PyObject_Vectorcall(app, args, 2, NULL); /* new ref */
	Py_DECREF(env);
	Py_DECREF(start);
	if (w->result == NULL) {
		pe_fail_exc(w);
		cleanup(w);
		rc = PE_ERROR;
	} else {
		rc = classify(w);
	}
	pe_leave(w);
	return rc;
}

/* pyembed_next advances a PE_ITER result: 1 with out_p/out_n set (owned by
 * w->cur until the next call), 0 at the end, PE_ERROR with w->err. Empty
 * chunks are skipped. */
int pyembed_next(pyembed_worker *w) {
	pe_enter(w);
	Py_CLEAR(w->cur);
	int rc;
	for (;;) {
		PyObject *item = PyIter_Next(w->iter); /* new ref */
		if (item == NULL) {
			if (PyErr_Occurred()) {
				pe_fail_exc(w);
				rc = PE_ERROR;
			} else {
				rc = 0;
			}
			break;
		}
		if (!PyBytes_Check(item)) {
			fail_type(w, "app yielded %s, WSGI needs bytes", item);
			Py_DECREF(item);
			rc = PE_ERROR;
			break;
		}
		if (PyBytes_GET_SIZE(item) == 0) {
			Py_DECREF(item);
			continue;
		}
		w->cur = item; /* keeps out_p alive */
		w->out_p = PyBytes_AS_STRING(item);
		w->out_n = PyBytes_GET_SIZE(item);
		rc = 1;
		break;
	}
	pe_leave(w);
	return rc;
}

/* pyembed_close ends the request: drops the chunks, calls close(). Returns
 * 0, or PE_ERROR with w->err when close() raised. */
int pyembed_close(pyembed_worker *w) {
	pe_enter(w);
	pe_drop_deferred(w);
	int rc = cleanup(w) < 0 ? PE_ERROR : 0;
	pe_leave(w);
	return rc;
}

/* Results up to this many bytes may have their references dropped late. */
#define PE_DEFER_MAX (64 * 1024)

/* pyembed_defer ends a PE_LIST request without taking the GIL when that
 * changes nothing the app can see: the result is an exact list or tuple (no
 * close() to call) of at most PE_DEFER_MAX bytes, on a worker with its own
 * thread state. Its references move to w->dobjs, which the worker's next
 * call drops under the GIL it takes anyway: one GIL round trip less per
 * request. Returns 0 when it did, -1 when the caller must pyembed_close.
 * Touches no Python state: no GIL needed. */
int pyembed_defer(pyembed_worker *w) {
	if (w->ts == NULL || w->ndobjs > 0 || w->cur != NULL || w->iter != NULL || w->result == NULL)
		return -1;
	if (!PyList_CheckExact(w->result) && !PyTuple_CheckExact(w->result))
		return -1;
	Py_ssize_t total = 0;
	for (Py_ssize_t i = 0; i < w->nchunks; i++)
		total += w->chunks[i].n;
	if (total > PE_DEFER_MAX)
		return -1;
	Py_ssize_t need = w->nchunks + 1;
	if (need > w->capdobjs) {
		PyObject **d = realloc(w->dobjs, need * sizeof *d);
		if (d == NULL)
			return -1;
		w->dobjs = d;
		w->capdobjs = need;
	}
	memcpy(w->dobjs, w->objs, w->nchunks * sizeof *w->objs); /* steals the chunk refs */
	w->dobjs[w->nchunks] = w->result;                         /* steals */
	w->ndobjs = need;
	w->nchunks = 0;
	w->result = NULL;
	pe_set_active(w, 0);
	return 0;
}

/* pe_drop_deferred drops what pyembed_defer kept. GIL held. */
void pe_drop_deferred(pyembed_worker *w) {
	for (Py_ssize_t i = 0; i < w->ndobjs; i++)
		Py_CLEAR(w->dobjs[i]);
	w->ndobjs = 0;
}
