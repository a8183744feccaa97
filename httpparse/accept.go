package httpparse

// Negotiate picks the content coding to answer with from an
// Accept-Encoding value (RFC 9110 §12.5.3): the offered coding (lower-case
// tokens, the server's preference first) with the highest q-value above
// 0, a coding without its own element taking the q of "*". Equal q-values
// go to the earlier offer. "x-gzip" counts as "gzip". It returns "" when
// the answer should stay identity: no Accept-Encoding, an empty one, or
// none of offered acceptable. It does not allocate.
func Negotiate(accept []byte, offered []string) string {
	best, bestQ := "", 0
	for _, c := range offered {
		if q := codingQ(accept, c); q > bestQ {
			best, bestQ = c, q
		}
	}
	return best
}

// codingQ is the q-value, in thousandths, accept gives coding: its own
// element's, else that of "*", else 0.
func codingQ(accept []byte, coding string) int {
	own, star := -1, -1
	for more := len(accept) > 0; more; {
		var e []byte
		e, accept, more = nextElem(accept)
		name, q := codingElem(e)
		switch {
		case equalFold(name, coding), coding == "gzip" && equalFold(name, "x-gzip"):
			own = max(own, q)
		case len(name) == 1 && name[0] == '*':
			star = max(star, q)
		}
	}
	switch {
	case own >= 0:
		return own
	case star >= 0:
		return star
	}
	return 0
}

// codingElem splits one Accept-Encoding element, `coding *(OWS ";" OWS
// param)`, into its coding and its q-value in thousandths (1000 when it
// has none, 0 when it is malformed).
func codingElem(e []byte) (name []byte, q int) {
	i := 0
	for i < len(e) && e[i] != ';' && e[i] != ' ' && e[i] != '\t' {
		i++
	}
	name, q = e[:i], 1000
	for i < len(e) {
		for i < len(e) && (e[i] == ';' || e[i] == ' ' || e[i] == '\t') {
			i++
		}
		j := i
		for j < len(e) && e[j] != ';' {
			j++
		}
		p := trimOWS(e[i:j])
		if len(p) >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=' {
			q = qvalue(trimOWS(p[2:]))
		}
		i = j
	}
	return name, q
}

// qvalue parses `( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )`
// into thousandths; a malformed one is 0 (not acceptable).
func qvalue(v []byte) int {
	if len(v) == 0 || (v[0] != '0' && v[0] != '1') {
		return 0
	}
	n := int(v[0]-'0') * 1000
	if len(v) == 1 {
		return n
	}
	if v[1] != '.' || len(v) > 5 {
		return 0
	}
	scale := 100
	for _, c := range v[2:] {
		if c < '0' || c > '9' {
			return 0
		}
		n += int(c-'0') * scale
		scale /= 10
	}
	if n > 1000 {
		return 0
	}
	return n
}
