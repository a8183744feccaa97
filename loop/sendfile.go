package loop

import (
	"io"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gwsgi/gwsgi/wsgi"
)

// sendfileMax bounds one sendfile call, so the guard is held briefly.
const sendfileMax = 4 << 20

// SendFile implements wsgi.FileSink: count bytes of fd from offset go from
// the kernel's page cache to the socket, from the app's goroutine. While
// the socket is full it waits in poll(2) without the guard, so the loop
// can close the connection meanwhile; the next write then sees it closed.
func (x *exchange) SendFile(fd int, offset, count int64) error {
	if !x.SendsFiles() {
		return wsgi.ErrNoSendfile
	}
	g := &x.cs.guard
	stalled := time.Now()
	for count > 0 {
		g.mu.Lock()
		if g.closed {
			g.mu.Unlock()
			return wsgi.ErrConnection
		}
		n, err := unix.Sendfile(g.fd, fd, &offset, int(min(count, sendfileMax)))
		sock := g.fd
		g.mu.Unlock()
		switch {
		case n > 0:
			count -= int64(n)
			stalled = time.Now()
		case err == unix.EAGAIN || err == unix.EINTR:
			if time.Since(stalled) > x.srv.cfg.WriteTimeout {
				return x.stalled()
			}
			x.w.Block()
			waitWritable(sock)
			x.w.Unblock()
		case err != nil:
			return err
		default:
			return io.ErrUnexpectedEOF // the file shrank under us
		}
	}
	return nil
}

// SendsFiles implements wsgi.FileSink: not while gnet holds earlier
// bytes of the connection (they must go first), nor when the loop itself
// answers (it reads small files into gnet's output).
func (x *exchange) SendsFiles() bool { return !x.queued && !x.onLoop }

// waitWritable waits until fd can take more bytes, or a second passes.
func waitWritable(fd int) {
	pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
	_, _ = unix.Poll(pfd, 1000)
}
