"""A WSGI app for gwsgi's end-to-end tests, checked by wsgiref.validate.

    gwsgi --chdir e2e/testdata --threads 4 validated:application

`application` is `router` wrapped in wsgiref.validate.validator, with every
warning turned into an error. Whatever the validator raises (an
AssertionError or a warning, in the call, the body iteration or close())
is recorded, as is anything sys.unraisablehook sees (an iterator collected
without close()); GET /problems reports the records and the paths whose
body was closed.

Routes:
    /                   "Hello, World!" with Content-Length
    /env...             the environ's CGI variables and wsgi.* flags, as JSON
    /read?block=N       POST: the body read with read(N) until b"", as JSON
                        {"length", "sha256", "reads"}; any length or chunking
    /readline?size=N    POST: the body's lines by readline() (or readline(N))
    /readlines          POST: the body's lines by readlines()
    /iter               POST: the body's lines by iterating wsgi.input
    /gen?n=N&fail=I&tag=T
                        N chunks from a generator that raises at chunk I;
                        its closing is recorded as T (default /gen)
    /closeable          an iterable with close()
    /write              the write() callable, then an iterable
    /excinfo            start_response replaced with exc_info before the head
    /file               wsgi.file_wrapper over the file named by $E2E_FILE
    /errors             a line to wsgi.errors
    /raise              an exception from the app: 500
    /sleep?ms=N         sleeps, then answers
    /gated              "first", then waits for /release, then "second"
    /release            lets /gated go on
    /problems           what was recorded, as JSON
"""

import hashlib
import io
import json
import os
import sys
import threading
import time
import warnings
from urllib.parse import parse_qs
from wsgiref.validate import validator

warnings.simplefilter("error")

lock = threading.Lock()
problems = []  # validator failures and unraisable exceptions
closed = []  # paths whose body iterable (or file) was closed
released = threading.Event()

TEXT = [("Content-Type", "text/plain")]


def note(records, item):
    with lock:
        records.append(item)


def _unraisable(u):
    note(problems, "unraisable %s: %s" % (getattr(u.exc_type, "__name__", u.exc_type), u.exc_value))


sys.unraisablehook = _unraisable


def query(environ, name, default):
    return parse_qs(environ.get("QUERY_STRING", "")).get(name, [default])[0]


def as_json(start_response, obj):
    body = json.dumps(obj, sort_keys=True).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def lines_json(start_response, lines):
    return as_json(start_response, {"count": len(lines), "lines": [line.decode("latin-1") for line in lines]})


class Body:
    """An iterable with close(), like a framework's response."""

    def __init__(self, path, chunks):
        self.path = path
        self.chunks = chunks

    def __iter__(self):
        return iter(self.chunks)

    def close(self):
        note(closed, self.path)


class TrackedFile(io.FileIO):
    """A real file that records its closing."""

    def close(self):
        if not self.closed:
            note(closed, "/file")
        super().close()


def generate(tag, n, fail_at):
    try:
        for i in range(n):
            if i == fail_at:
                raise RuntimeError("e2e: generator failed")
            yield b"chunk %d\n" % i
    finally:
        note(closed, tag)


def gated():
    try:
        yield b"first\n"
        yield b"second\n" if released.wait(10) else b"not released\n"
    finally:
        note(closed, "/gated")


def router(environ, start_response):
    path = environ["PATH_INFO"]
    inp = environ["wsgi.input"]
    if path == "/":
        start_response("200 OK", TEXT + [("Content-Length", "13")])
        return [b"Hello, World!"]
    if path.startswith("/env"):
        env = {k: v for k, v in environ.items() if isinstance(v, str)}
        for k in ("wsgi.multithread", "wsgi.multiprocess", "wsgi.run_once", "wsgi.input_terminated"):
            env[k] = environ.get(k)
        env["wsgi.version"] = list(environ["wsgi.version"])
        return as_json(start_response, env)
    if path == "/read":
        block = int(query(environ, "block", "65536"))
        digest, length, reads = hashlib.sha256(), 0, 0
        while True:
            data = inp.read(block)
            if not data:
                break
            digest.update(data)
            length += len(data)
            reads += 1
        return as_json(start_response, {"length": length, "sha256": digest.hexdigest(), "reads": reads})
    if path == "/readline":
        size = int(query(environ, "size", "-1"))
        lines = []
        while True:
            line = inp.readline(size) if size >= 0 else inp.readline()
            if not line:
                break
            lines.append(line)
        return lines_json(start_response, lines)
    if path == "/readlines":
        return lines_json(start_response, inp.readlines())
    if path == "/iter":
        return lines_json(start_response, list(inp))
    if path == "/gen":
        start_response("200 OK", TEXT)
        n, fail_at = int(query(environ, "n", "3")), int(query(environ, "fail", "-1"))
        return generate(query(environ, "tag", path), n, fail_at)
    if path == "/closeable":
        start_response("200 OK", TEXT)
        return Body(path, [b"x", b"y"])
    if path == "/write":
        write = start_response("200 OK", TEXT)
        write(b"one,")
        write(b"two,")
        return [b"three"]
    if path == "/excinfo":
        start_response("200 OK", TEXT)
        try:
            raise ValueError("replaced before the head was sent")
        except ValueError:
            start_response("503 Service Unavailable", TEXT, sys.exc_info())
        return [b"error page"]
    if path == "/file":
        name = os.environ["E2E_FILE"]
        start_response("200 OK", [
            ("Content-Type", "application/octet-stream"),
            ("Content-Length", str(os.path.getsize(name))),
        ])
        return environ["wsgi.file_wrapper"](TrackedFile(name, "r"), 8192)
    if path == "/errors":
        environ["wsgi.errors"].write("e2e: a line for the error log\n")
        environ["wsgi.errors"].flush()
        start_response("200 OK", TEXT)
        return [b"logged"]
    if path == "/raise":
        raise RuntimeError("e2e: intentional failure")
    if path == "/sleep":
        time.sleep(int(query(environ, "ms", "500")) / 1000)
        start_response("200 OK", TEXT)
        return [b"slept"]
    if path == "/gated":
        released.clear()
        start_response("200 OK", TEXT)
        return gated()
    if path == "/release":
        released.set()
        start_response("200 OK", TEXT)
        return [b"released"]
    if path == "/problems":
        with lock:
            return as_json(start_response, {"problems": list(problems), "closed": list(closed)})
    start_response("404 Not Found", TEXT)
    return [b"not found"]


validated = validator(router)


def record(exc):
    if isinstance(exc, (AssertionError, Warning)):
        note(problems, "%s: %s" % (type(exc).__name__, exc))


class Recorded:
    """The validator's iterable, with its failures recorded."""

    def __init__(self, iterable):
        self.iterable = iterable
        self.iterator = None

    def __iter__(self):
        return self

    def __next__(self):
        # Not a generator: dropping it must not close the validator's
        # iterable, so that a missing close() is seen.
        try:
            if self.iterator is None:
                self.iterator = iter(self.iterable)
            return next(self.iterator)
        except StopIteration:
            raise
        except BaseException as e:
            record(e)
            raise

    def close(self):
        try:
            self.iterable.close()
        except BaseException as e:
            record(e)
            raise


def application(environ, start_response):
    try:
        return Recorded(validated(environ, start_response))
    except BaseException as e:
        record(e)
        raise
