package static

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Mount is one --static-map: URL path prefix -> directory.
type Mount struct {
	Prefix, Dir string
}

// ParseMount parses "/prefix=DIR" (uWSGI's --static-map syntax): the
// text up to the first '=' is the prefix, the rest the directory. The
// prefix must start with "/" and is kept without its trailing slashes
// ("/" stays "/"); see ErrPrefix for the characters it may hold. DIR
// must exist and be a directory; it is made absolute.
func ParseMount(s string) (Mount, error) {
	prefix, dir, ok := strings.Cut(s, "=")
	if !ok || prefix == "" || dir == "" {
		return Mount{}, fmt.Errorf("%w: %q", ErrMountSyntax, s)
	}
	p, err := cleanPrefix(prefix)
	if err != nil {
		return Mount{}, err
	}
	d, err := checkDir(dir)
	if err != nil {
		return Mount{}, err
	}
	return Mount{Prefix: p, Dir: d}, nil
}

// cleanPrefix validates a mount prefix and trims its trailing slashes.
// Prefixes are compared with the raw request path byte for byte, so a
// prefix holds only characters a client sends unencoded.
func cleanPrefix(p string) (string, error) {
	if p == "" || p[0] != '/' {
		return "", fmt.Errorf("%w: %q does not start with /", ErrPrefix, p)
	}
	for i := 0; i < len(p); i++ {
		if !prefixChar(p[i]) {
			return "", fmt.Errorf("%w: %q holds %q", ErrPrefix, p, p[i])
		}
	}
	t := strings.TrimRight(p, "/")
	if t == "" {
		return "/", nil
	}
	for _, seg := range strings.Split(t[1:], "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", fmt.Errorf("%w: %q has an empty, . or .. segment", ErrPrefix, p)
		}
	}
	return t, nil
}

// prefixChar reports whether c may appear in a mount prefix: RFC 3986's
// pchar without pct-encoded, plus '/'.
func prefixChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@/", c) >= 0
}

// checkDir returns dir made absolute, after checking it is a directory.
func checkDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("%w: %q: %v", ErrNotDir, dir, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrNotDir, err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("%w: %q", ErrNotDir, abs)
	}
	return abs, nil
}
