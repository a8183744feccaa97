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
// the accepted one is closed.
func (s *Server) accept(ln net.Listener) {
	defer s.accepting.Done()
	var pause time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of descriptors or memory: wait, as net/http does.
			pause = min(max(2*pause, 5*time.Millisecond), time.Second)
			s.cfg.Log.Printf("gwsgi: accept: %v; retrying in %v", err, pause)
			time.Sleep(pause)
			continue
		}
		pause = 0
		if _, err := s.cli.EnrollContext(c, nil); err != nil {
			s.cfg.Log.Printf("gwsgi: registering a connection from %s: %v", c.RemoteAddr(), err)
		}
	}
}

// StopAccepting closes this process's listeners, waits for the accept
// loops to end, and takes on the connections the kernel had queued at that
// moment, so that they are answered rather than reset should the socket
// close (a stop). New connections stay in the kernel's accept queue, for
// the other processes that share the sockets. Connections already
// accepted are served on.
func (s *Server) StopAccepting() {
	s.acceptOnce.Do(func() {
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
func (s *Server) sweep(fd int) {
	for {
		nfd, _, err := unix.Accept4(fd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		switch err {
		case nil:
		case unix.EINTR, unix.ECONNABORTED:
			continue
		default:
			return // EAGAIN: nothing more queued
		}
		f := os.NewFile(uintptr(nfd), "conn")
		c, err := net.FileConn(f)
		f.Close()
		if err != nil {
			continue
		}
		if _, err := s.cli.EnrollContext(c, nil); err != nil {
			s.cfg.Log.Printf("gwsgi: registering a connection from %s: %v", c.RemoteAddr(), err)
		}
	}
}
