package main

import (
	"context"
	"log"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof on http.DefaultServeMux
	"os"
	"os/signal"
	"syscall"

	"github.com/gwsgi/gwsgi/examples/hello"
	"github.com/gwsgi/gwsgi/loop"
	"github.com/gwsgi/gwsgi/pyembed"
)

// run builds the server, serves until SIGINT or SIGTERM, then shuts down
// gracefully.
func run(o *options) error {
	o.cfg.Log = log.New(os.Stderr, "", log.LstdFlags)
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
	srv, err := loop.New(o.cfg)
	if err != nil {
		return err
	}
	if o.pprof != "" {
		go func() { o.cfg.Log.Println(http.ListenAndServe(o.pprof, nil)) }()
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve() }()
	<-srv.Ready()
	if a := srv.Addr(); a != nil {
		name := "the Go demo app"
		if o.app != "" {
			name = o.app
		}
		o.cfg.Log.Printf("gwsgi: serving %s on http://%s (%d threads)", name, a, o.cfg.Threads)
	}
	select {
	case err := <-errc:
		served = true
		return err
	case s := <-sig:
		o.cfg.Log.Printf("gwsgi: %v: shutting down gracefully", s)
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		return err
	}
	err = <-errc
	served = true
	return err
}

// loadPython imports the app and sets the server up for it: every budget
// goroutine is locked to its OS thread and keeps a Python thread state.
func loadPython(o *options) (*pyembed.App, error) {
	app, err := pyembed.Load(pyembed.Options{
		Spec:       o.app,
		Chdir:      o.chdir,
		PythonPath: o.pythonPath,
		ErrorLog:   o.cfg.Log,
	})
	if err != nil {
		return nil, err
	}
	o.cfg.App = app
	o.cfg.LockOSThread = true
	o.cfg.WorkerInit = app.WorkerInit
	o.cfg.WorkerExit = app.WorkerExit
	return app, nil
}
