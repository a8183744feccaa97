package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gwsgi/gwsgi/accesslog"
	"github.com/gwsgi/gwsgi/examples/hello"
	"github.com/gwsgi/gwsgi/loop"
	"github.com/gwsgi/gwsgi/pool"
	"github.com/gwsgi/gwsgi/pyembed"
	"github.com/gwsgi/gwsgi/sdnotify"
	"github.com/gwsgi/gwsgi/static"
	"github.com/gwsgi/gwsgi/supervise"
	"github.com/gwsgi/gwsgi/wsgi"
)

// signals a serving process handles; a master handles its own.
var signals = []os.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGHUP, syscall.SIGUSR1}

// serve loads the app, then runs the server on the listeners open returns
// until a signal stops it.
func serve(o *options, open func() ([]net.Listener, error)) error {
	sig := make(chan os.Signal, 4)
	signal.Notify(sig, signals...)
	if o.sched == "batch" {
		if err := pool.BatchScheduling(); err != nil {
			o.cfg.Log.Printf("gwsgi: %v; going on with the default policy", err)
		}
	}
	o.cfg.App = hello.App{}
	var app *pyembed.App
	if o.app != "" {
		var err error
		if app, err = loadPython(o); err != nil {
			return err // before accepting: the traceback is in err
		}
	}
	files, err := serveFiles(o)
	if err != nil {
		return err
	}
	if files != nil {
		defer files.Close()
	}
	access, err := openAccessLog(o)
	if err != nil {
		return err
	}
	if access != nil {
		defer access.Close() // writes what is buffered
	}
	if o.cfg.Metrics, err = processMetrics(o); err != nil {
		return fmt.Errorf("--metrics-bind: %w", err)
	}
	lns, err := open()
	if err != nil {
		return err
	}
	o.cfg.Listeners = lns
	o.cfg.Retire = retire(o)
	if o.maxRequests > 0 {
		o.cfg.MaxRequests = o.maxRequests + rand.IntN(o.maxJitter+1)
	}
	if o.pprof != "" {
		o.cfg.Phases = new(loop.PhaseStats)
	}
	srv, err := loop.New(o.cfg)
	if err != nil {
		closeAll(lns)
		return err
	}
	if o.pprof != "" {
		servePprof(o)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve() }()
	<-srv.Ready()
	if addrs := srv.Addrs(); addrs != nil {
		supervise.Ready()
		if !supervise.IsWorker() {
			if _, err := sdnotify.Notify(sdnotify.Ready); err != nil {
				o.log.Printf("gwsgi: telling systemd it is ready: %v", err)
			}
		}
		name := "the Go demo app"
		if o.app != "" {
			name = o.app
		}
		o.cfg.Log.Printf("gwsgi: serving %s on %s (up to %d threads, started as requests need them)", name, urls(addrs), o.cfg.Threads)
	}
	if err := awaitStop(o, sig, errc, access); err != nil {
		return err
	}
	if !supervise.IsWorker() {
		_, _ = sdnotify.Notify(sdnotify.Stopping)
	}
	err = stopGracefully(o, srv, sig, errc)
	if app != nil && !errors.Is(err, loop.ErrCut) {
		closeApp(o, app)
	}
	if errors.Is(err, loop.ErrCut) {
		return nil
	}
	return err
}

// awaitStop returns nil on SIGTERM or SIGINT, or Serve's error if it ends
// first. SIGQUIT ends the process at once; SIGUSR1 reopens the log files;
// SIGHUP, which a master answers by replacing its workers, is ignored
// here.
func awaitStop(o *options, sig <-chan os.Signal, errc <-chan error, access *accesslog.Logger) error {
	for {
		select {
		case err := <-errc:
			if err == nil {
				err = errors.New("server stopped")
			}
			return err
		case s := <-sig:
			switch s {
			case syscall.SIGQUIT:
				o.cfg.Log.Printf("gwsgi: %v: stopping now", s)
				os.Exit(0)
			case syscall.SIGHUP:
				if !supervise.IsWorker() {
					o.cfg.Log.Printf("gwsgi: SIGHUP ignored: replacing the app needs a master (without --no-master)")
				}
			case syscall.SIGUSR1:
				reopenLogs(o, access)
			default:
				o.cfg.Log.Printf("gwsgi: %v: shutting down gracefully", s)
				return nil
			}
		}
	}
}

// stopGracefully drains the server within the graceful timeout; a second
// SIGTERM or SIGINT, or SIGQUIT, ends the process at once.
func stopGracefully(o *options, srv *loop.Server, sig <-chan os.Signal, errc <-chan error) error {
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(context.Background()) }()
	for {
		select {
		case err := <-shut:
			if serr := <-errc; err == nil {
				err = serr
			}
			return err
		case s := <-sig:
			if s == syscall.SIGHUP || s == syscall.SIGUSR1 {
				continue
			}
			o.cfg.Log.Printf("gwsgi: %v while shutting down: stopping now", s)
			os.Exit(0)
		}
	}
}

// closeApp finalizes the interpreter, unless that takes longer than a few
// seconds (non-daemon threads of the app that do not end): then the
// process ends without it.
func closeApp(o *options, app *pyembed.App) {
	done := make(chan error, 1)
	go func() { done <- app.Close() }()
	select {
	case err := <-done:
		if err != nil {
			o.cfg.Log.Printf("gwsgi: %v", err)
		}
	case <-time.After(finalizeTimeout):
		o.cfg.Log.Printf("gwsgi: Python did not finalize within %v (threads of the app still running?); exiting without it", finalizeTimeout)
	}
}

const finalizeTimeout = 5 * time.Second

// retire returns what the server calls when this process should be
// replaced (--max-requests, a stuck request): a worker asks its master;
// a single process can only say so.
func retire(o *options) func(string) {
	if supervise.IsWorker() {
		return supervise.Retire
	}
	return func(reason string) {
		o.cfg.Log.Printf("gwsgi: %s; without a master this process serves on", reason)
	}
}

// loadPython imports the app and sets the server up for it: every budget
// goroutine is locked to its OS thread and keeps a Python thread state.
func loadPython(o *options) (*pyembed.App, error) {
	app, err := pyembed.Load(pyembed.Options{
		Spec:         o.app,
		Chdir:        o.chdir,
		PythonPath:   o.pythonPath,
		ErrorLog:     o.log.Std(slog.LevelError),
		Logger:       o.log.Slog(),
		Virtualenv:   o.virtualenv,
		Hooks:        workerHooks(o),
		Multiprocess: supervise.IsWorker() && o.workers > 1,
		KeepSignals:  []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGHUP, syscall.SIGUSR1},
	})
	if err != nil {
		return nil, err
	}
	o.cfg.App = app
	o.cfg.LockOSThread = true
	o.cfg.WorkerInit = app.WorkerInit
	o.cfg.WorkerExit = app.WorkerExit
	o.cfg.Gate = app.Gate()
	o.cfg.Preempt = app.SwitchInterval()
	o.cfg.Interrupt = app.Interrupt
	return app, nil
}

func closeAll(lns []net.Listener) {
	for _, ln := range lns {
		ln.Close()
	}
}

// urls lists addresses for the start line.
func urls(addrs []net.Addr) string {
	s := ""
	for i, a := range addrs {
		if i > 0 {
			s += ", "
		}
		s += addrURL(a)
	}
	return s
}

// addrURL names an address as the log does: http://host:port, unix:PATH.
func addrURL(a net.Addr) string {
	switch a := a.(type) {
	case *net.TCPAddr:
		return "http://" + a.String()
	case *net.UnixAddr:
		return "unix:" + a.Name
	}
	return a.String()
}

// serveFiles sets up what the server does in Go before the app:
// compression around it (--compress) and files in front of it
// (--static-map), whose handler the caller closes.
func serveFiles(o *options) (*static.Handler, error) {
	mw, err := o.files.middleware()
	if err != nil {
		return nil, err
	}
	if mw != nil {
		o.cfg.App = wsgi.Chain(o.cfg.App, mw)
	}
	h, err := o.files.handler(o.cfg.Log)
	if err != nil || h == nil {
		return nil, err
	}
	o.cfg.Static = h
	return h, nil
}
