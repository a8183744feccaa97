"""benchapp behind a gzip middleware that does what Django's does.

    bin/gwsgi -b 127.0.0.1:8000 --chdir bench/apps gzipapp:application

GZipMiddleware (django/middleware/gzip.py, Django 3.2 to 5.x) with
compress_string (django/utils/text.py), restated as WSGI middleware on the
standard library so that the benchmark needs no Django project: the body is
joined, and

- a body under 200 bytes, or a response that already has a
  Content-Encoding, is passed on as it is;
- otherwise Accept-Encoding is added to Vary;
- when the request's Accept-Encoding has the word gzip, the body is
  compressed with GzipFile(mode="wb", compresslevel=6, mtime=0); if that is
  not shorter the body goes as it is, else Content-Length is the compressed
  length, a strong ETag is made weak and Content-Encoding is gzip.

Django's request and response objects are left out: this measures the
compression in Python, not Django.
"""

import re
from gzip import GzipFile
from io import BytesIO

import benchapp

_ACCEPTS_GZIP = re.compile(r"\bgzip\b")
_COMMA = re.compile(r"\s*,\s*")


def compress_string(s):
    """django.utils.text.compress_string."""
    zbuf = BytesIO()
    with GzipFile(mode="wb", compresslevel=6, fileobj=zbuf, mtime=0) as zfile:
        zfile.write(s)
    return zbuf.getvalue()


def _find(headers, name):
    """The index of header name in headers, or -1."""
    name = name.lower()
    for i, (k, _) in enumerate(headers):
        if k.lower() == name:
            return i
    return -1


def _set(headers, name, value):
    i = _find(headers, name)
    if i < 0:
        headers.append((name, value))
    else:
        headers[i] = (name, value)


def _patch_vary(headers, newheader):
    """django.utils.cache.patch_vary_headers for one header."""
    i = _find(headers, "Vary")
    vary = _COMMA.split(headers[i][1]) if i >= 0 else []
    if newheader.lower() not in {h.lower() for h in vary}:
        vary.append(newheader)
    _set(headers, "Vary", "*" if "*" in vary else ", ".join(vary))


class GZipMiddleware:
    """Wraps a WSGI app; each response is buffered, as Django's is."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        seen = {}

        def capture(status, headers, exc_info=None):
            seen["status"], seen["headers"], seen["exc_info"] = status, list(headers), exc_info
            return chunks.append

        chunks = []
        result = self.app(environ, capture)
        try:
            chunks.extend(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        body = b"".join(chunks)
        status, headers = seen["status"], seen["headers"]
        if len(body) >= 200 and _find(headers, "Content-Encoding") < 0:
            _patch_vary(headers, "Accept-Encoding")
            if _ACCEPTS_GZIP.search(environ.get("HTTP_ACCEPT_ENCODING", "")):
                compressed = compress_string(body)
                if len(compressed) < len(body):
                    body = compressed
                    _set(headers, "Content-Length", str(len(body)))
                    i = _find(headers, "ETag")
                    if i >= 0 and headers[i][1].startswith('"'):
                        headers[i] = (headers[i][0], "W/" + headers[i][1])
                    _set(headers, "Content-Encoding", "gzip")
        start_response(status, headers, seen["exc_info"])
        return [body]


application = GZipMiddleware(benchapp.application)
