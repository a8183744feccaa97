"""Answers "<pid> <wsgi.multiprocess>": which worker process served."""
import os


def application(environ, start_response):
    body = ("%d %s" % (os.getpid(), environ["wsgi.multiprocess"])).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
