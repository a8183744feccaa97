package listen

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Kind is what a bind names.
type Kind int

const (
	TCP  Kind = iota // host:port, [v6]:port, :port
	Unix             // unix:/path
	FD               // fd://N, a socket this process inherited
)

// Bind is one parsed -b/--bind value.
type Bind struct {
	Raw  string // as written
	Kind Kind
	Addr string // host:port for TCP, the path for Unix
	FD   int    // the descriptor for FD
}

// ErrBind is wrapped by every error about a bind's syntax.
var ErrBind = errors.New("listen: bad bind")

// Parse reads a bind the way gunicorn does: "unix:PATH", "fd://N", or a
// TCP address ("host:port", "[::1]:port", "host" alone meaning port 8000).
func Parse(s string) (Bind, error) {
	b := Bind{Raw: s}
	switch {
	case strings.HasPrefix(s, "unix:"):
		b.Kind, b.Addr = Unix, strings.TrimPrefix(strings.TrimPrefix(s, "unix:"), "//")
		if b.Addr == "" {
			return b, fmt.Errorf("%w %q: no path after unix:", ErrBind, s)
		}
	case strings.HasPrefix(s, "fd://"):
		n, err := strconv.Atoi(strings.TrimPrefix(s, "fd://"))
		if err != nil || n < 0 {
			return b, fmt.Errorf("%w %q: fd:// takes a descriptor number", ErrBind, s)
		}
		b.Kind, b.FD = FD, n
	default:
		addr, err := tcpAddr(s)
		if err != nil {
			return b, fmt.Errorf("%w %q: %v", ErrBind, s, err)
		}
		b.Kind, b.Addr = TCP, addr
	}
	return b, nil
}

// tcpAddr normalises a TCP bind: a host alone gets port 8000, as in
// gunicorn; "tcp://" is allowed in front.
func tcpAddr(s string) (string, error) {
	s = strings.TrimPrefix(s, "tcp://")
	if s == "" {
		return "", errors.New("empty address")
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		// A host alone ("localhost", "[::1]") takes gunicorn's default port.
		host = s
		if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
			host = s[1 : len(s)-1]
		}
		if strings.ContainsAny(host, "[]") || (host == s && strings.Contains(s, ":")) {
			return "", err
		}
		port = "8000"
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return "", fmt.Errorf("port %q", port)
	}
	return net.JoinHostPort(host, port), nil
}

// String returns the bind as gunicorn logs it: http://host:port,
// unix:/path or fd://N.
func (b Bind) String() string {
	switch b.Kind {
	case Unix:
		return "unix:" + b.Addr
	case FD:
		return "fd://" + strconv.Itoa(b.FD)
	}
	return "http://" + b.Addr
}
