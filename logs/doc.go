// Package logs is gwsgi's error log: gunicorn's line format
// ("[2026-11-22 10:00:00 +0000] [1234] [INFO] message") or JSON for log
// collectors, a level threshold (--log-level), a file that SIGUSR1
// reopens after a rotation, and the app's stdout and stderr captured into
// it (--capture-output).
//
// A Log is built on log/slog: Debugf, Printf (info), Warnf and Errorf
// write at their levels, and Std gives a *log.Logger at a fixed level for
// code that takes one. Writes are synchronous and whole lines; the error
// log is not on a request's path but for rare events.
package logs
