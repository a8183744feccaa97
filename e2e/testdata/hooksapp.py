# The app of e2e/hooks_test.go: echoes the path, and streams for /stream.


def application(environ, start_response):
    if environ["PATH_INFO"] == "/stream":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return (b"chunk %d\n" % i for i in range(3))
    body = ("hello " + environ["PATH_INFO"]).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
