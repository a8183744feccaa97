# Server hooks, run alike by gunicorn and gwsgi (e2e/hooks_test.go): each
# writes one line about what it was given to $HOOKS_OUT.
import os
import sys


def _write(line):
    with open(os.environ["HOOKS_OUT"], "a") as f:
        f.write(line + "\n")


def post_fork(server, worker):
    _write("post_fork age=%d master=%s app_loaded=%s" % (
        worker.age, server.pid == worker.ppid == os.getppid(), "hooksapp" in sys.modules))


def post_worker_init(worker):
    worker.log.info("hooks: worker %d booted", worker.age)
    _write("post_worker_init age=%d pid=%s app_loaded=%s callable=%s" % (
        worker.age, worker.pid == os.getpid(), "hooksapp" in sys.modules, callable(worker.wsgi)))


def pre_request(worker, req):
    _write("pre_request %s %s %r %r %s %s" % (
        req.method, req.path, req.query, req.uri, req.version, dict(req.headers).get("X-TEST")))
    if req.path == "/boom":
        raise RuntimeError("pre_request refuses /boom")


def post_request(worker, req, environ, resp):
    if resp is None:
        _write("post_request %s no response" % req.path)
        return
    _write("post_request %s %s %s %s %s" % (
        req.path, resp.status, resp.status_code, resp.sent, environ["PATH_INFO"]))


def worker_exit(server, worker):
    _write("worker_exit age=%d" % worker.age)


def child_exit(server, worker):
    server.log.info("hooks: child_exit for worker %d", worker.age)
    _write("child_exit age=%d master=%s" % (worker.age, server.pid in (os.getpid(), os.getppid())))
