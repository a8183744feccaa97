"""Test apps for package pyembed.

`application` is `router` wrapped in wsgiref.validate.validator, with every
warning turned into an error; `raw` is the router alone, for the mistakes the
validator would catch first. Problems the server cannot see (an iterator
collected without close(), an exception in __del__) are recorded by
sys.unraisablehook and reported by GET /problems.
"""

import json
import sys
import threading
import time
import warnings
from wsgiref.validate import validator

warnings.simplefilter("error")

problems = []
closed = []  # paths whose body iterable was closed
lock = threading.Lock()
_nap = [0, 0]  # requests sleeping in /nap now, and the most at once
_nap_lock = threading.Lock()
_spin_threads = set()  # threads that served /spin


def _libc():
    import ctypes

    return ctypes.CDLL(None)


def _hook(u):
    with lock:
        problems.append("%s: %s" % (getattr(u.exc_type, "__name__", u.exc_type), u.exc_value))


sys.unraisablehook = _hook

TEXT = [("Content-Type", "text/plain")]


class Body:
    """An iterable with close(), like a framework's response."""

    def __init__(self, path, chunks):
        self.path = path
        self.chunks = chunks

    def __iter__(self):
        return iter(self.chunks)

    def close(self):
        with lock:
            closed.append(self.path)


def gen(path, start_response, n, fail_at=None, late=False):
    try:
        if late:
            start_response("200 OK", TEXT)
        for i in range(n):
            if i == fail_at:
                raise RuntimeError("boom in generator")
            yield b"chunk%d\n" % i
    finally:
        with lock:
            closed.append(path)


def router(environ, start_response):
    path = environ["PATH_INFO"]
    method = environ["REQUEST_METHOD"]
    if path == "/":
        start_response("200 OK", TEXT)
        return [b"Hello, World!"]
    if path == "/tuple":
        start_response("200 OK", TEXT)
        return (b"a", b"", b"bc")
    if path == "/env":
        start_response("200 OK", [("Content-Type", "application/json")])
        keep = {k: v for k, v in environ.items() if isinstance(v, (str, bool, tuple))}
        return [json.dumps(keep, sort_keys=True).encode()]
    if path == "/echo":
        n = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(n)
        start_response("200 OK", [("Content-Type", environ.get("CONTENT_TYPE", "application/octet-stream"))])
        return [body]
    if path == "/readall":  # read() without a size: not allowed by the validator
        body = environ["wsgi.input"].read()
        start_response("200 OK", TEXT)
        return [body]
    if path == "/lines":
        inp = environ["wsgi.input"]
        first = inp.readline()
        second = inp.readline(3)
        rest = inp.readlines()
        start_response("200 OK", TEXT)
        return [json.dumps([first.decode(), second.decode()] + [r.decode() for r in rest]).encode()]
    if path == "/iterlines":
        lines = [line.decode() for line in environ["wsgi.input"]]
        start_response("200 OK", TEXT)
        return [json.dumps(lines).encode()]
    if path == "/write":
        write = start_response("200 OK", TEXT)
        write(b"one,")
        write(b"two,")
        return [b"three"]
    if path == "/gen":
        start_response("200 OK", TEXT)
        return gen(path, start_response, 3)
    if path == "/late":
        return gen(path, start_response, 2, late=True)
    if path == "/gen-fail":
        start_response("200 OK", TEXT)
        return gen(path, start_response, 3, fail_at=1)
    if path == "/closeable":
        start_response("200 OK", TEXT)
        return Body(path, [b"x", b"y"])
    if path == "/excinfo":
        start_response("200 OK", TEXT)
        try:
            raise ValueError("late failure")
        except ValueError:
            start_response("500 Internal Server Error", TEXT, sys.exc_info())
        return [b"error page"]
    if path == "/excinfo-sent":
        write = start_response("200 OK", TEXT)
        write(b"partial")
        try:
            raise ValueError("after headers")
        except ValueError:
            start_response("500 Internal Server Error", TEXT, sys.exc_info())  # re-raises
        return [b"unreachable"]
    if path == "/file":
        f = open(__file__, "rb")
        return_value = environ["wsgi.file_wrapper"](f, 1024)
        start_response("200 OK", TEXT)
        return return_value
    if path == "/sendfile":  # the file named by the query string, from offset 10
        f = open(environ["QUERY_STRING"], "rb")
        f.seek(10)
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return environ["wsgi.file_wrapper"](f)
    if path == "/raise":
        raise ValueError("boom in app")
    if path == "/errors":
        environ["wsgi.errors"].write("to the log: ")
        environ["wsgi.errors"].write("line one\n")
        environ["wsgi.errors"].writelines(["line two\n"])
        environ["wsgi.errors"].flush()
        start_response("200 OK", TEXT)
        return [b"logged"]
    if path in ("/nap", "/cnap"):  # sleeps 0.2 s, counting how many nap at once
        with _nap_lock:
            _nap[0] += 1
            _nap[1] = max(_nap[1], _nap[0])
        if path == "/nap":
            time.sleep(0.2)
        else:  # in an extension module's call (ctypes), as a database driver waits
            _libc().usleep(200000)
        with _nap_lock:
            _nap[0] -= 1
        start_response("200 OK", TEXT)
        return [b"napped"]
    if path == "/nap-peak":  # the most that napped at once, then reset
        start_response("200 OK", TEXT)
        with _nap_lock:
            peak, _nap[1] = _nap[1], 0
        return [str(peak).encode()]
    if path == "/spin":  # about a millisecond of computing, noting the thread
        _spin_threads.add(threading.get_ident())
        sum(i * i for i in range(20000))
        start_response("200 OK", TEXT)
        return [b"spun"]
    if path == "/busy":  # 0.4 s of Python, holding the GIL but for switches
        end = time.monotonic() + 0.4
        while time.monotonic() < end:
            sum(i * i for i in range(1000))
        start_response("200 OK", TEXT)
        return [b"busy"]
    if path == "/big":  # 8 MiB in one chunk: a slow reader keeps it waiting
        start_response("200 OK", TEXT)
        return [b"x" * (8 << 20)]
    if path == "/spin-threads":
        start_response("200 OK", TEXT)
        return [str(len(_spin_threads)).encode()]
    if path == "/sleep":
        time.sleep(0.2)
        start_response("200 OK", TEXT)
        return [b"slept"]
    if path == "/hopbyhop":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Connection", "close"),
                                  ("Keep-Alive", "timeout=5"), ("X-Kept", "yes")])
        return [b"dropped"]
    if path == "/problems":
        with lock:
            out = list(problems), list(closed)
            problems.clear()
            closed.clear()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(out).encode()]
    # mistakes, for `raw`
    if path == "/str":
        start_response("200 OK", TEXT)
        return "a str body"
    if path == "/nostart":
        return [b"no start_response"]
    if path == "/none":
        start_response("200 OK", TEXT)
        return None
    if path == "/yield-str":
        start_response("200 OK", TEXT)
        return iter(["text"])
    if path == "/list-str":
        start_response("200 OK", TEXT)
        return [b"ok", "text"]
    if path == "/types":
        errs = []
        for args in [(200, TEXT), ("200 OK", {"a": "b"}), ("200 OK", [("A", 1)]), ("200 OK", [("A", "\u20ac")]), ("200 OK", [["A", "b"]])]:
            try:
                start_response(*args)
            except (TypeError, ValueError) as e:
                errs.append(type(e).__name__)
        start_response("200 OK", TEXT)
        return [",".join(errs).encode()]
    start_response("404 Not Found", TEXT)
    return [b"not found"]


application = validator(router)
raw = router
