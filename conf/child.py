# Runs the child_exit hook of a gunicorn config file for a worker that has
# exited, in a process of its own, since gwsgi's master never imports
# Python. argv: HOOKS_SOURCE CONFIG_PATH INFO_JSON, where HOOKS_SOURCE is
# gwsgi's hooks.py and INFO_JSON holds pid, ppid, age, settings and path
# (the directories put first on sys.path). Log lines go to descriptor 3 as
# "LEVEL TEXT"; the hook's own output goes to standard output and error.

import json
import os
import sys
import traceback

_report = os.fdopen(3, "w", buffering=1, encoding="utf-8", errors="replace")


def log_at(level, msg):
    _report.write("%d %s\n" % (level, msg.replace("\n", " ")))


def main():
    source, path, info = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    sys.argv = sys.argv[:1]
    sys.dont_write_bytecode = True
    if sys.path and sys.path[0] == "":
        del sys.path[0]
    for p in reversed(info.get("path", [])):
        if p not in sys.path:
            sys.path.insert(0, p)
    hooks = {"log_at": log_at, "__name__": "_gwsgi"}
    exec(compile(source, "<gwsgi hooks.py>", "exec"), hooks)
    try:
        hooks["run_child_exit"](path, info)
    except Exception:
        for line in ("Exception in child_exit hook\n" + traceback.format_exc()).rstrip().split("\n"):
            log_at(40, line)
    _report.close()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(0)


main()
