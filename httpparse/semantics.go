package httpparse

import "math"

// fieldState gathers, while the header section is read, what the fields
// that frame the message say: Host, Content-Length, Transfer-Encoding,
// Connection and Expect. finish turns it into Request fields once the
// section is complete. It lives on Parse's stack.
type fieldState struct {
	hosts       int
	host        []byte
	clSeen      bool
	cl          int64
	te          bool
	teChunked   int  // "chunked" elements over all Transfer-Encoding lines
	teOther     bool // any other (or empty) element
	connClose   bool
	connKeep    bool
	expect100   bool
	expectOther bool
}

// observe records one header field. It returns an error as soon as a
// field on its own is invalid; checks that need the whole section wait
// for finish.
func (s *fieldState) observe(name, value []byte) error {
	switch len(name) {
	case 4:
		if equalFold(name, "host") {
			s.hosts++
			if s.hosts > 1 {
				return ErrMissingHost
			}
			if !validHost(value) {
				return ErrBadHeaderValue
			}
			s.host = value
		}
	case 6:
		if equalFold(name, "expect") {
			switch {
			case equalFold(value, "100-continue"):
				s.expect100 = true
			case len(value) > 0:
				s.expectOther = true
			}
		}
	case 10:
		if equalFold(name, "connection") {
			s.observeConnection(value)
		}
	case 14:
		if equalFold(name, "content-length") {
			return s.observeContentLength(value)
		}
	case 17:
		if equalFold(name, "transfer-encoding") {
			s.observeTransferEncoding(value)
		}
	}
	return nil
}

// observeConnection notes the "close" and "keep-alive" connection options
// (RFC 9110 §7.6.1), ignoring case and empty list elements.
func (s *fieldState) observeConnection(v []byte) {
	for more := true; more; {
		var e []byte
		e, v, more = nextElem(v)
		switch {
		case equalFold(e, "close"):
			s.connClose = true
		case equalFold(e, "keep-alive"):
			s.connKeep = true
		}
	}
}

// observeTransferEncoding counts the codings listed. Only a single
// "chunked" over all lines is acceptable; finish decides.
func (s *fieldState) observeTransferEncoding(v []byte) {
	s.te = true
	for more := true; more; {
		var e []byte
		e, v, more = nextElem(v)
		if equalFold(e, "chunked") {
			s.teChunked++
		} else {
			s.teOther = true
		}
	}
}

// observeContentLength parses a Content-Length value: 1*DIGIT, or a list
// of identical such values ("5, 5", RFC 9110 §8.6), fitting in an int64.
// Every line and element must give the same number.
func (s *fieldState) observeContentLength(v []byte) error {
	for more := true; more; {
		var e []byte
		e, v, more = nextElem(v)
		n, ok := parseDecimal(e)
		if !ok {
			return ErrBadContentLength
		}
		if s.clSeen && n != s.cl {
			return ErrConflictingCL
		}
		s.clSeen, s.cl = true, n
	}
	return nil
}

// parseDecimal parses 1*DIGIT into a non-negative int64; ok is false for
// an empty value, a non-digit or overflow.
func parseDecimal(b []byte) (n int64, ok bool) {
	if len(b) == 0 {
		return 0, false
	}
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		d := int64(c - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// finish applies the rules that need the whole header section and fills
// req.Host, ContentLength, Chunked, KeepAlive and Expect100. authority is
// the authority of an absolute-form or authority-form target, or nil.
func (s *fieldState) finish(req *Request, authority []byte, lim *Limits) error {
	if s.hosts == 0 && req.ProtoMinor == 1 {
		return ErrMissingHost
	}
	req.Host = s.host
	if authority != nil {
		req.Host = authority // RFC 9112 §3.2.2 (and CONNECT's target, as net/http)
	}
	if s.te {
		if s.clSeen {
			return ErrCLAndTE
		}
		if s.teChunked != 1 || s.teOther {
			return ErrTransferEncoding
		}
		req.Chunked = true
	} else if s.clSeen {
		if lim.MaxBodySize > 0 && s.cl > lim.MaxBodySize {
			return ErrBodyTooLarge
		}
		req.ContentLength = s.cl
	}
	if s.expectOther {
		return ErrExpectation
	}
	// RFC 9110 §10.1.1: ignore 100-continue from an HTTP/1.0 client.
	req.Expect100 = s.expect100 && req.ProtoMinor == 1
	if req.ProtoMinor == 1 {
		req.KeepAlive = !s.connClose
	} else {
		// RFC 9112 §6.1: an HTTP/1.0 message with Transfer-Encoding has
		// faulty framing; the connection closes after it.
		req.KeepAlive = s.connKeep && !s.connClose && !req.Chunked
	}
	return nil
}
