# Evaluates a gunicorn config file as gunicorn does and reports what it
# defines as one JSON object written to file descriptor 3.
#
# argv: LOCATION SPEC, where LOCATION is a path, "file:PATH" or
# "python:MODULE", and SPEC is a JSON object: {"settings": [names],
# "hooks": {name: [accepted arities]}}.
#
# The report is {"path": ..., "settings": {name: value}, "hooks": [names],
# "unknown": [names], "invalid": {name: why}} or, when the file cannot be
# evaluated, {"error": message}. Nothing here imports gunicorn.

import __future__
import importlib
import importlib.machinery
import importlib.util
import inspect
import json
import math
import os
import sys
import traceback
import types


class LoadError(Exception):
    """A config file that cannot be read, said in one line."""


def main():
    os.set_inheritable(3, False)
    out = os.fdopen(3, "w", encoding="utf-8")
    location, spec = sys.argv[1], json.loads(sys.argv[2])
    sys.argv = sys.argv[:1]
    sys.dont_write_bytecode = True
    # As gunicorn's Application.chdir does before it reads the file.
    if sys.path and sys.path[0] == "":
        del sys.path[0]
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        path, names = load(location)
        report = collect(names, set(spec["settings"]), spec["hooks"])
        report["path"] = path
    except LoadError as e:
        report = {"error": str(e)}
    except BaseException as e:
        report = {"error": describe(e)}
    json.dump(report, out)
    out.close()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    # Threads or atexit handlers the file started must not keep the
    # report waiting.
    os._exit(0)


def load(location):
    """Executes the file (or imports the module) as gunicorn's
    Application.load_config_from_module_name_or_filename does and returns
    its path and namespace."""
    if location.startswith("python:"):
        mod = importlib.import_module(location[len("python:"):])
        return location, vars(mod)
    if location.startswith("file:"):
        location = location[len("file:"):]
    if not os.path.exists(location):
        raise LoadError("%r doesn't exist" % location)
    name = "__config__"
    if os.path.splitext(location)[1] in (".py", ".pyc"):
        spec = importlib.util.spec_from_file_location(name, location)
    else:
        print("WARNING: configuration file should have a valid Python extension.",
              file=sys.stderr)
        loader = importlib.machinery.SourceFileLoader(name, location)
        spec = importlib.util.spec_from_file_location(name, location, loader=loader)
    if spec is None:
        raise LoadError("%r cannot be loaded as Python" % location)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return os.path.abspath(location), vars(mod)


def describe(exc):
    """Python's traceback of exc, without the frames of this script and of
    importlib that lead to the file."""
    te = traceback.TracebackException.from_exception(exc)
    skip = 0
    for frame in te.stack:
        if not ours(frame.filename):
            break
        skip += 1
    del te.stack[:skip]
    return "".join(te.format()).rstrip()


def ours(filename):
    return (filename == "<string>" or filename.startswith("<frozen ")
            or filename == importlib.__file__)


def collect(names, settings, hooks):
    """Sorts the module's names into settings, hooks and unknown names."""
    report = {"settings": {}, "hooks": [], "unknown": [], "invalid": {}}
    for name, value in names.items():
        if name.startswith("_"):
            continue
        try:
            if name in hooks:
                check_hook(value, hooks[name])
                report["hooks"].append(name)
            elif name in settings:
                report["settings"][name] = plain(value)
            elif not incidental(value):
                report["unknown"].append(name)
        except Exception as e:
            report["invalid"][name] = str(e) or type(e).__name__
    return report


def incidental(value):
    """Whether a name not a setting is one a config file uses rather than
    sets: an import, a helper function or class, a __future__ feature."""
    return (isinstance(value, types.ModuleType) or callable(value)
            or isinstance(value, __future__._Feature))


def check_hook(value, arities):
    """Validates a server hook as gunicorn's validate_callable does: a
    callable, or an import string naming one, taking one of arities
    positional parameters."""
    if isinstance(value, str):
        mod_name, _, obj_name = value.rpartition(".")
        if not mod_name:
            raise TypeError("%r is not an import string: module[.submodules...].object"
                            % value)
        try:
            value = getattr(importlib.import_module(mod_name), obj_name)
        except ImportError as e:
            raise TypeError(str(e))
        except AttributeError:
            raise TypeError("cannot load %r from %r" % (obj_name, mod_name))
    if not callable(value):
        raise TypeError("%s is not callable" % shown(value))
    arity = sum(1 for p in inspect.signature(value).parameters.values()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
    if arity not in arities:
        raise TypeError("takes %d positional arguments, not %s"
                        % (arity, " or ".join(map(str, arities))))


def plain(value):
    """value as JSON-ready data: None, bool, int, float, str, lists (from
    lists and tuples) and dicts with str keys."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float) and math.isfinite(value):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError("%s has a key that is not a str: %s"
                                % (shown(value), shown(k)))
            out[str.__str__(k)] = plain(v)
        return out
    raise TypeError("%s is not a str, int, bool, None, list or dict" % shown(value))


def shown(value):
    """A short description of value for an error message."""
    if isinstance(value, types.ModuleType):
        return "module %s" % value.__name__
    if inspect.isclass(value):
        return "class %s.%s" % (value.__module__, value.__qualname__)
    if inspect.isroutine(value):
        return "function %s" % getattr(value, "__qualname__", value)
    r = repr(value)
    if len(r) > 60:
        r = r[:57] + "..."
    return "%s %s" % (type(value).__name__, r)


main()
