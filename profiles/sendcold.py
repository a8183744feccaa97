"""What one HTTP answer's send costs the next call of an app, without a
server: the app called in a loop, with and without a send between calls.

    taskset -c 1 /usr/bin/python3 profiles/sendcold.py [DIR:MODULE:CALLABLE] [CALLS]

Calls the app (default: the Flask sample's /json) CALLS times (default
20000) in a loop, alternately with nothing between two calls and with a
send of a small HTTP answer over a loopback TCP connection to a reader
process on CPU 0, three rounds of each, and prints the mean thread CPU
time of a call (time.thread_time, the send itself left out):

    0 none 80.8 µs a call
    0 send 97.6 µs a call

The send runs the kernel's TCP path on this CPU for both ends of the
connection (loopback processes the receive on the sender's CPU) and wakes
the reader on the other CPU; what it leaves in the caches and branch
predictors is what the next call pays. A server pays it for every request.
"""

import importlib
import io
import os
import socket
import subprocess
import sys
import time

spec = sys.argv[1] if len(sys.argv) > 1 else "examples/flaskapp:app:app"
calls = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
directory, module, name = spec.rsplit(":", 2)
sys.path.insert(0, os.path.abspath(directory))
app = getattr(importlib.import_module(module), name)

listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(1)
reader = subprocess.Popen(
    ["taskset", "-c", "0", sys.executable, "-c",
     "import socket\ns = socket.create_connection(('127.0.0.1', %d))\nwhile s.recv(65536):\n    pass"
     % listener.getsockname()[1]])
conn, _ = listener.accept()
conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 56\r\n\r\n" + b"x" * 56

TEMPLATE = {
    "REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": "/json", "QUERY_STRING": "",
    "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
    "HTTP_HOST": "127.0.0.1:8000", "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "50000",
    "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
    "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False,
}


def start_response(status, headers, exc_info=None):
    return lambda data: None


def call():
    environ = TEMPLATE.copy()
    environ["wsgi.input"] = io.BytesIO(b"")
    result = app(environ, start_response)
    try:
        b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()


try:
    for _ in range(calls // 10):  # warm-up
        call()
    clock = time.thread_time
    for rnd in range(3):
        for mode in ("none", "send"):
            total = 0.0
            for _ in range(calls):
                if mode == "send":
                    conn.sendall(answer)
                t0 = clock()
                call()
                total += clock() - t0
            print("%d %s %.1f µs a call" % (rnd, mode, total / calls * 1e6), flush=True)
finally:
    reader.kill()
