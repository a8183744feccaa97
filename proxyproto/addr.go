package proxyproto

// Allocation-free parsers of the v1 address and port fields.
//
// Each takes a field and final, which says whether the field is complete.
// With final set, ok reports a valid value. Without it, ok reports that the
// field is a valid prefix: some continuation of it is a valid value, and
// the value returned is meaningless.

// parse4 parses a dotted-quad IPv4 address: four decimal numbers in
// [0, 255] without leading zeros, separated by single dots.
func parse4(s []byte, final bool) (ip [4]byte, ok bool) {
	var octet, digits, dots int
	for _, c := range s {
		switch {
		case '0' <= c && c <= '9':
			if digits > 0 && octet == 0 {
				return ip, false // leading zero
			}
			octet = octet*10 + int(c-'0')
			if octet > 255 {
				return ip, false
			}
			digits++
		case c == '.':
			if digits == 0 || dots == 3 {
				return ip, false
			}
			ip[dots] = byte(octet)
			dots++
			octet, digits = 0, 0
		default:
			return ip, false
		}
	}
	if !final {
		return ip, true
	}
	if dots != 3 || digits == 0 {
		return ip, false
	}
	ip[3] = byte(octet)
	return ip, true
}

// parse6 parses an IPv6 address in RFC 4291 text form: eight groups of one
// to four hex digits separated by ':', at most one "::" standing for one or
// more zero groups, and optionally a dotted quad in place of the last two
// groups. Zones are not allowed. It accepts what netip.ParseAddr accepts
// for zone-less IPv6.
func parse6(s []byte, final bool) (ip [16]byte, ok bool) {
	if len(s) == 0 {
		return ip, !final
	}
	ell := -1 // index in ip where "::" stands, or -1
	i, p := 0, 0
	if s[0] == ':' {
		if len(s) == 1 {
			return ip, !final
		}
		if s[1] != ':' {
			return ip, false
		}
		ell, p = 0, 2
		if p == len(s) {
			return ip, true // "::", valid and a valid prefix
		}
	}
	for {
		// limit is how many bytes groups may fill: "::" stands for at
		// least one group.
		limit := 16
		if ell >= 0 {
			limit = 14
		}
		start := p
		var group int
		for ; p < len(s) && p-start < 5; p++ {
			d := hexVal(s[p])
			if d < 0 {
				break
			}
			group = group<<4 | d
		}
		switch {
		case p-start == 0 || p-start > 4 || i+2 > limit:
			return ip, false
		case p == len(s):
			if !final {
				return ip, true
			}
			ip[i], ip[i+1] = byte(group>>8), byte(group)
			return expand6(ip, i+2, ell)
		case s[p] == '.':
			return tail4(ip, s[start:], i, ell, final)
		case s[p] != ':':
			return ip, false
		}
		ip[i], ip[i+1] = byte(group>>8), byte(group)
		i += 2
		p++
		if p < len(s) && s[p] == ':' {
			if ell >= 0 || i > 14 {
				return ip, false
			}
			ell = i
			p++
			if p == len(s) {
				if !final {
					return ip, true
				}
				return expand6(ip, i, ell)
			}
			continue
		}
		if i+2 > limit {
			return ip, false
		}
		if p == len(s) {
			return ip, !final
		}
	}
}

// tail4 parses the dotted quad s that ends an IPv6 address whose groups so
// far fill ip[:i].
func tail4(ip [16]byte, s []byte, i, ell int, final bool) ([16]byte, bool) {
	if ell < 0 && i != 12 || ell >= 0 && i > 10 {
		return ip, false
	}
	v4, ok := parse4(s, final)
	if !ok || !final {
		return ip, ok
	}
	copy(ip[i:], v4[:])
	return expand6(ip, i+4, ell)
}

// expand6 completes an IPv6 address whose groups fill ip[:i]: it moves the
// groups after "::" (at ell, or -1 if none) to the end and zeroes the gap.
func expand6(ip [16]byte, i, ell int) ([16]byte, bool) {
	if ell < 0 {
		return ip, i == 16
	}
	if i > 14 {
		return ip, false
	}
	n := i - ell
	copy(ip[16-n:], ip[ell:i])
	for k := ell; k < 16-n; k++ {
		ip[k] = 0
	}
	return ip, true
}

// hexVal returns the value of the hex digit c, or -1.
func hexVal(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// parsePort parses a decimal port in [0, 65535] without leading zeros.
func parsePort(s []byte, final bool) (port uint16, ok bool) {
	v := 0
	for k, c := range s {
		if c < '0' || c > '9' || k > 0 && v == 0 {
			return 0, false
		}
		v = v*10 + int(c-'0')
		if v > 0xFFFF {
			return 0, false
		}
	}
	if final && len(s) == 0 {
		return 0, false
	}
	return uint16(v), true
}
