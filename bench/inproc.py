"""The in-process ceiling: a WSGI app called in a loop, no HTTP.

    inproc.py DIR module:callable PATH SECONDS [WARMUP]

Loads the app the way gunicorn does (DIR on sys.path and the working
directory; "module" alone means module:application), calls it with a GET of
PATH for WARMUP seconds (default 1), then for SECONDS seconds, and prints one
JSON line:

    {"requests": N, "seconds": S, "req_per_s": R, "us_per_call": U,
     "thread_cpu_us_per_call": T}

Each call does what any server does for a request, and no more: a fresh
environ (a copy of a constant template plus the request's variables, as wrk
sends them, and a fresh wsgi.input), a start_response that records the
status and headers and returns a write callable, the result iterated and
joined, and result.close() when it has one. No socket, no parsing, no
response head: the most the app can do on one CPU. The first call's status
must be 2xx, or the script exits with status 1.
"""

import importlib
import io
import json
import os
import sys
import time
from urllib.parse import unquote

# Calls between two looks at the clock: one look (about 60 ns) would be a
# few per cent of a hello call.
BATCH = 64

TEMPLATE = {
    "wsgi.version": (1, 0),
    "wsgi.url_scheme": "http",
    "wsgi.errors": sys.stderr,
    "wsgi.multithread": True,
    "wsgi.multiprocess": False,
    "wsgi.run_once": False,
    "SERVER_SOFTWARE": "inproc",
}


def load(directory, spec):
    """Imports module:callable from directory, as gunicorn --chdir does."""
    os.chdir(directory)
    sys.path.insert(0, os.getcwd())
    module, _, name = spec.partition(":")
    obj = importlib.import_module(module)
    for attr in (name or "application").split("."):
        obj = getattr(obj, attr)
    if not callable(obj):
        sys.exit("inproc: %s is not callable" % spec)
    return obj


def caller(app, target):
    """Returns call(): one request to app, the status it answered."""
    path, _, query = target.partition("?")
    path_info = unquote(path, encoding="latin-1")
    template = TEMPLATE
    new_input = io.BytesIO

    def call():
        environ = template.copy()
        environ["wsgi.input"] = new_input(b"")
        environ["REQUEST_METHOD"] = "GET"
        environ["SCRIPT_NAME"] = ""
        environ["PATH_INFO"] = path_info
        environ["QUERY_STRING"] = query
        environ["SERVER_NAME"] = "127.0.0.1"
        environ["SERVER_PORT"] = "8000"
        environ["SERVER_PROTOCOL"] = "HTTP/1.1"
        environ["REMOTE_ADDR"] = "127.0.0.1"
        environ["REMOTE_PORT"] = "50000"
        environ["HTTP_HOST"] = "127.0.0.1:8000"
        head = []
        body = []

        def start_response(status, headers, exc_info=None):
            if exc_info is not None and head:
                raise exc_info[1].with_traceback(exc_info[2])
            head[:] = (status, headers)
            return body.append

        result = app(environ, start_response)
        try:
            for chunk in result:
                body.append(chunk)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        return head[0] if head else None, b"".join(body)

    return call


def loop(call, seconds):
    """Calls call() for seconds; returns (calls, wall s, thread CPU s)."""
    n = 0
    clock, cpu = time.perf_counter, time.thread_time
    c0, t0 = cpu(), clock()
    end = t0 + seconds
    while True:
        for _ in range(BATCH):
            call()
        n += BATCH
        t = clock()
        if t >= end:
            return n, t - t0, cpu() - c0


def main(argv):
    if len(argv) not in (5, 6):
        sys.exit(__doc__.split("\n\n")[1])
    directory, spec, target = argv[1], argv[2], argv[3]
    seconds = float(argv[4])
    warmup = float(argv[5]) if len(argv) == 6 else 1.0
    call = caller(load(directory, spec), target)
    status, body = call()
    if not status or not status.startswith("2"):
        sys.exit("inproc: GET %s answered %r, not 2xx" % (target, status))
    print("inproc: first call: %s, %d bytes" % (status, len(body)), file=sys.stderr)
    if warmup > 0:
        loop(call, warmup)
    n, wall, cpu = loop(call, seconds)
    print(json.dumps({
        "requests": n,
        "seconds": round(wall, 6),
        "req_per_s": round(n / wall, 1),
        "us_per_call": round(wall / n * 1e6, 3),
        "thread_cpu_us_per_call": round(cpu / n * 1e6, 3),
    }), flush=True)


if __name__ == "__main__":
    main(sys.argv)
