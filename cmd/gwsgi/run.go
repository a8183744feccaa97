package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof on http.DefaultServeMux
	"os"
	"os/signal"
	"syscall"

	"github.com/gwsgi/gwsgi/examples/hello"
	"github.com/gwsgi/gwsgi/loop"
)

// run builds the server, serves until SIGINT or SIGTERM, then shuts down
// gracefully.
func run(o *options) error {
	if o.app != "" {
		return fmt.Errorf("cannot load %q: this build serves Go apps only", o.app)
	}
	o.cfg.App = hello.App{}
	o.cfg.Log = log.New(os.Stderr, "", log.LstdFlags)
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
		o.cfg.Log.Printf("gwsgi: listening on http://%s (%d threads)", a, o.cfg.Threads)
	}
	select {
	case err := <-errc:
		return err
	case s := <-sig:
		o.cfg.Log.Printf("gwsgi: %v: shutting down gracefully", s)
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		return err
	}
	return <-errc
}
