package pyembed

/*
#include "pyembed.h"
*/
import "C"

import (
	_ "embed"
	"fmt"
	"log"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"
)

//go:embed support.py
var supportSrc string

// Options says which app to load and how.
type Options struct {
	// Spec is "module:callable"; "module" alone means module:application.
	// The callable may be a dotted path, and "factory()" calls a factory.
	Spec string
	// Chdir is the directory to change to before importing, "" for none.
	Chdir string
	// PythonPath lists directories put first on sys.path, before the
	// working directory (which is always added, as gunicorn does).
	PythonPath []string
	// ErrorLog receives wsgi.errors lines; nil: the standard logger. The
	// first Load of the process sets it.
	ErrorLog *log.Logger
	// Multiprocess is the value of wsgi.multiprocess (several worker
	// processes serve the app). The first Load of the process sets it.
	Multiprocess bool
	// KeepSignals are signals the server handles: an action the app
	// installs for one of them while it is imported (signal.signal) is
	// replaced by the server's again, with a warning in the log.
	KeepSignals []syscall.Signal
	// Program is the interpreter's program name, from which CPython finds
	// its standard library; "" means "python3.X" of the linked libpython.
	// PYTHONHOME, when set, takes precedence.
	Program string
	// Virtualenv is a virtual environment (a directory with pyvenv.cfg)
	// of the linked Python's major.minor version, whose site-packages the
	// app imports from: the interpreter starts as its bin/python would,
	// with sys.prefix the environment. It overrides Program. The first
	// Load of the process sets it.
	Virtualenv string
	// Hooks, when set, runs the worker-side server hooks of a gunicorn
	// config file around this app (see Hooks).
	Hooks *Hooks
	// Logger receives the lines hooks write with worker.log, at their
	// levels; nil: ErrorLog. The first Load of the process sets it.
	Logger *slog.Logger
}

// App is a loaded Python WSGI callable; it implements wsgi.App. Its
// methods are safe for concurrent use.
type App struct {
	spec     string
	callable *C.PyObject // new ref, dropped by Close
	closed   atomic.Bool
}

// interp is the process's one interpreter and the locked thread that
// initialized it, which runs ops (imports, finalization) with the GIL.
var interp struct {
	mu        sync.Mutex
	running   bool
	finalized bool
	apps      int
	ops       chan func()
}

var errLog atomic.Pointer[log.Logger]

// Load initializes the interpreter on first use, imports opts.Spec and
// returns the app. A Python error (a failed import, a missing attribute)
// is an *Error whose text holds the traceback.
func Load(opts Options) (*App, error) {
	interp.mu.Lock()
	defer interp.mu.Unlock()
	if interp.finalized {
		return nil, ErrFinalized
	}
	if !interp.running {
		if err := start(opts); err != nil {
			return nil, err
		}
	}
	spec := C.CString(opts.Spec)
	defer C.free(unsafe.Pointer(spec))
	chdir := C.CString(opts.Chdir)
	defer C.free(unsafe.Pointer(chdir))
	var paths strings.Builder
	for _, p := range opts.PythonPath {
		if p != "" {
			paths.WriteString(p)
			paths.WriteByte(0)
		}
	}
	cpaths := C.CString(paths.String()) // ends with "\0\0"
	defer C.free(unsafe.Pointer(cpaths))
	optsJSON, err := opts.loadJSON()
	if err != nil {
		return nil, err
	}
	coptions := C.CString(optsJSON)
	defer C.free(unsafe.Pointer(coptions))
	var obj *C.PyObject
	var cerr *C.char
	saveSignals(opts.KeepSignals)
	run(func() {
		C.pyembed_restore_main()
		obj = C.pyembed_load(spec, chdir, cpaths, coptions, &cerr)
		C.pyembed_save_main()
	})
	reclaimSignals(opts.KeepSignals)
	if obj == nil {
		msg := C.GoString(cerr)
		C.free(unsafe.Pointer(cerr))
		return nil, &Error{Op: "import", Msg: msg}
	}
	interp.apps++
	return &App{spec: opts.Spec, callable: obj}, nil
}

// start initializes the interpreter on a new locked goroutine that then
// serves interp.ops. interp.mu is held.
func start(opts Options) error {
	if opts.ErrorLog != nil {
		errLog.Store(opts.ErrorLog)
	}
	if opts.Logger != nil {
		leveled.Store(opts.Logger)
	}
	program := opts.Program
	if program == "" {
		program = "python" + Version()
	}
	if opts.Virtualenv != "" {
		var err error
		if program, err = venvProgram(opts.Virtualenv); err != nil {
			return err
		}
	}
	ops := make(chan func())
	ready := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread owns the main thread state
		cprog := C.CString(program)
		csrc := C.CString(supportSrc)
		chooks := C.CString(hooksSrc)
		mp := C.int(0)
		if opts.Multiprocess {
			mp = 1
		}
		rc := C.pyembed_init(cprog, csrc, chooks, mp)
		C.free(unsafe.Pointer(cprog))
		C.free(unsafe.Pointer(csrc))
		C.free(unsafe.Pointer(chooks))
		if rc != 0 {
			ready <- fmt.Errorf("%w (code %d; see stderr)", ErrInit, int(rc))
			return
		}
		C.pyembed_save_main()
		ready <- nil
		for f := range ops {
			f()
		}
	}()
	if err := <-ready; err != nil {
		interp.finalized = true // a half-started interpreter cannot be retried
		return err
	}
	interp.ops = ops
	interp.running = true
	return nil
}

// run runs f on the interpreter's thread and waits for it.
func run(f func()) {
	done := make(chan struct{})
	interp.ops <- func() { f(); close(done) }
	<-done
}

// Spec returns the module:callable the app was loaded from.
func (a *App) Spec() string { return a.spec }

// Close drops the app; closing the last App finalizes the interpreter
// (Py_FinalizeEx, on the thread that initialized it). Every request must
// have completed and every worker must have run WorkerExit. Later calls do
// nothing.
func (a *App) Close() error {
	if a.closed.Swap(true) {
		return nil
	}
	interp.mu.Lock()
	defer interp.mu.Unlock()
	interp.apps--
	last := interp.apps == 0
	var rc C.int
	run(func() {
		C.pyembed_restore_main()
		C.pyembed_decref(a.callable)
		if last {
			rc = C.pyembed_finalize()
		} else {
			C.pyembed_save_main()
		}
	})
	a.callable = nil
	if last {
		close(interp.ops)
		interp.running, interp.finalized = false, true
		if rc != 0 {
			return fmt.Errorf("pyembed: Py_FinalizeEx failed (%d): buffered data may be lost", int(rc))
		}
	}
	return nil
}

// logf writes to the error log.
func logf(format string, args ...any) {
	if l := errLog.Load(); l != nil {
		l.Printf(format, args...)
		return
	}
	log.Printf(format, args...)
}
