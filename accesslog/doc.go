// Package accesslog writes gunicorn's access log: the same atoms, the same
// default format and the same line for the same request, so the parsers
// and dashboards built for gunicorn's log read gwsgi's.
//
// A Format is compiled once from gunicorn's access_log_format (Python
// %-formatting with named atoms: %(h)s, %(r)s, %({x-test}i)s ...). Log
// formats a Record into the Writer's buffer, under a mutex held for the
// formatting only, and never blocks on the file: a goroutine of the
// Writer's own writes the buffered lines in batches. When the file does
// not keep up, lines beyond a bound are dropped and counted, so a slow
// disk costs log lines, never latency or memory.
//
// # Ownership
//
// A Record borrows the request's Environ and the response's head: Log
// copies what it needs into the Writer's buffer before it returns, and
// keeps no reference to either.
package accesslog
