package loop

import (
	"errors"
	"net"
	"time"
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

// StopAccepting closes this process's listeners and waits for the accept
// loops to end: new connections stay in the kernel's accept queue, for the
// other processes that share the sockets. Connections already accepted
// are served on.
func (s *Server) StopAccepting() {
	s.acceptOnce.Do(func() {
		for _, ln := range s.listeners {
			_ = ln.Close()
		}
	})
	s.accepting.Wait()
}
