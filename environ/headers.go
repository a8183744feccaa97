package environ

import (
	"bytes"

	"github.com/gwsgi/gwsgi/httpparse"
)

// fillHeaders appends the HTTP_* variables of hs to e.Headers, one Var per
// field name in order of first appearance, repeated fields joined in
// arrival order. Grouping is quadratic in the number of fields, which the
// parser bounds (100 by default); it needs no map and no allocation.
func (e *Environ) fillHeaders(hs []httpparse.Header) {
	// joined marks the fields already joined into an earlier Var; fields
	// past its reach fall back to a scan of their predecessors.
	var joined [4]uint64
	for i := range hs {
		name := hs[i].Name
		if i < 256 && joined[i>>6]&(1<<(i&63)) != 0 {
			continue
		}
		if !exported(name) || (i >= 256 && seenBefore(hs, i)) {
			continue
		}
		sep := ", "
		if equalFold(name, "cookie") {
			sep = "; "
		}

		start := len(e.arena)
		e.arena = append(e.arena, "HTTP_"...)
		e.arena = append(e.arena, name...)
		nameEnd := len(e.arena)
		toCGI(e.arena[nameEnd-len(name) : nameEnd])

		e.arena = append(e.arena, hs[i].Value...)
		for j := i + 1; j < len(hs); j++ {
			if equalFoldBytes(hs[j].Name, name) {
				e.arena = append(e.arena, sep...)
				e.arena = append(e.arena, hs[j].Value...)
				if j < 256 {
					joined[j>>6] |= 1 << (j & 63)
				}
			}
		}
		end := len(e.arena)
		e.Headers = append(e.Headers, Var{
			Name:  e.arena[start:nameEnd:nameEnd],
			Value: e.arena[nameEnd:end:end],
		})
	}
}

// exported reports whether a field becomes an HTTP_* variable. Names with
// '_' are dropped: "X_Forwarded_For" would otherwise pose as
// X-Forwarded-For. Proxy is dropped against httpoxy (CVE-2016-5385).
// Content-Type and Content-Length become CONTENT_TYPE and CONTENT_LENGTH.
func exported(name []byte) bool {
	if len(name) == 0 {
		return false
	}
	if bytes.IndexByte(name, '_') >= 0 {
		return false
	}
	return !equalFold(name, "proxy") &&
		!equalFold(name, "content-type") &&
		!equalFold(name, "content-length")
}

// seenBefore reports whether a field before hs[i] has the same name.
func seenBefore(hs []httpparse.Header, i int) bool {
	for k := 0; k < i; k++ {
		if equalFoldBytes(hs[k].Name, hs[i].Name) {
			return true
		}
	}
	return false
}

// findHeader returns the value of the first field called lower (given in
// lower case), or nil.
func findHeader(hs []httpparse.Header, lower string) []byte {
	for i := range hs {
		if equalFold(hs[i].Name, lower) {
			if hs[i].Value == nil {
				return []byte{}
			}
			return hs[i].Value
		}
	}
	return nil
}

// cgiTable maps a field-name byte to its CGI form (upper case, '-' to
// '_'); lowerTable folds ASCII upper case to lower case.
var cgiTable, lowerTable [256]byte

func init() {
	for i := range 256 {
		c := byte(i)
		cgiTable[i], lowerTable[i] = c, c
		switch {
		case 'a' <= c && c <= 'z':
			cgiTable[i] = c - ('a' - 'A')
		case 'A' <= c && c <= 'Z':
			lowerTable[i] = c + ('a' - 'A')
		case c == '-':
			cgiTable[i] = '_'
		}
	}
}

// toCGI turns a field name into its CGI form in place.
func toCGI(name []byte) {
	for i, c := range name {
		name[i] = cgiTable[c]
	}
}

// lowerByte folds ASCII upper case to lower case.
func lowerByte(c byte) byte { return lowerTable[c] }

// equalFold reports whether b equals lower (given in lower case), ignoring
// ASCII case.
func equalFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := range b {
		if lowerByte(b[i]) != lower[i] {
			return false
		}
	}
	return true
}

// equalFoldBytes reports whether a and b are equal, ignoring ASCII case.
func equalFoldBytes(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	if string(a) == string(b) {
		return true
	}
	for i := range a {
		if lowerByte(a[i]) != lowerByte(b[i]) {
			return false
		}
	}
	return true
}
