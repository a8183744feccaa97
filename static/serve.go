package static

import (
	"fmt"
	"strconv"

	"github.com/gwsgi/gwsgi/environ"
	"github.com/gwsgi/gwsgi/httpparse"
	"github.com/gwsgi/gwsgi/wsgi"
)

// Serve answers env from the files when it names one: it calls start
// and returns the body. handled false, with start not called, means not
// a file here (a method other than GET or HEAD, a path under no prefix,
// a missing file, a directory, anything but a regular file): the
// request goes on to the app. Refused paths are answered here with 404,
// unreadable files with 403. err non-nil comes with handled true: start
// was not called (ErrClosed, an open that failed with EMFILE or EIO) or
// it returned err; the caller answers 500.
//
// Ownership: the returned Iterable owns the file's descriptor until its
// Close, which the gateway always calls; it reads nothing from env. The
// header values passed to start are valid during the call only (see
// wsgi.Header).
//
// Serve may be called from any goroutine, concurrently; it blocks in
// openat2(2) and fstat(2), so it does not belong on an event loop.
func (h *Handler) Serve(env *environ.Environ, start wsgi.StartResponse) (it wsgi.Iterable, handled bool, err error) {
	if !getOrHead(env.Method) {
		return nil, false, nil
	}
	path, ok := requestPath(env.RawURI)
	if !ok || !h.under(path) {
		return nil, false, nil
	}
	if h.closed.Load() {
		return nil, true, ErrClosed
	}
	c := getCall()
	defer c.release()
	return h.find(c, path, env, start)
}

// under reports whether path is under a prefix.
func (h *Handler) under(path []byte) bool {
	for i := range h.mounts {
		if _, ok := underPrefix(path, h.mounts[i].prefix); ok {
			return true
		}
	}
	return false
}

// find looks for the file path names in each mount it is under, and
// answers from the first that has it.
func (h *Handler) find(c *call, path []byte, env *environ.Environ, start wsgi.StartResponse) (wsgi.Iterable, bool, error) {
	for i := range h.mounts {
		m := &h.mounts[i]
		rest, ok := underPrefix(path, m.prefix)
		if !ok {
			continue
		}
		rel, v, why := decodeRel(&c.rel, rest)
		switch v {
		case relDir, relLong:
			continue
		case relRefused:
			h.refused(env, why, "")
			return c.fail(start, &notFound, false, "")
		}
		fd, o, e := h.open(m, rel, &c.st[0])
		switch o {
		case absent:
			continue
		case outside:
			h.refused(env, "it resolves outside", m.dir)
			return c.fail(start, &notFound, false, "")
		case denied:
			return c.fail(start, &forbidden, false, "")
		case failed:
			return nil, true, fmt.Errorf("static: open %s under %s: %w", rel, m.dir, e)
		}
		c.fd[0] = fd
		return h.answer(c, m, rel, env, start)
	}
	return nil, false, nil
}

// refused logs a refused request at debug level: why, and the mount's
// directory when it matters.
func (h *Handler) refused(env *environ.Environ, why, dir string) {
	if h.debug != nil {
		h.debug.Debugf("static: %s %q refused with 404: %s %s", env.Method, env.RawURI, why, dir)
	}
}

// answer serves the open file c.fd[0] (stat in c.st[0]), called rel
// under m, or one of its precompressed siblings.
func (h *Handler) answer(c *call, m *mount, rel []byte, env *environ.Environ, start wsgi.StartResponse) (wsgi.Iterable, bool, error) {
	c.req.scan(env)
	mt := typeOf(rel)
	mask := 0
	if !mt.packed {
		mask = h.siblings(c, m, rel, accepted(c.req.acceptEncoding))
	}
	sel, enc := choose(c.req.acceptEncoding, mask)
	c.closeExcept(sel)
	vary := mask != 0

	b, val, lastModified := c.validators(sel)
	hs := c.hdr[:0]
	switch precondition(&c.req, val) {
	case 304:
		hs = append(hs, wsgi.Header{Name: "ETag", Value: val.etag}, wsgi.Header{Name: "Last-Modified", Value: lastModified})
		hs = h.cacheHeaders(hs, vary)
		if _, err := start.StartResponse("304 Not Modified", hs, nil); err != nil {
			return nil, true, err
		}
		return wsgi.Empty(), true, nil
	case 412:
		return c.fail(start, &preconditionFailed, vary, "")
	}

	size := c.st[sel].Size
	offset, n, status := int64(0), size, "200 OK"
	contentRange := ""
	if c.req.hasRange && string(env.Method) == "GET" && rangeApplies(&c.req, val) {
		from := len(b)
		b = append(b, "bytes "...)
		switch s, l, res := parseRange(c.req.rangeSpec, size); res {
		case rangePartial:
			offset, n, status = s, l, "206 Partial Content"
			b = strconv.AppendInt(b, s, 10)
			b = append(b, '-')
			b = strconv.AppendInt(b, s+l-1, 10)
			b = append(b, '/')
			b = strconv.AppendInt(b, size, 10)
			contentRange = str(b, from)
		case rangeUnsatisfiable:
			b = append(b, "*/"...)
			b = strconv.AppendInt(b, size, 10)
			return c.fail(start, &rangeNotSatisfiable, vary, str(b, from))
		}
	}
	from := len(b)
	b = strconv.AppendInt(b, n, 10)
	hs = append(hs,
		wsgi.Header{Name: "Content-Type", Value: mt.ctype},
		wsgi.Header{Name: "Content-Length", Value: str(b, from)})
	if contentRange != "" {
		hs = append(hs, wsgi.Header{Name: "Content-Range", Value: contentRange})
	}
	if enc != "" {
		hs = append(hs, wsgi.Header{Name: "Content-Encoding", Value: enc})
	}
	hs = append(hs,
		wsgi.Header{Name: "ETag", Value: val.etag},
		wsgi.Header{Name: "Last-Modified", Value: lastModified},
		wsgi.Header{Name: "Accept-Ranges", Value: "bytes"})
	hs = h.cacheHeaders(hs, vary)
	if _, err := start.StartResponse(status, hs, nil); err != nil {
		return nil, true, err
	}
	if env.Head || n == 0 {
		return wsgi.Empty(), true, nil // release closes the file
	}
	return newFileBody(c.take(sel), offset, n), true, nil
}

// choose picks the representation to send: 0 for the file itself, 1+k
// for its sibling in codings[k] (with its Content-Encoding token), among
// the siblings in mask that accept allows.
func choose(accept []byte, mask int) (sel int, enc string) {
	if mask == 0 {
		return 0, ""
	}
	tok := httpparse.Negotiate(accept, offers[mask])
	for k := range codings {
		if tok != "" && codings[k].token == tok {
			return 1 + k, tok
		}
	}
	return 0, ""
}

// validators renders the ETag and Last-Modified of representation sel
// into c.val; b is c.val's bytes so far, for more values to follow.
func (c *call) validators(sel int) (b []byte, val validators, lastModified string) {
	st := &c.st[sel]
	b = append(c.val[:0], '"')
	b = strconv.AppendInt(b, st.Mtim.Sec*1e9+st.Mtim.Nsec, 16)
	b = append(b, '-')
	b = strconv.AppendInt(b, st.Size, 16)
	if sel > 0 {
		b = append(b, codings[sel-1].tag...)
	}
	b = append(b, '"')
	val = validators{etag: str(b, 0), modTime: st.Mtim.Sec}
	from := len(b)
	b = appendHTTPDate(b, val.modTime)
	return b, val, str(b, from)
}

// accepted is the mask of the codings accept allows (q above 0).
func accepted(accept []byte) (mask int) {
	if len(accept) == 0 {
		return 0
	}
	for k := range codings {
		if httpparse.Negotiate(accept, offers[1<<k]) != "" {
			mask |= 1 << k
		}
	}
	return mask
}

// siblings opens rel's precompressed siblings that are regular files,
// among the codings in want (those the client accepts: the others are
// not looked for), into c.fd[1+k] and returns the mask of those found. A
// file that is itself a compressed coding (.gz, .br, .zst) has none: it
// is served as it is.
func (h *Handler) siblings(c *call, m *mount, rel []byte, want int) (mask int) {
	if want == 0 {
		return 0
	}
	n := len(rel) // at most maxRel: a suffix and its NUL fit in relBuf
	for k := range codings {
		if hasSuffix(rel, codings[k].suffix) {
			return 0
		}
	}
	for k := range codings {
		if want&(1<<k) == 0 {
			continue
		}
		s := codings[k].suffix
		copy(c.rel[n:], s)
		c.rel[n+len(s)] = 0
		if fd, o, _ := h.open(m, c.rel[:n+len(s)], &c.st[1+k]); o == found {
			c.fd[1+k] = fd
			mask |= 1 << k
		}
	}
	c.rel[n] = 0
	return mask
}

func hasSuffix(b []byte, s string) bool {
	return len(b) >= len(s) && string(b[len(b)-len(s):]) == s
}

// cacheHeaders appends Cache-Control when MaxAge is set, and Vary when
// the file has precompressed siblings.
func (h *Handler) cacheHeaders(hs []wsgi.Header, vary bool) []wsgi.Header {
	if h.cacheControl != "" {
		hs = append(hs, wsgi.Header{Name: "Cache-Control", Value: h.cacheControl})
	}
	if vary {
		hs = append(hs, wsgi.Header{Name: "Vary", Value: "Accept-Encoding"})
	}
	return hs
}
