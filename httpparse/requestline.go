package httpparse

// The request line: method SP request-target SP HTTP-version (RFC 9112 §3).

// checkMethod validates the method at the start of line, which may be a
// complete request line (CR excluded) or the first bytes of one. It
// returns the method's length: the index of the first SP, or len(line)
// when no SP has arrived yet.
func checkMethod(line []byte) (int, error) {
	i := 0
	for i < len(line) && tokenChar[line[i]] {
		i++
	}
	if i == len(line) {
		return i, nil
	}
	if line[i] != ' ' {
		return 0, badByte(line[i], ErrBadMethod)
	}
	if i == 0 {
		return 0, ErrBadRequestLine // leading SP
	}
	return i, nil
}

// parseRequestLine fills req.Method, Target, Path, Query, Proto and
// ProtoMinor from line, a complete request line without its CRLF. For an
// absolute-form or authority-form target it returns the authority, which
// becomes req.Host once the header section has been read; otherwise
// authority is nil.
func parseRequestLine(line []byte, req *Request) (authority []byte, err error) {
	m, err := checkMethod(line)
	if err != nil {
		return nil, err
	}
	if m == len(line) {
		return nil, ErrBadRequestLine // no SP at all
	}
	req.Method = line[:m]

	rest := line[m+1:]
	t := 0
	for t < len(rest) && targetChar[rest[t]] {
		t++
	}
	if t == len(rest) {
		return nil, ErrBadRequestLine // no version
	}
	if rest[t] != ' ' {
		return nil, badByte(rest[t], ErrBadTarget)
	}
	if t == 0 {
		return nil, ErrBadRequestLine // two SPs in a row
	}
	req.Target = rest[:t]

	v := rest[t+1:]
	if err := parseVersion(v, req); err != nil {
		return nil, err
	}
	return parseTarget(req)
}

// parseVersion accepts exactly "HTTP/1.0" and "HTTP/1.1". Any other
// well-formed "HTTP/d.d" is ErrVersion (505); anything else is a malformed
// request line.
func parseVersion(v []byte, req *Request) error {
	if len(v) != 8 || string(v[:5]) != "HTTP/" || !isDigit(v[5]) || v[6] != '.' || !isDigit(v[7]) {
		for _, c := range v {
			if c == '\r' || c == '\n' {
				return ErrBareLF
			}
		}
		return ErrBadRequestLine
	}
	if v[5] != '1' || (v[7] != '0' && v[7] != '1') {
		return ErrVersion
	}
	req.Proto = v
	req.ProtoMinor = int(v[7] - '0')
	return nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// parseTarget checks req.Target against the four forms of RFC 9112 §3.2
// and sets req.Path and req.Query. It returns the authority of an
// absolute-form or authority-form target, nil for the other forms.
func parseTarget(req *Request) ([]byte, error) {
	t := req.Target
	connect := string(req.Method) == "CONNECT"
	switch {
	case t[0] == '/': // origin-form
		if connect {
			return nil, ErrBadTarget
		}
		req.Path, req.Query = splitQuery(t)
		return nil, nil
	case len(t) == 1 && t[0] == '*': // asterisk-form
		if string(req.Method) != "OPTIONS" {
			return nil, ErrBadTarget
		}
		req.Path = t
		return nil, nil
	case connect: // authority-form
		if !validAuthorityForm(t) {
			return nil, ErrBadTarget
		}
		return t, nil
	}
	return parseAbsoluteForm(req)
}

// splitQuery splits a path-and-query at its first '?'. query is nil when
// there is no '?', empty (not nil) when the '?' ends t.
func splitQuery(t []byte) (path, query []byte) {
	for i, c := range t {
		if c == '?' {
			return t[:i], t[i+1:]
		}
	}
	return t, nil
}

// validAuthorityForm reports whether t is uri-host ":" port with a
// non-empty host and a port of 1 to 5 digits.
func validAuthorityForm(t []byte) bool {
	colon := -1
	for i, c := range t {
		if !hostChar[c] {
			return false
		}
		if c == ':' {
			colon = i
		}
	}
	if colon <= 0 {
		return false
	}
	port := t[colon+1:]
	if len(port) == 0 || len(port) > 5 {
		return false
	}
	for _, c := range port {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

// parseAbsoluteForm accepts "http://authority[/path][?query]" and the
// same with "https" (scheme case-insensitive). The authority must be
// non-empty and made of host bytes (so userinfo, "user@", is rejected as
// RFC 9110 §4.2.4 advises). An empty path becomes "/": the returned Path
// is then the second '/' of "://", so that it too lies inside the buffer.
func parseAbsoluteForm(req *Request) ([]byte, error) {
	t := req.Target
	s := 0
	for s < len(t) && t[s] != ':' {
		s++
	}
	scheme := t[:s]
	if !equalFold(scheme, "http") && !equalFold(scheme, "https") {
		return nil, ErrBadTarget
	}
	if len(t) < s+3 || t[s+1] != '/' || t[s+2] != '/' {
		return nil, ErrBadTarget
	}
	rest := t[s+3:]
	a := 0
	for a < len(rest) && rest[a] != '/' && rest[a] != '?' {
		a++
	}
	authority := rest[:a]
	if len(authority) == 0 || !validHost(authority) {
		return nil, ErrBadTarget
	}
	pq := rest[a:]
	if len(pq) == 0 || pq[0] == '?' {
		req.Path = t[s+2 : s+3] // "/"
		if len(pq) > 0 {
			req.Query = pq[1:]
		}
		return authority, nil
	}
	req.Path, req.Query = splitQuery(pq)
	return authority, nil
}
