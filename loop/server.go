package loop

import (
	"context"
	"errors"
	"net"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/panjf2000/gnet/v2"

	"github.com/gwsgi/gwsgi/environ"
	"github.com/gwsgi/gwsgi/pool"
)

// Server is one gwsgi listener: gnet loops, the goroutine budget and the
// app. Create it with New, run it with Serve, stop it with Shutdown.
type Server struct {
	gnet.BuiltinEventEngine

	cfg    Config
	envCfg environ.Config
	budget *pool.Budget
	static *pool.Budget // Config.Static's answers, nil without

	cli        *gnet.Client   // the event loops; connections come from accept
	listeners  []net.Listener // this process's own descriptors of the sockets
	accepting  sync.WaitGroup // accept loops
	acceptOnce sync.Once
	acceptStop chan struct{} // closed when the accept loops must end
	slots      slots         // the connections' slots under Config.MaxConns, nil for no cap
	clients    *clientLog    // lines about clients, written off the loops
	epolls     sync.Map      // gnet.EventLoop to its epoll descriptor (pause.go)
	booted     chan struct{}
	stopped    chan struct{} // closed when the engine must stop
	stopOnce   sync.Once
	draining   atomic.Bool
	active     atomic.Int64 // requests dispatched and not yet completed
	cut        atomic.Bool  // Shutdown gave up on requests in flight
	stuck      atomic.Int64 // requests given up after their timeout, among active
	served     atomic.Int64 // requests dispatched, counted for MaxRequests
	interrupts chan interruptReq

	mu    sync.Mutex
	conns map[*connState]struct{}

	shutOnce sync.Once
	shutErr  error
}

// New validates cfg and builds a Server. Nothing listens until Serve.
func New(cfg Config) (*Server, error) {
	if cfg.App == nil {
		return nil, errors.New("loop: no app")
	}
	if cfg.Addr == "" && len(cfg.Listeners) == 0 {
		return nil, errors.New("loop: no address")
	}
	cfg = cfg.withDefaults()
	reserveProcs(cfg.Loops)
	s := &Server{
		cfg:        cfg,
		envCfg:     environ.Config{ScriptName: cfg.ScriptName},
		booted:     make(chan struct{}),
		stopped:    make(chan struct{}),
		acceptStop: make(chan struct{}),
		slots:      newSlots(cfg.MaxConns),
		clients:    newClientLog(cfg.Log),
		conns:      make(map[*connState]struct{}),
	}
	s.budget = pool.NewBudget(pool.Config{
		Workers:      cfg.Threads,
		Initial:      min(cfg.Threads, initialThreads),
		Queue:        cfg.Queue,
		LockOSThread: cfg.LockOSThread,
		Gate:         cfg.Gate,
		Preempt:      cfg.Preempt,
		Init:         cfg.WorkerInit,
		Exit:         cfg.WorkerExit,
	})
	s.static = newStaticBudget(&s.cfg)
	return s, nil
}

// initialThreads is how many budget threads start with the server; the
// rest start when requests need them.
const initialThreads = 4

// reserveProcs makes sure app goroutines find a P while every event loop
// sits in epoll_wait: a loop blocked in that syscall keeps its P until the
// scheduler's monitor takes it back, which can take milliseconds. With one
// CPU (GOMAXPROCS 1) that stalls every request; one P more than there are
// loops avoids it.
func reserveProcs(loops int) {
	if runtime.GOMAXPROCS(0) < loops+1 {
		runtime.GOMAXPROCS(loops + 1)
	}
}

// Serve accepts and serves until Shutdown. It listens on Config.Addr
// unless Config.Listeners are given; either way the listeners are closed
// when it returns.
func (s *Server) Serve() error {
	go s.clients.run()
	err := s.serve()
	s.clients.stop()
	for _, b := range []*pool.Budget{s.static, s.budget} { // files first: they may pass requests on to the app
		switch {
		case b == nil:
		case s.cut.Load():
			b.Abandon() // threads still in the app keep their slots
		default:
			b.Close()
		}
	}
	select {
	case <-s.booted:
	default:
		close(s.booted) // Serve failed before boot: release Ready waiters
	}
	return err
}

func (s *Server) serve() error {
	s.listeners = s.cfg.Listeners
	if len(s.listeners) == 0 {
		ln, err := net.Listen("tcp", s.cfg.Addr)
		if err != nil {
			return err
		}
		s.listeners = []net.Listener{ln}
	}
	defer s.StopAccepting()
	cli, err := gnet.NewClient(s,
		gnet.WithMulticore(true),
		gnet.WithNumEventLoop(s.cfg.Loops),
		gnet.WithTicker(true),
		gnet.WithTCPNoDelay(gnet.TCPNoDelay),
		gnet.WithLogger(quietLogger{s.cfg.Log}),
	)
	if err != nil {
		return err
	}
	s.cli = cli
	if err := cli.Start(); err != nil {
		return err
	}
	if s.cfg.Interrupt != nil && s.cfg.Timeout > 0 {
		s.interrupts = make(chan interruptReq, 64)
		go s.interrupter()
	}
	for _, ln := range s.listeners {
		s.accepting.Add(1)
		go s.accept(ln)
	}
	close(s.booted) // the loops run and connections are taken: ready
	<-s.stopped
	s.StopAccepting()
	return cli.Stop()
}

// Ready returns a channel closed once the server listens (or failed to).
func (s *Server) Ready() <-chan struct{} { return s.booted }

// Addr returns the address of the server's first listener, nil before it
// boots.
func (s *Server) Addr() net.Addr {
	if a := s.Addrs(); len(a) > 0 {
		return a[0]
	}
	return nil
}

// Addrs returns the addresses the server accepts on, nil before it boots.
func (s *Server) Addrs() []net.Addr {
	select {
	case <-s.booted:
	default:
		return nil
	}
	addrs := make([]net.Addr, len(s.listeners))
	for i, ln := range s.listeners {
		addrs[i] = ln.Addr()
	}
	return addrs
}

// Shutdown stops the server gracefully: it stops accepting (new
// connections wait in the kernel for another process sharing the
// sockets), requests in flight or arriving on open connections are served
// with Connection: close, connections with nothing in flight are closed
// after a moment, all for up to GracefulTimeout or until ctx ends; then
// the event loops stop and close what is left. It returns ErrCut when
// requests were still running then: their threads may still run the app.
// Later calls wait for the first and return its result.
func (s *Server) Shutdown(ctx context.Context) error {
	s.shutOnce.Do(func() { s.shutErr = s.shutdown(ctx) })
	return s.shutErr
}

func (s *Server) shutdown(ctx context.Context) error {
	<-s.booted
	if s.cli == nil {
		return nil
	}
	s.StopAccepting()
	s.draining.Store(true)
	s.wakeAll()
	ctx, cancel := context.WithTimeout(ctx, s.cfg.GracefulTimeout)
	defer cancel()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for s.active.Load() > s.stuck.Load() || s.open() > 0 {
		select {
		case <-ctx.Done():
			n := s.active.Load() - s.stuck.Load()
			s.cfg.Log.Printf("gwsgi: graceful timeout: %d requests still in flight are cut", n)
			s.cut.Store(n > 0)
			s.stop()
			if n > 0 {
				return ErrCut
			}
			return nil
		case <-tick.C:
		}
	}
	if s.stuck.Load() > 0 {
		s.cut.Store(true) // threads given up are still in the app
		s.stop()
		return ErrCut
	}
	s.stop()
	return nil
}

// open counts the connections the server has.
func (s *Server) open() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// stop makes Serve stop the event loops, closing every connection.
func (s *Server) stop() {
	s.stopOnce.Do(func() { close(s.stopped) })
}

// wakeAll makes every connection's loop look at it again (to close idle
// ones when draining).
func (s *Server) wakeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for cs := range s.conns {
		_ = cs.c.Wake(nil)
	}
}

// OnTick enforces timeouts: connections past their deadline are woken, and
// their loop, which owns their state, decides.
func (s *Server) OnTick() (time.Duration, gnet.Action) {
	t := now()
	s.mu.Lock()
	for cs := range s.conns {
		if cs.expired(t) || cs.overdue(t) {
			_ = cs.c.Wake(nil)
		}
	}
	s.mu.Unlock()
	return 250 * time.Millisecond, gnet.None
}

// count counts a dispatched request against MaxRequests.
func (s *Server) count() {
	if s.cfg.MaxRequests > 0 && s.served.Add(1) == int64(s.cfg.MaxRequests) {
		s.retire("served " + strconv.Itoa(s.cfg.MaxRequests) + " requests (--max-requests)")
	}
}

func (s *Server) track(cs *connState) {
	s.mu.Lock()
	s.conns[cs] = struct{}{}
	s.mu.Unlock()
}

func (s *Server) untrack(cs *connState) {
	s.mu.Lock()
	delete(s.conns, cs)
	s.mu.Unlock()
}

// splitAddr formats a net.Addr's host and port once per connection.
func splitAddr(a net.Addr) (host, port string) {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.IP.String(), strconv.Itoa(t.Port)
	}
	if _, ok := a.(*net.UnixAddr); ok || a == nil {
		return "", "" // a unix socket's peer has no address (gunicorn's REMOTE_ADDR is "" too)
	}
	h, p, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String(), ""
	}
	return h, p
}
