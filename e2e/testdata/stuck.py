"""Requests that do not come back: /spin loops in Python (a timeout's
exception reaches it), /sleep blocks in C (time.sleep: it does not).
/unwound says how spins unwound (their finally, their close()),
/sleeping how many requests sleep now; anything else answers the pid."""
import os
import time

unwound = []
sleeping = []


class Spin:
    def __iter__(self):
        try:
            while True:
                pass
        finally:
            unwound.append("finally")
        yield b""

    def close(self):
        unwound.append("close")


def application(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/sleep":
        sleeping.append(1)
        time.sleep(3600)
    if path == "/spin":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return Spin()
    if path == "/unwound":
        body = " ".join(unwound).encode()
    elif path == "/sleeping":
        body = str(len(sleeping)).encode()
    else:
        body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
