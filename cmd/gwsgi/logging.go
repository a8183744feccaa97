package main

import (
	"flag"
	"fmt"

	"github.com/gwsgi/gwsgi/accesslog"
	"github.com/gwsgi/gwsgi/logs"
)

// logOptions is what the command line says about logs.
type logOptions struct {
	errorLog      string // --error-logfile: "-" is standard error
	level         string // --log-level
	format        string // --log-format: text or json
	captureOutput bool   // --capture-output

	accessLog    string            // --access-logfile: "" for none, "-" for standard output
	accessFormat *accesslog.Format // --access-logformat, compiled
	formatText   string
}

// addLogFlags defines gunicorn's logging flags.
func addLogFlags(fs *flag.FlagSet, l *logOptions) {
	fs.StringVar(&l.accessLog, "access-logfile", "", "access log `file`, \"-\" for standard output (default: no access log)")
	fs.StringVar(&l.formatText, "access-logformat", accesslog.DefaultFormat, "access log `format`, with gunicorn's atoms")
	fs.StringVar(&l.errorLog, "error-logfile", "-", "error log `file`, \"-\" for standard error")
	fs.StringVar(&l.errorLog, "log-file", "-", "same as --error-logfile")
	fs.StringVar(&l.level, "log-level", "info", "error log `level`: debug, info, warning, error or critical")
	fs.StringVar(&l.format, "log-format", "text", "error log `format`: text (gunicorn's lines) or json")
	fs.BoolVar(&l.captureOutput, "capture-output", false, "send the app's standard output and error to the error log file")
}

// check validates the logging flags before anything starts.
func (l *logOptions) check() error {
	f, err := accesslog.Compile(l.formatText)
	if err != nil {
		return fmt.Errorf("--access-logformat: %w", err)
	}
	l.accessFormat = f
	return l.errorLogOptions().Check()
}

// errorLogOptions is what logs.Open takes.
func (l *logOptions) errorLogOptions() logs.Options {
	return logs.Options{Path: l.errorLog, Level: l.level, Format: l.format, CaptureOutput: l.captureOutput}
}

// openLogs opens this process's error log (each process has its own
// handle on the file) and makes it the server's log.
func openLogs(o *options) error {
	l, err := logs.Open(o.logs.errorLogOptions())
	if err != nil {
		return err
	}
	o.log = l
	o.cfg.Log = l
	return nil
}

// openAccessLog starts the access log of a serving process, if any.
func openAccessLog(o *options) (*accesslog.Logger, error) {
	if o.logs.accessLog == "" {
		return nil, nil
	}
	l, err := accesslog.Open(o.logs.accessLog, o.logs.accessFormat, o.log.Errorf)
	if err != nil {
		return nil, err
	}
	o.cfg.AccessLog = l
	return l, nil
}

// reopenLogs reopens the log files after a rotation (SIGUSR1).
func reopenLogs(o *options, access *accesslog.Logger) {
	if err := o.log.Reopen(); err != nil {
		o.log.Errorf("gwsgi: SIGUSR1: %v", err)
	}
	if access != nil {
		if err := access.Reopen(); err != nil {
			o.log.Errorf("gwsgi: SIGUSR1: %v", err)
		}
	}
	o.log.Printf("gwsgi: SIGUSR1: log files reopened")
}
