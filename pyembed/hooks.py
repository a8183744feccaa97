# The server hooks of a gunicorn config file, run by gwsgi where gunicorn
# runs them: post_fork, post_worker_init, pre_request, post_request and
# worker_exit in the worker process, child_exit in a short-lived process
# the master starts. This source runs inside the _gwsgi module of a
# worker's interpreter, and alone in the child_exit process; either defines
# log_at(level, str) first, which writes one line to the server's error
# log at a logging level (10 debug ... 50 critical).

import importlib
import importlib.machinery
import importlib.util
import inspect
import logging
import os
import sys
import traceback
import types

WORKER_HOOKS = ("post_fork", "post_worker_init", "pre_request", "post_request", "worker_exit")


class HookLog:
    """worker.log and server.log: the calls of gunicorn's logger that hooks
    make, written to gwsgi's error log at their levels."""

    def log(self, lvl, msg, *args, **kw):
        if isinstance(lvl, str):
            lvl = logging.getLevelName(lvl.upper())
        if not isinstance(lvl, int):
            lvl = logging.INFO
        text = str(msg)
        if args:
            try:
                text = text % args
            except (TypeError, ValueError):
                text = "%s %r" % (text, args)
        if kw.get("exc_info"):
            text += "\n" + traceback.format_exc().rstrip()
        for line in text.split("\n"):
            log_at(lvl, line)  # noqa: F821 (defined by the host)

    def debug(self, msg, *args, **kw):
        self.log(logging.DEBUG, msg, *args, **kw)

    def info(self, msg, *args, **kw):
        self.log(logging.INFO, msg, *args, **kw)

    def warning(self, msg, *args, **kw):
        self.log(logging.WARNING, msg, *args, **kw)

    warn = warning

    def error(self, msg, *args, **kw):
        self.log(logging.ERROR, msg, *args, **kw)

    def critical(self, msg, *args, **kw):
        self.log(logging.CRITICAL, msg, *args, **kw)

    def exception(self, msg, *args, **kw):
        kw["exc_info"] = True
        self.log(logging.ERROR, msg, *args, **kw)


class Config(types.SimpleNamespace):
    """worker.cfg and server.cfg: the settings by gunicorn's names
    (workers, threads, bind, timeout, proc_name, ...); a setting gwsgi does
    not report reads as None."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return None


class Server:
    """The `server` argument (gunicorn's Arbiter): pid is the master's."""

    def __init__(self, pid, cfg, log):
        self.pid = pid
        self.cfg = cfg
        self.log = log
        self.num_workers = cfg.workers
        self.proc_name = cfg.proc_name


class Worker:
    """The `worker` argument: pid, ppid, age (the worker's start number)
    and, once the app is loaded, wsgi."""

    def __init__(self, pid, ppid, age, cfg, log):
        self.pid = pid
        self.ppid = ppid
        self.age = age
        self.cfg = cfg
        self.log = log
        self.alive = True
        self.booted = False
        self.aborted = False
        self.nr = 0
        self.wsgi = None
        self.timeout = cfg.timeout


class Request:
    """The `req` argument of pre_request and post_request, read from the
    environ: method, uri, path, query, fragment, version, headers (names in
    upper case, as gunicorn gives them), scheme, peer_addr, remote_addr and
    body (wsgi.input)."""

    def __init__(self, environ):
        self.method = environ.get("REQUEST_METHOD")
        uri = environ.get("RAW_URI")
        if uri is None:
            uri = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
            if environ.get("QUERY_STRING"):
                uri += "?" + environ["QUERY_STRING"]
        self.uri = uri
        rest, _, self.fragment = uri.partition("#")
        self.path, _, self.query = rest.partition("?")
        if "://" in self.path:
            self.path = "/" + self.path.split("://", 1)[1].partition("/")[2]
        proto = environ.get("SERVER_PROTOCOL", "HTTP/1.0")
        try:
            self.version = (int(proto[5]), int(proto[7]))
        except (ValueError, IndexError):
            self.version = (1, 0)
        self.headers = request_headers(environ)
        self.trailers = []
        self.scheme = environ.get("wsgi.url_scheme", "http")
        port = environ.get("REMOTE_PORT", "")
        addr = (environ.get("REMOTE_ADDR", ""), int(port) if port.isdigit() else 0)
        self.peer_addr = self.remote_addr = addr
        self.body = environ.get("wsgi.input")


def request_headers(environ):
    """The request's header fields as gunicorn lists them, from environ."""
    out = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            out.append((key[5:].replace("_", "-"), value))
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            out.append((key.replace("_", "-"), value))
    return out


class Response:
    """The `resp` argument of post_request: status ("200 OK"), status_code,
    headers as the app gave them, response_length (its Content-Length, or
    None) and sent, the body bytes the app handed over."""

    def __init__(self):
        self.status = None
        self.status_code = None
        self.headers = []
        self.headers_sent = False
        self.response_length = None
        self.sent = 0
        self.chunked = False

    def started(self, status, headers):
        self.status = status
        try:
            self.status_code = int(status.split()[0])
        except (ValueError, IndexError, AttributeError):
            self.status_code = None
        self.headers = list(headers)
        for name, value in self.headers:
            if isinstance(name, str) and name.lower() == "content-length":
                try:
                    self.response_length = int(value)
                except ValueError:
                    pass
        self.chunked = self.response_length is None


def resolve(value):
    """A hook: a callable, or gunicorn's import string naming one."""
    if isinstance(value, str):
        module, _, name = value.rpartition(".")
        value = getattr(importlib.import_module(module), name)
    return value


def positional(fn):
    """How many positional parameters fn takes."""
    return sum(1 for p in inspect.signature(fn).parameters.values()
               if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))


def exec_config(path):
    """Executes the config file at path as gunicorn does, as a module named
    __config__, and returns its namespace."""
    name = "__config__"
    loader = None
    if os.path.splitext(path)[1] not in (".py", ".pyc"):
        loader = importlib.machinery.SourceFileLoader(name, path)
    spec = importlib.util.spec_from_file_location(name, path, loader=loader)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return vars(mod)


class Hooks:
    """The hooks of one config file, with the server and worker objects
    they are given. path is the config file; info holds pid, ppid, age and
    settings (a dict by gunicorn's names)."""

    def __init__(self, path, info, names=WORKER_HOOKS):
        ns = exec_config(path)
        self.fns = {}
        for name in names:
            if ns.get(name) is not None:
                self.fns[name] = resolve(ns[name])
        self.log = HookLog()
        cfg = Config(**info.get("settings", {}))
        self.server = Server(info.get("ppid") or info["pid"], cfg, self.log)
        self.worker = Worker(info["pid"], info.get("ppid") or info["pid"], info.get("age", 0), cfg, self.log)

    def post_fork(self):
        fn = self.fns.get("post_fork")
        if fn:
            fn(self.server, self.worker)

    def post_worker_init(self, app):
        self.worker.wsgi = app
        self.worker.booted = True
        fn = self.fns.get("post_worker_init")
        if fn:
            fn(self.worker)

    def worker_exit(self):
        """Runs worker_exit; an exception is logged, as the worker exits
        anyway."""
        self.worker.alive = False
        fn = self.fns.get("worker_exit")
        if fn:
            try:
                fn(self.server, self.worker)
            except Exception:
                self.log.exception("Exception in worker_exit hook")

    def wrap(self, app):
        """app, wrapped so that pre_request and post_request run around
        each request when the file defines either."""
        pre, post = self.fns.get("pre_request"), self.fns.get("post_request")
        if pre is None and post is None:
            return app
        return HookedApp(app, self, pre, post)


class HookedApp:
    """A WSGI app that runs pre_request before the app and post_request
    once the response is done (its iterable closed), as gunicorn's sync
    worker does: an exception in pre_request fails the request; one in
    post_request is logged."""

    def __init__(self, app, hooks, pre, post):
        self.app = app
        self.hooks = hooks
        self.pre = pre
        self.post = post
        self.post_args = positional(post) if post else 0

    def __call__(self, environ, start_response):
        worker = self.hooks.worker
        worker.nr += 1
        req = Request(environ)
        resp = Response()

        def hooked_start(status, headers, exc_info=None):
            resp.started(status, headers)
            write = start_response(status, headers, exc_info)

            def counted_write(data):
                resp.sent += len(data)
                return write(data)

            return counted_write

        if self.pre is not None:
            try:
                self.pre(worker, req)
            except BaseException:
                self.done(req, environ, None)  # as gunicorn: no response yet
                raise
        try:
            result = self.app(environ, hooked_start)
        except BaseException:
            self.done(req, environ, resp)
            raise
        if getattr(result, "gwsgi_file_wrapper", False):
            return HookedFile(result, self, req, environ, resp)
        return HookedResult(result, self, req, environ, resp)

    def done(self, req, environ, resp):
        """Runs post_request with the arguments it takes."""
        if self.post is None:
            return
        args = (self.hooks.worker, req, environ, resp)[:self.post_args]
        try:
            self.post(*args)
        except Exception:
            self.hooks.log.exception("Exception in post_request hook")


class HookedResult:
    """The app's iterable, counting the bytes it yields; close() closes it
    and then runs post_request."""

    def __init__(self, result, app, req, environ, resp):
        self.result = result
        self.it = None
        self.app = app
        self.args = (req, environ, resp)

    def __iter__(self):
        self.it = iter(self.result)
        return self

    def __next__(self):
        chunk = next(self.it)
        self.args[2].sent += len(chunk)
        return chunk

    def close(self):
        try:
            close = getattr(self.result, "close", None)
            if close is not None:
                close()
        finally:
            self.app.done(*self.args)


class HookedFile(HookedResult):
    """A wsgi.file_wrapper result, still sent with sendfile(2): the bytes
    counted are those of the file."""

    gwsgi_file_wrapper = True

    def _gwsgi_file(self):
        where = self.result._gwsgi_file()
        if where is not None:
            self.args[2].sent += where[2]
        return where


def run_child_exit(path, info):
    """Runs child_exit(server, worker) of the config file at path for a
    worker that has exited; info describes it (pid, ppid is the master)."""
    hooks = Hooks(path, info, names=("child_exit",))
    fn = hooks.fns.get("child_exit")
    if fn:
        hooks.worker.alive = False
        fn(hooks.server, hooks.worker)

