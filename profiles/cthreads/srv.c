/* srv.c: a measuring server, not a WSGI server. One epoll thread reads
 * request heads; a pool of POSIX threads, created here and never seen by
 * Go's runtime, runs the WSGI app under the GIL, builds the response and
 * writes it itself. GET heads only, no request bodies, no pipelining, no
 * error answers: what thread-per-request with the GIL costs on this
 * machine without any of gwsgi's code, for profiles/cthreads/run.sh.
 *
 *   srv PORT DIR MODULE ATTR [THREADS]
 *
 * Built with -DBATCH, a thread that ends a request takes the next queued
 * one without letting go of the GIL; with -DWRITE_NOGIL it lets go of the
 * GIL around the write. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXFD 65536
#define OUTCAP (1 << 16)

/* conn is a connection's request head so far; the epoll thread fills it,
 * the worker that serves the request empties it (EPOLLONESHOT keeps them
 * apart). */
typedef struct {
	char buf[4096];
	int n;
} conn;

static conn *conns[MAXFD];
static int ep;
static PyObject *app, *tmpl; /* the app; the constant part of every environ */
static PyInterpreterState *interp;

/* the queue of connections whose head is complete, under mu */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int q[MAXFD], qh, qn;

/* start_response's arguments for the calling thread's request (new refs) */
static __thread PyObject *st_status, *st_headers;

static PyObject *start_response(PyObject *self, PyObject *args) {
	PyObject *s, *h, *e = NULL;
	(void)self;
	if (!PyArg_ParseTuple(args, "UO!|O", &s, &PyList_Type, &h, &e))
		return NULL;
	Py_XSETREF(st_status, Py_NewRef(s));
	Py_XSETREF(st_headers, Py_NewRef(h));
	Py_RETURN_NONE;
}

static PyMethodDef sr_def = {"start_response", start_response, METH_VARARGS, NULL};

static void rearm(int fd) {
	struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT, .data.fd = fd};
	epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

static void set_str(PyObject *env, const char *k, const char *p, Py_ssize_t n) {
	PyObject *v = PyUnicode_DecodeLatin1(p, n, NULL);
	PyDict_SetItemString(env, k, v);
	Py_DECREF(v);
}

/* respond formats the response of a list result into out; 0 when the
 * result is anything else (or too large). GIL held. */
static int respond(PyObject *res, char *out) {
	if (res == NULL || st_status == NULL || !PyList_Check(res))
		return 0;
	int n = snprintf(out, OUTCAP, "HTTP/1.1 %s\r\n", PyUnicode_AsUTF8(st_status));
	int hascl = 0;
	for (Py_ssize_t i = 0; i < PyList_GET_SIZE(st_headers); i++) {
		PyObject *t = PyList_GET_ITEM(st_headers, i);
		if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 2)
			return 0;
		const char *k = PyUnicode_AsUTF8(PyTuple_GET_ITEM(t, 0));
		const char *v = PyUnicode_AsUTF8(PyTuple_GET_ITEM(t, 1));
		if (k == NULL || v == NULL)
			return 0;
		hascl |= strcasecmp(k, "Content-Length") == 0;
		n += snprintf(out + n, OUTCAP - n, "%s: %s\r\n", k, v);
	}
	Py_ssize_t blen = 0;
	for (Py_ssize_t i = 0; i < PyList_GET_SIZE(res); i++) {
		if (!PyBytes_Check(PyList_GET_ITEM(res, i)))
			return 0;
		blen += PyBytes_GET_SIZE(PyList_GET_ITEM(res, i));
	}
	if (hascl)
		n += snprintf(out + n, OUTCAP - n, "\r\n");
	else
		n += snprintf(out + n, OUTCAP - n, "Content-Length: %zd\r\n\r\n", blen);
	if (n + blen >= OUTCAP)
		return 0;
	for (Py_ssize_t i = 0; i < PyList_GET_SIZE(res); i++) {
		PyObject *b = PyList_GET_ITEM(res, i);
		memcpy(out + n, PyBytes_AS_STRING(b), PyBytes_GET_SIZE(b));
		n += PyBytes_GET_SIZE(b);
	}
	return n;
}

/* serve runs the app for fd's request and writes the answer. GIL held. */
static void serve(int fd, PyObject *sr, char *out) {
	conn *c = conns[fd];
	char *end = c->buf + c->n;
	char *sp1 = memchr(c->buf, ' ', c->n);
	char *sp2 = sp1 ? memchr(sp1 + 1, ' ', end - sp1 - 1) : NULL;
	if (sp2 == NULL) {
		close(fd);
		return;
	}
	char *qm = memchr(sp1 + 1, '?', sp2 - sp1 - 1);
	PyObject *env = PyDict_Copy(tmpl);
	set_str(env, "REQUEST_METHOD", c->buf, sp1 - c->buf);
	set_str(env, "PATH_INFO", sp1 + 1, (qm ? qm : sp2) - sp1 - 1);
	set_str(env, "QUERY_STRING", qm ? qm + 1 : "", qm ? sp2 - qm - 1 : 0);
	c->n = 0;
	PyObject *args = PyTuple_Pack(2, env, sr);
	PyObject *res = PyObject_Call(app, args, NULL);
	Py_DECREF(args);
	Py_DECREF(env);
	int n = respond(res, out);
	if (n == 0 && PyErr_Occurred())
		PyErr_Print();
	Py_XDECREF(res);
	Py_CLEAR(st_status);
	Py_CLEAR(st_headers);
#ifdef WRITE_NOGIL
	PyThreadState *ts = PyEval_SaveThread();
#endif
	if (n > 0 && write(fd, out, n) == n)
		rearm(fd);
	else
		close(fd);
#ifdef WRITE_NOGIL
	PyEval_RestoreThread(ts);
#endif
}

static int pop(void) {
	int fd = q[qh];
	qh = (qh + 1) % MAXFD;
	qn--;
	return fd;
}

static void *worker(void *arg) {
	(void)arg;
	PyThreadState *ts = PyThreadState_New(interp);
	PyEval_RestoreThread(ts);
	PyObject *sr = PyCFunction_New(&sr_def, NULL);
	char *out = malloc(OUTCAP);
	for (;;) {
#ifdef BATCH
		pthread_mutex_lock(&mu);
		int fd = qn > 0 ? pop() : -1;
		pthread_mutex_unlock(&mu);
		if (fd >= 0) {
			serve(fd, sr, out);
			continue;
		}
#endif
		PyEval_SaveThread();
		pthread_mutex_lock(&mu);
		while (qn == 0)
			pthread_cond_wait(&cv, &mu);
		int next = pop();
		pthread_mutex_unlock(&mu);
		PyEval_RestoreThread(ts);
		serve(next, sr, out);
	}
	return NULL;
}

/* load imports the app and builds the environ template. */
static int load(const char *port, const char *dir, const char *module, const char *attr) {
	Py_Initialize();
	PyList_Insert(PySys_GetObject("path"), 0, PyUnicode_FromString(dir));
	PyObject *m = PyImport_ImportModule(module);
	app = m ? PyObject_GetAttrString(m, attr) : NULL;
	PyObject *io = PyImport_ImportModule("io");
	if (app == NULL || io == NULL) {
		PyErr_Print();
		return -1;
	}
	tmpl = PyDict_New();
	PyDict_SetItemString(tmpl, "wsgi.input", PyObject_CallMethod(io, "BytesIO", NULL));
	PyDict_SetItemString(tmpl, "wsgi.errors", PySys_GetObject("stderr"));
	PyDict_SetItemString(tmpl, "wsgi.version", Py_BuildValue("(ii)", 1, 0));
	PyDict_SetItemString(tmpl, "wsgi.url_scheme", PyUnicode_FromString("http"));
	PyDict_SetItemString(tmpl, "wsgi.multithread", Py_True);
	PyDict_SetItemString(tmpl, "wsgi.multiprocess", Py_False);
	PyDict_SetItemString(tmpl, "wsgi.run_once", Py_False);
	PyDict_SetItemString(tmpl, "SERVER_NAME", PyUnicode_FromString("127.0.0.1"));
	PyDict_SetItemString(tmpl, "SERVER_PORT", PyUnicode_FromString(port));
	PyDict_SetItemString(tmpl, "SERVER_PROTOCOL", PyUnicode_FromString("HTTP/1.1"));
	PyDict_SetItemString(tmpl, "SCRIPT_NAME", PyUnicode_FromString(""));
	interp = PyThreadState_Get()->interp;
	PyEval_SaveThread();
	return 0;
}

static int listen_on(int port) {
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 1024) < 0) {
		perror("srv: listen");
		return -1;
	}
	return ls;
}

static void accept_all(int ls) {
	int fd, one = 1;
	while ((fd = accept4(ls, NULL, NULL, 0)) >= 0) {
		if (fd >= MAXFD) {
			close(fd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if (conns[fd] == NULL)
			conns[fd] = malloc(sizeof(conn));
		conns[fd]->n = 0;
		struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT, .data.fd = fd};
		epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	}
}

/* readable reads what fd has and queues it once its head is complete. */
static void readable(int fd) {
	conn *c = conns[fd];
	ssize_t r = read(fd, c->buf + c->n, sizeof c->buf - c->n - 1);
	if (r <= 0) {
		close(fd);
		return;
	}
	c->n += r;
	c->buf[c->n] = 0;
	if (strstr(c->buf, "\r\n\r\n") == NULL) {
		rearm(fd);
		return;
	}
	pthread_mutex_lock(&mu);
	q[(qh + qn) % MAXFD] = fd;
	qn++;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
}

int main(int argc, char **argv) {
	if (argc < 5) {
		fprintf(stderr, "usage: srv PORT DIR MODULE ATTR [THREADS]\n");
		return 2;
	}
	int threads = argc > 5 ? atoi(argv[5]) : 512;
	if (load(argv[1], argv[2], argv[3], argv[4]) < 0)
		return 1;
	int ls = listen_on(atoi(argv[1]));
	if (ls < 0)
		return 1;
	ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls};
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, 256 << 10);
	for (int i = 0; i < threads; i++) {
		pthread_t t;
		if (pthread_create(&t, &at, worker, NULL) != 0) {
			perror("srv: pthread_create");
			return 1;
		}
	}
	struct epoll_event evs[256];
	for (;;) {
		int k = epoll_wait(ep, evs, 256, -1);
		for (int i = 0; i < k; i++) {
			if (evs[i].data.fd == ls)
				accept_all(ls);
			else
				readable(evs[i].data.fd);
		}
	}
}
