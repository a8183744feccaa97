package static

import (
	"bytes"

	"github.com/gwsgi/gwsgi/httpparse"
)

// maxRel bounds a decoded relative path, in bytes. Longer paths are not
// files here (the kernel's PATH_MAX is 4096 with its NUL).
const maxRel = 4000

// relBuf holds a decoded relative path, a sibling's suffix and a NUL.
type relBuf [maxRel + 8]byte

var rootPath = []byte("/")

// requestPath returns the path of a request-target, not decoded:
// origin-form up to '?', or the path of an absolute-form target
// ("http://host/path?q", "/" when it has none). ok is false for the
// asterisk and authority forms. The result is a sub-slice of target or
// a package-owned "/"; it must not be modified.
func requestPath(target []byte) (path []byte, ok bool) {
	if len(target) == 0 {
		return nil, false
	}
	if target[0] != '/' {
		i := schemeLen(target)
		if i == 0 {
			return nil, false
		}
		target = target[i:] // authority, then the path
		j := 0
		for j < len(target) && target[j] != '/' && target[j] != '?' {
			j++
		}
		if j == len(target) || target[j] == '?' {
			return rootPath, true
		}
		target = target[j:]
	}
	if q := bytes.IndexByte(target, '?'); q >= 0 {
		target = target[:q]
	}
	return target, true
}

// schemeLen is the length of a leading "http://" or "https://" (any
// case), 0 when target has neither.
func schemeLen(t []byte) int {
	n := 4
	if len(t) < 7 || !httpparse.EqualFold(t[:4], "http") {
		return 0
	}
	if t[4] == 's' || t[4] == 'S' {
		n++
	}
	if len(t) < n+3 || string(t[n:n+3]) != "://" {
		return 0
	}
	return n + 3
}

// underPrefix returns the part of path after prefix when path is prefix
// itself or continues it with '/': "/static" has "/static" and
// "/static/a", not "/staticx". prefix "/" has every path.
func underPrefix(path []byte, prefix string) (rest []byte, ok bool) {
	if prefix == "/" {
		return path, len(path) > 0 && path[0] == '/'
	}
	if len(path) < len(prefix) || string(path[:len(prefix)]) != prefix {
		return nil, false
	}
	rest = path[len(prefix):]
	return rest, len(rest) == 0 || rest[0] == '/'
}

// verdict is what decodeRel makes of the path after a prefix.
type verdict uint8

const (
	relFile    verdict = iota // a relative file path to open
	relDir                    // names a directory: "", "/" or a trailing '/'; not a file here
	relLong                   // longer than maxRel: not a file here
	relRefused                // a traversal attempt or a malformed path: 404
)

// decodeRel percent-decodes rest (the path after a mount prefix, empty
// or starting with '/') into dst without its leading '/', and judges it.
// It refuses (relRefused, with why) a raw or encoded NUL, a raw or
// encoded backslash, an encoded slash, a bad percent escape, a "." or
// ".." segment (raw or encoded) and an empty segment ("a//b"). A path
// ending in '/' whose segments are otherwise sound names a directory.
// rel is a sub-slice of dst, followed in dst by a NUL on relFile.
func decodeRel(dst *relBuf, rest []byte) (rel []byte, v verdict, why string) {
	if len(rest) <= 1 {
		return nil, relDir, ""
	}
	rest = rest[1:]
	n, seg := 0, 0 // bytes written, start of the current segment in dst
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		switch c {
		case '/':
			if why := badSegment(dst[seg:n]); why != "" {
				return nil, relRefused, why
			}
		case '\\':
			return nil, relRefused, "backslash"
		case 0:
			return nil, relRefused, "NUL"
		case '%':
			if i+2 >= len(rest) {
				return nil, relRefused, "bad percent escape"
			}
			hi, ok1 := httpparse.HexDigit(rest[i+1])
			lo, ok2 := httpparse.HexDigit(rest[i+2])
			if !ok1 || !ok2 {
				return nil, relRefused, "bad percent escape"
			}
			i += 2
			switch c = hi<<4 | lo; c {
			case '/', '\\':
				return nil, relRefused, "encoded slash or backslash"
			case 0:
				return nil, relRefused, "encoded NUL"
			}
		}
		if n == maxRel {
			return nil, relLong, ""
		}
		dst[n] = c
		n++
		if c == '/' {
			seg = n
		}
	}
	if seg == n {
		return nil, relDir, "" // trailing '/'
	}
	if why := badSegment(dst[seg:n]); why != "" {
		return nil, relRefused, why
	}
	dst[n] = 0
	return dst[:n], relFile, ""
}

// badSegment says why a decoded path segment is refused, "" if it is not.
func badSegment(s []byte) string {
	switch string(s) {
	case "":
		return "empty segment"
	case ".", "..":
		return "dot segment"
	}
	return ""
}
