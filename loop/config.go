package loop

import (
	"log"
	"net"
	"runtime"
	"time"

	"github.com/gwsgi/gwsgi/accesslog"
	"github.com/gwsgi/gwsgi/forwarded"
	"github.com/gwsgi/gwsgi/httpparse"
	"github.com/gwsgi/gwsgi/metrics"
	"github.com/gwsgi/gwsgi/pool"
	"github.com/gwsgi/gwsgi/wsgi"
)

// Config is a server's configuration. Zero fields take the defaults below.
type Config struct {
	// Listeners are the sockets to accept connections from; the server
	// closes them. Without them it listens on Addr (host:port, TCP).
	Listeners []net.Listener
	Addr      string
	App       wsgi.App // the application

	// Static, when set, answers the requests it matches from files, on
	// goroutines that never wait for the app's lock; the requests it
	// finds no file for go on to App.
	Static StaticFiles

	Threads int // app calls in flight at once (the goroutine budget)
	Queue   int // requests waiting for a free thread; beyond it: 503
	Loops   int // gnet event loops; 0: one per CPU

	// MaxConns, when above 0, caps the connections the server holds open
	// (gunicorn's --worker-connections): with MaxConns open it accepts no
	// more, leaving new connections in the kernel's queue for the other
	// processes sharing the sockets, until one closes. 0: no cap but the
	// descriptor limit.
	MaxConns int

	Limits httpparse.Limits

	MaxBufferedBody int // bodies up to this size are read whole before the app runs
	StreamBuffer    int // wsgi.input buffer for larger bodies, streamed with backpressure
	HighWater       int // unsent response bytes above which the app's writes wait

	KeepAlive       time.Duration // how long an idle keep-alive connection is kept
	HeaderTimeout   time.Duration // time allowed to send a request's head and buffered body: 408
	WriteTimeout    time.Duration // how long a client may take no response bytes before it is dropped
	GracefulTimeout time.Duration // how long Shutdown waits for in-flight requests

	// Timeout, when above 0, bounds how long a request may run without
	// sending response bytes: then Interrupt is called for its thread
	// (from a goroutine of its own, never an event loop), and if the
	// request still runs a second later the loop answers 500 (or closes
	// the connection when the response has begun), gives the thread up and
	// calls Retire. Interrupt reports whether it could interrupt (see
	// pool.Worker.Running).
	Timeout   time.Duration
	Interrupt func(w *pool.Worker, task uint64) bool
	// MaxRequests, when above 0, is how many requests the server
	// dispatches before it calls Retire.
	MaxRequests int
	// Retire, when set, is called (on a goroutine of its own) when this
	// server should be replaced: MaxRequests reached, a request given up.
	// It serves on meanwhile.
	Retire func(reason string)

	ScriptName string // mount point of the app (SCRIPT_NAME)

	// Schemes, when set, are the headers that set wsgi.url_scheme, honoured
	// from peers ForwardedTrust allows (--forwarded-allow-ips).
	Schemes        *forwarded.Schemes
	ForwardedTrust forwarded.Trust
	// ProxyProtocol accepts a PROXY protocol header (v1 or v2) at the
	// start of a connection from peers ProxyTrust allows (a header from
	// another peer gets 403); its source address becomes REMOTE_ADDR.
	ProxyProtocol bool
	ProxyTrust    forwarded.Trust

	// LockOSThread locks each budget goroutine to its OS thread for life;
	// WorkerInit and WorkerExit run on that thread (an embedded interpreter
	// keeps its thread state there).
	LockOSThread bool
	WorkerInit   func(*pool.Worker)
	WorkerExit   func(*pool.Worker)

	// Gate, when set, is the app's global lock (an embedded interpreter's
	// GIL): a thread that holds it serves queued requests in a row, one
	// more thread waits for it while requests are queued, and the others
	// stay parked; threads beyond those in use start only when needed.
	// Preempt is how long a thread waits for the gate before its holder
	// is made to let go (pool.Config.Preempt).
	Gate    pool.Gate
	Preempt time.Duration

	// AccessLog, when set, gets one Record per request the app answered,
	// on the app's goroutine as it hands the response's last bytes over;
	// the Record is valid for the call only.
	AccessLog AccessLogger

	// Metrics, when set, counts requests, connections, the queue and GIL
	// waits in a shared-memory region (atomic adds, no locks).
	Metrics *metrics.Region

	// Phases, when set, receives every request's phase times: queue wait,
	// wait for the app's lock, time in the app, time writing.
	Phases *PhaseStats

	Log Logger // error log; nil: the standard logger
}

// Defaults.
const (
	DefaultThreads         = 1024
	DefaultQueue           = 1024
	DefaultMaxBufferedBody = 64 << 10
	DefaultStreamBuffer    = 256 << 10
	DefaultHighWater       = 512 << 10
	DefaultKeepAlive       = 5 * time.Second
	DefaultHeaderTimeout   = 10 * time.Second
	DefaultWriteTimeout    = 30 * time.Second
	DefaultGracefulTimeout = 30 * time.Second
	DefaultTimeout         = 30 * time.Second // gunicorn's; for the command line: 0 in a Config means none
)

// Logger takes the server's error-log lines at info level; one that also
// has Debugf and Errorf (logs.Log) gets debug lines and the app's errors
// at their levels.
type Logger interface {
	Printf(format string, args ...any)
}

// AccessLogger takes access-log records; accesslog.Logger is one. Log
// must not block: it runs on the app's goroutine, which may hold the
// app's lock (the GIL).
type AccessLogger interface {
	Log(r *accesslog.Record)
}

func (c Config) withDefaults() Config {
	setInt(&c.Loops, runtime.NumCPU())
	setInt(&c.Threads, DefaultThreads)
	setInt(&c.Queue, DefaultQueue)
	setInt(&c.MaxBufferedBody, DefaultMaxBufferedBody)
	setInt(&c.StreamBuffer, DefaultStreamBuffer)
	setInt(&c.HighWater, DefaultHighWater)
	setDur(&c.KeepAlive, DefaultKeepAlive)
	setDur(&c.HeaderTimeout, DefaultHeaderTimeout)
	setDur(&c.WriteTimeout, DefaultWriteTimeout)
	setDur(&c.GracefulTimeout, DefaultGracefulTimeout)
	c.Limits = c.Limits.WithDefaults()
	if c.Log == nil {
		c.Log = log.Default()
	}
	return c
}

func setInt(p *int, def int) {
	if *p <= 0 {
		*p = def
	}
}

func setDur(p *time.Duration, def time.Duration) {
	if *p <= 0 {
		*p = def
	}
}
