package accesslog

import (
	"bytes"
	"github.com/gwsgi/gwsgi/httpparse"

	"encoding/base64"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/gwsgi/gwsgi/environ"
)

// Record is what the access log knows of one request. Env and Head are
// borrowed for the call to Log.
type Record struct {
	Env      *environ.Environ
	Status   int           // the response's status code
	Sent     int64         // body bytes sent (gunicorn's resp.sent)
	Head     []byte        // status line and the app's header lines, CRLF-ended
	Duration time.Duration // from the request's dispatch to its completion
}

var (
	space = []byte(" ")
	colon = []byte(":")
	crlf  = []byte("\r\n")
)

// serverSoftware is SERVER_SOFTWARE in the environ.
const serverSoftware = "gwsgi"

// Append appends the line for r (without its newline) to dst. now is the
// clock for %(t)s, as already rendered by a Clock.
func (f *Format) Append(dst []byte, r *Record, c *Clock) []byte {
	for i := range f.segs {
		dst = f.segs[i].append(dst, r, c)
	}
	return dst
}

// append writes one segment for r.
func (s *segment) append(dst []byte, r *Record, c *Clock) []byte {
	e := r.Env
	switch s.kind {
	case litText:
		return append(dst, s.text...)
	case atomH:
		return appendValue(dst, e.RemoteAddr)
	case atomU:
		return appendUser(dst, e)
	case atomT:
		return append(dst, c.Now()...)
	case atomR:
		dst = appendValue(dst, e.Method)
		dst = append(dst, ' ')
		dst = appendValue(dst, e.RawURI)
		dst = append(dst, ' ')
		return appendValue(dst, e.ServerProtocol)
	case atomS:
		return strconv.AppendInt(dst, int64(r.Status), 10)
	case atomM:
		return appendValue(dst, e.Method)
	case atomUpperU:
		return appendValue(dst, e.PathInfo)
	case atomQ:
		return appendValue(dst, e.QueryString)
	case atomUpperH:
		return appendValue(dst, e.ServerProtocol)
	case atomB:
		return strconv.AppendInt(dst, r.Sent, 10)
	case atomF:
		return appendVar(dst, e, "HTTP_REFERER")
	case atomA:
		return appendVar(dst, e, "HTTP_USER_AGENT")
	case atomP:
		dst = append(dst, '<')
		dst = strconv.AppendInt(dst, int64(c.pid), 10)
		return append(dst, '>')
	case atomIn, atomEnv:
		return appendVar(dst, e, s.text)
	case atomOut:
		return appendResponseHeader(dst, r.Head, s.text)
	}
	return appendDuration(dst, s.kind, r.Duration)
}

// appendDuration writes the duration atoms T, D, M and L the way Python
// renders gunicorn's timedelta arithmetic; anything else writes '-'.
func appendDuration(dst []byte, k kind, d time.Duration) []byte {
	us := d.Microseconds()
	switch k {
	case atomUpperT:
		return strconv.AppendInt(dst, us/1e6, 10)
	case atomUpperD:
		return strconv.AppendInt(dst, us, 10)
	case atomUpperM:
		return strconv.AppendInt(dst, us/1000, 10)
	case atomUpperL:
		dst = strconv.AppendInt(dst, us/1e6, 10)
		dst = append(dst, '.')
		frac := us % 1e6
		for div := int64(1e5); div > 0; div /= 10 {
			dst = append(dst, byte('0'+frac/div%10))
		}
		return dst
	}
	return append(dst, '-')
}

// appendVar writes the CGI variable name, or '-' when the request has none.
func appendVar(dst []byte, e *environ.Environ, name string) []byte {
	if name == "SERVER_SOFTWARE" {
		return append(dst, serverSoftware...)
	}
	v, ok := e.Get(name)
	if !ok {
		return append(dst, '-')
	}
	return appendValue(dst, v)
}

// appendValue writes request bytes as gunicorn's log does: the bytes are
// latin-1 characters, written in UTF-8, and a '"' becomes '\"'.
func appendValue(dst []byte, v []byte) []byte {
	for _, c := range v {
		switch {
		case c == '"':
			dst = append(dst, '\\', '"')
		case c < utf8.RuneSelf:
			dst = append(dst, c)
		default:
			dst = utf8.AppendRune(dst, rune(c))
		}
	}
	return dst
}

// appendText writes UTF-8 text (a decoded user name) with '"' escaped.
func appendText(dst []byte, v []byte) []byte {
	for _, c := range v {
		if c == '"' {
			dst = append(dst, '\\')
		}
		dst = append(dst, c)
	}
	return dst
}

// appendResponseHeader writes the last value of the response header name
// (lower-case) in head, or '-'.
func appendResponseHeader(dst, head []byte, name string) []byte {
	var found []byte
	ok := false
	for line := range eachLine(head) {
		if v, match := headerValue(line, name); match {
			found, ok = v, true
		}
	}
	if !ok {
		return append(dst, '-')
	}
	return appendValue(dst, found)
}

// eachLine yields the header lines of head, after its status line.
func eachLine(head []byte) func(func([]byte) bool) {
	return func(yield func([]byte) bool) {
		first := true
		for len(head) > 0 {
			i := bytes.Index(head, crlf)
			if i < 0 {
				i = len(head)
			}
			line := head[:i]
			head = head[min(i+2, len(head)):]
			if !first && !yield(line) {
				return
			}
			first = false
		}
	}
}

// headerValue returns the value of line "Name: value" when its name is
// name (lower-case), ignoring case.
func headerValue(line []byte, name string) ([]byte, bool) {
	if len(line) < len(name)+1 || line[len(name)] != ':' || !httpparse.EqualFold(line[:len(name)], name) {
		return nil, false
	}
	v := line[len(name)+1:]
	for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
		v = v[1:]
	}
	return v, true
}

// appendUser writes the user name of a Basic Authorization header, or '-'
// (gunicorn's %(u)s).
func appendUser(dst []byte, e *environ.Environ) []byte {
	auth, ok := e.Get("HTTP_AUTHORIZATION")
	if !ok || len(auth) < 5 || !httpparse.EqualFold(auth[:5], "basic") {
		return append(dst, '-')
	}
	_, cred, found := bytes.Cut(auth, space)
	if !found {
		return append(dst, '-')
	}
	var buf [192]byte
	cred = bytes.TrimSpace(cred)
	if base64.StdEncoding.DecodedLen(len(cred)) > len(buf) {
		return append(dst, '-')
	}
	n, err := base64.StdEncoding.Decode(buf[:], cred)
	if err != nil || !utf8.Valid(buf[:n]) {
		return append(dst, '-')
	}
	user, _, found := bytes.Cut(buf[:n], colon)
	if !found {
		return append(dst, '-')
	}
	return appendText(dst, user)
}
