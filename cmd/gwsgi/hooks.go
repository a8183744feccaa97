package main

import (
	"os"
	"path/filepath"
	"slices"

	"github.com/gwsgi/gwsgi/conf"

	"github.com/gwsgi/gwsgi/pyembed"
	"github.com/gwsgi/gwsgi/supervise"
)

// workerHooks is what the worker-side server hooks of the config file
// (post_fork, post_worker_init, pre_request, post_request, worker_exit)
// are told about this process; nil when the file defines none.
func workerHooks(o *options) *pyembed.Hooks {
	if o.hookFile == "" {
		return nil
	}
	h := &pyembed.Hooks{Path: o.hookFile, Pid: os.Getpid(), Ppid: os.Getpid(), Settings: hookSettings(o)}
	if supervise.IsWorker() {
		h.Ppid = os.Getppid()
		h.Age = supervise.WorkerAge()
	}
	return h
}

// hookSettings are the settings worker.cfg and server.cfg show, by
// gunicorn's names.
func hookSettings(o *options) map[string]any {
	return map[string]any{
		"bind":                o.bindStrings(),
		"workers":             o.workers,
		"threads":             o.cfg.Threads,
		"timeout":             o.secs.timeout,
		"graceful_timeout":    o.secs.graceful,
		"keepalive":           o.secs.keepAlive,
		"max_requests":        o.maxRequests,
		"max_requests_jitter": o.maxJitter,
		"backlog":             o.sockets.Backlog,
		"chdir":               o.chdir,
		"pythonpath":          o.pythonPath,
		"raw_env":             o.env,
		"accesslog":           o.logs.accessLog,
		"access_log_format":   o.logs.formatText,
		"errorlog":            o.logs.errorLog,
		"loglevel":            o.logs.level,
		"proc_name":           o.procName(),
		"wsgi_app":            o.app,
		"worker_class":        o.workerClass,
		"pidfile":             o.pidFile,
		"virtualenv":          o.virtualenv,
		"config":              o.hookFile,
	}
}

// childExit returns the runner of the config file's child_exit hook, nil
// when it defines none. The hook runs in a Python process of its own,
// with the virtual environment's interpreter if there is one, in the
// --chdir directory with --pythonpath first on sys.path, as in gunicorn's
// master.
func childExit(o *options) *conf.ChildExit {
	if !slices.Contains(o.hooks, "child_exit") {
		return nil
	}
	interp := python
	if o.virtualenv != "" {
		interp = filepath.Join(o.virtualenv, "bin", "python"+pyembed.Version())
	}
	dir := o.chdir
	if dir == "" {
		dir, _ = os.Getwd()
	}
	return &conf.ChildExit{
		Python:   interp,
		Path:     o.hookFile,
		Hooks:    pyembed.HookScript(),
		Dir:      dir,
		SysPath:  append(slices.Clone(o.pythonPath), dir),
		Settings: hookSettings(o),
		Log:      o.log.Slog(),
	}
}
