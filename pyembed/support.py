# _gwsgi: the Python half of gwsgi's embedding, run once at start-up inside
# the module _gwsgi, which the C side has given a `log(str)` builtin that
# writes to the server's error log, and `log_at(level, str)`, which writes
# at a logging level. hooks.py runs in the same module after it.

import importlib
import json
import os
import stat
import sys
import threading


class ErrorStream:
    """wsgi.errors: text written here goes to the server's error log, one
    log line per line of text (a partial line waits for its end or flush)."""

    def __init__(self):
        self._local = threading.local()

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError("wsgi.errors.write() argument must be str, not %s" % type(s).__name__)
        buf = getattr(self._local, "buf", "") + s
        *lines, rest = buf.split("\n")
        for line in lines:
            log(line)  # noqa: F821 (set by the C side)
        self._local.buf = rest
        return len(s)

    def writelines(self, seq):
        for s in seq:
            self.write(s)

    def flush(self):
        rest = getattr(self._local, "buf", "")
        if rest:
            self._local.buf = ""
            log(rest)  # noqa: F821


errors = ErrorStream()


class RequestTimeout(BaseException):
    """Raised inside a request's thread when the request ran past the
    server's --timeout without sending response bytes. Like
    KeyboardInterrupt it derives from BaseException, so that the app's
    `except Exception:` does not swallow it: the app unwinds, its close()
    runs, and the client gets a 500."""


class FileWrapper:
    """wsgi.file_wrapper: iterates a file-like object in blocks of blksize
    bytes. close() closes the file. When the object is a regular file the
    server sends it with sendfile(2) instead of iterating (see
    _gwsgi_file)."""

    gwsgi_file_wrapper = True

    def __init__(self, filelike, blksize=8192):
        self.filelike = filelike
        self.blksize = blksize
        if hasattr(filelike, "close"):
            self.close = filelike.close

    def __iter__(self):
        return self

    def _gwsgi_file(self):
        """(fd, offset, count) of what is left of a regular file, or None
        when filelike is not one: the server then iterates instead."""
        try:
            fd = self.filelike.fileno()
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                return None
            offset = self.filelike.tell()
        except (AttributeError, OSError, ValueError):
            return None
        return (fd, offset, max(st.st_size - offset, 0))

    def __next__(self):
        data = self.filelike.read(self.blksize)
        if data:
            return data
        raise StopIteration


exiting = []  # the Hooks of loaded apps, whose worker_exit runs at the end


def load(spec, chdir, paths, options):
    """Imports "module:callable" ("module" alone means module:application;
    the callable may be a dotted path, and "name()" calls a factory) after
    changing to chdir and putting paths and the working directory first on
    sys.path, the way gunicorn does. options is JSON: "hooks", when set,
    holds the config file whose server hooks run ({"path", "pid", "ppid",
    "age", "settings"}): post_fork before the import, post_worker_init
    after, pre_request and post_request around each request."""
    options = json.loads(options) if options else {}
    if chdir:
        os.chdir(chdir)
    for p in reversed([os.path.abspath(p) for p in paths] + [os.getcwd()]):
        while p in sys.path:
            sys.path.remove(p)
        sys.path.insert(0, p)
    hooks = None
    if options.get("hooks"):
        hooks = Hooks(options["hooks"]["path"], options["hooks"])  # noqa: F821 (hooks.py)
        hooks.post_fork()
    app = import_app(spec)
    if hooks is not None:
        hooks.post_worker_init(app)
        exiting.append(hooks)
        app = hooks.wrap(app)
    return app


def at_exit():
    """Runs the worker_exit hooks, once, before the interpreter ends."""
    while exiting:
        exiting.pop().worker_exit()


def import_app(spec):
    """Imports spec, module:callable, and returns the callable."""
    module, _, name = spec.partition(":")
    if not module:
        raise ValueError("app %r: expected module:callable" % spec)
    name = name or "application"
    factory = name.endswith("()")
    if factory:
        name = name[:-2]
    obj = importlib.import_module(module)
    for part in name.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise AttributeError("module %r has no attribute %r" % (module, name)) from None
    if factory:
        obj = obj()
    if not callable(obj):
        raise TypeError("app %r is a %s, which is not callable" % (spec, type(obj).__name__))
    return obj
