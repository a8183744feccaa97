package loop

import (
	"errors"
	"net"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gwsgi/gwsgi/listen"
)

// accept takes connections from ln and hands each to an event loop, until
// ln is closed (StopAccepting). gnet registers a copy of the descriptor;
// the accepted one is closed. Under Config.MaxConns it accepts only with a
// free slot (acceptCapped).
func (s *Server) accept(ln net.Listener) {
	defer s.accepting.Done()
	if s.slots != nil && s.acceptCapped(ln) {
		return
	}
	var pause time.Duration
	var mark enrollment
	for {
		if !s.slots.take(s.acceptStop) { // under a cap, a listener without a descriptor
			return
		}
		c, err := ln.Accept()
		if err != nil {
			s.slots.give()
			if errors.Is(err, net.ErrClosed) {
				return
			}
			pause = s.acceptFailed(err, pause)
			continue
		}
		pause = 0
		s.enroll(c, &mark)
	}
}

// acceptCapped is accept under Config.MaxConns, on a descriptor of its
// own of ln's socket, which the runtime's poller watches (a listener's
// own cannot be waited on but through Accept): it takes a slot just
// before each accept and gives it back when nothing is queued, so that it
// waits for connections without holding one, whatever the number of
// listeners; at the cap it waits for a slot before it accepts, and new
// connections stay in the kernel's queue. It ends once acceptStop is
// closed; false means it could not start, and accept takes over.
func (s *Server) acceptCapped(ln net.Listener) bool {
	fd, err := listen.Dup(ln)
	if err != nil {
		return false
	}
	f := os.NewFile(uintptr(fd), "listener") // non-blocking, as the socket is: polled
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return false
	}
	go func() {
		<-s.acceptStop
		f.Close() // ends the wait for a connection
	}()
	var (
		pause time.Duration
		mark  enrollment
		nfd   int
		aerr  error
		held  bool // the slot taken for the next connection
	)
	for {
		err := rc.Read(func(fd uintptr) bool {
			for {
				if !held {
					if held = s.slots.take(s.acceptStop); !held {
						aerr = net.ErrClosed
						return true
					}
				}
				nfd, _, aerr = unix.Accept4(int(fd), unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
				switch aerr {
				case unix.EINTR, unix.ECONNABORTED:
					continue
				case unix.EAGAIN:
					s.slots.give() // wait for a connection without the slot
					held = false
					return false
				}
				return true
			}
		})
		if err == nil {
			err = aerr
		}
		if err != nil {
			if held {
				s.slots.give()
				held = false
			}
			if s.stopping() {
				return true // f is closed
			}
			pause = s.acceptFailed(os.NewSyscallError("accept", err), pause)
			continue
		}
		pause, held = 0, false // the slot is the connection's
		c, err := fdConn(nfd)
		if err != nil {
			s.slots.give()
			continue
		}
		s.enroll(c, &mark)
	}
}

// stopping reports whether the accept loops must end.
func (s *Server) stopping() bool {
	select {
	case <-s.acceptStop:
		return true
	default:
		return false
	}
}

// acceptFailed logs an accept error other than a closed listener (out of
// descriptors or memory) and waits, longer each time in a row, as
// net/http does; it returns the pause to start from next time.
func (s *Server) acceptFailed(err error, pause time.Duration) time.Duration {
	pause = min(max(2*pause, 5*time.Millisecond), time.Second)
	s.cfg.Log.Printf("gwsgi: accept: %v; retrying in %v", err, pause)
	time.Sleep(pause)
	return pause
}

// enroll hands c, which holds a slot (Config.MaxConns), to an event loop:
// the slot passes to the connection, whose OnClose gives it back. When no
// event loop took the connection (OnOpen did not run), the slot is given
// back here. mark is the caller's, reused for each connection.
func (s *Server) enroll(c net.Conn, mark *enrollment) {
	mark.opened = false
	if _, err := s.cli.EnrollContext(c, mark); err != nil {
		s.cfg.Log.Printf("gwsgi: registering a connection from %s: %v", c.RemoteAddr(), err)
	}
	if !mark.opened {
		s.slots.give()
	}
}

// fdConn makes a net.Conn of the accepted descriptor fd, which it takes
// over, with TCP keep-alive probes as net.Listener's Accept sets them.
func fdConn(fd int) (net.Conn, error) {
	f := os.NewFile(uintptr(fd), "conn")
	defer f.Close()
	c, err := net.FileConn(f)
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetKeepAliveConfig(net.KeepAliveConfig{Enable: true})
	}
	return c, err
}

// StopAccepting closes this process's listeners, waits for the accept
// loops to end, and takes on the connections the kernel had queued at that
// moment, so that they are answered rather than reset should the socket
// close (a stop), as far as Config.MaxConns leaves room. New connections
// stay in the kernel's accept queue, for the other processes that share
// the sockets. Connections already accepted are served on.
func (s *Server) StopAccepting() {
	s.acceptOnce.Do(func() {
		close(s.acceptStop)
		dups := make([]int, 0, len(s.listeners))
		for _, ln := range s.listeners {
			if fd, err := listen.Dup(ln); err == nil {
				dups = append(dups, fd)
			}
			_ = ln.Close()
		}
		s.accepting.Wait()
		for _, fd := range dups {
			s.sweep(fd)
			_ = unix.Close(fd)
		}
	}) // later callers wait here until the first is done
}

// sweep accepts, without waiting, what is queued on the listening socket
// fd (in non-blocking mode, as every listener sets it) and registers it.
// At Config.MaxConns it stops: the rest stays queued.
func (s *Server) sweep(fd int) {
	var mark enrollment
	for s.slots.tryTake() {
		nfd, _, err := unix.Accept4(fd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		switch err {
		case nil:
		case unix.EINTR, unix.ECONNABORTED:
			s.slots.give()
			continue
		default:
			s.slots.give()
			return // EAGAIN: nothing more queued
		}
		c, err := fdConn(nfd)
		if err != nil {
			s.slots.give()
			continue
		}
		s.enroll(c, &mark)
	}
}
