package pyembed

/*
#include "pyembed.h"
*/
import "C"

import (
	"context"
	_ "embed"
	"encoding/json"
	"log/slog"
	"sync/atomic"

	"github.com/gwsgi/gwsgi/logs"
)

// hooksSrc runs in the _gwsgi module after support.py: the server hooks
// of gunicorn config files.
//
//go:embed hooks.py
var hooksSrc string

// HookScript is the Python source of the hooks' objects (gunicorn's
// server, worker, request and response as hooks see them), for a process
// that runs a hook without the embedded interpreter: it must define
// log_at(level, str) before running it. See RunChildExit in package conf.
func HookScript() string { return hooksSrc }

// Hooks asks Load to run the worker-side server hooks of a gunicorn config
// file: post_fork before the app is imported, post_worker_init after,
// pre_request and post_request around every request (the app is then
// wrapped), and worker_exit when the last App closes, before the
// interpreter ends. The file is executed again in this process, as the
// module __config__, to get them.
type Hooks struct {
	// Path is the config file, absolute (Load may change directory first).
	Path string `json:"path"`
	// Pid and Ppid are what worker.pid and worker.ppid say; Ppid, the
	// master's pid, is also server.pid. Age is worker.age.
	Pid  int `json:"pid"`
	Ppid int `json:"ppid"`
	Age  int `json:"age"`
	// Settings are what worker.cfg and server.cfg hold, by gunicorn's
	// names (workers, threads, bind, timeout, proc_name, ...).
	Settings map[string]any `json:"settings"`
}

// loadOptions is the JSON object _gwsgi.load reads.
type loadOptions struct {
	Hooks *Hooks `json:"hooks,omitempty"`
}

func (o Options) loadJSON() (string, error) {
	b, err := json.Marshal(loadOptions{Hooks: o.Hooks})
	return string(b), err
}

// leveled receives log_at lines (hooks' worker.log); nil: errLog.
var leveled atomic.Pointer[slog.Logger]

// pyembedLogAt writes one line at a Python logging level (10 debug, 20
// info, 30 warning, 40 error, 50 critical); the GIL is released.
//
//export pyembedLogAt
func pyembedLogAt(level C.int, p *C.char, n C.Py_ssize_t) {
	msg := cstr(p, n)
	l := leveled.Load()
	if l == nil {
		logf("%s", msg)
		return
	}
	l.Log(context.Background(), logs.PythonLevel(int(level)), msg)
}
