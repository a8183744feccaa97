"""An app whose responses exercise every access-log atom: the same under
gwsgi and gunicorn."""
import os


def application(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/hello":
        start_response("200 OK", [("Content-Type", "text/plain"), ("X-App", 'a "quoted" value')])
        return [b"hello world"]
    if path == "/echo":
        body = environ["wsgi.input"].read()
        start_response("201 Created", [("Content-Type", "application/octet-stream"),
                                       ("Content-Length", str(len(body)))])
        return [body]
    if path == "/stream":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return iter([b"a" * 10, b"b" * 20])
    if path == "/env":
        body = ("%s %s" % (os.environ.get("GREETING"), environ["wsgi.url_scheme"])).encode()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [body]
    if path == "/short":
        start_response("200 OK", [("Content-Length", "5")])
        return [b"0123456789"]
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"not found: " + path.encode("latin-1")]
