package static

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/gwsgi/gwsgi/environ"
	"github.com/gwsgi/gwsgi/wsgi"
)

// Options configure a Handler.
type Options struct {
	Mounts []Mount
	// MaxAge, when above 0, adds "Cache-Control: public, max-age=MaxAge"
	// to every file answer; 0 or less adds no Cache-Control.
	MaxAge int
	// Log may be nil. Refused paths (traversal attempts) are logged at
	// debug level when it has a Debugf method, and not at all otherwise.
	Log wsgi.Logger
}

// Handler answers requests from the files of its mounts. It is read-only
// after New: Match and Serve may be called from any goroutine, any number
// at once.
type Handler struct {
	mounts       []mount // longest prefix first; equal prefixes in the given order
	cacheControl string  // "" when MaxAge <= 0
	debug        debugLogger
	fallback     atomic.Bool // openat2 is missing here: resolve paths in user space
	closed       atomic.Bool
}

// mount is one Mount, opened.
type mount struct {
	prefix string
	dir    string // as configured, absolute
	real   string // dir with its symbolic links resolved (for the fallback)
	fd     int    // O_PATH descriptor of dir, owned by the Handler until Close
}

// debugLogger is a Logger that takes debug lines.
type debugLogger interface {
	Debugf(format string, args ...any)
}

// New opens each mount's directory once (O_PATH) for the Handler's
// lifetime. Prefixes are validated as ParseMount does; a relative Dir is
// made absolute. A request under several prefixes tries the longest
// first, and mounts of the same prefix in the given order: the first
// that has the file answers.
func New(o Options) (*Handler, error) {
	if len(o.Mounts) == 0 {
		return nil, ErrNoMounts
	}
	h := &Handler{}
	if o.MaxAge > 0 {
		h.cacheControl = "public, max-age=" + strconv.Itoa(o.MaxAge)
	}
	if d, ok := o.Log.(debugLogger); ok {
		h.debug = d
	}
	for _, mt := range o.Mounts {
		m, err := openMount(mt)
		if err != nil {
			h.Close()
			return nil, err
		}
		h.mounts = append(h.mounts, m)
	}
	slices.SortStableFunc(h.mounts, func(a, b mount) int { return len(b.prefix) - len(a.prefix) })
	if !probeOpenat2(h.mounts[0].fd) {
		h.fallback.Store(true)
	}
	return h, nil
}

func openMount(mt Mount) (mount, error) {
	prefix, err := cleanPrefix(mt.Prefix)
	if err != nil {
		return mount{}, err
	}
	dir, err := checkDir(mt.Dir)
	if err != nil {
		return mount{}, err
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return mount{}, fmt.Errorf("%w: %v", ErrNotDir, err)
	}
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return mount{}, fmt.Errorf("%w: %s: %v", ErrNotDir, dir, err)
	}
	return mount{prefix: prefix, dir: dir, real: real, fd: fd}, nil
}

// Close closes the mounts' directories. Call it once no Serve is running
// (after the server stopped): a Serve after it answers ErrClosed. Bodies
// already returned by Serve keep their own descriptors and stay valid.
// Closing again does nothing.
func (h *Handler) Close() error {
	if h.closed.Swap(true) {
		return nil
	}
	var first error
	for i := range h.mounts {
		if err := unix.Close(h.mounts[i].fd); err != nil && first == nil {
			first = err
		}
		h.mounts[i].fd = -1
	}
	return first
}

// Match reports whether env's request may name one of the files: its
// method is GET or HEAD and its path (env.RawURI up to '?', origin-form
// or absolute-form, not decoded) is under a prefix. It neither allocates
// nor makes a syscall, so an event loop may call it.
func (h *Handler) Match(env *environ.Environ) bool {
	if !getOrHead(env.Method) {
		return false
	}
	path, ok := requestPath(env.RawURI)
	return ok && h.under(path)
}

func getOrHead(method []byte) bool {
	return string(method) == "GET" || string(method) == "HEAD"
}

// Middleware serves files in front of next, for Go-native apps: requests
// Serve does not handle go to next.
func (h *Handler) Middleware(next wsgi.App) wsgi.App {
	return wsgi.AppFunc(func(env *environ.Environ, start wsgi.StartResponse) (wsgi.Iterable, error) {
		if h.Match(env) {
			if it, handled, err := h.Serve(env, start); handled {
				return it, err
			}
		}
		return next.Call(env, start)
	})
}

var _ wsgi.Middleware = (*Handler)(nil).Middleware
