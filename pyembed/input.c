/* input.c: wsgi.input. Reads call Go (env.Body) with the GIL released, so a
 * streamed body arrives with backpressure while other threads run Python. */
#define PYEMBED_INTERNAL
#include "pyembed.h"
#include "_cgo_export.h"

typedef struct {
	PyObject_HEAD
	vectorcallfunc vectorcall; /* unused; same layout as the other objects */
	pyembed_worker *w;
	uint32_t gen;
} pe_input;

#define READ_CHUNK (64 << 10)

static int input_live(pe_input *o) {
	if (o->w->active && o->w->gen == o->gen)
		return 1;
	PyErr_SetString(PyExc_ValueError, "wsgi.input read after its request ended");
	return 0;
}

static int size_arg(PyObject *const *args, Py_ssize_t nargs, const char *fn, Py_ssize_t *size) {
	*size = -1;
	if (nargs > 1) {
		PyErr_Format(PyExc_TypeError, "%s() takes at most one argument", fn);
		return -1;
	}
	if (nargs == 1 && args[0] != Py_None) {
		if (!PyLong_Check(args[0])) {
			PyErr_Format(PyExc_TypeError, "%s() argument must be int or None, not %.100s", fn, Py_TYPE(args[0])->tp_name);
			return -1;
		}
		*size = PyLong_AsSsize_t(args[0]);
		if (*size == -1 && PyErr_Occurred())
			return -1;
	}
	return 0;
}

/* read_n reads size bytes (all when size < 0), fewer only at the end of
 * the body. Returns a new reference. */
static PyObject *read_n(pe_input *o, Py_ssize_t size) {
	if (!input_live(o))
		return NULL;
	if (size == 0)
		return PyBytes_FromStringAndSize(NULL, 0); /* new ref */
	Py_ssize_t cap = (size > 0 && size < READ_CHUNK) ? size : READ_CHUNK;
	PyObject *b = PyBytes_FromStringAndSize(NULL, cap); /* new ref, ours alone */
	if (b == NULL)
		return NULL;
	Py_ssize_t got = 0;
	int slot = o->w->slot;
	for (;;) {
		int eof = 0;
		Py_ssize_t r;
		char *dst = PyBytes_AS_STRING(b) + got;
		Py_BEGIN_ALLOW_THREADS
		r = pyembedRead(slot, dst, cap - got, &eof);
		Py_END_ALLOW_THREADS
		if (r < 0) {
			Py_DECREF(b);
			pyembedRaise(slot);
			return NULL;
		}
		got += r;
		if (eof || got == size)
			break;
		Py_ssize_t next = cap * 2;
		if (size > 0 && next > size)
			next = size;
		if (_PyBytes_Resize(&b, next) < 0) /* b is freed on failure */
			return NULL;
		cap = next;
	}
	if (got != cap && _PyBytes_Resize(&b, got) < 0)
		return NULL;
	return b;
}

static PyObject *input_read(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
	Py_ssize_t size;
	if (size_arg(args, nargs, "read", &size) < 0)
		return NULL;
	return read_n((pe_input *)self, size);
}

/* readline_n returns a new reference to the next line (at most size bytes
 * when size > 0); b"" at the end. */
static PyObject *readline_n(pe_input *o, Py_ssize_t size) {
	if (!input_live(o))
		return NULL;
	if (size == 0)
		return PyBytes_FromStringAndSize(NULL, 0); /* new ref */
	Py_ssize_t r;
	int slot = o->w->slot;
	Py_BEGIN_ALLOW_THREADS
	r = pyembedReadLine(slot, size);
	Py_END_ALLOW_THREADS
	if (r < 0) {
		pyembedRaise(slot);
		return NULL;
	}
	return PyBytes_FromStringAndSize(o->w->buf, r); /* new ref */
}

static PyObject *input_readline(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
	Py_ssize_t size;
	if (size_arg(args, nargs, "readline", &size) < 0)
		return NULL;
	return readline_n((pe_input *)self, size);
}

static PyObject *input_readlines(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
	Py_ssize_t hint;
	if (size_arg(args, nargs, "readlines", &hint) < 0)
		return NULL;
	PyObject *list = PyList_New(0); /* new ref */
	if (list == NULL)
		return NULL;
	Py_ssize_t total = 0;
	for (;;) {
		PyObject *line = readline_n((pe_input *)self, -1); /* new ref */
		if (line == NULL) {
			Py_DECREF(list);
			return NULL;
		}
		Py_ssize_t n = PyBytes_GET_SIZE(line);
		if (n == 0) {
			Py_DECREF(line);
			break;
		}
		int rc = PyList_Append(list, line); /* does not steal */
		Py_DECREF(line);
		if (rc < 0) {
			Py_DECREF(list);
			return NULL;
		}
		total += n;
		if (hint > 0 && total >= hint)
			break;
	}
	return list;
}

static PyObject *input_iter(PyObject *self) {
	Py_INCREF(self);
	return self;
}

static PyObject *input_next(PyObject *self) {
	PyObject *line = readline_n((pe_input *)self, -1); /* new ref */
	if (line != NULL && PyBytes_GET_SIZE(line) == 0) {
		Py_DECREF(line);
		return NULL; /* StopIteration */
	}
	return line;
}

static PyMethodDef input_methods[] = {
	{"read", (PyCFunction)(void (*)(void))input_read, METH_FASTCALL, "read(size=-1) -> bytes"},
	{"readline", (PyCFunction)(void (*)(void))input_readline, METH_FASTCALL, "readline(size=-1) -> bytes"},
	{"readlines", (PyCFunction)(void (*)(void))input_readlines, METH_FASTCALL, "readlines(hint=-1) -> list of bytes"},
	{NULL, NULL, 0, NULL},
};

static void input_dealloc(PyObject *o) { PyObject_Free(o); }

PyTypeObject pe_input_type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "gwsgi.Input",
	.tp_basicsize = sizeof(pe_input),
	.tp_dealloc = input_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "wsgi.input: the request body",
	.tp_iter = input_iter,
	.tp_iternext = input_next,
	.tp_methods = input_methods,
};

PyObject *pe_input_new(pyembed_worker *w) {
	pe_input *o = (pe_input *)w->input_cache;
	if (o != NULL && Py_REFCNT(o) == 1) {
		o->gen = w->gen;
		Py_INCREF(o);
		return (PyObject *)o;
	}
	o = PyObject_New(pe_input, &pe_input_type); /* new ref */
	if (o == NULL)
		return NULL;
	o->vectorcall = NULL;
	o->w = w;
	o->gen = w->gen;
	Py_XSETREF(w->input_cache, (PyObject *)o); /* the cache's reference */
	Py_INCREF(o);                              /* the caller's */
	return (PyObject *)o;
}

int pe_types_ready(void) {
	if (PyType_Ready(&pe_start_type) < 0 || PyType_Ready(&pe_write_type) < 0 || PyType_Ready(&pe_input_type) < 0)
		return -1;
	return 0;
}
