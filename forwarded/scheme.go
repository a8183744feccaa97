package forwarded

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/gwsgi/gwsgi/httpparse"
)

// ErrContradictory is a request whose scheme headers disagree.
var ErrContradictory = errors.New("contradictory scheme headers")

// header is one secure scheme header: its name (lower-case) and the value
// that means https.
type header struct {
	name, secure string
}

// Schemes are the headers that set wsgi.url_scheme (gunicorn's
// secure_scheme_headers).
type Schemes struct {
	headers   []header
	forwarded bool // Forwarded: proto=... counts too
}

// DefaultSchemes are gunicorn's secure_scheme_headers, and Forwarded.
func DefaultSchemes() Schemes {
	return Schemes{forwarded: true, headers: []header{
		{"x-forwarded-protocol", "ssl"}, {"x-forwarded-proto", "https"}, {"x-forwarded-ssl", "on"},
	}}
}

// ParseSchemes reads NAME=VALUE pairs: VALUE in header NAME means https.
// They replace the defaults; Forwarded still counts.
func ParseSchemes(pairs []string) (Schemes, error) {
	s := Schemes{forwarded: true}
	for _, p := range pairs {
		name, value, ok := strings.Cut(p, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return Schemes{}, fmt.Errorf("%q is not HEADER=VALUE", p)
		}
		s.headers = append(s.headers, header{strings.ToLower(name), strings.TrimSpace(value)})
	}
	return s, nil
}

// Scheme returns the scheme the request's headers set ("" when none
// does): "https" when one says so, "http" when one is present with
// another value, and ErrContradictory when they disagree.
func (s *Schemes) Scheme(headers []httpparse.Header) (string, error) {
	scheme := ""
	for i := range headers {
		h := &headers[i]
		got := s.of(h)
		if got == "" {
			continue
		}
		if scheme != "" && got != scheme {
			return "", ErrContradictory
		}
		scheme = got
	}
	return scheme, nil
}

// of is the scheme header h sets, or "".
func (s *Schemes) of(h *httpparse.Header) string {
	for _, sh := range s.headers {
		if httpparse.EqualFold(h.Name, sh.name) {
			if string(h.Value) == sh.secure {
				return "https"
			}
			return "http"
		}
	}
	if s.forwarded && httpparse.EqualFold(h.Name, "forwarded") {
		return forwardedProto(h.Value)
	}
	return ""
}

// forwardedProto is the proto parameter of the first element of an RFC
// 7239 Forwarded value (the one the proxy nearest the client added), or
// "" when it has none.
func forwardedProto(v []byte) string {
	if i := bytes.IndexByte(v, ','); i >= 0 {
		v = v[:i]
	}
	for len(v) > 0 {
		pair := v
		if i := bytes.IndexByte(v, ';'); i >= 0 {
			pair, v = v[:i], v[i+1:]
		} else {
			v = nil
		}
		pair = bytes.Trim(pair, " \t")
		if len(pair) > 6 && httpparse.EqualFold(pair[:6], "proto=") {
			p := trimQuotes(pair[6:])
			switch {
			case httpparse.EqualFold(p, "https"):
				return "https"
			case httpparse.EqualFold(p, "http"):
				return "http"
			}
			return ""
		}
	}
	return ""
}

// trimQuotes drops one pair of double quotes around b.
func trimQuotes(b []byte) []byte {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		return b[1 : len(b)-1]
	}
	return b
}
