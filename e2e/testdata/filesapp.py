"""The app of the --compress and --static-map tests.

Routes:
    /json      a JSON document of about 150 KB, with Content-Length
    /events    server-sent events: 4 events, 300 ms apart, from a generator
    /spin      holds the GIL for about a second, then answers "spun"
    /small     a short JSON answer (below --compress-min-size)
    anything else  "app: PATH" (text/plain)
"""

import json
import time

DOC = json.dumps(
    [
        {
            "id": i,
            "name": "user %d" % i,
            "email": "user%d@example.com" % i,
            "tags": ["alpha", "beta", str(i % 7)],
            "created": "2026-11-22T08:%02d:%02dZ" % (i % 60, (i * 7) % 60),
            "score": i * 3.25,
        }
        for i in range(1200)
    ]
).encode()


def events():
    for i in range(4):
        yield b"data: event %d at %.6f\n\n" % (i, time.time())
        time.sleep(0.3)


def application(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/json":
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(DOC))), ("ETag", '"doc1"')])
        return [DOC]
    if path == "/events":
        start_response("200 OK", [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")])
        return events()
    if path == "/spin":
        end = time.thread_time() + 1.0
        while time.thread_time() < end:
            pass
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"spun"]
    if path == "/small":
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"ok": true}']
    body = ("app: " + path).encode("latin-1")
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
