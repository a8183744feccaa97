package wsgi

// tokenChars are the bytes allowed in a header name (RFC 9110 token).
var tokenChars = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// parseStatus checks a PEP 3333 status ("200 OK") and returns its code.
func parseStatus(s string) (int, error) {
	if len(s) < 4 || s[3] != ' ' {
		return 0, ErrBadStatus
	}
	code := 0
	for i := 0; i < 3; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, ErrBadStatus
		}
		code = code*10 + int(c-'0')
	}
	if code < 100 {
		return 0, ErrBadStatus
	}
	if !validValue(s[4:]) {
		return 0, ErrBadStatus
	}
	return code, nil
}

// validName reports whether s is a non-empty token.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tokenChars[s[i]] {
			return false
		}
	}
	return true
}

// validValue reports whether s holds no control character but HTAB.
func validValue(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// hopByHop reports whether name (any case) is a hop-by-hop header, which
// PEP 3333 forbids an app to set: the server owns the connection, and
// leaves such a header out.
func hopByHop(name string) bool {
	switch len(name) {
	case 2:
		return equalFold(name, "te")
	case 7:
		return equalFold(name, "trailer") || equalFold(name, "upgrade")
	case 8:
		return equalFold(name, "trailers")
	case 10:
		return equalFold(name, "connection") || equalFold(name, "keep-alive")
	case 17:
		return equalFold(name, "transfer-encoding")
	case 18:
		return equalFold(name, "proxy-authenticate")
	case 19:
		return equalFold(name, "proxy-authorization")
	}
	return false
}

// equalFold compares s with lower, an ASCII lower-case string, ignoring case.
func equalFold(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// parseLength parses a Content-Length value: decimal digits only.
func parseLength(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
