package accesslog

import (
	"errors"
	"fmt"
	"strings"
)

// DefaultFormat is gunicorn's access_log_format.
const DefaultFormat = `%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"`

// kind is what a segment of a Format writes.
type kind uint8

const (
	litText     kind = iota // literal bytes
	atomH                   // remote address
	atomL                   // '-'
	atomU                   // user name of Basic authentication
	atomT                   // time the request ended, [10/Oct/2000:13:55:36 -0700]
	atomR                   // request line: method, raw URI, protocol
	atomS                   // status code
	atomM                   // method
	atomUpperU              // URL path (PATH_INFO)
	atomQ                   // query string
	atomUpperH              // protocol
	atomB                   // body bytes sent
	atomF                   // Referer
	atomA                   // User-Agent
	atomUpperT              // duration in whole seconds
	atomUpperD              // duration in microseconds
	atomUpperM              // duration in milliseconds
	atomUpperL              // duration in decimal seconds
	atomP                   // <pid>
	atomIn                  // a request header
	atomOut                 // a response header
	atomEnv                 // a CGI variable
	atomUnknown             // any other name: '-'
)

// simpleAtoms maps gunicorn's one-letter atoms to their kinds.
var simpleAtoms = map[string]kind{
	"h": atomH, "l": atomL, "u": atomU, "t": atomT, "r": atomR, "s": atomS,
	"m": atomM, "U": atomUpperU, "q": atomQ, "H": atomUpperH, "b": atomB,
	"B": atomB, "f": atomF, "a": atomA, "T": atomUpperT, "D": atomUpperD,
	"M": atomUpperM, "L": atomUpperL, "p": atomP,
}

// segment is one piece of a Format: literal text, or an atom with its key
// (a header's lower-case name, or a CGI variable's name).
type segment struct {
	kind kind
	text string
}

// Format is a compiled access_log_format; it is read-only and safe for
// concurrent use.
type Format struct {
	segs []segment
}

// ErrFormat is wrapped by the errors of Compile.
var ErrFormat = errors.New("access log format")

// Compile parses a gunicorn access_log_format: text with %(name)s atoms
// and %% for a percent sign. Unknown names write '-', as in gunicorn; a
// conversion other than s, or a % without a name, is an error.
func Compile(format string) (*Format, error) {
	f := &Format{}
	rest := format
	for rest != "" {
		i := strings.IndexByte(rest, '%')
		if i < 0 {
			f.lit(rest)
			break
		}
		f.lit(rest[:i])
		rest = rest[i:]
		if strings.HasPrefix(rest, "%%") {
			f.lit("%")
			rest = rest[2:]
			continue
		}
		n, err := f.atom(rest)
		if err != nil {
			return nil, fmt.Errorf("%w %q: %v", ErrFormat, format, err)
		}
		rest = rest[n:]
	}
	return f, nil
}

// lit appends literal text, merged with a literal before it.
func (f *Format) lit(s string) {
	if s == "" {
		return
	}
	if n := len(f.segs); n > 0 && f.segs[n-1].kind == litText {
		f.segs[n-1].text += s
		return
	}
	f.segs = append(f.segs, segment{litText, s})
}

// atom parses "%(name)s" at the start of s and returns its length.
func (f *Format) atom(s string) (int, error) {
	if len(s) < 2 || s[1] != '(' {
		return 0, errors.New("a % must be %(name)s or %%")
	}
	end := strings.IndexByte(s, ')')
	if end < 0 {
		return 0, errors.New("unclosed %(")
	}
	if end+1 >= len(s) || s[end+1] != 's' {
		return 0, fmt.Errorf("%s: only the s conversion is supported", s[:min(end+2, len(s))])
	}
	f.segs = append(f.segs, parseAtom(s[2:end]))
	return end + 2, nil
}

// parseAtom names the atom key: a letter, {header}i, {header}o or {var}e.
func parseAtom(key string) segment {
	if k, ok := simpleAtoms[key]; ok {
		return segment{kind: k}
	}
	if len(key) < 3 || key[0] != '{' || key[len(key)-2] != '}' {
		return segment{kind: atomUnknown}
	}
	name := strings.ToLower(key[1 : len(key)-2])
	switch key[len(key)-1] {
	case 'i':
		return segment{atomIn, requestVar(name)}
	case 'o':
		return segment{atomOut, name}
	case 'e':
		if !strings.HasPrefix(name, "wsgi.") {
			name = strings.ToUpper(name)
		}
		return segment{atomEnv, name}
	}
	return segment{kind: atomUnknown}
}

// requestVar is the CGI variable that carries the request header name.
func requestVar(name string) string {
	switch name {
	case "content-type", "content-length":
		return strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
	}
	return "HTTP_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}
