package proxyproto

import "net/netip"

// Version 1 is one line of text:
//
//	PROXY TCP4 <src> <dst> <sport> <dport>\r\n
//	PROXY TCP6 <src> <dst> <sport> <dport>\r\n
//	PROXY UNKNOWN[ <anything but CR and LF>]\r\n
//
// Fields are separated by exactly one space. TCP4 addresses are dotted
// quads, TCP6 addresses IPv6 text (RFC 4291, no zone), ports decimal in
// [0, 65535]; numbers have no sign and no leading zero.

// Byte classes of the variable fields. A field runs up to the first byte
// outside its class, which must then be the expected separator.
var (
	v4Chars   [256]bool // digits and '.'
	v6Chars   [256]bool // hex digits, ':' and '.'
	portChars [256]bool // digits
)

func init() {
	for c := '0'; c <= '9'; c++ {
		v4Chars[c], v6Chars[c], portChars[c] = true, true, true
	}
	for c := 'a'; c <= 'f'; c++ {
		v6Chars[c], v6Chars[c-'a'+'A'] = true, true
	}
	v4Chars['.'], v6Chars['.'], v6Chars[':'] = true, true, true
}

// The protocols a v1 line may announce.
const (
	protoTCP4 = iota
	protoTCP6
	protoUnknown
)

// protocols holds each protocol's keyword with what must follow it; the
// byte after "UNKNOWN" (space or CR) is checked separately.
var protocols = [...]string{protoTCP4: "TCP4 ", protoTCP6: "TCP6 ", protoUnknown: "UNKNOWN"}

// parseV1 parses a v1 line; buf starts with "PROXY ".
func parseV1(buf []byte, h *Header) (int, error) {
	line := buf
	if len(line) > MaxV1Len {
		line = line[:MaxV1Len]
	}
	var hdr Header
	n, err := scanV1(line, &hdr)
	if err == ErrNeedMore && len(buf) >= MaxV1Len {
		return 0, errV1TooLong
	}
	if err != nil {
		return 0, err
	}
	*h = hdr
	return n, nil
}

// scanV1 parses the line in buf, which is at most MaxV1Len bytes long.
func scanV1(buf []byte, h *Header) (int, error) {
	s := v1Scanner{buf: buf, pos: len(sigV1)}
	proto, err := s.protocol()
	if err != nil {
		return 0, err
	}
	h.Version = 1
	if proto == protoUnknown {
		h.Local = true
		return s.unknownTail()
	}
	var src, dst netip.Addr
	if proto == protoTCP4 {
		src, dst, err = s.addrs4()
	} else {
		src, dst, err = s.addrs6()
	}
	if err != nil {
		return 0, err
	}
	sport, err := s.port(' ')
	if err != nil {
		return 0, err
	}
	dport, err := s.port('\r')
	if err != nil {
		return 0, err
	}
	if err := s.lf(); err != nil {
		return 0, err
	}
	h.Src = netip.AddrPortFrom(src, sport)
	h.Dst = netip.AddrPortFrom(dst, dport)
	return s.pos, nil
}

// v1Scanner walks a v1 line. Each method parses one part at pos, advances
// pos past it and returns nil, ErrNeedMore when buf ends inside a part that
// is valid so far, or an ErrInvalid error.
type v1Scanner struct {
	buf []byte
	pos int
}

// protocol parses the protocol keyword.
func (s *v1Scanner) protocol() (int, error) {
	rest := s.buf[s.pos:]
	for proto, kw := range protocols {
		if len(rest) >= len(kw) {
			if string(rest[:len(kw)]) == kw {
				s.pos += len(kw)
				return proto, nil
			}
		} else if string(rest) == kw[:len(rest)] {
			return 0, ErrNeedMore
		}
	}
	return 0, errV1Protocol
}

// unknownTail parses what follows "UNKNOWN": CRLF, or a space and anything
// up to CRLF. It returns the line's length.
func (s *v1Scanner) unknownTail() (int, error) {
	if s.pos == len(s.buf) {
		return 0, ErrNeedMore
	}
	if c := s.buf[s.pos]; c != ' ' && c != '\r' {
		return 0, errV1Protocol
	}
	for i := s.pos; i < len(s.buf); i++ {
		switch s.buf[i] {
		case '\n':
			return 0, errV1Syntax
		case '\r':
			s.pos = i + 1
			if err := s.lf(); err != nil {
				return 0, err
			}
			return s.pos, nil
		}
	}
	return 0, ErrNeedMore
}

// addrs4 parses the source and destination of a TCP4 line.
func (s *v1Scanner) addrs4() (src, dst netip.Addr, err error) {
	var ip [2][4]byte
	for i := range ip {
		tok, ended := s.field(&v4Chars)
		var ok bool
		if ip[i], ok = parse4(tok, ended); !ok {
			return src, dst, errV1Addr
		}
		if err := s.end(ended, len(tok), ' '); err != nil {
			return src, dst, err
		}
	}
	return netip.AddrFrom4(ip[0]), netip.AddrFrom4(ip[1]), nil
}

// addrs6 parses the source and destination of a TCP6 line.
func (s *v1Scanner) addrs6() (src, dst netip.Addr, err error) {
	var ip [2][16]byte
	for i := range ip {
		tok, ended := s.field(&v6Chars)
		var ok bool
		if ip[i], ok = parse6(tok, ended); !ok {
			return src, dst, errV1Addr
		}
		if err := s.end(ended, len(tok), ' '); err != nil {
			return src, dst, err
		}
	}
	return netip.AddrFrom16(ip[0]), netip.AddrFrom16(ip[1]), nil
}

// port parses a port followed by sep.
func (s *v1Scanner) port(sep byte) (uint16, error) {
	tok, ended := s.field(&portChars)
	p, ok := parsePort(tok, ended)
	if !ok {
		return 0, errV1Port
	}
	return p, s.end(ended, len(tok), sep)
}

// lf parses the LF that ends the line.
func (s *v1Scanner) lf() error {
	if s.pos == len(s.buf) {
		return ErrNeedMore
	}
	if s.buf[s.pos] != '\n' {
		return errV1Syntax
	}
	s.pos++
	return nil
}

// field returns the bytes from pos up to the first byte outside class, and
// whether such a byte was found before the end of buf.
func (s *v1Scanner) field(class *[256]bool) (tok []byte, ended bool) {
	i := s.pos
	for i < len(s.buf) && class[s.buf[i]] {
		i++
	}
	return s.buf[s.pos:i], i < len(s.buf)
}

// end moves past a field of n bytes, already validated, and the separator
// sep that must follow it. ended is what field reported.
func (s *v1Scanner) end(ended bool, n int, sep byte) error {
	if !ended {
		return ErrNeedMore
	}
	s.pos += n
	if s.buf[s.pos] != sep {
		return errV1Syntax
	}
	s.pos++
	return nil
}
