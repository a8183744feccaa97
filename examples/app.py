"""gwsgi's default Python app: what `make run` serves.

    bin/gwsgi -b 127.0.0.1:8000 --chdir examples app:application

Routes:
    /             "Hello, World!" (13 bytes, the benchmarks' hello workload)
    /echo         POST: the request body back, with the request's Content-Type
    /stream?n=N   N chunks from a generator, each sent as it is produced
    anything else 404
"""

from urllib.parse import parse_qs

HELLO = [b"Hello, World!"]
TEXT = [("Content-Type", "text/plain")]


def stream(n):
    for i in range(n):
        yield b"chunk %d\n" % i


def application(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "13")])
        return HELLO
    if path == "/echo":
        if environ["REQUEST_METHOD"] != "POST":
            start_response("405 Method Not Allowed", TEXT + [("Allow", "POST")])
            return [b"POST only\n"]
        length = environ.get("CONTENT_LENGTH")
        body = environ["wsgi.input"].read(int(length)) if length else environ["wsgi.input"].read()
        start_response("200 OK", [
            ("Content-Type", environ.get("CONTENT_TYPE") or "application/octet-stream"),
            ("Content-Length", str(len(body))),
        ])
        return [body]
    if path == "/stream":
        try:
            n = int(parse_qs(environ.get("QUERY_STRING", "")).get("n", ["10"])[0])
        except ValueError:
            n = 10
        start_response("200 OK", TEXT)
        return stream(max(0, min(n, 100000)))
    start_response("404 Not Found", TEXT)
    return [b"Not Found\n"]
