package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof on http.DefaultServeMux
	"os"
	"strconv"
	"strings"

	"github.com/gwsgi/gwsgi/listen"
	"github.com/gwsgi/gwsgi/supervise"
)

// run serves as what this process is: a worker its master started, a
// master (the default), or a single process (--no-master).
func run(o *options) error {
	if err := openLogs(o); err != nil {
		return err
	}
	defer o.log.Close()
	switch {
	case o.printConfig:
		printConfig(o, os.Stdout)
		return nil
	case o.checkConfig:
		return checkConfig(o)
	}
	setTitle(o)
	if !supervise.IsWorker() {
		if err := o.owner.check(); err != nil {
			return err
		}
		if err := o.owner.giveLogs(o); err != nil {
			return err
		}
	}
	for _, kv := range o.env {
		k, v, _ := strings.Cut(kv, "=")
		if err := os.Setenv(k, v); err != nil {
			return err
		}
	}
	if o.pidFile != "" && !supervise.IsWorker() {
		if err := os.WriteFile(o.pidFile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
			return fmt.Errorf("--pid: %w", err)
		}
		defer os.Remove(o.pidFile)
	}
	switch {
	case supervise.IsWorker():
		return serve(o, listen.Inherited)
	case o.noMaster:
		var socks []*listen.Socket
		defer func() { listen.Close(socks) }()
		open := func() ([]net.Listener, error) {
			var err error
			if socks, err = listen.Open(o.binds, o.sockets); err != nil {
				return nil, err
			}
			return listeners(socks)
		}
		if o.owner.switches() {
			var err error
			if open, err = o.owner.bindThenBecome(open); err != nil {
				return err
			}
		}
		return serve(o, open)
	default:
		return runMaster(o)
	}
}

// listeners returns this process's own listeners on socks.
func listeners(socks []*listen.Socket) ([]net.Listener, error) {
	lns := make([]net.Listener, 0, len(socks))
	for _, s := range socks {
		ln, err := s.Listener()
		if err != nil {
			closeAll(lns)
			return nil, err
		}
		lns = append(lns, ln)
	}
	return lns, nil
}

// runMaster opens the sockets and runs the master of o.workers worker
// processes, each this program again; the master never imports Python.
func runMaster(o *options) error {
	socks, err := listen.Open(o.binds, o.sockets)
	if err != nil {
		return err
	}
	defer listen.Close(socks)
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	for _, s := range socks {
		o.cfg.Log.Printf("gwsgi: listening at %s", describe(s.Bind, s.Addr()))
	}
	collector, err := masterMetrics(o)
	if err != nil {
		return fmt.Errorf("--metrics-bind: %w", err)
	}
	cfg := supervise.Config{
		Metrics:         collector,
		Workers:         o.workers,
		Argv:            append([]string{exe}, os.Args[1:]...), // the original arguments, whatever the title (proctitle)
		Sockets:         socks,
		Log:             o.log.Std(slog.LevelInfo),
		Reopen:          func() { reopenLogs(o, nil); o.owner.regiveLogs(o) },
		Credential:      o.owner.credential(),
		GracefulTimeout: o.cfg.GracefulTimeout,
	}
	if hook := childExit(o); hook != nil {
		cfg.ChildExit = hook.Start
		defer hook.Wait()
	}
	return supervise.Run(cfg)
}

// describe names a socket for the log: its URL (with the bound port when
// the bind asked for port 0), and where an inherited one came from.
func describe(b listen.Bind, a net.Addr) string {
	s := b.String()
	if a != nil {
		s = addrURL(a)
	}
	if b.Kind == listen.FD {
		s += " (" + b.Raw + ")"
	}
	return s
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
	go func() { o.log.Errorf("gwsgi: --pprof: %v", http.ListenAndServe(o.pprof, nil)) }()
}
