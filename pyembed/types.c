/* types.c: the Python objects a request hands to the app: start_response,
 * write and wsgi.input. Each refers to its worker and the request
 * generation it was made for; once that request is over it refuses to
 * work. The Go side is reached through the callbacks of callbacks.go. */
#define PYEMBED_INTERNAL
#include "pyembed.h"
#include "_cgo_export.h"

#include <string.h>

typedef struct {
	PyObject_HEAD
	vectorcallfunc vectorcall;
	pyembed_worker *w;
	uint32_t gen;
} pe_obj;

static int live(pe_obj *o, const char *what) {
	if (o->w->active && o->w->gen == o->gen)
		return 1;
	PyErr_Format(PyExc_RuntimeError, "%s used after its request ended", what);
	return 0;
}

/* go_raise sets the Python exception for a Go callback's failure. */
static void go_raise(pe_obj *o) { pyembedRaise(o->w->slot); }

/* new_obj returns a new reference to an object of type t for w's current
 * request, reusing *cache when nobody else holds it. */
static PyObject *new_obj(pyembed_worker *w, PyTypeObject *t, PyObject **cache, vectorcallfunc vc) {
	pe_obj *o = (pe_obj *)*cache;
	if (o != NULL && Py_REFCNT(o) == 1) {
		o->gen = w->gen;
		Py_INCREF(o);
		return (PyObject *)o;
	}
	o = PyObject_New(pe_obj, t); /* new ref */
	if (o == NULL)
		return NULL;
	o->vectorcall = vc;
	o->w = w;
	o->gen = w->gen;
	Py_XSETREF(*cache, (PyObject *)o); /* the cache's reference */
	Py_INCREF(o);                      /* the caller's */
	return (PyObject *)o;
}

static void obj_dealloc(PyObject *o) { PyObject_Free(o); }

/* ---- write ---- */

static PyObject *write_call(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kw) {
	pe_obj *o = (pe_obj *)self;
	Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
	if (nargs != 1 || (kw && PyTuple_GET_SIZE(kw))) {
		PyErr_SetString(PyExc_TypeError, "write() takes exactly one bytes argument");
		return NULL;
	}
	PyObject *data = args[0]; /* borrowed */
	if (!PyBytes_Check(data)) {
		PyErr_Format(PyExc_TypeError, "write() argument must be bytes, not %.100s", Py_TYPE(data)->tp_name);
		return NULL;
	}
	if (!live(o, "write()"))
		return NULL;
	int rc;
	Py_INCREF(data); /* keeps the bytes alive while the GIL is released */
	Py_BEGIN_ALLOW_THREADS
	rc = pyembedWrite(o->w->slot, PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data));
	Py_END_ALLOW_THREADS
	Py_DECREF(data);
	if (rc != PE_OK) {
		go_raise(o);
		return NULL;
	}
	Py_RETURN_NONE;
}

PyTypeObject pe_write_type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "gwsgi.write",
	.tp_basicsize = sizeof(pe_obj),
	.tp_dealloc = obj_dealloc,
	.tp_vectorcall_offset = offsetof(pe_obj, vectorcall),
	.tp_call = PyVectorcall_Call,
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL,
	.tp_doc = "PEP 3333 write(data) callable",
};

/* ---- start_response ---- */

/* latin1 borrows the bytes of a str made of code points below 256. */
static int latin1(PyObject *s, pe_str *out) {
#if PY_VERSION_HEX < 0x030C0000
	if (PyUnicode_READY(s) < 0)
		return -1;
#endif
	if (PyUnicode_KIND(s) != PyUnicode_1BYTE_KIND)
		return 0;
	out->p = (const char *)PyUnicode_1BYTE_DATA(s);
	out->n = PyUnicode_GET_LENGTH(s);
	return 1;
}

static PyObject *start_call(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames) {
	pe_obj *o = (pe_obj *)self;
	pyembed_worker *w = o->w;
	Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
	PyObject *exc = NULL;
	Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
	if (nkw == 1 && nargs == 2 && PyUnicode_Check(PyTuple_GET_ITEM(kwnames, 0)) &&
	    PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(kwnames, 0), "exc_info") == 0) {
		exc = args[2];
	} else if (nkw != 0 || nargs < 2 || nargs > 3) {
		PyErr_SetString(PyExc_TypeError, "start_response(status, headers, exc_info=None) takes 2 or 3 arguments");
		return NULL;
	} else if (nargs == 3) {
		exc = args[2];
	}
	if (exc == Py_None)
		exc = NULL;
	if (exc != NULL && (!PyTuple_Check(exc) || PyTuple_GET_SIZE(exc) != 3)) {
		PyErr_Format(PyExc_TypeError, "start_response: exc_info must be a (type, value, traceback) tuple, not %.100s", Py_TYPE(exc)->tp_name);
		return NULL;
	}
	PyObject *status = args[0], *headers = args[1]; /* borrowed */
	pe_str st;
	if (!PyUnicode_Check(status)) {
		PyErr_Format(PyExc_TypeError, "start_response: status must be str, not %.100s", Py_TYPE(status)->tp_name);
		return NULL;
	}
	int r = latin1(status, &st);
	if (r <= 0) {
		if (r == 0)
			PyErr_SetString(PyExc_ValueError, "start_response: status must be latin-1");
		return NULL;
	}
	if (!PyList_Check(headers)) {
		PyErr_Format(PyExc_TypeError, "start_response: headers must be a list of (name, value) tuples, not %.100s", Py_TYPE(headers)->tp_name);
		return NULL;
	}
	if (!live(o, "start_response()"))
		return NULL;
	Py_ssize_t n = PyList_GET_SIZE(headers);
	if (2 * n > w->caphdrs) {
		Py_ssize_t c = w->caphdrs ? w->caphdrs : 32;
		while (c < 2 * n)
			c *= 2;
		pe_str *h = PyMem_RawRealloc(w->hdrs, c * sizeof *h);
		if (h == NULL) {
			PyErr_NoMemory();
			return NULL;
		}
		w->hdrs = h;
		w->caphdrs = c;
	}
	/* The strs stay alive during the Go call: the list holds them and the
	 * GIL is held, so no other thread can change the list. */
	for (Py_ssize_t i = 0; i < n; i++) {
		PyObject *t = PyList_GET_ITEM(headers, i); /* borrowed */
		if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 2) {
			PyErr_Format(PyExc_TypeError, "start_response: header %zd must be a (name, value) tuple, not %.100s", i, Py_TYPE(t)->tp_name);
			return NULL;
		}
		PyObject *k = PyTuple_GET_ITEM(t, 0), *v = PyTuple_GET_ITEM(t, 1); /* borrowed */
		if (!PyUnicode_Check(k) || !PyUnicode_Check(v)) {
			PyErr_Format(PyExc_TypeError, "start_response: header %zd: name and value must be str, not %.100s and %.100s",
				i, Py_TYPE(k)->tp_name, Py_TYPE(v)->tp_name);
			return NULL;
		}
		if ((r = latin1(k, &w->hdrs[2 * i])) <= 0 || (r = latin1(v, &w->hdrs[2 * i + 1])) <= 0) {
			if (r == 0)
				PyErr_Format(PyExc_ValueError, "start_response: header %R has characters outside latin-1", k);
			return NULL;
		}
	}
	int rc = pyembedStartResponse(w->slot, (char *)st.p, st.n, w->hdrs, n, exc != NULL);
	if (rc == PE_RERAISE) {
		/* headers were sent: PEP 3333 says re-raise exc_info */
		PyObject *et = PyTuple_GET_ITEM(exc, 0), *ev = PyTuple_GET_ITEM(exc, 1), *tb = PyTuple_GET_ITEM(exc, 2); /* borrowed */
		Py_INCREF(et);
		Py_INCREF(ev);
		Py_INCREF(tb);
		PyErr_Restore(et, ev, tb == Py_None ? (Py_DECREF(tb), NULL) : tb); /* steals */
		return NULL;
	}
	if (rc != PE_OK) {
		go_raise(o);
		return NULL;
	}
	return new_obj(w, &pe_write_type, &w->write_cache, write_call); /* new ref */
}

PyTypeObject pe_start_type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "gwsgi.start_response",
	.tp_basicsize = sizeof(pe_obj),
	.tp_dealloc = obj_dealloc,
	.tp_vectorcall_offset = offsetof(pe_obj, vectorcall),
	.tp_call = PyVectorcall_Call,
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL,
	.tp_doc = "PEP 3333 start_response(status, headers, exc_info=None)",
};

PyObject *pe_start_new(pyembed_worker *w) { return new_obj(w, &pe_start_type, &w->start_cache, start_call); }
