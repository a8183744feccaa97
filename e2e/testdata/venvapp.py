# The app of e2e/venv_test.go: says where its Python packages come from.
# venvmark and pthmod exist only in the test's virtual environment (the
# second through a .pth file).
import sys

import pthmod
import venvmark


def application(environ, start_response):
    try:
        import flask  # noqa: F401 (Debian's, outside the environment)
        system = "system packages"
    except ImportError:
        system = "no system packages"
    body = " | ".join([sys.prefix, venvmark.MARK, pthmod.PTH, system]).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
