"""Parse HTTP/1.1 requests with h11 as a server, for FuzzDifferentialH11.

Reads inputs from stdin, each a 4-byte big-endian length followed by that
many bytes, and writes one JSON line per input on stdout:

    {"requests": [...], "end": "incomplete" | "error" | "stop",
     "error": "...", "status": 400}

Each request is {"method", "target", "version", "headers": [[name, value]],
"body", "complete", "keep_alive", "trailers"}; bytes are given as latin-1
text. Header names are lower-case, as h11 gives them. A request whose body
has not ended has "complete": false and the body bytes so far.

After a complete request the connection answers it (404, empty) and reads
the next pipelined request, unless h11 says the connection must close; at
most MAX_REQUESTS are read. "end" says why reading stopped: the input ended
("incomplete"), h11 raised ("error", with its message and status hint) or
the connection cannot be reused ("stop").

The first line written, before any input is read, is {"h11": version}; if
h11 cannot be imported it is {"missing": "..."} and the script exits.
"""

import json
import struct
import sys

try:
    import h11
except ImportError as e:  # reported to the test, which skips or fails
    sys.stdout.write(json.dumps({"missing": str(e)}) + "\n")
    sys.stdout.flush()
    sys.exit(0)

MAX_REQUESTS = 8

# No limit of our own on a head's size: the test compares parsing, and
# gwsgi's limits are classified separately.
MAX_EVENT = 1 << 30


def text(b):
    return bytes(b).decode("latin-1")


def parse(data):
    conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_EVENT)
    conn.receive_data(data)
    requests = []
    cur = None
    while True:
        try:
            ev = conn.next_event()
        except h11.RemoteProtocolError as e:
            return {
                "requests": requests,
                "end": "error",
                "error": str(e),
                "status": e.error_status_hint,
            }
        if ev is h11.NEED_DATA:
            return {"requests": requests, "end": "incomplete"}
        if isinstance(ev, h11.Request):
            cur = {
                "method": text(ev.method),
                "target": text(ev.target),
                "version": text(ev.http_version),
                "headers": [[text(n), text(v)] for n, v in ev.headers],
                "body": "",
                "complete": False,
                "keep_alive": False,
                "trailers": [],
            }
            requests.append(cur)
        elif isinstance(ev, h11.Data):
            cur["body"] += text(ev.data)
        elif isinstance(ev, h11.EndOfMessage):
            cur["complete"] = True
            cur["trailers"] = [[text(n), text(v)] for n, v in ev.headers]
            # MIGHT_SWITCH_PROTOCOL (CONNECT, Upgrade) ends in DONE once
            # the 404 below declines the switch.
            cur["keep_alive"] = conn.their_state is not h11.MUST_CLOSE
            if not cur["keep_alive"] or len(requests) == MAX_REQUESTS:
                return {"requests": requests, "end": "stop"}
            conn.send(h11.Response(status_code=404, headers=[("Content-Length", "0")]))
            conn.send(h11.EndOfMessage())
            if conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
                cur["keep_alive"] = False
                return {"requests": requests, "end": "stop"}
            conn.start_next_cycle()
        elif ev is h11.PAUSED:
            # Only after EndOfMessage, which answers and cycles above.
            return {"requests": requests, "end": "stop"}
        else:
            return {"requests": requests, "end": "error", "error": "unexpected event %r" % (ev,), "status": 0}


def main():
    out = sys.stdout
    out.write(json.dumps({"h11": h11.__version__}) + "\n")
    out.flush()
    inp = sys.stdin.buffer
    while True:
        head = inp.read(4)
        if len(head) < 4:
            return
        (n,) = struct.unpack(">I", head)
        data = inp.read(n)
        if len(data) < n:
            return
        out.write(json.dumps(parse(data)) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
