"""The WSGI app `make soak` serves: routes whose answers the soak client
can check byte for byte.

    bin/gwsgi -b 127.0.0.1:PORT --chdir tools/soak soakapp

Routes (every one copies the query's `tag` into an X-Tag header, so that
pipelined answers can be matched to their requests):
    /             "Hello, World!" (13 bytes)
    /echo         POST: reads wsgi.input to its end in 64 KiB reads and
                  answers "LENGTH SHA256HEX\n"; 400 when the read fails
    /stream?n=N   N chunks "chunk I\n" from a generator (chunked response)
    /big?n=N      N bytes of the pattern i % 251, with Content-Length, in
                  64 KiB pieces
    /slow?ms=N    sleeps N ms (at most 10 s), then "slept N\n"
    anything else 404
"""

import hashlib
import time
from urllib.parse import parse_qs

TEXT = "text/plain"
PATTERN = bytes(i % 251 for i in range(251 * 262))  # 65762 bytes, a whole number of periods
PIECE = 251 * 261  # 65511: the largest whole number of periods below 64 KiB


def number(query, name, default, limit):
    try:
        n = int(query.get(name, [str(default)])[0])
    except ValueError:
        n = default
    return max(0, min(n, limit))


def stream(n):
    for i in range(n):
        yield b"chunk %d\n" % i


def big(n):
    while n > 0:
        k = min(n, PIECE)
        yield PATTERN[:k]
        n -= k


def read_all(environ):
    stream_in = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH")
    left = int(length) if length else -1
    h = hashlib.sha256()
    total = 0
    while left != 0:
        data = stream_in.read(65536 if left < 0 else min(left, 65536))
        if not data:
            break
        h.update(data)
        total += len(data)
        if left > 0:
            left -= len(data)
    return total, h.hexdigest()


def application(environ, start_response):
    path = environ["PATH_INFO"]
    query = parse_qs(environ.get("QUERY_STRING", ""))
    headers = [("Content-Type", TEXT)]
    if "tag" in query:
        headers.append(("X-Tag", query["tag"][0]))
    if path == "/":
        start_response("200 OK", headers + [("Content-Length", "13")])
        return [b"Hello, World!"]
    if path == "/echo":
        if environ["REQUEST_METHOD"] != "POST":
            start_response("405 Method Not Allowed", headers + [("Allow", "POST")])
            return [b"POST only\n"]
        try:
            total, digest = read_all(environ)
        except OSError as e:  # the client stopped sending (--header-timeout) or left
            start_response("400 Bad Request", headers)
            return [b"request body: %s\n" % str(e).encode()]
        body = b"%d %s\n" % (total, digest.encode())
        start_response("200 OK", headers + [("Content-Length", str(len(body)))])
        return [body]
    if path == "/stream":
        start_response("200 OK", headers)
        return stream(number(query, "n", 10, 100000))
    if path == "/big":
        n = number(query, "n", 1 << 20, 64 << 20)
        start_response("200 OK", headers + [("Content-Length", str(n))])
        return big(n)
    if path == "/slow":
        ms = number(query, "ms", 100, 10000)
        time.sleep(ms / 1000)
        body = b"slept %d\n" % ms
        start_response("200 OK", headers + [("Content-Length", str(len(body)))])
        return [body]
    start_response("404 Not Found", headers)
    return [b"Not Found\n"]
