package loop

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/panjf2000/gnet/v2"
	"golang.org/x/sys/unix"

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

	eng      gnet.Engine
	booted   chan struct{}
	addr     net.Addr
	draining atomic.Bool
	active   atomic.Int64 // requests dispatched and not yet completed

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
	if cfg.Addr == "" {
		return nil, errors.New("loop: no address")
	}
	cfg = cfg.withDefaults()
	reserveProcs(cfg.Loops)
	s := &Server{
		cfg:    cfg,
		envCfg: environ.Config{ScriptName: cfg.ScriptName},
		booted: make(chan struct{}),
		conns:  make(map[*connState]struct{}),
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

// Serve listens and serves until Shutdown; it returns gnet's error, if any.
func (s *Server) Serve() error {
	opts := []gnet.Option{
		gnet.WithMulticore(true),
		gnet.WithNumEventLoop(s.cfg.Loops),
		gnet.WithReusePort(s.cfg.ReusePort),
		gnet.WithReuseAddr(true),
		gnet.WithTicker(true),
		gnet.WithTCPNoDelay(gnet.TCPNoDelay),
		gnet.WithLogger(quietLogger{s.cfg.Log}),
	}
	err := gnet.Run(s, "tcp://"+s.cfg.Addr, opts...)
	s.budget.Close()
	select {
	case <-s.booted:
	default:
		close(s.booted) // Serve failed before boot: release Ready waiters
	}
	return err
}

// Ready returns a channel closed once the server listens (or failed to).
func (s *Server) Ready() <-chan struct{} { return s.booted }

// Addr returns the address the server listens on, nil before it boots.
func (s *Server) Addr() net.Addr { return s.addr }

// OnBoot records the engine and the bound address.
func (s *Server) OnBoot(eng gnet.Engine) gnet.Action {
	s.eng = eng
	s.addr = boundAddr(eng)
	close(s.booted)
	return gnet.None
}

// boundAddr asks the kernel which address the listener has (the port may
// have been 0 in the configuration).
func boundAddr(eng gnet.Engine) net.Addr {
	fd, err := eng.Dup()
	if err != nil {
		return nil
	}
	defer unix.Close(fd)
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return nil
	}
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return &net.TCPAddr{IP: net.IP(a.Addr[:]), Port: a.Port}
	case *unix.SockaddrInet6:
		return &net.TCPAddr{IP: net.IP(a.Addr[:]), Port: a.Port}
	}
	return nil
}

// Shutdown stops the server gracefully: new connections are refused, idle
// ones closed, in-flight requests finish (their responses carry
// Connection: close) for up to GracefulTimeout or until ctx ends, then the
// engine stops. Later calls wait for the first and return its result.
func (s *Server) Shutdown(ctx context.Context) error {
	s.shutOnce.Do(func() { s.shutErr = s.shutdown(ctx) })
	return s.shutErr
}

func (s *Server) shutdown(ctx context.Context) error {
	<-s.booted
	if s.addr == nil {
		return nil
	}
	s.draining.Store(true)
	s.wakeAll()
	ctx, cancel := context.WithTimeout(ctx, s.cfg.GracefulTimeout)
	defer cancel()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for s.active.Load() > 0 {
		select {
		case <-ctx.Done():
			s.cfg.Log.Printf("gwsgi: graceful timeout: %d requests still in flight", s.active.Load())
			return s.stop()
		case <-tick.C:
		}
	}
	return s.stop()
}

func (s *Server) stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.eng.Stop(ctx); err != nil {
		return fmt.Errorf("loop: stop: %w", err)
	}
	return nil
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
	now := time.Now().UnixNano()
	s.mu.Lock()
	for cs := range s.conns {
		if cs.expired(now) {
			_ = cs.c.Wake(nil)
		}
	}
	s.mu.Unlock()
	return 250 * time.Millisecond, gnet.None
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
	if a == nil {
		return "", ""
	}
	h, p, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String(), ""
	}
	return h, p
}
