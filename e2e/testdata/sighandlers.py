"""An app that, like some libraries, installs its own signal handlers at
import; gwsgi must keep its own. Answers the pid."""
import os
import signal

signal.signal(signal.SIGTERM, lambda *args: None)
signal.signal(signal.SIGINT, signal.SIG_IGN)


def application(environ, start_response):
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
