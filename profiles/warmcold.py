"""An app's calls timed inside a server: the first call of a request
against calls made right after it.

    WARMCOLD_APP=examples/flaskapp:app:app bin/gwsgi --chdir profiles warmcold:app

Each request calls the wrapped app K times in a row (WARMCOLD_K, default
4) on copies of its environ, each call iterated, joined and closed, and
answers with the last call's status, headers and body. Every N requests
(WARMCOLD_EVERY, default 2000) it writes to stderr the mean thread CPU
time (time.thread_time) of each of the K calls, in µs:

    warmcold: 2000 requests, µs a call: 101.3 86.9 86.0 85.7

The first call runs after whatever the server did since the app last ran
(the previous response's write, the next request's read and environ); the
others run right after a call of the same app. The difference is what
the server's own work between two requests costs the app, in caches and
branch predictors: the same app called in a loop of its own
(bench/inproc.py) runs at the speed of the later calls.

WARMCOLD_APP is DIR:MODULE:CALLABLE, loaded as bench/inproc.py loads an
app (DIR first on sys.path and the working directory).
"""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
import inproc  # noqa: E402 (bench/inproc.py: load)

_dir, _module, _name = os.environ.get("WARMCOLD_APP", "../examples/flaskapp:app:app").rsplit(":", 2)
inner = inproc.load(_dir, _module + ":" + _name)
K = max(int(os.environ.get("WARMCOLD_K", "4")), 1)
EVERY = max(int(os.environ.get("WARMCOLD_EVERY", "2000")), 1)

_sums = [0.0] * K
_count = 0


def _call(environ):
    """One call of the inner app on a copy of environ: (status, headers, body)."""
    got = []

    def start_response(status, headers, exc_info=None):
        got[:] = [status, headers]
        return lambda data: None

    result = inner(dict(environ), start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return got[0], got[1], body


def app(environ, start_response):
    global _count
    clock = time.thread_time
    for i in range(K):
        t0 = clock()
        status, headers, body = _call(environ)
        _sums[i] += clock() - t0
    _count += 1
    if _count == EVERY:
        means = " ".join("%.1f" % (s / _count * 1e6) for s in _sums)
        print("warmcold: %d requests, µs a call: %s" % (_count, means), file=sys.stderr, flush=True)
        _sums[:] = [0.0] * K
        _count = 0
    start_response(status, headers)
    return [body]
