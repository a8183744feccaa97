package environ

import (
	"strconv"

	"github.com/gwsgi/gwsgi/httpparse"
)

// Fill derives the CGI/WSGI variables of req and copies every byte of them
// into e's arena, so that req, and the buffer its slices point into, may be
// reused as soon as Fill returns. ci and cfg may be nil. Fill replaces
// every variable e held before (slices handed out earlier become invalid);
// it leaves e.Body alone.
//
// Fill grows the arena at most once, to an upper bound of what it writes;
// a warm Environ fills without allocating.
//
// The only error after a complete fill is ErrNotMounted (see there).
func (e *Environ) Fill(req *httpparse.Request, ci *ConnInfo, cfg *Config) error {
	if req == nil {
		return ErrNilRequest
	}
	var noConn ConnInfo
	if ci == nil {
		ci = &noConn
	}
	script := ""
	if cfg != nil {
		script = trimSlashes(cfg.ScriptName)
	}
	host := req.Host
	if host == nil {
		host = findHeader(req.Headers, "host")
	}
	scheme := ci.URLScheme
	if scheme == "" {
		scheme = "http"
	}

	e.arena = e.arena[:0]
	clear(e.Headers)
	e.Headers = e.Headers[:0]
	e.ContentType, e.ContentLength, e.hasContentType = nil, nil, false
	e.grow(fillSize(req, ci, script, host, scheme))

	e.Method = e.put(req.Method)
	e.Head = string(req.Method) == "HEAD"
	e.QueryString = e.put(req.Query)
	e.RawURI = e.put(req.Target)
	err := e.fillPath(req.Path, script)

	if v := findHeader(req.Headers, "content-type"); v != nil {
		e.ContentType = e.put(v)
		e.hasContentType = true
	}
	e.Chunked = req.Chunked
	e.BodyLength = -1
	if !req.Chunked {
		if req.ContentLength >= 0 {
			e.BodyLength = req.ContentLength
			start := len(e.arena)
			e.arena = strconv.AppendInt(e.arena, req.ContentLength, 10)
			e.ContentLength = e.arena[start:len(e.arena):len(e.arena)]
		} else if v := findHeader(req.Headers, "content-length"); v != nil {
			e.ContentLength = e.put(v)
		}
	}

	e.URLScheme = e.putString(scheme)
	e.fillServer(host, ci, scheme)
	if len(req.Proto) > 0 {
		e.ServerProtocol = e.put(req.Proto)
	} else if req.ProtoMinor == 0 {
		e.ServerProtocol = e.putString("HTTP/1.0")
	} else {
		e.ServerProtocol = e.putString("HTTP/1.1")
	}
	e.RemoteAddr = e.putString(ci.RemoteAddr)
	e.RemotePort = e.putString(ci.RemotePort)

	e.fillHeaders(req.Headers)

	e.KeepAlive = req.KeepAlive
	e.Expect100 = req.Expect100
	e.ProtoMinor = req.ProtoMinor
	return err
}

// fillSize returns an upper bound of the bytes Fill writes to the arena.
func fillSize(req *httpparse.Request, ci *ConnInfo, script string, host []byte, scheme string) int {
	n := len(req.Method) + len(req.Query) + len(req.Path) + len(req.Target) + len(script)
	n += len(req.Proto) + len("HTTP/1.x")
	n += 20 // CONTENT_LENGTH digits
	n += len(scheme) + len(ci.RemoteAddr) + len(ci.RemotePort)
	n += len(host) + len(ci.LocalAddr) + len(ci.LocalPort) + len("443")
	for i := range req.Headers {
		h := &req.Headers[i]
		// CONTENT_TYPE, or "HTTP_" + name + value + separator.
		n += len("HTTP_") + len(h.Name) + len(h.Value) + len("; ")
	}
	return n
}

// grow makes room for n more bytes in the arena, so the puts that follow do
// not reallocate it. Slices taken before a reallocation would stay valid
// anyway (they keep the old array), so a short estimate costs an
// allocation, never correctness.
func (e *Environ) grow(n int) {
	if cap(e.arena)-len(e.arena) >= n {
		return
	}
	a := make([]byte, len(e.arena), len(e.arena)+n)
	copy(a, e.arena)
	e.arena = a
}

// put copies p to the arena and returns the copy, capped at its length.
func (e *Environ) put(p []byte) []byte {
	start := len(e.arena)
	e.arena = append(e.arena, p...)
	return e.arena[start:len(e.arena):len(e.arena)]
}

// putString is put for a string.
func (e *Environ) putString(s string) []byte {
	start := len(e.arena)
	e.arena = append(e.arena, s...)
	return e.arena[start:len(e.arena):len(e.arena)]
}

// fillServer sets SERVER_NAME and SERVER_PORT from host (the Host field)
// or, without one, from the listening address.
func (e *Environ) fillServer(host []byte, ci *ConnInfo, scheme string) {
	var port []byte
	if len(host) > 0 {
		var name []byte
		name, port = splitHostPort(host)
		e.ServerName = e.put(name)
	} else {
		e.ServerName = e.putString(trimBrackets(ci.LocalAddr))
		if ci.LocalPort != "" {
			e.ServerPort = e.putString(ci.LocalPort)
			return
		}
	}
	if len(port) > 0 {
		e.ServerPort = e.put(port)
	} else if scheme == "https" {
		e.ServerPort = e.putString("443")
	} else {
		e.ServerPort = e.putString("80")
	}
}

// splitHostPort splits a Host value into name and port: "example.com:8080",
// "example.com", "[::1]:8080" (name "::1", without brackets), "[::1]".
// port is empty when the value has none. A value it cannot make sense of is
// all name.
func splitHostPort(host []byte) (name, port []byte) {
	if len(host) > 0 && host[0] == '[' {
		for i := 1; i < len(host); i++ {
			if host[i] != ']' {
				continue
			}
			name, rest := host[1:i], host[i+1:]
			if len(rest) > 0 && rest[0] == ':' {
				return name, rest[1:]
			}
			return name, nil
		}
		return host, nil
	}
	colon := -1
	for i, c := range host {
		if c == ':' {
			if colon >= 0 {
				return host, nil // bare IPv6, no port
			}
			colon = i
		}
	}
	if colon < 0 {
		return host, nil
	}
	return host[:colon], host[colon+1:]
}

// trimBrackets removes the brackets of "[::1]".
func trimBrackets(s string) string {
	if len(s) >= 2 && s[0] == '[' && s[len(s)-1] == ']' {
		return s[1 : len(s)-1]
	}
	return s
}
