"""The plain WSGI app every server in the benchmark serves.

    bin/gwsgi -b 127.0.0.1:8000 --chdir bench/apps benchapp:application

Routes:
    /       "Hello, World!" (13 bytes)
    /10k    10 KiB of text
    /echo   POST: the request body back
    /sleep  time.sleep(0.01), then a short answer
    anything else 404
"""

import time

HELLO = [b"Hello, World!"]
TEN_K = [b"x" * 10240]
SLEPT = [b"slept\n"]


def _headers(n, ctype="text/plain"):
    return [("Content-Type", ctype), ("Content-Length", str(n))]


def application(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/":
        start_response("200 OK", _headers(13))
        return HELLO
    if path == "/10k":
        start_response("200 OK", _headers(10240))
        return TEN_K
    if path == "/echo":
        if environ["REQUEST_METHOD"] != "POST":
            start_response("405 Method Not Allowed", _headers(10) + [("Allow", "POST")])
            return [b"POST only\n"]
        length = environ.get("CONTENT_LENGTH")
        body = environ["wsgi.input"].read(int(length)) if length else b""
        start_response("200 OK", _headers(len(body), "application/octet-stream"))
        return [body]
    if path == "/sleep":
        time.sleep(0.01)
        start_response("200 OK", _headers(6))
        return SLEPT
    start_response("404 Not Found", _headers(10))
    return [b"Not Found\n"]
