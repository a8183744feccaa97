package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof on http.DefaultServeMux
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gwsgi/gwsgi/examples/hello"
	"github.com/gwsgi/gwsgi/loop"
	"github.com/gwsgi/gwsgi/pool"
	"github.com/gwsgi/gwsgi/pyembed"
	"github.com/gwsgi/gwsgi/supervise"
)

// run builds the server, serves until SIGINT or SIGTERM, then shuts down
// gracefully.
func run(o *options) error {
	o.cfg.Log = log.New(os.Stderr, fmt.Sprintf("[%d] ", os.Getpid()), log.LstdFlags|log.Lmsgprefix)
	if o.workers > 1 && !supervise.IsWorker() {
		return runMaster(o)
	}
	if supervise.IsWorker() {
		o.cfg.ReusePort = true // the other workers listen on the same address
	}
	if o.sched == "batch" {
		if err := pool.BatchScheduling(); err != nil {
			o.cfg.Log.Printf("gwsgi: %v; going on with the default policy", err)
		}
	}
	o.cfg.App = hello.App{}
	served := false // Serve returned: no worker runs Python any more
	if o.app != "" {
		app, err := loadPython(o)
		if err != nil {
			return err // before binding: the traceback is in err
		}
		defer func() {
			if !served {
				return // workers may still hold thread states: let the process end
			}
			if err := app.Close(); err != nil {
				o.cfg.Log.Printf("gwsgi: %v", err)
			}
		}()
	}
	if o.pprof != "" {
		o.cfg.Phases = new(loop.PhaseStats)
	}
	srv, err := loop.New(o.cfg)
	if err != nil {
		return err
	}
	if o.pprof != "" {
		servePprof(o)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve() }()
	<-srv.Ready()
	if a := srv.Addr(); a != nil {
		supervise.Ready()
		name := "the Go demo app"
		if o.app != "" {
			name = o.app
		}
		o.cfg.Log.Printf("gwsgi: serving %s on http://%s (up to %d threads, started as requests need them)", name, a, o.cfg.Threads)
	}
	if err := awaitStop(o.cfg.Log, sig, errc); err != nil {
		served = true
		return err
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		return err
	}
	err = <-errc
	served = true
	return err
}

// awaitStop returns nil on SIGINT or SIGTERM, or Serve's error if it ends
// first. SIGHUP, which replaces the workers under a master (-w), is logged
// and ignored: a single process has nothing to reload into.
func awaitStop(log *log.Logger, sig <-chan os.Signal, errc <-chan error) error {
	for {
		select {
		case err := <-errc:
			if err == nil {
				err = errors.New("server stopped")
			}
			return err
		case s := <-sig:
			if s == syscall.SIGHUP {
				log.Printf("gwsgi: SIGHUP ignored: replacing the app needs a master (-w)")
				continue
			}
			log.Printf("gwsgi: %v: shutting down gracefully", s)
			return nil
		}
	}
}

// loadPython imports the app and sets the server up for it: every budget
// goroutine is locked to its OS thread and keeps a Python thread state.
func loadPython(o *options) (*pyembed.App, error) {
	app, err := pyembed.Load(pyembed.Options{
		Spec:         o.app,
		Chdir:        o.chdir,
		PythonPath:   o.pythonPath,
		ErrorLog:     o.cfg.Log,
		Multiprocess: supervise.IsWorker(),
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
	return app, nil
}

// runMaster runs the master of o.workers worker processes, each this
// program again; the master itself never imports Python.
func runMaster(o *options) error {
	if _, port, err := net.SplitHostPort(o.cfg.Addr); err != nil || port == "0" {
		return fmt.Errorf("--workers needs a fixed port to share, not %q", o.cfg.Addr)
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	return supervise.Run(supervise.Config{
		Workers:     o.workers,
		Argv:        append([]string{exe}, os.Args[1:]...),
		Log:         o.cfg.Log,
		StopTimeout: o.cfg.GracefulTimeout + 5*time.Second,
	})
}

// servePprof serves net/http/pprof and the per-request phase times
// (/debug/gwsgi/phases; ?reset=1 zeroes them) on o.pprof.
func servePprof(o *options) {
	http.HandleFunc("/debug/gwsgi/phases", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_ = o.cfg.Phases.WriteText(w)
		if r.URL.Query().Get("reset") != "" {
			o.cfg.Phases.Reset()
		}
	})
	go func() { o.cfg.Log.Println(http.ListenAndServe(o.pprof, nil)) }()
}
