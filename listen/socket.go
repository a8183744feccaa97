package listen

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Options shape the sockets Open creates.
type Options struct {
	// Backlog is the accept queue's length (listen(2)); 0 means 2048, as
	// gunicorn's --backlog.
	Backlog int
	// Umask is the process umask while a unix socket is bound, which sets
	// the socket file's mode; gunicorn's default is 0 (mode 0777).
	Umask int
	// ReusePort sets SO_REUSEPORT on TCP sockets.
	ReusePort bool
	// Owner, when set, is who the unix socket files Open creates are
	// given to (chown) once bound: the user and group the workers run as,
	// as gunicorn does.
	Owner *Owner
}

// Owner is a user and group id.
type Owner struct{ UID, GID int }

// DefaultBacklog is gunicorn's default --backlog.
const DefaultBacklog = 2048

// Socket is one listening socket. File is owned by the Socket until
// Close; processes that inherit it get their own descriptor of the same
// socket.
type Socket struct {
	Bind Bind
	File *os.File
	path string // a unix socket file this process created, removed by Close
}

// Open opens a socket for each bind, or, when systemd passed this process
// sockets (LISTEN_PID and LISTEN_FDS), takes those instead, as gunicorn
// does. On error, the sockets already opened are closed.
func Open(binds []Bind, o Options) ([]*Socket, error) {
	if o.Backlog <= 0 {
		o.Backlog = DefaultBacklog
	}
	if socks, err := systemdSockets(); err != nil || len(socks) > 0 {
		return socks, err
	}
	var socks []*Socket
	for _, b := range binds {
		s, err := open(b, o)
		if err != nil {
			Close(socks)
			return nil, fmt.Errorf("listen: %s: %w", b.Raw, err)
		}
		socks = append(socks, s)
	}
	return socks, nil
}

func open(b Bind, o Options) (*Socket, error) {
	switch b.Kind {
	case Unix:
		return openUnix(b, o)
	case FD:
		return inheritFD(b, b.FD)
	}
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		if !o.ReusePort {
			return nil
		}
		var serr error
		err := c.Control(func(fd uintptr) { serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1) })
		return errors.Join(err, serr)
	}}
	ln, err := lc.Listen(context.Background(), "tcp", b.Addr)
	if err != nil {
		return nil, err
	}
	return detach(b, ln, o.Backlog, "")
}

// openUnix binds a unix socket under o.Umask, after removing a stale
// socket file at the path (one nothing accepts on), and gives its file to
// o.Owner.
func openUnix(b Bind, o Options) (*Socket, error) {
	if err := removeStale(b.Addr); err != nil {
		return nil, err
	}
	old := syscall.Umask(o.Umask)
	ln, err := net.Listen("unix", b.Addr)
	syscall.Umask(old)
	if err != nil {
		return nil, err
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	if o.Owner != nil {
		if err := os.Chown(b.Addr, o.Owner.UID, o.Owner.GID); err != nil {
			ln.Close()
			_ = os.Remove(b.Addr)
			return nil, err
		}
	}
	return detach(b, ln, o.Backlog, b.Addr)
}

// removeStale removes path if it is a socket no server accepts on; a
// live one, or a file that is not a socket, is an error.
func removeStale(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("%s exists and is not a socket", path)
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return fmt.Errorf("%s: another server accepts on it", path)
	}
	return os.Remove(path)
}

// detach keeps a descriptor of ln's socket as an *os.File, closes ln and
// sets the backlog. The descriptor is dup'ed by hand rather than through
// ln.File, whose File puts the socket in blocking mode when its Fd is
// called (as exec does, passing it to a worker): the mode belongs to the
// socket, shared by every process, whose accept loops would then block.
func detach(b Bind, ln net.Listener, backlog int, path string) (*Socket, error) {
	defer ln.Close()
	fd, err := Dup(ln)
	if err != nil {
		return nil, err
	}
	if err := unix.Listen(fd, backlog); err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("listen", err)
	}
	return &Socket{Bind: b, File: os.NewFile(uintptr(fd), b.Raw), path: path}, nil
}

// Dup returns a new close-on-exec descriptor of ln's socket, owned by the
// caller. Closing ln does not close the socket while it is open.
func Dup(ln net.Listener) (int, error) {
	sc, ok := ln.(syscall.Conn)
	if !ok {
		return -1, errors.ErrUnsupported
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return -1, err
	}
	fd, derr := -1, error(nil)
	if err := rc.Control(func(s uintptr) { fd, derr = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 0) }); err != nil {
		return -1, err
	}
	if derr != nil {
		return -1, os.NewSyscallError("dup", derr)
	}
	return fd, nil
}

// inheritFD takes descriptor fd, which must be a listening stream socket.
func inheritFD(b Bind, fd int) (*Socket, error) {
	acc, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ACCEPTCONN)
	if err != nil {
		return nil, fmt.Errorf("descriptor %d is not a socket: %w", fd, err)
	}
	if acc != 1 {
		return nil, fmt.Errorf("descriptor %d is not a listening socket", fd)
	}
	unix.CloseOnExec(fd)
	return &Socket{Bind: b, File: os.NewFile(uintptr(fd), b.Raw)}, nil
}

// Listener returns a net.Listener on its own descriptor of the socket:
// closing it stops this process accepting, nothing more.
func (s *Socket) Listener() (net.Listener, error) {
	return net.FileListener(s.File)
}

// Addr returns the address the socket is bound to.
func (s *Socket) Addr() net.Addr {
	sa, err := unix.Getsockname(int(s.File.Fd()))
	if err != nil {
		return nil
	}
	return sockaddr(sa)
}

func sockaddr(sa unix.Sockaddr) net.Addr {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return &net.TCPAddr{IP: net.IP(a.Addr[:]), Port: a.Port}
	case *unix.SockaddrInet6:
		return &net.TCPAddr{IP: net.IP(a.Addr[:]), Port: a.Port}
	case *unix.SockaddrUnix:
		return &net.UnixAddr{Name: a.Name, Net: "unix"}
	}
	return nil
}

// Close closes the sockets, and removes the unix socket files this
// process created.
func Close(socks []*Socket) {
	for _, s := range socks {
		s.File.Close()
		if s.path != "" {
			_ = os.Remove(s.path)
		}
	}
}

// Quiesce shrinks each socket's accept queue to (nearly) nothing, for a
// server about to stop: the kernel stops queueing new connections (their
// SYNs go unanswered until the socket closes, then they are refused),
// while those already queued can still be accepted and served.
func Quiesce(socks []*Socket) {
	for _, s := range socks {
		_ = unix.Listen(int(s.File.Fd()), 0)
	}
}
