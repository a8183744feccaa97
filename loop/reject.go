package loop

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/panjf2000/gnet/v2"
	"golang.org/x/sys/unix"

	"github.com/gwsgi/gwsgi/httpparse"
)

// Errors the loop answers itself.
var (
	errTimeout    = &httpparse.Error{Status: 408, Reason: "request head or body not received in time"}
	errOverloaded = &httpparse.Error{Status: 503, Reason: "all threads busy and the queue full"}
	errNotMounted = &httpparse.Error{Status: 404, Reason: "path outside the app's SCRIPT_NAME"}
)

// reject answers a request the server cannot serve with its status code,
// logs why, and ends the connection: the rest of its input is unreliable.
// The write side is shut and input is read and dropped for a while
// (lingering close), so the client sees the answer rather than a reset.
func (cs *connState) reject(err error) gnet.Action {
	status := httpparse.StatusOf(err)
	reason := err.Error()
	var perr *httpparse.Error
	if errors.As(err, &perr) {
		reason = perr.Reason
	}
	cs.srv.cfg.Metrics.Request(status, 0)
	cs.headLen, cs.bodyOff = 0, 0
	cs.prog.Reset()
	cs.srv.clients.printf("gwsgi: %d %s from %s:%s: %s", status, http.StatusText(status), cs.ci.RemoteAddr, cs.ci.RemotePort, reason)
	if _, werr := cs.c.Write(errorResponse(status, reason)); werr != nil {
		return gnet.Close
	}
	return cs.linger()
}

// linger ends a connection whose input cannot be trusted or is still
// arriving (a request rejected, a body the app did not read) without
// losing the answer: closing a socket with unread input resets it, and
// the reset can destroy the answer before the client reads it. So once
// the answer is sent in full, the write side is shut (the client sees
// the end of the answer) and input is read and dropped until the client
// closes or HeaderTimeout passes (phaseLinger).
func (cs *connState) linger() gnet.Action {
	cs.dropInput()
	cs.mustClose = true
	cs.shutPending = true
	cs.setPhase(phaseLinger)
	return cs.shutWhenSent()
}

// shutWhenSent shuts the write side of a lingering connection once its
// answer has left gnet's buffer; it runs at each read while it lingers.
func (cs *connState) shutWhenSent() gnet.Action {
	if !cs.shutPending || cs.c.OutboundBuffered() > 0 {
		return gnet.None
	}
	cs.shutPending = false
	if unix.Shutdown(cs.c.Fd(), unix.SHUT_WR) != nil {
		return gnet.Close
	}
	return gnet.None
}

// errorResponse renders a complete plain-text error response that closes
// the connection. It allocates; errors are off the hot path.
func errorResponse(status int, reason string) []byte {
	text := http.StatusText(status)
	body := strconv.Itoa(status) + " " + text + ": " + reason + "\n"
	b := make([]byte, 0, 256+len(body))
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, ' ')
	b = append(b, text...)
	b = append(b, "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(len(body)), 10)
	b = append(b, "\r\nConnection: close\r\nServer: gwsgi\r\n"...)
	if status == 503 {
		b = append(b, "Retry-After: 1\r\n"...)
	}
	b = append(b, "\r\n"...)
	return append(b, body...)
}
