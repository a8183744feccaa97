"""Answers the value of the GREETING environment variable."""
import os


def application(environ, start_response):
    body = os.environ.get("GREETING", "unset").encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
