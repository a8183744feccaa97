package httpparse

// Byte classes of RFC 9110 and RFC 9112 as lookup tables, and small
// allocation-free helpers over them. Tables are filled once at package
// initialisation and only read afterwards.

var (
	// tokenChar: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" /
	// "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA.
	tokenChar [256]bool
	// targetChar: the bytes a request-target may hold, visible ASCII
	// (0x21-0x7E) but '#': a fragment is never sent (RFC 9112 §3.2), and
	// one that is would end up in QUERY_STRING or PATH_INFO. Finer
	// grammar is checked per target form.
	targetChar [256]bool
	// valueChar: field-vchar / SP / HTAB / obs-text, i.e. anything but
	// CTLs (0x00-0x1F, 0x7F) with HTAB allowed.
	valueChar [256]bool
	// hostChar: the bytes a Host value or URI authority may hold
	// (unreserved, sub-delims, pct-encoded, ':' and IPv6 brackets); the
	// same set net/http accepts.
	hostChar [256]bool
	// hexVal: the value of a hex digit plus one; 0 for any other byte.
	hexVal [256]uint8
	// lowerByte: ASCII lower case of a byte; other bytes unchanged.
	lowerByte [256]byte
)

func init() {
	for c := 0; c < 256; c++ {
		b := byte(c)
		alnum := ('0' <= b && b <= '9') || ('a' <= b && b <= 'z') || ('A' <= b && b <= 'Z')
		tokenChar[c] = alnum
		targetChar[c] = 0x21 <= b && b <= 0x7e && b != '#'
		valueChar[c] = (0x20 <= b && b != 0x7f) || b == '\t'
		hostChar[c] = alnum
		lowerByte[c] = b
		switch {
		case 'A' <= b && b <= 'Z':
			lowerByte[c] = b + 'a' - 'A'
		}
		switch {
		case '0' <= b && b <= '9':
			hexVal[c] = b - '0' + 1
		case 'a' <= b && b <= 'f':
			hexVal[c] = b - 'a' + 11
		case 'A' <= b && b <= 'F':
			hexVal[c] = b - 'A' + 11
		}
	}
	for _, b := range []byte("!#$%&'*+-.^_`|~") {
		tokenChar[b] = true
	}
	for _, b := range []byte("!$%&'()*+,-.:;=[]_~") {
		hostChar[b] = true
	}
}

// isOWS reports whether c is optional whitespace (SP or HTAB).
func isOWS(c byte) bool { return c == ' ' || c == '\t' }

// trimOWS returns s without leading and trailing SP and HTAB; the result
// is a sub-slice of s.
func trimOWS(s []byte) []byte {
	for len(s) > 0 && isOWS(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isOWS(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// TrimOWS returns b without the optional whitespace (spaces and tabs,
// RFC 9110 §5.6.3) around it. It does not allocate.
func TrimOWS(b []byte) []byte { return trimOWS(b) }

// EqualFold reports whether b equals lower, ignoring ASCII case in b.
// lower must be ASCII lower case. It does not allocate.
func EqualFold(b []byte, lower string) bool { return equalFold(b, lower) }

// equalFold is EqualFold.
func equalFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := 0; i < len(b); i++ {
		if lowerByte[b[i]] != lower[i] {
			return false
		}
	}
	return true
}

// nextElem splits a comma-separated list (RFC 9110 §5.6.1): elem is the
// first element with OWS trimmed (possibly empty), rest what follows its
// comma, and more whether there was a comma. Both are sub-slices of s.
func nextElem(s []byte) (elem, rest []byte, more bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ',' {
			return trimOWS(s[:i]), s[i+1:], true
		}
	}
	return trimOWS(s), nil, false
}

// HasToken reports whether the comma-separated list v (a Connection
// value, say) holds tok, an ASCII lower-case token, ignoring case and the
// OWS around elements. It does not allocate.
func HasToken(v []byte, tok string) bool {
	for more := true; more; {
		var e []byte
		e, v, more = nextElem(v)
		if equalFold(e, tok) {
			return true
		}
	}
	return false
}

// validHost reports whether s holds only host bytes.
func validHost(s []byte) bool {
	for _, c := range s {
		if !hostChar[c] {
			return false
		}
	}
	return true
}

// badByte names the error for an invalid byte c met where other bytes are
// expected: a stray CR is a line-ending error, anything else def.
func badByte(c byte, def *Error) *Error {
	if c == '\r' || c == '\n' {
		return ErrBareLF
	}
	return def
}

// HexDigit returns the value of the hex digit c (0-9, a-f, A-F), for
// percent-decoding; ok is false for any other byte.
func HexDigit(c byte) (v byte, ok bool) {
	v = hexVal[c]
	return v - 1, v != 0
}
