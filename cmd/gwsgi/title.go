package main

import (
	"flag"

	"github.com/gwsgi/gwsgi/proctitle"
	"github.com/gwsgi/gwsgi/supervise"
)

// addNameFlags defines gunicorn's -n/--name onto name.
func addNameFlags(fs *flag.FlagSet, name *string) {
	fs.StringVar(name, "n", "", "`name` (same as --name)")
	fs.StringVar(name, "name", "", "`name` in the process titles ps and top show: \"gwsgi: master [NAME]\", \"gwsgi: worker [NAME]\" (default: the app)")
}

// procName is the name in the process titles: -n/--name, else the app
// (gunicorn's default_proc_name), else "gwsgi" for the demo app.
func (o *options) procName() string {
	switch {
	case o.name != "":
		return o.name
	case o.app != "":
		return o.app
	}
	return "gwsgi"
}

// setTitle names this process in ps and top as gunicorn does with
// setproctitle: "gwsgi: worker [NAME]" for a worker, "gwsgi: master
// [NAME]" for a master and for a process without one, the one to signal.
// A title that cannot be set is only logged (debug): serving goes on.
func setTitle(o *options) {
	role := "master"
	if supervise.IsWorker() {
		role = "worker"
	}
	if err := proctitle.Set("gwsgi: " + role + " [" + o.procName() + "]"); err != nil {
		o.log.Debugf("gwsgi: process title: %v", err)
	}
}
