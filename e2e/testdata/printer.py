# The app of e2e/logs_test.go: prints a line to standard output and one to
# standard error for each request, then answers with its pid.
import os
import sys


def application(environ, start_response):
    print("stdout says %s" % environ["PATH_INFO"], flush=True)
    sys.stderr.write("stderr says %s\n" % environ["PATH_INFO"])
    sys.stderr.flush()
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
