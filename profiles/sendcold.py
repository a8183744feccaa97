"""What one HTTP answer's send costs the next call of an app, without a
server: the app called in a loop, with and without a send between calls.

    taskset -c 1 /usr/bin/python3 profiles/sendcold.py [DIR MODULE:CALLABLE PATH [CALLS]]

Loads the app and calls it the way bench/inproc.py does (default: the
Flask sample's /json), CALLS times (default 20000) in a loop, alternately
with nothing between two calls and with a send of a small HTTP answer
over a loopback TCP connection to a reader process on CPU 0, three rounds
of each, and prints the mean thread CPU time of a call (time.thread_time,
the send itself left out):

    0 none 80.8 µs a call
    0 send 97.6 µs a call

The send runs the kernel's TCP path on this CPU for both ends of the
connection (loopback processes the receive on the sender's CPU) and wakes
the reader on the other CPU; what it leaves in the caches and branch
predictors is what the next call pays. A server pays it for every request.
"""

import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
import inproc  # noqa: E402 (bench/inproc.py: load and caller)

args = sys.argv[1:]
if len(args) not in (0, 3, 4):
    sys.exit(__doc__.split("\n\n")[1])
directory, spec, target = args[:3] if args else ("examples/flaskapp", "app:app", "/json")
calls = int(args[3]) if len(args) == 4 else 20000
call = inproc.caller(inproc.load(directory, spec), target)

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
