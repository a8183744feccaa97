package loop

import (
	"os"
	"strconv"
	"strings"

	"github.com/panjf2000/gnet/v2"
	"golang.org/x/sys/unix"
)

// Reading a connection pauses while the body it sends has nowhere to go:
// the app reads its wsgi.input slower than the client sends (or has not
// started), the stream's buffer is full, and what gnet read past it waits.
// gnet reads every readable connection into memory of its own, without
// limit, so without a pause one client could fill the server's memory; with
// it, the bytes wait in the kernel's socket buffer and TCP's window slows
// the client down. gnet has no call for it: the connection's descriptor
// is taken out of its event loop's epoll interest (epoll_ctl, with the
// event data gnet's default poller uses: the descriptor) and put back once
// the buffer has room again. gnet puts it back itself when it has
// something to write and the socket was full; the next read then finds
// the buffer still full and pauses again.

// flowControl pauses or resumes reading the connection as its streamed
// body's buffer is full or has room.
func (cs *connState) flowControl() {
	if cs.stream.active && cs.ex != nil && cs.ex.env.Body.Free() == 0 && cs.buffered() > 0 {
		cs.pauseReads()
		return
	}
	cs.resumeReads()
}

// pauseReads takes the connection out of its event loop's read interest;
// write interest stays while gnet has output waiting, so that an app
// answering while its body arrives is not stalled.
func (cs *connState) pauseReads() {
	if cs.paused {
		return
	}
	var ev uint32
	if cs.c.OutboundBuffered() > 0 {
		ev = unix.EPOLLOUT
	}
	if cs.setInterest(ev) {
		cs.paused = true
	}
}

// resumeReads puts a paused connection back, with write interest too when
// gnet has output waiting.
func (cs *connState) resumeReads() {
	if !cs.paused {
		return
	}
	ev := uint32(unix.EPOLLIN | unix.EPOLLPRI)
	if cs.c.OutboundBuffered() > 0 {
		ev |= unix.EPOLLOUT
	}
	cs.setInterest(ev)
	cs.paused = false
}

// setInterest sets the epoll events of the connection's descriptor in its
// event loop's epoll instance.
func (cs *connState) setInterest(events uint32) bool {
	ep := cs.srv.epollOf(cs.c)
	if ep < 0 {
		return false
	}
	fd := cs.c.Fd()
	return unix.EpollCtl(ep, unix.EPOLL_CTL_MOD, fd, &unix.EpollEvent{Events: events, Fd: int32(fd)}) == nil
}

// epollOf returns the epoll descriptor of c's event loop, found once per
// event loop, or -1.
func (s *Server) epollOf(c gnet.Conn) int {
	el := c.EventLoop()
	if v, ok := s.epolls.Load(el); ok {
		return v.(int)
	}
	ep := findEpoll(c.Fd())
	if ep >= 0 {
		s.epolls.Store(el, ep)
	}
	return ep
}

// findEpoll returns the epoll descriptor of this process that watches fd,
// or -1: the fdinfo of an epoll instance lists the descriptors it watches,
// a line "tfd: N events: ..." each.
func findEpoll(fd int) int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	want := strconv.Itoa(fd)
	for _, e := range entries {
		if link, _ := os.Readlink("/proc/self/fd/" + e.Name()); link != "anon_inode:[eventpoll]" {
			continue
		}
		info, err := os.ReadFile("/proc/self/fdinfo/" + e.Name())
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(info), "\n") {
			if f := strings.Fields(line); len(f) > 1 && f[0] == "tfd:" && f[1] == want {
				n, _ := strconv.Atoi(e.Name())
				return n
			}
		}
	}
	return -1
}
