package wsgi

import (
	"unsafe"

	"github.com/gwsgi/gwsgi/httpparse"
)

// record copies the app's status and headers into s.arena, since the
// strings are the app's only for the call, and works out what decides
// compression: the app's Content-Length and whether the response is
// eligible. s.status and s.hdrs point into s.arena until the next record
// or free.
func (s *compressCall) record(status string, headers []Header) {
	n := len(status)
	for _, h := range headers {
		n += len(h.Name) + len(h.Value)
	}
	if cap(s.arena) < n {
		s.arena = make([]byte, 0, n) // the strings below must not move
	}
	a := s.arena[:0]
	a, s.status = keepString(a, status)
	hdrs := s.hdrs[:0]
	for _, h := range headers {
		var name, value string
		a, name = keepString(a, h.Name)
		a, value = keepString(a, h.Value)
		hdrs = append(hdrs, Header{name, value})
	}
	s.arena, s.hdrs = a, hdrs
	s.length, s.eligible = -1, false

	code, err := parseStatus(s.status)
	if err != nil || code < 200 || code == 204 || code == 205 || code == 206 || code == 304 {
		return
	}
	typeOK := false
	for _, h := range s.hdrs {
		switch {
		case equalFold(h.Name, "content-length"):
			l, ok := parseLength(h.Value)
			if !ok || (s.length >= 0 && l != s.length) {
				return // the gateway rejects it
			}
			s.length = l
		case equalFold(h.Name, "content-encoding"):
			return // encoded already, even as "identity"
		case equalFold(h.Name, "cache-control"):
			if httpparse.HasToken(stringBytes(h.Value), "no-transform") {
				return
			}
		case equalFold(h.Name, "content-type"):
			typeOK = s.c.matchType(h.Value)
		}
	}
	s.eligible = typeOK && (s.length < 0 || s.length >= s.c.minSize)
}

// keepString appends v to a, whose capacity must suffice, and returns the
// appended bytes as a string sharing a's memory.
func keepString(a []byte, v string) ([]byte, string) {
	if v == "" {
		return a, ""
	}
	from := len(a)
	a = append(a, v...)
	return a, unsafe.String(&a[from], len(v))
}

// stringBytes views s as bytes, for reading only.
func stringBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// matchType reports whether the media type of the Content-Type value v
// (its parameters and case ignored) is among c.types.
func (c *compressor) matchType(v string) bool {
	end := 0
	for end < len(v) && v[end] != ';' {
		end++
	}
	start := 0
	for start < end && (v[start] == ' ' || v[start] == '\t') {
		start++
	}
	for end > start && (v[end-1] == ' ' || v[end-1] == '\t') {
		end--
	}
	mt := v[start:end]
	if mt == "" {
		return false
	}
	for _, p := range c.types {
		switch {
		case p == "*/*":
			return true
		case p[0] == '+':
			if len(mt) > len(p) && equalFold(mt[len(mt)-len(p):], p) {
				return true
			}
		case p[len(p)-1] == '/':
			if len(mt) > len(p) && equalFold(mt[:len(p)], p) {
				return true
			}
		case equalFold(mt, p):
			return true
		}
	}
	return false
}

const varyAcceptEncoding = "Accept-Encoding"

// rewrite returns the headers commit passes on: the app's, with Vary
// listing Accept-Encoding and, when compress, without Content-Length,
// with a weak ETag and with Content-Encoding. The slice and the values
// it builds are s's, valid until the next rewrite or free.
func (s *compressCall) rewrite(compress bool) []Header {
	vary, lastVary, need := false, -1, 0
	for i, h := range s.hdrs {
		switch {
		case equalFold(h.Name, "vary"):
			v := stringBytes(h.Value)
			vary = vary || httpparse.HasToken(v, "accept-encoding") || httpparse.HasToken(v, "*")
			lastVary = i
			need += len(h.Value) + len(", "+varyAcceptEncoding)
		case compress && equalFold(h.Name, "etag"):
			need += len(h.Value) + len("W/")
		}
	}
	if cap(s.extra) < need {
		s.extra = make([]byte, 0, need) // the strings below must not move
	}
	x := s.extra[:0]
	out := s.outHdrs[:0]
	for i, h := range s.hdrs {
		switch {
		case compress && equalFold(h.Name, "content-length"):
			continue
		case compress && equalFold(h.Name, "etag") && len(h.Value) > 0 && h.Value[0] == '"':
			from := len(x)
			x = append(x, "W/"...)
			x = append(x, h.Value...)
			h.Value = unsafe.String(&x[from], len(x)-from)
		case i == lastVary && !vary:
			if isBlank(h.Value) {
				h.Value = varyAcceptEncoding
				break
			}
			from := len(x)
			x = append(x, h.Value...)
			x = append(x, ", "+varyAcceptEncoding...)
			h.Value = unsafe.String(&x[from], len(x)-from)
		}
		out = append(out, h)
	}
	if lastVary < 0 {
		out = append(out, Header{"Vary", varyAcceptEncoding})
	}
	if compress {
		out = append(out, Header{"Content-Encoding", s.coding})
	}
	s.extra, s.outHdrs = x, out
	return out
}

// isBlank reports whether v holds only spaces and tabs.
func isBlank(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] != ' ' && v[i] != '\t' {
			return false
		}
	}
	return true
}
