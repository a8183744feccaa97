package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gwsgi/gwsgi/loop"
)

// python is Debian's interpreter, the one gunicorn, uWSGI's plugin and
// gwsgi's embedding are built for.
const python = "/usr/bin/python3"

// server is one row of every table: how to start it for an app.
type server struct {
	Name      string
	Label     string
	Reference bool // not a Python WSGI server: a yardstick
	// Budget describes processes, threads or connections, for the table.
	Budget func(s *settings) string
	// Argv is the command line serving w on addr, run in the app's
	// directory; a nil argv means the workload does not apply, and why.
	Argv func(s *settings, w workload, addr string) (argv []string, why string)
	// Check, when set, says why the server cannot run on this machine.
	Check func() error
	// ReadErrors, when set, explains read errors wrk reports for it.
	ReadErrors string
	// About is what to know when reading its rows.
	About string
	// RowNote, when set, is a caveat for each of its rows.
	RowNote func(s *settings, w workload) string
	// InProcess marks a loop that calls the app without HTTP: Argv is run
	// to completion (runInProcess) instead of being served to wrk.
	InProcess bool
	// Workloads, when set, are the only workloads the server runs.
	Workloads []string
	// Files, when set, are files its command reads (path -> content),
	// written just before it starts; results.json keeps them.
	Files func(s *settings, w workload, addr string) map[string]string
}

// command is sv's argv for w on addr, run in the directory of the app it
// serves there, or nil and why the workload does not apply: a server with
// Workloads runs those only, a workload with Rows is run by those only.
// Argv sees w with the app sv serves under it.
func command(sv server, s *settings, w workload, addr string) ([]string, string) {
	if len(sv.Workloads) > 0 && !contains(sv.Workloads, w.Name) {
		return nil, "runs the " + strings.Join(sv.Workloads, ", ") + " workload only"
	}
	if len(w.Rows) > 0 && !contains(w.Rows, sv.Name) {
		return nil, w.RowsWhy
	}
	w.App = w.appFor(sv.Name)
	return sv.Argv(s, w, addr)
}

func pyArgv(fn func(s *settings, a app, addr string) []string) func(*settings, workload, string) ([]string, string) {
	return func(s *settings, w workload, addr string) ([]string, string) {
		return fn(s, w.App, addr), ""
	}
}

func gunicorn(worker string, extra ...string) func(*settings, workload, string) ([]string, string) {
	return pyArgv(func(s *settings, a app, addr string) []string {
		argv := []string{python, "-m", "gunicorn", "-b", addr, "-w", "1", "-k", worker}
		argv = append(argv, extra...)
		if worker == "gthread" {
			argv = append(argv, "--threads", strconv.Itoa(s.Threads))
		}
		return append(argv, "--chdir", filepath.Join(s.root, a.Dir), "--log-level", "warning", a.Spec())
	})
}

func uwsgi(socketFlag string) func(*settings, workload, string) ([]string, string) {
	return pyArgv(func(s *settings, a app, addr string) []string {
		return []string{"uwsgi", "--plugin", "python3", socketFlag, addr,
			"--processes", "1", "--threads", strconv.Itoa(s.Threads), "--listen", "1024",
			"--chdir", filepath.Join(s.root, a.Dir), "--module", a.Spec(),
			"--disable-logging", "--die-on-term"}
	})
}

// gwsgiArgv serves a Python app with gwsgi and --threads n (0: the
// default budget).
func gwsgiArgv(n int, extra ...string) func(*settings, workload, string) ([]string, string) {
	return pyArgv(func(s *settings, a app, addr string) []string {
		argv := []string{filepath.Join(s.root, "bin", "gwsgi"), "-b", addr}
		if n > 0 {
			argv = append(argv, "--threads", strconv.Itoa(n))
		}
		argv = append(argv, extra...)
		return append(argv, "--chdir", filepath.Join(s.root, a.Dir), a.Spec())
	})
}

// accessLogFile is where the access-log row writes; each run appends.
var accessLogFile = filepath.Join(os.TempDir(), "gwsgi-bench-access.log")

func fixed(v string) func(*settings) string { return func(*settings) string { return v } }

// gwsgiStatic is gwsgi with --static-map /static= the static workload's
// directory.
func gwsgiStatic(s *settings, w workload, addr string) ([]string, string) {
	return gwsgiArgv(0, "--static-map", "/static="+filepath.Join(s.root, staticDir))(s, w, addr)
}

var defaultBudget = fixed(fmt.Sprintf("1 process, default budget (%d threads)", loop.DefaultThreads))

func threads(prefix string) func(*settings) string {
	return func(s *settings) string { return fmt.Sprintf("%s, %d threads", prefix, s.Threads) }
}

var servers = []server{
	{Name: "gwsgi", Label: "gwsgi", Budget: defaultBudget,
		About: "gnet event loop, embedded CPython, the default budget: threads start as requests need them; one holds the GIL and serves the queue in order, one more waits to take over when a request blocks",
		Argv:  gwsgiArgv(0)},
	{Name: "gwsgi-8", Label: "gwsgi, 8 threads", Budget: fixed("1 process, 8 threads"),
		About: "the same gwsgi with --threads 8", Argv: gwsgiArgv(8)},
	{Name: "gwsgi-256", Label: "gwsgi, 256 threads", Budget: fixed("1 process, 256 threads"),
		About: "the same gwsgi with --threads 256", Argv: gwsgiArgv(256)},
	{Name: "gwsgi-accesslog", Label: "gwsgi, access log on", Budget: defaultBudget,
		About: "the same gwsgi with --access-logfile " + accessLogFile + " (gunicorn's default format)",
		Argv:  gwsgiArgv(0, "--access-logfile", accessLogFile)},
	{Name: "gwsgi-compress", Label: "gwsgi --compress (Go compresses)", Budget: defaultBudget, Workloads: []string{"gzip-json"},
		About: "the same gwsgi with --compress serving the plain app: Go compresses the app's responses at its default levels " +
			"(gzip here, as the request asks), outside the GIL; the Python rows of gzip-json serve bench/apps/gzipapp.py instead, " +
			"the app behind a gzip middleware that does what Django's GZipMiddleware does (level 6)",
		Argv: gwsgiArgv(0, "--compress")},
	{Name: "gwsgi-compress-6", Label: "gwsgi --compress, gzip level 6", Budget: defaultBudget, Workloads: []string{"gzip-json"},
		About: "gwsgi --compress --compress-gzip-level 6: Go compresses at the level the Python middleware uses, for a like-for-like ratio",
		Argv:  gwsgiArgv(0, "--compress", "--compress-gzip-level", "6")},
	{Name: "gwsgi-static", Label: "gwsgi --static-map (Go sendfile)", Budget: defaultBudget, Workloads: []string{"static"},
		About: "the same gwsgi with --static-map /static=" + staticDir + " in front of the plain app: " +
			"Go answers the file with sendfile (ETag, Last-Modified, ranges) and Python never sees the request",
		Argv: gwsgiStatic},
	// nginx runs right after gwsgi-static: the static goal is their ratio.
	{Name: "nginx", Label: "nginx, 1 worker", Reference: true, Budget: fixed("1 master, 1 worker process"), Workloads: []string{"static"},
		About: "a yardstick, not a Python server: Debian's nginx, one worker, sendfile and tcp_nopush on, access log off, " +
			staticDir + " aliased under /static/; its configuration is written for each run (results.json: server_files)",
		Argv: nginxArgv, Files: nginxFiles, Check: nginxCheck},
	// The in-process ceiling runs right after gwsgi's rows, so that the
	// ratio between them is measured minutes apart at most.
	{Name: "inproc", Label: "in-process ceiling: the app called in a loop", Reference: true, InProcess: true,
		Budget: fixed("1 process, 1 thread, no sockets"),
		About: "not a server: bench/inproc.py calls the same app in a loop in one Python process pinned to the server CPU, " +
			"each call with a fresh environ, a start_response and the body joined, but no HTTP and no sockets: " +
			"the most the app can do on one CPU",
		Argv: inprocArgv},
	{Name: "inproc-embedded", Label: "in-process ceiling on gwsgi's interpreter build", Reference: true, InProcess: true,
		Budget: fixed("1 process, 1 thread, no sockets"),
		About: "the same loop run by bin/pystatic (profiles/pystatic), a python3 command line linked from Debian's " +
			"libpython3.11.a as gwsgi links it, instead of Debian's python3 executable, which is built with " +
			"link-time optimisation the static library does not carry: its ratio to the ceiling is what that build " +
			"costs the loop; linked into gwsgi, an interpreter built with it measured no different (profiles/lto)",
		Argv: embeddedArgv},
	{Name: "gunicorn-sync", Label: "gunicorn sync", Budget: fixed("1 worker"), Argv: gunicorn("sync"),
		About: "one request at a time, no keep-alive: a new connection per request"},
	{Name: "gunicorn-gthread", Label: "gunicorn gthread", Budget: threads("1 worker"), Argv: gunicorn("gthread"),
		About: "a thread pool behind a selector, keep-alive"},
	{Name: "whitenoise", Label: "gunicorn gthread + WhiteNoise", Budget: threads("1 worker"), Workloads: []string{"static"},
		Argv:  gunicorn("gthread"),
		Check: func() error { return pyImport("whitenoise") },
		About: "gunicorn gthread serving bench/apps/whitenoiseapp.py, the plain app behind WhiteNoise(root=" + staticDir +
			", prefix=\"static/\"): Python finds the file and answers it through gunicorn's wsgi.file_wrapper"},
	{Name: "gunicorn-gevent", Label: "gunicorn gevent", Budget: fixed("1 worker, 1000 worker-connections"), Argv: gunicorn("gevent"),
		About: "greenlets, monkey-patched standard library (time.sleep yields)"},
	{Name: "gunicorn-eventlet", Label: "gunicorn eventlet", Budget: fixed("1 worker, 1000 worker-connections"), Argv: gunicorn("eventlet"),
		Check: func() error { return pyImport("gunicorn.workers.geventlet") },
		About: "green threads, monkey-patched standard library (time.sleep yields)"},
	{Name: "eventlet-wsgi", Label: "eventlet.wsgi", Budget: fixed("1 process, GreenPool of 1000"),
		Argv: pyArgv(func(s *settings, a app, addr string) []string {
			return []string{python, filepath.Join(s.root, "bench", "apps", "eventlet_server.py"), addr, a.Spec()}
		}),
		About: "eventlet.listen + eventlet.wsgi.server (bench/apps/eventlet_server.py), monkey-patched, access log off"},
	{Name: "uwsgi", Label: "uWSGI --http-socket", Budget: threads("1 process"), Argv: uwsgi("--http-socket"),
		About:      "HTTP parsed in the worker, no keep-alive",
		ReadErrors: "uWSGI's --http-socket answers HTTP/1.1 without keep-alive and closes the connection without saying so; wrk counts each close as a read error and reconnects"},
	{Name: "uwsgi-keepalive", Label: "uWSGI --http11-socket (keep-alive)", Budget: threads("1 process"), Argv: uwsgi("--http11-socket"),
		About: "uWSGI 2.0's keep-alive socket: a thread keeps its connection until the client closes it, so at most --threads connections are served",
		RowNote: func(s *settings, w workload) string {
			return fmt.Sprintf("each thread keeps one connection: %d of the %d connections are served, the others wait unanswered and wrk does not count them; latency covers the served ones", s.Threads, w.Conns)
		}},
	{Name: "waitress", Label: "waitress", Budget: threads("1 process"),
		Argv: pyArgv(func(s *settings, a app, addr string) []string {
			return []string{python, "-m", "waitress", "--listen=" + addr, "--threads=" + strconv.Itoa(s.Threads), a.Spec()}
		}),
		About: "asyncore loop and a thread pool; default connection_limit 100"},
	{Name: "gwsgi-go", Label: "gwsgi, Go demo app", Reference: true, Budget: threads("1 process"),
		About: "gwsgi without Python: examples/hello, a Go-native WSGI app (routes /, /echo, /sleep?ms=10)",
		Argv: func(s *settings, w workload, addr string) ([]string, string) {
			if w.Name != "hello" && w.Name != "echo" && w.Name != "sleep" {
				return nil, "the Go demo app has no such route"
			}
			return []string{filepath.Join(s.root, "bin", "gwsgi"), "-b", addr, "--threads", strconv.Itoa(s.Threads)}, ""
		}},
	{Name: "ceiling", Label: "ceiling: gnet fixed responder", Reference: true, Budget: fixed("1 process, 1 event loop"),
		About: "not a server: bench/ceiling answers each request head (counted by its blank line) with a fixed response, without parsing; what one CPU and this client can do at most",
		Argv: func(s *settings, w workload, addr string) ([]string, string) {
			if w.Name != "hello" {
				return nil, "answers GET with a fixed 13-byte body only"
			}
			return []string{filepath.Join(s.root, "bin", "gwsgi-ceiling"), "-addr", addr}, ""
		}},
}

// pathFor is the route a server is asked for under w: the Go demo app
// spells the sleep route with a query.
func pathFor(sv server, w workload) string {
	if sv.Name == "gwsgi-go" && w.Name == "sleep" {
		return "/sleep?ms=10"
	}
	return w.Path
}
