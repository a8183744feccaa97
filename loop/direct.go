package loop

import (
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Handoff states of a connection's request in flight. The app's goroutine
// and the loop agree through them on who completes the request, so that a
// keep-alive response written straight to the socket needs no trip through
// the loop: the loop completes it when the client's next request arrives.
const (
	handoffBusy int32 = iota // the app is running; the loop has seen no new input
	handoffKick              // the loop has input waiting: the app's goroutine must wake it when done
	handoffDone              // the response is written; the loop completes it when it next looks
)

// fdGuard lets an app's goroutine write to the connection's socket itself.
// gnet closes the descriptor only after OnClose, which takes mu and sets
// closed, so a writer holding mu with closed false writes to this
// connection's socket and no other.
type fdGuard struct {
	mu     sync.Mutex
	fd     int
	closed bool
}

func (g *fdGuard) close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
}

// writev writes as much of vec as the socket takes now, without blocking.
// It returns the unwritten rest, and false when it wrote nothing because
// the connection is closing or the write failed: the caller then goes
// through gnet, which reports the failure. iov is the caller's scratch
// space; vec's entries may be re-sliced.
func (g *fdGuard) writev(vec [][]byte, iov *[8]unix.Iovec) ([][]byte, bool) {
	n := 0
	for _, b := range vec {
		if len(b) == 0 {
			continue
		}
		if n == len(iov) {
			return vec, false
		}
		iov[n].Base = &b[0]
		iov[n].SetLen(len(b))
		n++
	}
	if n == 0 {
		return nil, true
	}
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return vec, false
	}
	w, _, errno := unix.Syscall(unix.SYS_WRITEV, uintptr(g.fd), uintptr(unsafe.Pointer(&iov[0])), uintptr(n))
	g.mu.Unlock()
	*iov = [8]unix.Iovec{} // keep no references into the app's memory
	switch errno {
	case 0:
	case unix.EAGAIN:
		w = 0
	default:
		return vec, false
	}
	return skip(vec, int(w)), true
}

// skip drops the first n bytes of vec.
func skip(vec [][]byte, n int) [][]byte {
	for len(vec) > 0 && n >= len(vec[0]) {
		n -= len(vec[0])
		vec = vec[1:]
	}
	if len(vec) > 0 {
		vec[0] = vec[0][n:]
	}
	return vec
}
