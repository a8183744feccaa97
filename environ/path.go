package environ

import "github.com/gwsgi/gwsgi/httpparse"

// fillPath decodes the request path into the arena and splits it into
// SCRIPT_NAME and PATH_INFO. script is the mount point without trailing
// slashes, "" for the root.
func (e *Environ) fillPath(path []byte, script string) error {
	start := len(e.arena)
	e.arena = appendUnescaped(e.arena, path)
	end := len(e.arena)
	decoded := e.arena[start:end:end]

	switch {
	case script == "":
		e.ScriptName = decoded[:0:0]
		e.PathInfo = decoded
	case string(decoded) == "*":
		// OPTIONS *: no path to mount, the request is for the server.
		e.ScriptName = e.putString(script)
		e.PathInfo = decoded
	case hasMount(decoded, script):
		n := len(script)
		e.ScriptName = decoded[:n:n]
		e.PathInfo = decoded[n:]
	default:
		e.ScriptName = decoded[:0:0]
		e.PathInfo = decoded
		return ErrNotMounted
	}
	return nil
}

// hasMount reports whether path is script or starts with script + "/".
func hasMount(path []byte, script string) bool {
	if len(path) < len(script) || string(path[:len(script)]) != script {
		return false
	}
	return len(path) == len(script) || path[len(script)] == '/'
}

// trimSlashes removes the trailing slashes of a mount point, so "/" and ""
// both mean the root and "/app/" means "/app".
func trimSlashes(s string) string {
	for len(s) > 0 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}

// appendUnescaped appends src to dst with every %XX escape (two hex digits)
// replaced by its byte. Invalid escapes are copied as they are, '+' is left
// alone (it means a space only in query strings), and no UTF-8 decoding is
// done: the bytes stay raw.
func appendUnescaped(dst, src []byte) []byte {
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == '%' && i+2 < len(src) {
			hi, ok1 := httpparse.HexDigit(src[i+1])
			lo, ok2 := httpparse.HexDigit(src[i+2])
			if ok1 && ok2 {
				dst = append(dst, hi<<4|lo)
				i += 2
				continue
			}
		}
		dst = append(dst, c)
	}
	return dst
}
