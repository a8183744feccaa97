"""Serves a WSGI app with eventlet.wsgi, the way eventlet's docs show.

    python3 eventlet_server.py 127.0.0.1:8000 module:callable

The standard library is monkey-patched first, so time.sleep yields to the
hub as it does under gunicorn's eventlet worker. Request logging is off.
"""

import eventlet

eventlet.monkey_patch()

import importlib  # noqa: E402
import sys  # noqa: E402

import eventlet.wsgi  # noqa: E402


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: eventlet_server.py host:port module:callable")
    host, _, port = sys.argv[1].rpartition(":")
    module, _, name = sys.argv[2].partition(":")
    sys.path.insert(0, ".")
    app = getattr(importlib.import_module(module), name or "application")
    sock = eventlet.listen((host, int(port)), backlog=2048)
    eventlet.wsgi.server(sock, app, log_output=False, max_size=1000)


if __name__ == "__main__":
    main()
