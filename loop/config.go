package loop

import (
	"log"
	"runtime"
	"time"

	"github.com/gwsgi/gwsgi/httpparse"
	"github.com/gwsgi/gwsgi/pool"
	"github.com/gwsgi/gwsgi/wsgi"
)

// Config is a server's configuration. Zero fields take the defaults below.
type Config struct {
	Addr string   // host:port to listen on, e.g. "127.0.0.1:8000"
	App  wsgi.App // the application

	Threads int // app calls in flight at once (the goroutine budget)
	Queue   int // requests waiting for a free thread; beyond it: 503
	Loops   int // gnet event loops; 0: one per CPU

	Limits httpparse.Limits

	MaxBufferedBody int // bodies up to this size are read whole before the app runs
	StreamBuffer    int // wsgi.input buffer for larger bodies, streamed with backpressure
	HighWater       int // unsent response bytes above which the app's writes wait

	KeepAlive       time.Duration // how long an idle keep-alive connection is kept
	HeaderTimeout   time.Duration // time allowed to send a request's head and buffered body: 408
	WriteTimeout    time.Duration // how long a client may take no response bytes before it is dropped
	GracefulTimeout time.Duration // how long Shutdown waits for in-flight requests

	ScriptName string // mount point of the app (SCRIPT_NAME)
	ReusePort  bool   // SO_REUSEPORT, for several processes on one port

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

	// Phases, when set, receives every request's phase times: queue wait,
	// wait for the app's lock, time in the app, time writing.
	Phases *PhaseStats

	Log *log.Logger // error log; nil: the standard logger
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
)

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
