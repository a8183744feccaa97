package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gwsgi/gwsgi/conf"
	"github.com/gwsgi/gwsgi/httpparse"
	"github.com/gwsgi/gwsgi/listen"
	"github.com/gwsgi/gwsgi/logs"
	"github.com/gwsgi/gwsgi/loop"
	"github.com/gwsgi/gwsgi/pyembed"
)

// defaultBind is gunicorn's.
const defaultBind = "127.0.0.1:8000"

// options is what the command line says.
type options struct {
	cfg   loop.Config
	app   string // module:callable, "" for the built-in demo
	pprof string // address for net/http/pprof, "" for none

	metricsBind string // address of the Prometheus /metrics endpoint, "" for none
	sched       string // CPU scheduling policy of the process's threads: batch or normal

	workers  int            // worker processes under a master
	noMaster bool           // serve from this process alone
	binds    []listen.Bind  // -b, in order; 127.0.0.1:8000 when none
	sockets  listen.Options // backlog, umask, SO_REUSEPORT

	maxRequests, maxJitter int // recycle a worker after about this many requests

	env         []string // -e KEY=VALUE, set in the environment before anything starts
	pidFile     string   // -p: where the master (or single process) writes its pid
	workerClass string   // -k, accepted for gunicorn's sync and gthread
	owner       owner    // -u, -g: who the workers run as
	name        string   // -n: the name in the process titles, "" for the default (procName)

	logs    logOptions
	proxies proxyOptions
	files   fileOptions
	log     *logs.Log // the error log, opened by run

	secs      durations // the flags in seconds
	fieldSize int       // --limit-request-field_size
	lists     sources   // which source set each list flag

	fs                       *flag.FlagSet
	config                   string // -c: the gunicorn config file (read before the flags)
	checkConfig, printConfig bool   // --check-config, --print-config: check or show, then exit

	chdir      string   // directory to change to before loading the app
	pythonPath []string // directories put first on sys.path
	virtualenv string   // --virtualenv, else $VIRTUAL_ENV: the app's virtual environment
	hookFile   string   // the config file whose server hooks run, "" for none
	hooks      []string // the server hooks it defines
}

// flagSet defines gunicorn-style flags, -b/--bind, --threads and friends,
// onto o.
func (o *options) flagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("gwsgi", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: gwsgi [flags] [module:callable]\n\nServes the Python WSGI app module:callable (\"module\" alone means\nmodule:application). Without an app, gwsgi serves its built-in Go demo app.\n\nflags:\n")
		fs.PrintDefaults()
	}
	bind := func(v string) error {
		b, err := listen.Parse(v)
		o.lists.reset("bind", func() { o.binds = nil })
		o.binds = append(o.binds, b)
		return err
	}
	fs.Func("b", "`address` to listen on (same as --bind)", bind)
	fs.Func("bind", "`address` to listen on: host:port, [v6]:port, unix:PATH or fd://N; repeat it for several (default 127.0.0.1:8000)", bind)
	fs.IntVar(&o.workers, "w", 1, "worker processes (same as --workers)")
	fs.IntVar(&o.workers, "workers", 1, "worker processes, run by a master that owns the sockets, restarts and replaces them")
	fs.BoolVar(&o.noMaster, "no-master", false, "serve from this one process, without a master (no reload, no recycling, no restart)")
	fs.IntVar(&o.sockets.Backlog, "backlog", listen.DefaultBacklog, "length of each socket's accept queue")
	umask := func(v string) error {
		n, err := strconv.ParseInt(v, 0, 32)
		if err != nil || n < 0 || n > 0o777 {
			return fmt.Errorf("%q is not a umask (e.g. 0o22 or 022)", v)
		}
		o.sockets.Umask = int(n)
		return nil
	}
	fs.Func("m", "`umask` for unix sockets (same as --umask)", umask)
	fs.Func("umask", "`umask` under which unix sockets are created, which sets their mode (default 0: mode 0777)", umask)
	fs.Float64Var(&o.secs.timeout, "t", loop.DefaultTimeout.Seconds(), "`seconds` (same as --timeout)")
	fs.Float64Var(&o.secs.timeout, "timeout", loop.DefaultTimeout.Seconds(), "`seconds` a request may run without sending response bytes: then an exception is raised in its thread; 0 disables")
	fs.IntVar(&o.maxRequests, "max-requests", 0, "replace a worker after it served this many requests (0: never)")
	fs.IntVar(&o.maxJitter, "max-requests-jitter", 0, "add a random 0..`N` to each worker's --max-requests, so they are not all replaced at once")
	fs.IntVar(&o.cfg.Threads, "threads", loop.DefaultThreads, "app calls in flight at once, at most (threads start as requests need them)")
	fs.IntVar(&o.cfg.Queue, "queue", loop.DefaultQueue, "requests waiting for a thread before the server answers 503")
	fs.IntVar(&o.cfg.Loops, "loops", 0, "event loops (0: one per CPU)")
	fs.Float64Var(&o.secs.keepAlive, "keep-alive", loop.DefaultKeepAlive.Seconds(), "`seconds` an idle keep-alive connection is kept")
	fs.Float64Var(&o.secs.headerTimeout, "header-timeout", loop.DefaultHeaderTimeout.Seconds(), "`seconds` a client has to send a request's head (then 408)")
	fs.Float64Var(&o.secs.writeTimeout, "write-timeout", loop.DefaultWriteTimeout.Seconds(), "`seconds` a client may take no response bytes before it is dropped")
	fs.Float64Var(&o.secs.graceful, "graceful-timeout", loop.DefaultGracefulTimeout.Seconds(), "`seconds` in-flight requests get to finish on shutdown")
	fs.IntVar(&o.cfg.Limits.MaxRequestLine, "limit-request-line", 0, "longest request line in bytes, then 414 (0: 8190)")
	fs.IntVar(&o.cfg.Limits.MaxHeaders, "limit-request-fields", 0, "most header fields, then 431 (0: 100)")
	o.fieldSize = httpparse.DefaultMaxFieldSize
	fs.IntVar(&o.fieldSize, "limit-request-field_size", o.fieldSize, "longest header field line in bytes, then 431 (0: no limit but --limit-request-headers-size)")
	fs.IntVar(&o.fieldSize, "limit-request-field-size", o.fieldSize, "same as --limit-request-field_size")
	envVar := func(v string) error {
		if k, _, ok := strings.Cut(v, "="); !ok || k == "" {
			return fmt.Errorf("%q is not KEY=VALUE", v)
		}
		o.lists.reset("env", func() { o.env = nil })
		o.env = append(o.env, v)
		return nil
	}
	fs.Func("e", "`KEY=VALUE` (same as --env)", envVar)
	fs.Func("env", "set `KEY=VALUE` in the environment of the server and the app (repeatable)", envVar)
	fs.StringVar(&o.pidFile, "p", "", "`file` (same as --pid)")
	fs.StringVar(&o.pidFile, "pid", "", "write the master's pid to this `file`, removed at exit")
	fs.StringVar(&o.workerClass, "k", "sync", "`class` (same as --worker-class)")
	fs.StringVar(&o.workerClass, "worker-class", "sync", "gunicorn's worker `class`: sync and gthread are accepted (gwsgi has one kind of worker: event loops and a thread budget)")
	fs.IntVar(&o.cfg.Limits.MaxHeaderBytes, "limit-request-headers-size", 0, "largest header section in bytes, then 431 (0: 65536)")
	fs.Int64Var(&o.cfg.Limits.MaxBodySize, "limit-request-body", 0, "largest request body in bytes, then 413 (0: no limit)")
	fs.StringVar(&o.cfg.ScriptName, "script-name", os.Getenv("SCRIPT_NAME"), "mount point of the app (SCRIPT_NAME)")
	fs.Bool("reuse-port", false, "set SO_REUSEPORT on the listener")
	fs.StringVar(&o.metricsBind, "metrics-bind", "", "serve Prometheus metrics at http://`address`/metrics (the master sums its workers')")
	fs.StringVar(&o.pprof, "pprof", "", "serve net/http/pprof and /debug/gwsgi/phases (per-request phase times) on this `address`")
	fs.StringVar(&o.sched, "cpu-sched", "batch", "Linux scheduling `policy` of the server's threads: batch (SCHED_BATCH: a thread that wakes does not preempt the running one) or normal")
	addLogFlags(fs, &o.logs)
	addProxyFlags(fs, &o.proxies, &o.lists)
	addFileFlags(fs, &o.files, &o.lists)
	fs.StringVar(&o.config, "c", "", "gunicorn config `file` (same as --config)")
	fs.StringVar(&o.config, "config", "", "gunicorn config `file` (a gunicorn.conf.py; default ./gunicorn.conf.py if it exists), read in a python3 subprocess; flags win over it")
	fs.BoolVar(&o.checkConfig, "check-config", false, "check the configuration and that the app imports, then exit: 0 when correct")
	fs.BoolVar(&o.printConfig, "print-config", false, "print the configuration, every setting, then exit")
	addOwnerFlags(fs, &o.owner)
	addNameFlags(fs, &o.name)
	fs.IntVar(&o.cfg.MaxConns, "worker-connections", 0, "most connections a worker holds open: with `N` open it accepts no more until one closes, leaving new ones queued in the kernel for other workers (default 0: no cap but the descriptor limit, as gwsgi's event loops hold idle connections cheaply; gunicorn's 1000 would leave clients beyond it waiting)")
	fs.StringVar(&o.chdir, "chdir", "", "change to `dir` before loading the app")
	fs.StringVar(&o.virtualenv, "virtualenv", os.Getenv("VIRTUAL_ENV"), "virtual environment `dir` the app imports from (default $VIRTUAL_ENV); it must be of the Python gwsgi embeds")
	fs.Func("pythonpath", "comma-separated `dirs` to put first on sys.path (repeatable)", func(v string) error {
		o.lists.reset("pythonpath", func() { o.pythonPath = nil })
		o.pythonPath = append(o.pythonPath, splitList(v)...)
		return nil
	})
	return fs
}

// parseFlags reads the gunicorn config file's settings, GWSGI_CMD_ARGS
// and the command line, in that order: a later source wins, and a list
// (binds, env, pythonpath, secure scheme headers) set by a later source
// replaces the earlier one's, as in gunicorn.
func parseFlags(args []string) (*options, error) {
	o := &options{}
	fs := o.flagSet()
	file, err := configArgs(fs, args)
	if err != nil {
		return nil, err
	}
	o.hookFile, o.hooks = file.hookFile, file.hooks
	for _, src := range file.args {
		o.lists.next()
		if _, err := parseInterspersed(fs, src); err != nil {
			return nil, fmt.Errorf("%w (from the config file or %s)", err, conf.EnvVar)
		}
	}
	o.lists.next()
	o.fs = fs
	apps, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		return nil, err
	}
	switch len(apps) {
	case 0:
		o.app = file.app
	case 1:
		o.app = apps[0]
	default:
		return nil, fmt.Errorf("one app expected, got %q", apps)
	}
	return o, o.finish()
}

// finish checks what the flags say and derives the server's config.
func (o *options) finish() error {
	if o.sched != "batch" && o.sched != "normal" {
		return fmt.Errorf("--cpu-sched: %q is neither batch nor normal", o.sched)
	}
	o.cfg.KeepAlive = seconds(o.secs.keepAlive)
	o.cfg.HeaderTimeout = seconds(o.secs.headerTimeout)
	o.cfg.WriteTimeout = seconds(o.secs.writeTimeout)
	o.cfg.GracefulTimeout = seconds(o.secs.graceful)
	o.cfg.Timeout = seconds(o.secs.timeout)
	o.cfg.Limits.MaxFieldSize = o.fieldSize
	if o.fieldSize == 0 {
		o.cfg.Limits.MaxFieldSize = -1 // gunicorn's 0: no limit of its own
	}
	if err := o.logs.check(); err != nil {
		return err
	}
	if err := o.proxies.apply(o); err != nil {
		return err
	}
	if err := o.files.check(); err != nil {
		return err
	}
	if err := checkWorkerClass(o.workerClass); err != nil {
		return err
	}
	if o.virtualenv != "" {
		if err := pyembed.CheckVirtualenv(o.virtualenv); err != nil {
			return err
		}
	}
	if len(o.binds) == 0 {
		b, _ := listen.Parse(defaultBind)
		o.binds = []listen.Bind{b}
	}
	if o.workers < 1 || o.maxRequests < 0 || o.maxJitter < 0 || o.secs.timeout < 0 || o.cfg.MaxConns < 0 {
		return errors.New("--workers must be at least 1; --max-requests, --max-requests-jitter, --timeout and --worker-connections at least 0")
	}
	if err := o.owner.resolve(); err != nil {
		return err
	}
	o.sockets.Owner = o.owner.socketOwner()
	return nil
}

// parseInterspersed parses flags before and after positional arguments, as
// gunicorn does (`gwsgi app:application -b :8000`), and returns the
// positional ones. "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// checkWorkerClass accepts gunicorn's thread-based worker classes, which
// gwsgi's one kind of worker stands in for, and refuses the others by
// name rather than ignore them.
func checkWorkerClass(k string) error {
	switch k {
	case "sync", "gthread", "gunicorn.workers.sync.SyncWorker", "gunicorn.workers.gthread.ThreadWorker":
		return nil
	}
	return fmt.Errorf("--worker-class %q is not supported: gwsgi has one kind of worker (event loops, and up to --threads threads for the app, which also serve I/O-bound apps); sync and gthread are accepted as names for it", k)
}

// durations are the flags given in seconds.
type durations struct {
	keepAlive, headerTimeout, writeTimeout, graceful, timeout float64
}

// sources tracks which source (config file, GWSGI_CMD_ARGS, command line)
// last set each list flag, so that a later source replaces a list.
type sources struct {
	current int
	setBy   map[string]int
}

// next starts the next source.
func (s *sources) next() { s.current++ }

// reset calls clear the first time the current source sets list name.
func (s *sources) reset(name string, clear func()) {
	if s.setBy == nil {
		s.setBy = map[string]int{}
	}
	if s.setBy[name] != s.current {
		clear()
		s.setBy[name] = s.current
	}
}
